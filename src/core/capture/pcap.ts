/**
 * Push-based reader for classic libpcap files (draft-ietf-opsawg-pcap; tcpdump.org/manpages/pcap-savefile.5).
 *
 * File header (24 bytes): magic, version 2.4, thiszone, sigfigs, snaplen, link type (+ FCS bits).
 * Record header (16 bytes): ts_sec, ts_usec|ts_nsec, incl_len, orig_len; then incl_len bytes of packet.
 *
 * Records are parsed in place in the pushed chunk; only a record split across two chunks is copied (into
 * `Leftover`). The hot loop touches each record header once and hands the sink a view of the data.
 *
 * A record length beyond the sanity limit means the framing is lost: the bytes that follow cannot be told
 * apart from packet data. We report `malformed` with the file offset and STOP rather than resync. Resyncing
 * (scanning for something that looks like a record header) would invent packets out of payload bytes in
 * exactly the files a user is trying to debug, and Wireshark does not resync either ("File has N-byte
 * packet, bigger than maximum of 262144"). Everything before the damage has been delivered.
 */
import { malformed, truncated } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { DiagnosticBudget, emptyCaptureInfo, Leftover } from './framing.js';
import type { CaptureFileInfo, CaptureInterface, CaptureReader, CaptureSink } from './types.js';

export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** libpcap's MAXIMUM_SNAPLEN and Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD. */
export const PCAP_MAX_STANDARD_RECORD = 262_144;
/** A snaplen in the header may raise the limit (D-Bus, USB captures), but not past this. */
export const PCAP_MAX_RECORD = 64 * 1024 * 1024;

/** The link-type field: LINKTYPE in the low bits, FCS length in the top 4 (libpcap LT_LINKTYPE / LT_FCS_*). */
const LINKTYPE_MASK = 0x03ff_ffff;
const FCS_PRESENT = 0x0400_0000;

const LAYER = 'pcap';

export class PcapReader implements CaptureReader {
  readonly info: CaptureFileInfo = emptyCaptureInfo('pcap');
  bytesConsumed = 0;
  stopped = false;

  private headerDone = false;
  private le = true;
  private nano = false;
  private linkType = 0;
  private maxRecord = PCAP_MAX_STANDARD_RECORD;
  private frame = 0;
  /** Holds the file header or one record split across chunks. */
  private readonly left = new Leftover();
  /** Bytes the unit in `left` needs in total: 24 (file header), 16 (record header), 16 + incl_len. */
  private need = PCAP_FILE_HEADER_LENGTH;
  private readonly budget: DiagnosticBudget;

  constructor(private readonly sink: CaptureSink) {
    this.budget = new DiagnosticBudget(sink);
  }

  push(chunk: Uint8Array): void {
    const end = chunk.length;
    const base = this.bytesConsumed;
    this.bytesConsumed += end;
    if (this.stopped || end === 0) return;
    let pos = 0;
    if (!this.headerDone || this.left.length > 0) {
      if (this.left.length === 0) this.left.start(base);
      pos = this.completeLeftover(chunk, 0, end);
      if (pos >= end || this.stopped) return;
    }
    pos = this.scan(chunk, pos, end, base);
    if (pos < end && !this.stopped) {
      this.left.start(base + pos);
      this.need = PCAP_RECORD_HEADER_LENGTH;
      this.completeLeftover(chunk, pos, end);
    }
  }

  end(): void {
    if (!this.stopped) {
      const got = this.left.length;
      if (!this.headerDone) {
        this.report(
          truncated(
            LAYER,
            got === 0
              ? 'no data: the capture ends before its 24-byte pcap file header'
              : `the capture ends inside its 24-byte pcap file header (${got} byte(s) present)`,
          ),
          this.left.fileOffset,
        );
      } else if (got > 0) {
        const at = this.left.fileOffset;
        const message =
          got < PCAP_RECORD_HEADER_LENGTH
            ? `the capture ends inside the 16-byte header of record ${this.frame + 1} at offset ${at} (${got} byte(s) present): the file was cut short`
            : `the capture ends inside record ${this.frame + 1} at offset ${at}: its header announces ${this.need - PCAP_RECORD_HEADER_LENGTH} captured byte(s) but only ${got - PCAP_RECORD_HEADER_LENGTH} are present (the file was cut short; the partial packet is not shown)`;
        this.report(truncated(LAYER, message), at);
      }
    }
    this.left.clear();
    this.budget.flush(LAYER, this.bytesConsumed);
  }

  /** The hot loop: whole records inside `chunk[pos..end)`; returns where the first incomplete one starts. */
  private scan(chunk: Uint8Array, pos: number, end: number, base: number): number {
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const le = this.le;
    const max = this.maxRecord;
    while (end - pos >= PCAP_RECORD_HEADER_LENGTH) {
      const incl = dv.getUint32(pos + 8, le);
      if (incl > max) {
        this.tooLong(incl, base + pos);
        return end;
      }
      const next = pos + PCAP_RECORD_HEADER_LENGTH + incl;
      if (next > end) break;
      this.emit(chunk, dv, pos, incl, base + pos);
      pos = next;
    }
    return pos;
  }

