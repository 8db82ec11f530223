/**
 * Push-based reader for pcapng (draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump File Format").
 *
 * Every block is: type (4), total length (4), body, total length again (4), in the byte order of its
 * section (set by the Section Header Block's byte-order magic). Blocks are parsed in place in the pushed
 * chunk; only a block split across two chunks is copied into `Leftover`, except blocks we skip anyway
 * (custom, decryption secrets, unknown types) larger than STREAM_SKIP_THRESHOLD, which are skipped as they
 * stream past without being held.
 *
 * Damage handling. A block whose total length is impossible (< 12, not a multiple of 4, over the sanity
 * limit) or whose trailing copy of the length disagrees means the framing is lost: nothing after it can be
 * located reliably. We report `malformed` with the file offset and STOP reading (as Wireshark does); all
 * packets before it were delivered. A block whose framing is intact but whose content is wrong (an EPB whose
 * captured length overruns the block, an unknown interface id) is reported and skipped, and reading goes on.
 *
 * Interface ids: an EPB names an interface by its index within its own section; we number interfaces
 * globally across sections in file order (CaptureInterface.id) and hand packets that global id.
 */
import { malformed, note, truncated } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { DiagnosticBudget, emptyCaptureInfo, Leftover } from './framing.js';
import { decodeTsresol, isSupportedResolution, MICROSECONDS, TickConverter, unitsPerSecond } from './ticks.js';
import type { CaptureFileInfo, CaptureInterface, CaptureReader, CaptureSink, CapturedPacket } from './types.js';
import { formatIpv4, formatIpv6 } from '../net/address.js';

// Block types (pcapng §4, §10.1 registry).
export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_PB = 0x00000002; // obsolete Packet Block (Appendix A)
export const BLOCK_SPB = 0x00000003;
export const BLOCK_NRB = 0x00000004;
export const BLOCK_ISB = 0x00000005;
export const BLOCK_EPB = 0x00000006;
export const BLOCK_DSB = 0x0000000a;
export const BLOCK_CUSTOM = 0x00000bad;
export const BLOCK_CUSTOM_NOCOPY = 0x40000bad;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Names for registered block types we do not decode, so the note says what was skipped. */
const KNOWN_SKIPPED: Record<number, string> = {
  0x00000007: 'IRIG timestamp',
  0x00000008: 'ARINC 429',
  0x00000009: 'systemd Journal Export',
  0x00000101: 'Hone Project Machine Info',
  0x00000102: 'Hone Project Connection Event',
  0x00000201: 'Sysdig Machine Info',
  0x00000202: 'Sysdig Process Info v1',
  0x00000203: 'Sysdig FD List',
  0x00000204: 'Sysdig Event',
  0x00000205: 'Sysdig Interface List',
  0x00000206: 'Sysdig User List',
  0x00000207: 'Sysdig Process Info v2',
  0x00000208: 'Sysdig Event with flags',
  0x00000209: 'Sysdig Process Info v3',
  0x00000210: 'Sysdig Process Info v4',
  0x00000211: 'Sysdig Process Info v5',
  0x00000212: 'Sysdig Process Info v6',
  0x00000213: 'Sysdig Process Info v7',
  0x80000001: 'Darwin Process Info',
};

const LAYER = 'pcapng';
// Not util/text.ts: the lint rule's bare 'util' pattern (meant for node:util) also matches '../util/*'.
const utf8 = new TextDecoder('utf-8', { fatal: false });

function decodeText(b: Uint8Array, start: number, end: number): string {
  return utf8.decode(b.subarray(start, end));
}
const MIN_BLOCK = 12;
/** Largest block we hold in memory to parse (a 256 KiB packet plus generous options fits many times). */
export const PCAPNG_MAX_BLOCK = 64 * 1024 * 1024;
/** Skippable blocks above this size stream past instead of being buffered when split across chunks. */
const STREAM_SKIP_THRESHOLD = 1024 * 1024;
/**
 * Largest Custom Block handed to a sink that asks for them (CaptureSink.customBlock): room for sipscope's
 * annotations (at most 16 MiB of text, see core/annotations) and its framing; bigger ones stream past.
 */
