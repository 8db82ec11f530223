import { malformed } from '../diagnostics.js';
import { captured, u16 } from './bounds.js';
import { dispatchEtherType } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

/** Tag protocol identifiers: IEEE 802.1Q (C-tag), 802.1ad (S-tag), and the pre-standard Q-in-Q 0x9100. */
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);
/** Bound on stacked tags, so a frame of repeated 0x8100 cannot loop us for long. */
const MAX_VLAN_TAGS = 8;

/** Ethernet II (IEEE 802.3 with an EtherType), including stacked 802.1Q / 802.1ad VLAN tags. */
export function decodeEthernet(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 14, 'eth')) return;
  state.push('eth', offset);
  let typeOffset = offset + 12;
  let etherType = u16(state.bytes, typeOffset);
  for (let tags = 0; VLAN_TPIDS.has(etherType); tags++) {
    if (tags === MAX_VLAN_TAGS) {
      state.diagnose(malformed('vlan', `more than ${MAX_VLAN_TAGS} stacked VLAN tags`, typeOffset));
      return;
    }
    // 802.1Q §9.6: TPID(2) TCI(2), then the next EtherType.
    if (!captured(state, typeOffset + 2, 4, 'vlan')) return;
    state.push('vlan', typeOffset);
    typeOffset += 4;
    etherType = u16(state.bytes, typeOffset);
  }
  if (etherType < 0x0600) return; // an 802.3 length field: LLC/SNAP frames, never IP-carried SIP
  dispatchEtherType(state, etherType, typeOffset + 2);
}
