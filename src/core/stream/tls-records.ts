/**
 * TLS on one direction of a TCP stream (SIP over TLS, RFC 3261 §26.2, usually port 5061): without keys the
 * SIP inside cannot be read, so the stream is walked record by record (TLSPlaintext / TLSCiphertext header,
 * RFC 8446 §5.1 and RFC 5246 §6.2: content type, legacy record version, length) and summarised once when
 * it closes: "encrypted (TLS 1.3), 14 records, no keys". The version comes from the first handshake record
 * (ClientHello / ServerHello and their supported_versions extension, RFC 8446 §4.1.2-§4.1.3, §4.2.1).
 *
 * Decryption slots in at `applicationData` below: with the session's keys (an SSLKEYLOGFILE), each
 * application_data record's body would be decrypted there and the plaintext fed, in order, to a SIP
 * `StreamSink` (the sniffer's `createSipSink`), whose messages then come out like those of plain TCP.
 *
 * SSLv2-compatible ClientHellos (RFC 5246 Appendix E.2, first byte 0x80) are not recognised: nothing in
 * SIP signalling sends them.
 */
import type { TimedChunk } from './chunks.js';
import type { StreamOutputs } from './stream-sink.js';
import { NEED_MORE, UnitStreamSink } from './unit-stream.js';

const HEADER = 5;
/** TLSCiphertext.length may exceed 2^14 by the expansion allowance: 2048 in TLS 1.2 (RFC 5246 §6.2.3), 256 in 1.3. */
export const MAX_TLS_RECORD = 16384 + 2048;

const CT_CHANGE_CIPHER_SPEC = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPLICATION_DATA = 23;
const CT_HEARTBEAT = 24;

const EXT_SERVER_NAME = 0;
const EXT_SUPPORTED_VERSIONS = 43;

/** Is a plausible record header at `p`? (content type 20-24, version 0x0300-0x0304, length within bounds) */
function validHeader(bytes: Uint8Array, p: number): boolean {
  const type = bytes[p];
  return type >= CT_CHANGE_CIPHER_SPEC && type <= CT_HEARTBEAT && bytes[p + 1] === 3 && bytes[p + 2] <= 4 && ((bytes[p + 3] << 8) | bytes[p + 4]) <= MAX_TLS_RECORD;
}

/**
 * Does a TLS record start at `p`? A valid non-empty record header, and — when the buffer reaches it — a
 * valid header right after the record (a single 5-byte match inside random data is too weak on its own).
 * `more` when [p, end) is too short to tell. With `final`, a lone header is enough.
 */
export function judgeTlsRecord(bytes: Uint8Array, p: number, end: number, final = false): 'yes' | 'no' | 'more' {
  if (end > bytes.length) end = bytes.length;
  if (p >= end) return 'more';
  const type = bytes[p];
  if (type < CT_CHANGE_CIPHER_SPEC || type > CT_HEARTBEAT) return 'no';
  if (p + HEADER > end) return final ? 'no' : 'more';
  if (!validHeader(bytes, p)) return 'no';
  const length = (bytes[p + 3] << 8) | bytes[p + 4];
  if (length === 0) return 'no';
  const next = p + HEADER + length;
  if (next + HEADER <= end) return validHeader(bytes, next) ? 'yes' : 'no';
  if (next === end || final) return 'yes';
  return 'more';
}

/** What the first handshake record said. */
export interface TlsHello {
  kind: 'client' | 'server';
  /** legacy_version of the hello. */
  legacyVersion: number;
  /** ClientHello supported_versions (GREASE values left out), or the ServerHello's selected version. */
  versions: number[];
  /** ClientHello server_name (RFC 6066 §3), host_name entry. */
  serverName?: string;
}

function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

