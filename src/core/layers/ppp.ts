import { captured, u16 } from './bounds.js';
import { dispatchPppProtocol } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

/**
 * PPP in HDLC-like framing (LINKTYPE_PPP 9, RFC 1662): an optional address/control pair 0xff 0x03, then
 * a 1- or 2-byte protocol field (RFC 1661 §2: protocol-field compression makes odd values one byte).
 */
export function decodePpp(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 2, 'ppp')) return;
  state.push('ppp', offset);
  const b = state.bytes;
  let at = offset;
  if (b[at] === 0xff && b[at + 1] === 0x03) at += 2;
  if (!captured(state, at, 1, 'ppp')) return;
  if (b[at] & 1) {
    dispatchPppProtocol(state, b[at], at + 1);
  } else {
    if (!captured(state, at, 2, 'ppp')) return;
    dispatchPppProtocol(state, u16(b, at), at + 2);
  }
}
