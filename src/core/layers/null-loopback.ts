import { captured, u32 } from './bounds.js';
import { dispatchEtherType } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

/** Address-family values for IPv6 differ between BSDs (24, 28, 30) and Linux (10). */
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]);

function dispatchFamily(state: PacketDecodeState, family: number, offset: number): void {
  if (family === AF_INET) dispatchEtherType(state, 0x0800, offset);
  else if (AF_INET6.has(family)) dispatchEtherType(state, 0x86dd, offset);
}

/**
 * BSD loopback (LINKTYPE_NULL 0): a 4-byte address family in the *capturing host's* byte order. The value
 * is small, so a big-endian header starts with two zero bytes.
 */
export function decodeNull(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 4, 'null')) return;
  state.push('null', offset);
  const b = state.bytes;
  const bigEndian = b[offset] === 0 && b[offset + 1] === 0;
  const family = bigEndian ? u32(b, offset) : (b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16)) >>> 0;
  dispatchFamily(state, family, offset + 4);
}

/** OpenBSD loopback (LINKTYPE_LOOP 108): like NULL but always in network byte order. */
export function decodeLoop(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 4, 'loop')) return;
  state.push('loop', offset);
  dispatchFamily(state, u32(state.bytes, offset), offset + 4);
}