/** Reads a ClientHello / ServerHello at `p` (a handshake message header first); every read is bounded by `end`. */
export function parseTlsHello(b: Uint8Array, p: number, end: number): TlsHello | undefined {
  if (end > b.length) end = b.length;
  if (p + 4 > end || (b[p] !== 1 && b[p] !== 2)) return undefined;
  const hello: TlsHello = { kind: b[p] === 1 ? 'client' : 'server', legacyVersion: 0, versions: [] };
  const hEnd = Math.min(end, p + 4 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]));
  let q = p + 4;
  if (q + 2 + 32 + 1 > hEnd) return hello;
  hello.legacyVersion = u16(b, q);
  q += 34; // legacy_version, random
  q += 1 + b[q]; // legacy_session_id(_echo)
  if (hello.kind === 'client') {
    if (q + 2 > hEnd) return hello;
    q += 2 + u16(b, q); // cipher_suites
    if (q + 1 > hEnd) return hello;
    q += 1 + b[q]; // legacy_compression_methods
  } else {
    q += 3; // cipher_suite, legacy_compression_method
  }
  if (q + 2 > hEnd) return hello;
  const extEnd = Math.min(hEnd, q + 2 + u16(b, q));
  q += 2;
  while (q + 4 <= extEnd) {
    const type = u16(b, q);
    const data = q + 4;
    const dataEnd = data + u16(b, q + 2);
    if (dataEnd > extEnd) break;
    if (type === EXT_SUPPORTED_VERSIONS) {
      if (hello.kind === 'server') {
        if (data + 2 <= dataEnd) hello.versions = [u16(b, data)];
      } else if (data + 1 <= dataEnd) {
        const listEnd = Math.min(dataEnd, data + 1 + b[data]);
        for (let v = data + 1; v + 2 <= listEnd; v += 2) if (b[v] === 3) hello.versions.push(u16(b, v));
      }
    } else if (type === EXT_SERVER_NAME && hello.kind === 'client' && data + 5 <= dataEnd && b[data + 2] === 0) {
      const nameEnd = data + 5 + u16(b, data + 3);
      if (nameEnd <= dataEnd) hello.serverName = new TextDecoder('latin1').decode(b.subarray(data + 5, nameEnd));
    }
    q = dataEnd;
  }
  return hello;
}

export function tlsVersionName(version: number): string {
  if (version === 0x0300) return 'SSL 3.0';
  if (version >= 0x0301 && version <= 0x0304) return `TLS 1.${version - 0x0301}`;
  return `0x${version.toString(16).padStart(4, '0')}`;
}

export interface TlsStats {
  records: number;
  /** Bytes of the records (headers included), gaps included. */
  recordBytes: number;
  handshake: number;
  applicationData: number;
  alert: number;
  changeCipherSpec: number;
  gaps: number;
  /** Bytes skipped while looking for a record header (mid-stream pickup, after a gap or a bad header). */
  discardedBytes: number;
}

type State = 'header' | 'body' | 'resync';

/** Counts the records of one TLS direction and reports them when it closes. */
export class TlsRecordSink<Flow> extends UnitStreamSink<Flow> {
  readonly stats: TlsStats = { records: 0, recordBytes: 0, handshake: 0, applicationData: 0, alert: 0, changeCipherSpec: 0, gaps: 0, discardedBytes: 0 };
  hello: TlsHello | undefined;
  /** Record-layer version of the first record (the legacy field; TLS 1.3 keeps 0x0303, RFC 8446 §5.1). */
  recordVersion = 0;
  private state: State;
  private remaining = 0;
  private firstHandshakeSeen = false;

  constructor(flow: Flow, outputs: StreamOutputs<Flow>, options: { midStream?: boolean } = {}) {
    super(flow, outputs);
    this.state = options.midStream ? 'resync' : 'header';
  }

  protected streamLength(): number {
    return this.state === 'body' ? this.remaining : 0;
  }

  protected stream(_bytes: Uint8Array, start: number, end: number, _chunk: TimedChunk): void {
    // Decryption slots in here: for an application_data record (type 23, noted in `unit`) these are
    // ciphertext bytes of one record; once the record is whole, decrypt it and feed the plaintext to the
    // SIP sink.
    this.remaining -= end - start;
    if (this.remaining === 0) this.state = 'header';
  }

