import { captured, u16 } from './bounds.js';
import { dispatchEtherType } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

/**
 * Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL 113, the `any` device): packet type(2), ARPHRD type(2),
 * address length(2), address(8), protocol(2). The protocol field is an EtherType for the frames we care for.
 */
export function decodeSll(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 16, 'sll')) return;
  state.push('sll', offset);
  dispatchEtherType(state, u16(state.bytes, offset + 14), offset + 16);
}

/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276): protocol(2), reserved(2), interface index(4),
 * ARPHRD type(2), packet type(1), address length(1), address(8).
 */
export function decodeSll2(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 20, 'sll2')) return;
  state.push('sll2', offset);
  dispatchEtherType(state, u16(state.bytes, offset), offset + 20);
}
