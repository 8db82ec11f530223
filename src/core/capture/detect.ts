/**
 * Capture format detection by magic bytes, never by file name (the corpus has pcapng files named .pcap and
 * pcap files named .cap). Wireshark does the same in wiretap's open routines.
 */
import type { CaptureFormat } from './types.js';

/** The pcap magic numbers as read big-endian from the first four bytes. */
const PCAP_MAGICS = new Set([
  0xa1b2c3d4, // µs, big-endian file
  0xd4c3b2a1, // µs, little-endian file
  0xa1b23c4d, // ns, big-endian file
  0x4d3cb2a1, // ns, little-endian file
]);

function u32be(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Needs at least 4 bytes; fewer is always 'unknown'. */
export function detectCaptureFormat(firstBytes: Uint8Array): CaptureFormat {
  if (firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b) return 'gzip';
  if (firstBytes.length < 4) return 'unknown';
  const magic = u32be(firstBytes, 0);
  if (PCAP_MAGICS.has(magic)) return 'pcap';
  // pcapng Section Header Block type 0x0A0D0D0A is a palindrome: same in both byte orders.
  if (magic === 0x0a0d0d0a) return 'pcapng';
  if (magic === 0x474d4255 /* 'GMBU' NetMon 2.x */ || magic === 0x52545353 /* 'RTSS' NetMon 1.x */) return 'netmon';
  return 'unknown';
}

interface KnownMagic {
  bytes: number[];
  what: string;
  advice: string;
}

const CONVERT = 'convert it with `editcap -F pcapng IN OUT`';

/** Formats we do not read but can name, so the user learns what the file is and what to do. */
const OTHER_MAGICS: KnownMagic[] = [
  { bytes: [0x47, 0x4d, 0x42, 0x55], what: 'a Microsoft Network Monitor 2.x file', advice: CONVERT },
  { bytes: [0x52, 0x54, 0x53, 0x53], what: 'a Microsoft Network Monitor 1.x file', advice: CONVERT },
  { bytes: [0xa1, 0xb2, 0xcd, 0x34], what: 'a "modified" (Kuznetzov) pcap file', advice: CONVERT },
  { bytes: [0x34, 0xcd, 0xb2, 0xa1], what: 'a "modified" (Kuznetzov) pcap file', advice: CONVERT },
  { bytes: [0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00], what: 'a Sun snoop file', advice: CONVERT },
  { bytes: [0x58, 0x43, 0x50, 0x00], what: 'a NetXray / Sniffer file', advice: CONVERT },
  { bytes: [0x42, 0x5a, 0x68], what: 'bzip2-compressed data', advice: 'decompress it first (`bunzip2 FILE`)' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed data', advice: 'decompress it first (`unxz FILE`)' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed data', advice: 'decompress it first (`unzstd FILE`)' },
  { bytes: [0x04, 0x22, 0x4d, 0x18], what: 'lz4-compressed data', advice: 'decompress it first (`unlz4 FILE`)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive', advice: 'extract the capture from it first' },
];

function hexBytes(b: Uint8Array, n: number): string {
  return Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function asciiBytes(b: Uint8Array, n: number): string {
  return Array.from(b.subarray(0, n), (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
}

function startsWith(b: Uint8Array, magic: number[]): boolean {
  if (b.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[i] !== magic[i]) return false;
  return true;
}

/** Printable ASCII / UTF-8 with the usual whitespace and no NUL: a log, a tshark text export, a SIP message. */
function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  if (n === 0) return false;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) odd++;
  }
  return odd === 0;
}

function firstLine(b: Uint8Array): string {
  const n = Math.min(b.length, 200);
  let end = 0;
  while (end < n && b[end] !== 0x0a && b[end] !== 0x0d) end++;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, end)).trim();
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * A sentence for a user saying what the file seems to be instead of pcap/pcapng, e.g.
 * "not a pcap or pcapng capture (starts with 47 4d 42 55 'GMBU': a Microsoft Network Monitor 2.x file —
 * convert it with `editcap -F pcapng IN OUT`)". Give it the first 64+ bytes.
 */
export function describeUnknownFormat(firstBytes: Uint8Array): string {
  if (firstBytes.length === 0) return 'the file is empty (0 bytes): there are no packets in it';
  const n = Math.min(firstBytes.length, 4);
  const start = `starts with ${hexBytes(firstBytes, n)} '${asciiBytes(firstBytes, n)}'`;
  for (const m of OTHER_MAGICS) {
    if (startsWith(firstBytes, m.bytes)) return `not a pcap or pcapng capture (${start}: ${m.what} — ${m.advice})`;
  }
  const format = detectCaptureFormat(firstBytes);
  if (format === 'pcap' || format === 'pcapng' || format === 'gzip') {
    // Callers normally only ask for unknown files; answer sensibly anyway.
    return `a ${format} file (${start})`;
  }
  if (firstBytes.length < 4) {
    return `too short to be a capture (${firstBytes.length} byte(s): ${hexBytes(firstBytes, firstBytes.length)}); a pcap file has a 24-byte header`;
  }
  if (looksLikeText(firstBytes)) {
    return `not a pcap or pcapng capture: it looks like a text file (first line: "${firstLine(firstBytes)}"); open the binary capture (.pcap, .pcapng) instead — a tshark/Wireshark text export cannot be read back`;
  }
  return `not a pcap or pcapng capture (${start}: not a capture format sipscope recognises; if Wireshark can open it, save it as pcapng with \`editcap -F pcapng IN OUT\`)`;
}
