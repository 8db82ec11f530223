/**
 * Shared helpers for the capture reader/writer tests (not a test file itself): feeding readers in chunks,
 * parsing capinfos output, running tshark/capinfos as reference decoders when installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import type { CaptureFileInfo, CaptureReader, CapturedPacket } from '../../../src/core/capture/types.js';
import { sharedCaptures } from '../../helpers/paths.js';

export type FileDiagnostic = Diagnostic & { fileOffset: number };

/** A packet as the sink saw it, with its data copied (the reader's view is only valid during the call). */
export type KeptPacket = Omit<CapturedPacket, 'data'> & { data: Uint8Array };

export interface ReadResult {
  packets: KeptPacket[];
  diagnostics: FileDiagnostic[];
  info: CaptureFileInfo;
  reader: CaptureReader;
}

/** Feeds `bytes` to a fresh reader in pieces of `chunk` bytes (or the given list of sizes, cycled). */
export function readBytes(format: 'pcap' | 'pcapng', bytes: Uint8Array, chunk: number | number[] = bytes.length || 1): ReadResult {
  const packets: KeptPacket[] = [];
  const diagnostics: FileDiagnostic[] = [];
  const reader = createCaptureReader(format, {
    packet: (p) => packets.push({ ...p, comments: p.comments ? [...p.comments] : undefined, data: p.data.slice() }),
    diagnostic: (d) => diagnostics.push(d),
  });
  const sizes = Array.isArray(chunk) ? chunk : [chunk];
  let i = 0;
  for (let at = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]);
    reader.push(bytes.subarray(at, Math.min(bytes.length, at + n)));
    at += n;
  }
  reader.end();
  for (const p of packets) if (p.comments === undefined) delete p.comments;
  return { packets, diagnostics, info: reader.info, reader };
}

/** The capture files of the shared corpus (not the reference outputs beside them). */
export function corpusCaptures(): string[] {
  return readdirSync(sharedCaptures)
    .filter((f) => !/\.(txt|tsv|opts|md)$/.test(f) && f !== 'SHA256SUMS' && f !== 'rfc4475')
    .sort();
}

/** A corpus file's capture bytes, gunzipped when it is a .gz. */
export function corpusBytes(name: string): Uint8Array {
  const raw = readFileSync(`${sharedCaptures}/${name}`);
  return new Uint8Array(name.endsWith('.gz') ? gunzipSync(raw) : raw);
}

export interface Capinfos {
  fileType: string;
  packets: number;
  /** "2014-08-28 14:28:10.153173" as printed (capinfos prints local time; the corpus was made in UTC). */
  first?: string;
  last?: string;
  /** Wiretap encapsulation short names per interface: "ether", "rawip", "linux-sll", ... */
  encapsulations: string[];
  /** Per interface, the packet count capinfos lists. */
  interfacePackets: number[];
  /** "Number of stat entries" per interface (ISBs). */
  statEntries: number[];
  /** Everything as `label -> value` (first occurrence). */
  fields: Map<string, string>;
}

export function parseCapinfos(text: string): Capinfos {
  const fields = new Map<string, string>();
  const encapsulations: string[] = [];
  const interfacePackets: number[] = [];
  const statEntries: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([^:=]+?)\s*[:=]\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, label, value] = m;
    if (!fields.has(label)) fields.set(label, value.trim());
    if (label === 'Encapsulation') {
      const e = /\((\d+) - ([^)]+)\)/.exec(value);
      encapsulations.push(e ? e[2] : value.trim());
    }
    if (label === 'Number of packets' && /^\s+/.test(line)) interfacePackets.push(Number(value));
    if (label === 'Number of stat entries') statEntries.push(Number(value));
  }
  // capinfos 4.0 repeats the interface list once per section for multi-section files: keep the first.
  const n = Number(fields.get('Number of interfaces in file') ?? encapsulations.length);
  encapsulations.length = Math.min(encapsulations.length, n);
  interfacePackets.length = Math.min(interfacePackets.length, n);
  statEntries.length = Math.min(statEntries.length, n);
  return {
    fileType: fields.get('File type') ?? '',
    packets: Number(fields.get('Number of packets')),
    first: fields.get('First packet time'),
    last: fields.get('Last packet time'),
    encapsulations,
    interfacePackets,
    statEntries,
    fields,
  };
}

/**
 * Wiretap encapsulation short name (what capinfos prints) -> LINKTYPE_* value in the file. Wiretap numbers
 * are its own (rawip is WTAP_ENCAP_RAW_IP 7, LINKTYPE_RAW is 101): tcpdump.org/linktypes.html.
 */
export const LINKTYPE_BY_WTAP_NAME: Record<string, number[]> = {
  ether: [1],
  rawip: [101, 12, 14],
  'linux-sll': [113],
  null: [0],
  rawip4: [228],
  rawip6: [229],
};

/** UTC "YYYY-MM-DD HH:MM:SS.fff…" with `digits` fraction digits, truncated (as capinfos prints). */
export function formatTimestamp(sec: number, nsec: number, digits: number): string {
  const d = new Date(sec * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  return digits === 0 ? date : `${date}.${String(nsec).padStart(9, '0').slice(0, digits)}`;
}

export function haveTool(name: string): boolean {
  return spawnSync('which', [name], { encoding: 'utf8' }).status === 0;
}

export const haveTshark = haveTool('tshark');
export const haveCapinfos = haveTool('capinfos');

/** `tshark -r FILE -T fields -e ...` rows (tab-separated columns); stderr (the root warning) ignored. */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-r', file, ...extra, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])];
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

/** Full `capinfos` output for a file, or throws with capinfos' own complaint (its exit status is non-zero). */
export function capinfos(file: string, options: string[] = []): string {
  const r = spawnSync('capinfos', [...options, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`capinfos failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Seconds + nanoseconds as the 9-digit text tshark prints for frame.time_epoch. */
export function epochText(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/**
 * Packets with their data replaced by a SHA-1: deep-comparing thousands of Uint8Arrays element by element is
 * slow in the test framework, and a digest compares the same bytes.
 */
export function fingerprint(packets: KeptPacket[]): (Omit<KeptPacket, 'data'> & { sha1: string })[] {
  return packets.map(({ data, ...rest }) => ({ ...rest, sha1: createHash('sha1').update(data).digest('hex') }));
}

/** Byte equality without the framework's element-by-element diff (fast for large arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Feeds `bytes` to a reader in chunks of the given sizes, in turn, then ends it. */
export function pushInChunks(reader: { push(chunk: Uint8Array): void; end(): void }, bytes: Uint8Array, chunks: number[]): void {
  let i = 0;
  for (let at = 0; at < bytes.length; i++) {
    const n = chunks[i % chunks.length];
    reader.push(bytes.subarray(at, at + n));
    at += n;
  }
  reader.end();
}

/** A deterministic packet payload of `n` bytes. */
export const payload = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff);
/** if_tsresol values: nanoseconds, and 2^-20 seconds. */
export const NS = { base: 10, exponent: 9 } as const;
export const BIN20 = { base: 2, exponent: 20 } as const;