export const CUSTOM_BLOCK_MAX = 16 * 1024 * 1024 + 4096;

// Option codes (§3.5, §4.1–§4.6).
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FILTER = 11;
const IF_OS = 12;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;
const EPB_FLAGS = 2;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;
const NRB_END = 0;
const NRB_IPV4 = 1;
const NRB_IPV6 = 2;

/** What the reader keeps per interface besides the public CaptureInterface. */
interface InterfaceState {
  info: CaptureInterface;
  ticks: TickConverter;
  linkType: number;
  /** 0 = no limit. */
  snapLength: number;
}

interface RawOption {
  code: number;
  start: number;
  length: number;
}

export class PcapngReader implements CaptureReader {
  readonly info: CaptureFileInfo = emptyCaptureInfo('pcapng');
  bytesConsumed = 0;
  stopped = false;

  /** Byte order of the current section. */
  private le = true;
  private frame = 0;
  private readonly ifaces: InterfaceState[] = [];
  /** Global id of the current section's interface 0, and how many the section has. */
  private sectionIfBase = 0;
  private sectionIfCount = 0;
  private readonly left = new Leftover();
  /** Total length of the block in `left` once known; 0 while its first 12 bytes are still being collected. */
  private leftNeed = 0;
  /** Byte order of the block being collected or skipped (differs from `le` for a new section's SHB). */
  private curLe = true;
  private curType = 0;
  private curLen = 0;
  private curOffset = 0;
  /** Bytes of a streamed-skip block still to come (its trailer included). */
  private skipLeft = 0;
  private readonly trailer = new Uint8Array(4);
  private readonly trailerView = new DataView(this.trailer.buffer);
  private readonly unknownNoted = new Set<number>();
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
    if (this.skipLeft > 0) {
      pos = this.continueSkip(chunk, pos, end);
      if (this.skipLeft > 0 || this.stopped) return;
    }
    if (this.left.length > 0) {
      pos = this.completeLeftover(chunk, pos, end);
      if (pos >= end || this.stopped) return;
    }
    pos = this.scan(chunk, pos, end, base);
    if (pos >= end || this.stopped) return;
    // An incomplete block starts at `pos`.
    this.left.start(base + pos);
    this.leftNeed = 0;
    this.completeLeftover(chunk, pos, end);
  }

  end(): void {
    if (!this.stopped) {
      if (this.skipLeft > 0) {
        this.report(
          truncated(
            LAYER,
            `the capture ends inside the ${this.blockName(this.curType)} at offset ${this.curOffset} (${this.curLen - this.skipLeft} of ${this.curLen} bytes present): the file was cut short`,
          ),
          this.curOffset,
        );
      } else if (this.left.length > 0 || this.info.sections === 0) {
        const at = this.left.fileOffset;
        const got = this.left.length;
        let message: string;
        if (this.info.sections === 0 && got === 0) {
          message = 'no data: the capture ends before its Section Header Block';
        } else if (this.leftNeed === 0) {
          message = `the capture ends inside a block header at offset ${at} (${got} byte(s) present): the file was cut short`;
        } else {
          const name = this.blockName(this.curType);
          const what = this.isPacketBlock(this.curType) ? ` (frame ${this.frame + 1}, not shown)` : '';
          message = `the capture ends inside the ${name} at offset ${at}${what}: it announces ${this.leftNeed} bytes but only ${got} are present (the file was cut short)`;
        }
        this.report(truncated(LAYER, message), at);
      }
    }
    this.left.clear();
    this.skipLeft = 0;
    this.budget.flush(LAYER, this.bytesConsumed);
  }

  // ---------------------------------------------------------------------------------------------------
  // Framing

  /** The hot loop: whole blocks inside `chunk[pos..end)`; returns where the first incomplete one starts. */
  private scan(chunk: Uint8Array, pos: number, end: number, base: number): number {
    const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (end - pos >= MIN_BLOCK) {
      const len = this.blockHeader(dv, pos, base + pos);
      if (len < 0) return end;
      if (len > end - pos) break;
      const le = this.curLe;
      if (dv.getUint32(pos + len - 4, le) !== len) {
        this.badTrailer(dv.getUint32(pos + len - 4, le), base + pos);
        return end;
      }
      if (this.curType === BLOCK_EPB) this.epb(chunk, dv, pos, len, base + pos);
      else this.block(chunk, dv, pos, len, base + pos);
      if (this.stopped) return end;
      pos += len;
    }
    return pos;
  }

  /**
   * Reads and checks the 12 first bytes of a block at `p` (type, length, and for an SHB its byte-order
   * magic). Sets curType/curLen/curLe/curOffset; returns the total length or -1 after stopping.
   */
  private blockHeader(dv: DataView, p: number, at: number): number {
    // The SHB type reads the same in both byte orders; every other type is read in the section's order.
    const type = dv.getUint32(p, this.le);
    let le = this.le;
    if (type === BLOCK_SHB) {
      if (dv.getUint32(p + 8, true) === BYTE_ORDER_MAGIC) le = true;
      else if (dv.getUint32(p + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else {
        this.stop(
          `the Section Header Block at offset ${at} has byte-order magic 0x${dv.getUint32(p + 8, false).toString(16).padStart(8, '0')}, not 1a2b3c4d in either order: the file is damaged`,
          at,
        );
        return -1;
      }
    } else if (this.info.sections === 0) {
      this.stop(
        `not a pcapng file: the first block has type 0x${type.toString(16).padStart(8, '0')}, a Section Header Block (0a0d0d0a) was expected`,
        at,
      );
      return -1;
    }
    const len = dv.getUint32(p + 4, le);
    this.curType = type;
    this.curLen = len;
    this.curLe = le;
    this.curOffset = at;
    if (len < MIN_BLOCK || len % 4 !== 0) {
      this.stop(
        `the ${this.blockName(type)} at offset ${at} has total length ${len}, ${len < MIN_BLOCK ? 'less than the 12-byte minimum' : 'not a multiple of 4'}: the file is damaged here; stopped reading, the ${this.frame} packet(s) before were read`,
        at,
      );
      return -1;
    }
    if (len > PCAPNG_MAX_BLOCK && !this.isSkippable(type)) {
      this.stop(
        `the ${this.blockName(type)} at offset ${at} claims ${len} bytes, more than the ${PCAPNG_MAX_BLOCK}-byte sanity limit: the length is probably damaged; stopped reading, the ${this.frame} packet(s) before were read`,
        at,
      );
      return -1;
    }
    return len;
  }

  /**
   * Moves bytes into the leftover until its block is complete, then processes it (or switches to streaming
   * skip for a big skippable block). Returns the position in `chunk` after the bytes used.
   */
  private completeLeftover(chunk: Uint8Array, pos: number, end: number): number {
    const left = this.left;
    if (this.leftNeed === 0) {
      pos = left.fill(chunk, pos, end, MIN_BLOCK);
      if (left.length < MIN_BLOCK) return end;
      const len = this.blockHeader(left.view, 0, left.fileOffset);
      if (len < 0) return end;
      if (len > STREAM_SKIP_THRESHOLD && this.isSkippable(this.curType) && !this.wantsCustomBlock(this.curType, len)) {
        this.noteSkipped(this.curType, left.fileOffset);
        this.skipLeft = len - MIN_BLOCK;
        left.clear();
        pos = this.continueSkip(chunk, pos, end);
        return this.skipLeft > 0 ? end : pos;
      }
      this.leftNeed = len;
    }
    pos = left.fill(chunk, pos, end, this.leftNeed);
    if (left.length < this.leftNeed) return end;
    const len = this.leftNeed;
    const dv = left.view;
    const trailer = dv.getUint32(len - 4, this.curLe);
    if (trailer !== len) {
      this.badTrailer(trailer, left.fileOffset);
      return end;
    }
    // `block` may start a new section, which changes curLe; nothing below depends on it.
    if (this.curType === BLOCK_EPB) this.epb(left.bytes, dv, 0, len, left.fileOffset);
    else this.block(left.bytes, dv, 0, len, left.fileOffset);
    left.clear();
    this.leftNeed = 0;
    return this.stopped ? end : pos;
  }

  /** Skips the rest of a big skippable block as it streams past, keeping only its trailing length. */
  private continueSkip(chunk: Uint8Array, pos: number, end: number): number {
    const take = Math.min(this.skipLeft, end - pos);
    const len = this.curLen;
    const first = len - this.skipLeft; // index within the block of chunk[pos]
    for (let i = Math.max(first, len - 4); i < first + take; i++) this.trailer[i - (len - 4)] = chunk[pos + i - first];
    this.skipLeft -= take;
    pos += take;
    if (this.skipLeft === 0) {
      const trailer = this.trailerView.getUint32(0, this.curLe);
      if (trailer !== len) this.badTrailer(trailer, this.curOffset);
    }
    return pos;
  }

  private badTrailer(trailer: number, at: number): void {
    this.stop(
      `the ${this.blockName(this.curType)} at offset ${at} says it is ${this.curLen} bytes long but its trailing length field says ${trailer}: the file is damaged here; stopped reading, the ${this.frame} packet(s) before were read`,
      at,
    );
  }

  // ---------------------------------------------------------------------------------------------------
  // Blocks

  /** Every block but the common EPB (a whole block at buf[p..p+len), trailer already checked). */
  private block(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    switch (this.curType) {
      case BLOCK_SHB:
        this.shb(buf, dv, p, len, at);
        break;
      case BLOCK_IDB:
        this.idb(buf, dv, p, len, at);
        break;
      case BLOCK_EPB:
        this.epb(buf, dv, p, len, at);
        break;
      case BLOCK_SPB:
        this.spb(buf, dv, p, len, at);
        break;
      case BLOCK_PB:
        this.pb(buf, dv, p, len, at);
        break;
      case BLOCK_NRB:
        this.nrb(buf, dv, p, len, at);
        break;
      case BLOCK_ISB:
        this.isb(buf, dv, p, len, at);
        break;
      case BLOCK_CUSTOM:
      case BLOCK_CUSTOM_NOCOPY:
        if (this.wantsCustomBlock(this.curType, len)) this.custom(buf, dv, p, len);
        else this.noteSkipped(this.curType, at);
        break;
      default:
        this.noteSkipped(this.curType, at);
    }
  }

  /** Section Header Block (§4.1). */
  private shb(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    const le = this.curLe;
    if (len < 28) {
      this.stop(`the Section Header Block at offset ${at} is ${len} bytes, shorter than the 28-byte minimum: the file is damaged`, at);
      return;
    }
    const major = dv.getUint16(p + 12, le);
    const minor = dv.getUint16(p + 14, le);
    if (major !== 1) {
      this.stop(`unsupported pcapng version ${major}.${minor} in the Section Header Block at offset ${at} (only 1.x exists)`, at);
      return;
    }
    // Section length (p+16, 64-bit, -1 = unspecified) is only a hint for skipping sections; not needed.
    this.le = le;
    const info = this.info;
    const first = info.sections === 0;
    info.sections++;
    this.sectionIfBase = this.ifaces.length;
    this.sectionIfCount = 0;
    if (!first) return;
    info.littleEndian = le;
    info.versionMajor = major;
    info.versionMinor = minor;
    for (const o of this.options(dv, p + 24, p + len - 4, le, at)) {
      if (o.code === SHB_HARDWARE) info.hardware = this.optString(buf, o);
      else if (o.code === SHB_OS) info.os = this.optString(buf, o);
      else if (o.code === SHB_USERAPPL) info.application = this.optString(buf, o);
    }
  }

  /** Interface Description Block (§4.2). */
  private idb(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    const le = this.le;
    const id = this.ifaces.length;
    const info: CaptureInterface = {
      id,
      section: this.info.sections - 1,
      linkType: 0,
      snapLength: 0,
      timestampUnitsPerSecond: 1e6,
    };
    let resolution = MICROSECONDS;
    let offsetSeconds = 0;
    if (len < 20) {
      // Still count it: later EPBs number interfaces by position, so dropping it would shift them all.
      this.report(malformed(LAYER, `the Interface Description Block at offset ${at} is ${len} bytes, shorter than the 20-byte minimum`), at);
    } else {
      info.linkType = dv.getUint16(p + 8, le);
      info.snapLength = dv.getUint32(p + 12, le);
      for (const o of this.options(dv, p + 16, p + len - 4, le, at)) {
        switch (o.code) {
          case IF_NAME:
            info.name = this.optString(buf, o);
            break;
          case IF_DESCRIPTION:
            info.description = this.optString(buf, o);
            break;
          case IF_OS:
            info.os = this.optString(buf, o);
            break;
          case IF_FILTER:
            // First byte: 0 = libpcap filter string, 1 = BPF program (not shown).
            if (o.length >= 1 && buf[o.start] === 0) {
              info.filter = this.optString(buf, { code: o.code, start: o.start + 1, length: o.length - 1 });
            }
            break;
          case IF_TSRESOL:
            if (o.length >= 1) {
              const r = decodeTsresol(buf[o.start]);
              if (isSupportedResolution(r)) resolution = r;
              else {
                this.report(
                  malformed(LAYER, `interface ${id}: if_tsresol 0x${buf[o.start].toString(16)} is too fine to represent; assuming microseconds`),
                  at,
                );
              }
            }
            break;
          case IF_TSOFFSET:
            if (o.length >= 8) {
              const a = dv.getUint32(o.start, le);
              const b = dv.getUint32(o.start + 4, le);
              const hi = le ? b : a;
              const lo = le ? a : b;
              offsetSeconds = (hi | 0) * 4294967296 + lo; // signed 64-bit seconds
              info.timestampOffsetSeconds = offsetSeconds;
            }
            break;
          case IF_FCSLEN:
            // In bits (pcapng §4.2; Wireshark MR 13008 settled it), we keep bytes like the pcap FCS field.
            if (o.length >= 1 && buf[o.start] % 8 === 0) info.fcsLength = buf[o.start] / 8;
            break;
        }
      }
    }
    info.timestampUnitsPerSecond = unitsPerSecond(resolution);
    this.ifaces.push({
      info,
      ticks: new TickConverter(resolution, offsetSeconds),
      linkType: info.linkType,
      snapLength: info.snapLength,
    });
    this.info.interfaces.push(info);
    this.sectionIfCount++;
  }

  private iface(local: number, what: string, at: number): InterfaceState | undefined {
    if (local < this.sectionIfCount) return this.ifaces[this.sectionIfBase + local];
    this.report(
      malformed(
        LAYER,
        `${what} at offset ${at} refers to interface ${local} but its section has ${this.sectionIfCount} interface(s) so far; block skipped`,
      ),
      at,
      'unknown interface',
    );
    return undefined;
  }

  /** Enhanced Packet Block (§4.3): the hot path for pcapng. */
  private epb(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    // Offset 8 is inside the 12 bytes every block has; the length check comes in timestampedPacket.
    this.timestampedPacket(buf, dv, p, len, at, dv.getUint32(p + 8, this.le), 'Enhanced Packet Block');
  }

  /**
   * Obsolete Packet Block (Appendix A): like an EPB with a 16-bit interface id and a drops count;
   * pack_flags has the same layout as epb_flags.
   */
  private pb(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    this.timestampedPacket(buf, dv, p, len, at, dv.getUint16(p + 8, this.le), 'Packet Block');
  }

  /** The body shared by EPB and PB: timestamp, captured and original lengths, data, options. */
  private timestampedPacket(buf: Uint8Array, dv: DataView, p: number, len: number, at: number, interfaceNumber: number, name: string): void {
    const le = this.le;
    if (len < 32) {
      this.report(malformed(LAYER, `the ${name} at offset ${at} is ${len} bytes, shorter than the 32-byte minimum; skipped`), at, 'short block');
      return;
    }
    const cap = dv.getUint32(p + 20, le);
    const room = len - 32;
    if (cap > room) {
      this.report(
        malformed(LAYER, `the ${name} at offset ${at} announces ${cap} captured bytes but has room for ${room}; skipped`),
        at,
        'captured length exceeds block',
      );
      return;
    }
    const iface = this.iface(interfaceNumber, name, at);
    if (iface === undefined) return;
    const ticks = iface.ticks;
    ticks.convert(dv.getUint32(p + 12, le), dv.getUint32(p + 16, le));
    const orig = dv.getUint32(p + 24, le);
    const data = p + 28;
    const packet: CapturedPacket = {
      frame: ++this.frame,
      interfaceId: iface.info.id,
      linkType: iface.linkType,
      tsSec: ticks.sec,
      tsNsec: ticks.nsec,
      capturedLength: cap,
      originalLength: orig,
      dataOffset: at + 28,
      data: buf.subarray(data, data + cap),
    };
    const optStart = data + ((cap + 3) & ~3);
    if (optStart < p + len - 4) this.packetOptions(buf, dv, optStart, p + len - 4, le, at, packet);
    if (cap > orig) this.capOverOrig(packet, at);
    this.sink.packet(packet);
  }

  /** Simple Packet Block (§4.4): interface 0 of the section, no timestamp. */
  private spb(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    if (len < 16) {
      this.report(malformed(LAYER, `the Simple Packet Block at offset ${at} is ${len} bytes, shorter than the 16-byte minimum; skipped`), at, 'short block');
      return;
    }
    const iface = this.iface(0, 'Simple Packet Block', at);
    if (iface === undefined) return;
    const orig = dv.getUint32(p + 8, this.le);
    // §4.4: captured length = min(original length, snaplen); we also cap it at the space in the block.
    const expected = iface.snapLength > 0 ? Math.min(orig, iface.snapLength) : orig;
    const cap = Math.min(expected, len - 16);
    const data = p + 12;
    if (cap < expected) {
      // Wireshark refuses the whole file here; the bytes present are still worth showing.
      this.report(
        malformed(
          LAYER,
          `frame ${this.frame + 1}: the Simple Packet Block at offset ${at} should hold min(original length ${orig}, snaplen) = ${expected} bytes but has room for ${cap}; delivered the ${cap} present`,
        ),
        at,
        'short simple packet',
      );
    }
    this.sink.packet({
      frame: ++this.frame,
      interfaceId: iface.info.id,
      linkType: iface.linkType,
      tsSec: 0,
      tsNsec: 0,
      capturedLength: cap,
      originalLength: orig,
      dataOffset: at + 12,
      data: buf.subarray(data, data + cap),
      timestampUnknown: true,
    });
  }


  /** opt_comment and epb_flags / pack_flags of a packet block. */
  private packetOptions(buf: Uint8Array, dv: DataView, q: number, end: number, le: boolean, at: number, packet: CapturedPacket): void {
    while (end - q >= 4) {
      const code = dv.getUint16(q, le);
      const length = dv.getUint16(q + 2, le);
      if (code === OPT_ENDOFOPT) return;
      const start = q + 4;
      if (length > end - start) {
        this.optionOverrun(code, at);
        return;
      }
      if (code === OPT_COMMENT) {
        const text = this.optString(buf, { code, start, length });
        if (packet.comments) packet.comments.push(text);
        else packet.comments = [text];
      } else if (code === EPB_FLAGS && length >= 4) {
        const direction = dv.getUint32(start, le) & 3;
        if (direction !== 0) packet.direction = direction;
      }
      q = start + ((length + 3) & ~3);
    }
  }

  private capOverOrig(packet: CapturedPacket, at: number): void {
    this.report(
      malformed(
        LAYER,
        `frame ${packet.frame}: captured length ${packet.capturedLength} is larger than the original length ${packet.originalLength} (delivered anyway)`,
      ),
      at,
      'captured length > original length',
    );
  }

  /** Name Resolution Block (§4.5): IPv4/IPv6 records into info.nameResolution. */
  private nrb(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    const le = this.le;
    const end = p + len - 4;
    let q = p + 8;
    while (end - q >= 4) {
      const type = dv.getUint16(q, le);
      const length = dv.getUint16(q + 2, le);
      const start = q + 4;
      if (type === NRB_END) return; // options (ns_dnsname, ...) follow; nothing we use
      if (length > end - start) {
        this.report(malformed(LAYER, `the Name Resolution Block at offset ${at} has a record running past the block end; rest ignored`), at, 'option overrun');
        return;
      }
      const addrLen = type === NRB_IPV4 ? 4 : type === NRB_IPV6 ? 16 : 0;
      if (addrLen > 0) {
        if (length < addrLen) {
          this.report(malformed(LAYER, `the Name Resolution Block at offset ${at} has a ${length}-byte ${type === NRB_IPV4 ? 'IPv4' : 'IPv6'} record, too short for the address`), at, 'short record');
        } else {
          const address = addrLen === 4 ? formatIpv4(buf, start) : formatIpv6(buf, start);
          const names = this.nrbNames(buf, start + addrLen, start + length);
          const known = this.info.nameResolution.get(address);
          if (known) {
            for (const n of names) if (!known.includes(n)) known.push(n);
          } else if (names.length > 0) this.info.nameResolution.set(address, names);
        }
      }
      q = start + ((length + 3) & ~3);
    }
  }

  /** One or more zero-terminated names (§4.5); a missing final NUL is tolerated. */
  private nrbNames(buf: Uint8Array, from: number, to: number): string[] {
    const names: string[] = [];
    let s = from;
    for (let i = from; i <= to; i++) {
      if (i === to || buf[i] === 0) {
        if (i > s) names.push(decodeText(buf, s, i));
        s = i + 1;
      }
    }
    return names;
  }

  /** Interface Statistics Block (§4.6): isb_ifrecv / isb_ifdrop, latest per interface. */
  private isb(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): void {
    const le = this.le;
    if (len < 24) {
      this.report(malformed(LAYER, `the Interface Statistics Block at offset ${at} is ${len} bytes, shorter than the 24-byte minimum; skipped`), at, 'short block');
      return;
    }
    const iface = this.iface(dv.getUint32(p + 8, le), 'Interface Statistics Block', at);
    if (iface === undefined) return;
    iface.ticks.convert(dv.getUint32(p + 12, le), dv.getUint32(p + 16, le));
    const stats: { received?: bigint; dropped?: bigint; tsSec: number } = { tsSec: iface.ticks.sec };
    for (const o of this.options(dv, p + 20, p + len - 4, le, at)) {
      if ((o.code === ISB_IFRECV || o.code === ISB_IFDROP) && o.length >= 8) {
        const a = BigInt(dv.getUint32(o.start, le));
        const b = BigInt(dv.getUint32(o.start + 4, le));
        const value = le ? (b << 32n) | a : (a << 32n) | b;
        if (o.code === ISB_IFRECV) stats.received = value;
        else stats.dropped = value;
      }
    }
    this.info.interfaceStatistics.set(iface.info.id, stats);
  }

  // ---------------------------------------------------------------------------------------------------
  // Helpers

  /** The options of a non-packet block (§3.5); stops at opt_endofopt or at the first overrun. */
  private options(dv: DataView, q: number, end: number, le: boolean, at: number): RawOption[] {
    const out: RawOption[] = [];
    while (end - q >= 4) {
      const code = dv.getUint16(q, le);
      const length = dv.getUint16(q + 2, le);
      if (code === OPT_ENDOFOPT) break;
      const start = q + 4;
      if (length > end - start) {
        this.optionOverrun(code, at);
        break;
      }
      out.push({ code, start, length });
      q = start + ((length + 3) & ~3);
    }
    return out;
  }

  private optionOverrun(code: number, at: number): void {
    this.report(
      malformed(LAYER, `the ${this.blockName(this.curType)} at offset ${at} has option ${code} running past the block end; remaining options ignored`),
      at,
      'option overrun',
    );
  }

  /** UTF-8 option value (§3.5: not zero-terminated, but some writers add a NUL; drop trailing ones). */
  private optString(buf: Uint8Array, o: RawOption): string {
    let end = o.start + o.length;
    while (end > o.start && buf[end - 1] === 0) end--;
    return decodeText(buf, o.start, end);
  }

  private isSkippable(type: number): boolean {
    switch (type) {
      case BLOCK_SHB:
      case BLOCK_IDB:
      case BLOCK_EPB:
      case BLOCK_SPB:
      case BLOCK_PB:
      case BLOCK_NRB:
      case BLOCK_ISB:
        return false;
      default:
        return true;
    }
  }

  private isPacketBlock(type: number): boolean {
    return type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB;
  }

  /** The sink asked for custom blocks and this one is small enough to hand over. */
  private wantsCustomBlock(type: number, len: number): boolean {
    return (type === BLOCK_CUSTOM || type === BLOCK_CUSTOM_NOCOPY) && this.sink.customBlock !== undefined && len <= CUSTOM_BLOCK_MAX;
  }

  /** Custom Block (§4.8): the PEN, then the owner's data (which may end in padding or options: theirs to frame). */
  private custom(buf: Uint8Array, dv: DataView, p: number, len: number): void {
    // A 12-byte block has no room for the PEN: nothing to hand over (it is not ours to call malformed).
    if (len < 16) return;
    this.sink.customBlock?.(dv.getUint32(p + 8, this.le), buf.subarray(p + 12, p + len - 4), this.curType === BLOCK_CUSTOM);
  }

  /**
   * Custom blocks and decryption secrets are skipped silently, except a custom block too big to hand to a
   * sink that asked for them; unknown types get one note per type.
   */
  private noteSkipped(type: number, at: number): void {
    if ((type === BLOCK_CUSTOM || type === BLOCK_CUSTOM_NOCOPY) && this.sink.customBlock !== undefined) {
      this.report(note(LAYER, `skipped the ${this.blockName(type)} at offset ${at}: ${this.curLen} bytes, more than the ${CUSTOM_BLOCK_MAX} sipscope reads`), at);
      return;
    }
    if (type === BLOCK_DSB || type === BLOCK_CUSTOM || type === BLOCK_CUSTOM_NOCOPY) return;
    if (this.unknownNoted.has(type)) return;
    this.unknownNoted.add(type);
    this.report(
      note(LAYER, `skipped a ${this.blockName(type)} at offset ${at} (not used by sipscope); further blocks of this type are skipped silently`),
      at,
    );
  }

  /** "Enhanced Packet Block", "Sysdig Event block (type 0x00000204)", "block of type 0x80001234". */
  private blockName(type: number): string {
    switch (type) {
      case BLOCK_SHB:
        return 'Section Header Block';
      case BLOCK_IDB:
        return 'Interface Description Block';
      case BLOCK_PB:
        return 'Packet Block';
      case BLOCK_SPB:
        return 'Simple Packet Block';
      case BLOCK_NRB:
        return 'Name Resolution Block';
      case BLOCK_ISB:
        return 'Interface Statistics Block';
      case BLOCK_EPB:
        return 'Enhanced Packet Block';
      case BLOCK_DSB:
        return 'Decryption Secrets Block';
      case BLOCK_CUSTOM:
      case BLOCK_CUSTOM_NOCOPY:
        return 'Custom Block';
    }
    const hex = `0x${type.toString(16).padStart(8, '0')}`;
    const known = KNOWN_SKIPPED[type];
    return known ? `${known} block (type ${hex})` : `block of type ${hex}`;
  }

  private stop(message: string, at: number): void {
    this.stopped = true;
    this.left.clear();
    this.skipLeft = 0;
    this.sink.diagnostic({ ...malformed(LAYER, message, at), fileOffset: at });
  }

  private report(d: Diagnostic, at: number, key?: string): void {
    if (key) this.budget.report(key, d, at);
    else this.sink.diagnostic({ ...d, offset: at, fileOffset: at });
  }
}