  protected unit(bytes: Uint8Array, pos: number, end: number, _chunks: TimedChunk[], _base: number): number {
    if (this.state === 'resync') return this.resync(bytes, pos, end, judgeTlsRecord, () => (this.state = 'header'));
    if (pos + HEADER > end) return NEED_MORE;
    if (!validHeader(bytes, pos)) {
      this.state = 'resync';
      return 0;
    }
    const type = bytes[pos];
    const length = (bytes[pos + 3] << 8) | bytes[pos + 4];
    // The first handshake record is read whole for its hello (at most 18 KiB held).
    const readHello = type === CT_HANDSHAKE && !this.firstHandshakeSeen;
    if (readHello && pos + HEADER + length > end) return NEED_MORE;
    this.count(type, (bytes[pos + 1] << 8) | bytes[pos + 2], length);
    if (readHello) {
      this.firstHandshakeSeen = true;
      this.hello = parseTlsHello(bytes, pos + HEADER, pos + HEADER + length);
      return HEADER + length;
    }
    this.remaining = length;
    this.state = length > 0 ? 'body' : 'header';
    return HEADER;
  }

  private count(type: number, version: number, length: number): void {
    const s = this.stats;
    if (s.records === 0) this.recordVersion = version;
    s.records++;
    s.recordBytes += HEADER + length;
    if (type === CT_HANDSHAKE) s.handshake++;
    else if (type === CT_APPLICATION_DATA) s.applicationData++;
    else if (type === CT_ALERT) s.alert++;
    else if (type === CT_CHANGE_CIPHER_SPEC) s.changeCipherSpec++;
  }

  gap(missing: number, _frame: number): void {
    this.stats.gaps++;
    if (this.state === 'body' && missing <= this.remaining) {
      // Inside a record body: its length keeps us in step.
      this.remaining -= missing;
      if (this.remaining === 0) this.state = 'header';
      return;
    }
    const held = this.held;
    if (this.state === 'header' && held.length >= HEADER && validHeader(held.bytes, 0)) {
      // A record held whole for its hello, cut by the hole: it was seen (count it), and when the hole ends
      // inside it, its length still keeps us in step.
      const length = (held.bytes[3] << 8) | held.bytes[4];
      this.firstHandshakeSeen = true;
      this.count(held.bytes[0], (held.bytes[1] << 8) | held.bytes[2], length);
      if (held.length + missing <= HEADER + length) {
        this.remaining = HEADER + length - held.length - missing;
        this.state = this.remaining > 0 ? 'body' : 'header';
        held.clear();
        return;
      }
    }
    held.clear();
    this.state = 'resync';
  }

  close(_reason: string): void {
    this.held.clear();
    const s = this.stats;
    if (s.records === 0 && this.bytesSeen === 0) return;
    this.report('tls', s.records, s.recordBytes, this.describe());
  }

  /** `encrypted (TLS 1.3, SNI ims.example.net), 14 records, no keys` and the like. */
  describe(): string {
    const s = this.stats;
    const hello = this.hello;
    let version: string;
    if (hello?.kind === 'server') version = tlsVersionName(hello.versions[0] ?? hello.legacyVersion);
    else if (hello?.kind === 'client') version = `client offers up to ${tlsVersionName(Math.max(hello.legacyVersion, ...hello.versions))}`;
    else if (s.records > 0) version = `TLS, handshake not captured, record version ${tlsVersionName(this.recordVersion)}`;
    else version = 'TLS';
    if (hello?.serverName) version += `, SNI ${hello.serverName}`;
    const extra: string[] = [];
    if (s.gaps > 0) extra.push(`${s.gaps} gap(s)`);
    if (s.discardedBytes > 0) extra.push(`${s.discardedBytes} bytes not in records`);
    const tail = extra.length > 0 ? `; ${extra.join(', ')}` : '';
    const records = `${s.records} record${s.records === 1 ? '' : 's'}`;
    // After a hello, nothing is encrypted before ChangeCipherSpec (TLS 1.2) or an application_data record
    // (the type TLS 1.3 hides every encrypted record behind, RFC 8446 §5.2). Without the handshake, a
    // stream picked up mid-way is past it: encrypted.
    if (hello !== undefined && s.applicationData === 0 && s.changeCipherSpec === 0) return `TLS handshake only (${version}), ${records}, nothing encrypted${tail}`;
    return `encrypted (${version}), ${records}, no keys${tail}`;
  }
}
