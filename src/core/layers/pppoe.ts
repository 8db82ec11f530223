import { malformed } from '../diagnostics.js';
import { captured, u16 } from './bounds.js';
import { dispatchPppProtocol } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

/**
 * PPPoE session stage (EtherType 0x8864, RFC 2516 §4): ver/type(1) code(1) session id(2) length(2), then
 * a PPP protocol field. The discovery stage (0x8863) carries no IP and is not registered.
 */
export function decodePppoeSession(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 8, 'pppoe')) return;
  state.push('pppoe', offset);
  const b = state.bytes;
  if (b[offset] !== 0x11) state.diagnose(malformed('pppoe', `version/type 0x${b[offset].toString(16)} (expected 0x11)`, offset));
  const length = u16(b, offset + 4);
  // The payload length covers the PPP protocol field and data; trust the smaller of it and what was captured.
  if (offset + 6 + length < state.end) state.end = offset + 6 + length;
  dispatchPppProtocol(state, u16(b, offset + 6), offset + 8);
}