  /**
   * Moves bytes into the leftover until the unit it holds is complete, then processes it. Returns the
   * position in `chunk` after the bytes used (`end` if the unit is still incomplete).
   */
  private completeLeftover(chunk: Uint8Array, pos: number, end: number): number {
    const left = this.left;
    while (true) {
      pos = left.fill(chunk, pos, end, this.need);
      if (left.length < this.need) return end;
      if (!this.headerDone) {
        this.parseFileHeader(left.view, left.fileOffset);
        left.clear();
        if (this.stopped) return end;
        return pos;
      }
      if (this.need === PCAP_RECORD_HEADER_LENGTH) {
        const incl = left.view.getUint32(8, this.le);
        if (incl > this.maxRecord) {
          this.tooLong(incl, left.fileOffset);
          return end;
        }
        this.need = PCAP_RECORD_HEADER_LENGTH + incl;
        if (incl > 0) continue;
      }
      this.emit(left.bytes, left.view, 0, this.need - PCAP_RECORD_HEADER_LENGTH, left.fileOffset);
      left.clear();
      return pos;
    }
  }

  private parseFileHeader(dv: DataView, at: number): void {
    const magic = dv.getUint32(0, false);
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.le = false;
    else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.le = true;
    else {
      this.stop(
        `not a pcap file: the magic number is 0x${magic.toString(16).padStart(8, '0')}, expected a1b2c3d4 or a1b23c4d in either byte order`,
        at,
      );
      return;
    }
    const le = this.le;
    this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    const major = dv.getUint16(4, le);
    const minor = dv.getUint16(6, le);
    // Wireshark accepts any 2.x (2.2 and 2.3 files exist); 1.x predates the current record layout.
    if (major !== 2) {
      this.stop(`unsupported pcap version ${major}.${minor} (only 2.x exists in the wild; this is probably not a pcap file)`, at);
      return;
    }
    const snapLength = dv.getUint32(16, le);
    const network = dv.getUint32(20, le);
    this.linkType = network & LINKTYPE_MASK;
    this.maxRecord = Math.max(PCAP_MAX_STANDARD_RECORD, Math.min(snapLength, PCAP_MAX_RECORD));
    const iface: CaptureInterface = {
      id: 0,
      section: 0,
      linkType: this.linkType,
      snapLength,
      timestampUnitsPerSecond: this.nano ? 1e9 : 1e6,
    };
    if (network & FCS_PRESENT) iface.fcsLength = (network >>> 28) * 2; // FCS length in 16-bit units
    const info = this.info;
    info.littleEndian = le;
    info.nanosecond = this.nano;
    info.versionMajor = major;
    info.versionMinor = minor;
    info.sections = 1;
    info.interfaces.push(iface);
    this.headerDone = true;
    this.need = PCAP_RECORD_HEADER_LENGTH;
  }

  private emit(buf: Uint8Array, dv: DataView, p: number, incl: number, at: number): void {
    const le = this.le;
    let sec = dv.getUint32(p, le);
    let frac = dv.getUint32(p + 4, le);
    const orig = dv.getUint32(p + 12, le);
    const frame = ++this.frame;
    let nsec: number;
    if (this.nano) {
      if (frac >= 1e9) {
        sec += this.carried(frame, frac, 1e9, at);
        frac %= 1e9;
      }
      nsec = frac;
    } else {
      if (frac >= 1e6) {
        sec += this.carried(frame, frac, 1e6, at);
        frac %= 1e6;
      }
      nsec = frac * 1000;
    }
    if (incl > orig) {
      this.report(
        malformed(LAYER, `record ${frame}: captured length ${incl} is larger than the original length ${orig} (delivered anyway)`),
        at,
        'captured length > original length',
      );
    }
    const data = p + PCAP_RECORD_HEADER_LENGTH;
    this.sink.packet({
      frame,
      interfaceId: 0,
      linkType: this.linkType,
      tsSec: sec,
      tsNsec: nsec,
      capturedLength: incl,
      originalLength: orig,
      dataOffset: at + PCAP_RECORD_HEADER_LENGTH,
      data: buf.subarray(data, data + incl),
    });
  }

  /** A sub-second field of a second or more: reports it and returns the whole seconds to carry over. */
  private carried(frame: number, frac: number, perSecond: number, at: number): number {
    this.report(
      malformed(
        LAYER,
        `record ${frame}: the sub-second field is ${frac} (${perSecond === 1e9 ? 'ns' : 'µs'}), not below one second; carried into the seconds`,
      ),
      at,
      'sub-second field out of range',
    );
    return Math.floor(frac / perSecond);
  }

  private tooLong(incl: number, at: number): void {
    this.stop(
      `record ${this.frame + 1} at offset ${at} claims ${incl} captured bytes, more than the ${this.maxRecord}-byte limit: the file is damaged here (or not what its header says); stopped reading, the ${this.frame} packet(s) before were read`,
      at,
    );
  }

  private stop(message: string, at: number): void {
    this.stopped = true;
    this.left.clear();
    this.sink.diagnostic({ ...malformed(LAYER, message, at), fileOffset: at });
  }

  private report(d: Diagnostic, at: number, key?: string): void {
    if (key) this.budget.report(key, d, at);
    else this.sink.diagnostic({ ...d, offset: at, fileOffset: at });
  }
}
