import { malformed, note, unsupported } from '../diagnostics.js';
import { captured, u32 } from './bounds.js';
import type { LayerDescriber } from './dispatch.js';
import { dispatchInnerEthernet, dispatchInnerIp, tooDeep } from './nesting.js';
import type { PacketDecodeState } from './packet.js';

/** Bound on label stack entries (real stacks have 1 to 4; RFC 3032 sets no limit). */
const MAX_LABELS = 16;

/**
 * MPLS (RFC 3032 §2.1, EtherTypes 0x8847/0x8848, and MPLS-in-IP, IP protocol 137, RFC 4023): 4-byte label
 * stack entries Label(20) TC(3) S(1) TTL(8) down to the bottom of stack (S set). One `mpls` layer covers
 * the whole stack. MPLS has no payload type: like every LSR, we look at the first nibble after the stack
 * (RFC 4928 §2): 4 is IPv4, 6 is IPv6, 0 is the pseudowire control word of RFC 4385 §3 before an
 * Ethernet frame (Ethernet pseudowire, RFC 4448 §3), 1 an associated channel (OAM, no user data).
 */
export function decodeMpls(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 4, 'mpls') || tooDeep(state, 'mpls', offset)) return;
  const b = state.bytes;
  state.push('mpls', offset);
  state.enterTunnel();
  let at = offset;
  for (let count = 0; ; count++) {
    if (count === MAX_LABELS) {
      state.diagnose(malformed('mpls', `no bottom of stack within ${MAX_LABELS} labels`, at));
      return;
    }
    if (!captured(state, at, 4, 'mpls')) return;
    const bottom = (b[at + 2] & 0x01) !== 0;
    at += 4;
    if (bottom) break;
  }
  if (!captured(state, at, 1, 'mpls')) return;
  const nibble = b[at] >> 4;
  if (nibble === 4 || nibble === 6) {
    dispatchInnerIp(state, at, 'mpls');
  } else if (nibble === 0) {
    // RFC 4385 §3: 0000 Flags(4) FRG(2) Length(6) Sequence number(16), then the Ethernet frame.
    if (!captured(state, at, 4, 'mpls')) return;
    state.push('pwethcw', at);
    dispatchInnerEthernet(state, at + 4, 'mpls');
  } else if (nibble === 1) {
    state.diagnose(note('mpls', 'pseudowire associated channel (RFC 4385 §3): OAM, no user data', at));
  } else {
    state.diagnose(unsupported('mpls', `payload after the label stack starts with nibble ${nibble}: not IP or a pseudowire control word`, at));
  }
}

/** MPLS fields for the outer-layers view: the labels, top of stack first (`16/1001`). */
export const describeMpls: LayerDescriber = (b, offset, end) => {
  const labels: number[] = [];
  for (let at = offset; at + 4 <= end && labels.length < MAX_LABELS; at += 4) {
    const entry = u32(b, at);
    labels.push(entry >>> 12);
    if (entry & 0x100) break;
  }
  if (labels.length === 0) return undefined;
  return { 'mpls.label': labels.join('/') };
};
