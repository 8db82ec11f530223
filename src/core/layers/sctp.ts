import { malformed, truncated } from '../diagnostics.js';
import { captured, u16, u32 } from './bounds.js';
import { Transport, type PacketDecodeState, type SctpDataChunk } from './packet.js';

/** SCTP over UDP (RFC 6951 §5.1: IANA port sctp-tunneling). */
export const SCTP_UDP_PORT = 9899;

/** RFC 9260 §3.2 chunk types we read; every other chunk (INIT, SACK, HEARTBEAT, ...) is walked over. */
const CHUNK_DATA = 0;
const CHUNK_I_DATA = 64;
/** DATA header: type, flags, length, TSN, stream id, SSN, PPID (RFC 9260 §3.3.1). */
const DATA_HEADER = 16;
/** I-DATA header: type, flags, length, TSN, stream id, reserved, MID, PPID/FSN (RFC 8260 §2.1). */
const I_DATA_HEADER = 20;
/** Chunk flags of DATA and I-DATA (RFC 9260 §3.3.1, RFC 8260 §2.1). */
const FLAG_E = 0x01;
const FLAG_B = 0x02;
const FLAG_U = 0x04;
/**
 * The most chunks walked in one packet. The smallest chunk is 4 bytes, so a 64 KiB datagram could hold
 * 16384 of them; real packets bundle a handful. Past this the packet is not plausibly SCTP.
 */
export const MAX_SCTP_CHUNKS = 1024;

/**
 * The `SctpDataChunk` entries (reused between packets) that currently describe I-DATA chunks. The shared
 * chunk record has no type field; reassembly needs it, because I-DATA fragments are ordered by MID/FSN and
 * DATA fragments by TSN.
 */
const iDataChunks = new WeakSet<SctpDataChunk>();

/** True when `chunk` (an entry of `state.sctpChunks` filled by `decodeSctp`) is an I-DATA chunk (RFC 8260). */
export function isIDataChunk(chunk: SctpDataChunk): boolean {
  return iDataChunks.has(chunk);
}

/** Whether a cut in this packet came from the capture (snap length) rather than from the sender. */
function captureCut(state: PacketDecodeState): boolean {
  return state.payloadTruncated || (state.diagnostics?.some((d) => d.kind === 'truncated') ?? false);
}

/**
 * SCTP (RFC 9260 §3): the 12-byte common header, then chunks, each `type, flags, length` and padded to
 * 4 bytes (§3.2). DATA (§3.3.1) and I-DATA (RFC 8260 §2.1) chunks are recorded with `addSctpChunk()`; the
 * transport payload is the first DATA chunk's user data. The CRC32c checksum is not verified: checksum
 * offload on the capturing host makes it unreliable, as it does for UDP and TCP.
 */
export function decodeSctp(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 12, 'sctp')) return;
  const b = state.bytes;
  state.push('sctp', offset);
  state.transport = Transport.SCTP;
  state.srcPort = u16(b, offset);
  state.dstPort = u16(b, offset + 2);
  state.sctpVerificationTag = u32(b, offset + 4);
  state.sctpChunkCount = 0;
  const end = state.end;
  // No DATA chunk: an empty payload, so nothing is searched for SIP.
  state.payloadStart = end;
  state.payloadEnd = end;

  let at = offset + 12;
  let chunks = 0;
  while (at < end) {
    if (chunks === MAX_SCTP_CHUNKS) {
      state.diagnose(malformed('sctp', `more than ${MAX_SCTP_CHUNKS} chunks in one packet; the rest is not read`, at));
      return;
    }
    chunks++;
    if (at + 4 > end) {
      state.diagnose(captureCut(state) ? truncated('sctp', `chunk header cut after ${end - at} bytes`, at) : malformed('sctp', `${end - at} bytes after the last chunk are too few for a chunk header`, at));
      return;
    }
    const type = b[at];
    const flags = b[at + 1];
    const length = u16(b, at + 2);
    if (length < 4) {
      // §3.2: the length counts the 4-byte chunk header; less cannot be walked past.
      state.diagnose(malformed('sctp', `chunk type ${type} has length ${length}, below its 4-byte header`, at));
      return;
    }
    let chunkEnd = at + length;
    let cut = false;
    if (chunkEnd > end) {
      if (!captureCut(state)) {
        state.diagnose(malformed('sctp', `chunk type ${type} of ${length} bytes runs past the packet end (${end - at} bytes left)`, at));
        return;
      }
      state.diagnose(truncated('sctp', `chunk type ${type} of ${length} bytes, ${end - at} captured`, at));
      chunkEnd = end;
      cut = true;
    }
    if (type === CHUNK_DATA || type === CHUNK_I_DATA) readDataChunk(state, at, type, flags, length, chunkEnd, cut);
    if (cut) return;
    // §3.2: chunks are padded to a multiple of 4 bytes; the padding is not counted in the length.
    at += (length + 3) & ~3;
  }
}

function readDataChunk(state: PacketDecodeState, at: number, type: number, flags: number, length: number, chunkEnd: number, cut: boolean): void {
  const b = state.bytes;
  const header = type === CHUNK_DATA ? DATA_HEADER : I_DATA_HEADER;
  const name = type === CHUNK_DATA ? 'DATA' : 'I-DATA';
  if (length <= header) {
    // RFC 9260 §3.3.1 / RFC 8260 §2.1: a chunk without user data is a protocol violation (ABORT).
    state.diagnose(malformed('sctp', `${name} chunk of ${length} bytes carries no user data`, at));
    return;
  }
  if (at + header > chunkEnd) return; // cut inside the header: already reported as truncated
  const chunk = state.addSctpChunk();
  chunk.payloadStart = at + header;
  chunk.payloadEnd = chunkEnd;
  chunk.tsn = u32(b, at + 4);
  chunk.streamId = u16(b, at + 8);
  chunk.begin = (flags & FLAG_B) !== 0;
  chunk.end = (flags & FLAG_E) !== 0;
  chunk.unordered = (flags & FLAG_U) !== 0;
  if (type === CHUNK_DATA) {
    iDataChunks.delete(chunk);
    chunk.streamSeq = u16(b, at + 10);
    chunk.ppid = u32(b, at + 12);
    chunk.fragmentSeq = 0;
  } else {
    iDataChunks.add(chunk);
    // RFC 8260 §2.1: the last word is the PPID on the first fragment (B set) and the FSN on the others;
    // the first fragment's FSN is 0.
    chunk.streamSeq = u32(b, at + 12);
    const last = u32(b, at + 16);
    chunk.ppid = chunk.begin ? last : 0;
    chunk.fragmentSeq = chunk.begin ? 0 : last;
  }
  if (state.sctpChunkCount === 1) {
    state.payloadStart = chunk.payloadStart;
    state.payloadEnd = chunk.payloadEnd;
  }
  if (cut) state.payloadTruncated = true;
}

/**
 * SCTP encapsulated in UDP (RFC 6951 §5), reached through the UDP port table. Accepts only bytes that look
 * like an SCTP common header followed by a chunk whose length fits; otherwise the UDP payload stays as is.
 */
export function decodeSctpOverUdp(state: PacketDecodeState, offset: number): void {
  const end = state.payloadEnd;
  if (end - offset < 16) return;
  const firstChunkLength = u16(state.bytes, offset + 14);
  if (firstChunkLength < 4 || offset + 12 + firstChunkLength > end) return;
  state.enterTunnel();
  // The SCTP packet ends with the UDP datagram, not with the captured bytes.
  state.end = end;
  decodeSctp(state, offset);
}
