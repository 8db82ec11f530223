import { malformed, note, truncated } from '../diagnostics.js';
import { captured, u16, u32 } from './bounds.js';
import { dispatchIpProtocol } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH_HEADER = 51;
const NO_NEXT_HEADER = 59;
const DESTINATION_OPTIONS = 60;
const MOBILITY = 135;
/** Bound on chained extension headers (RFC 8200 §4.1 recommends a small number). */
const MAX_EXTENSION_HEADERS = 16;

/** IPv6 (RFC 8200) with its extension-header chain walked to the upper-layer protocol. */
export function decodeIpv6(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 40, 'ipv6')) return;
  const b = state.bytes;
  state.push('ipv6', offset);
  const version = b[offset] >> 4;
  if (version !== 6) {
    state.diagnose(malformed('ipv6', `version ${version} in an IPv6 header`, offset));
    return;
  }
  const payloadLength = u16(b, offset + 4);
  let end = offset + 40 + payloadLength;
  if (payloadLength === 0) {
    end = state.end; // jumbogram (RFC 2675) or offloaded segment: length unknown, use what was captured
  } else if (end > state.end) {
    state.diagnose(truncated('ipv6', `payload of ${payloadLength} bytes, ${state.end - offset - 40} captured`, offset));
    end = state.end;
  }
  state.end = end;
  state.ipVersion = 6;
  state.srcAddrOffset = offset + 8;
  state.dstAddrOffset = offset + 24;
  state.ipFragment = false;

  let next = b[offset + 6];
  let at = offset + 40;
  for (let count = 0; ; count++) {
    if (count > MAX_EXTENSION_HEADERS) {
      state.diagnose(malformed('ipv6', `more than ${MAX_EXTENSION_HEADERS} extension headers`, at));
      return;
    }
    switch (next) {
      case HOP_BY_HOP:
      case ROUTING:
      case DESTINATION_OPTIONS:
      case MOBILITY: {
        // RFC 8200 §4.3–4.6: next header(1), length in 8-octet units not counting the first 8.
        if (!captured(state, at, 2, 'ipv6')) return;
        const length = (b[at + 1] + 1) * 8;
        if (!captured(state, at, length, 'ipv6')) return;
        next = b[at];
        at += length;
        continue;
      }
      case AUTH_HEADER: {
        // RFC 4302 §2.2: payload length in 4-octet units minus 2.
        if (!captured(state, at, 2, 'ipv6')) return;
        const length = (b[at + 1] + 2) * 4;
        if (!captured(state, at, length, 'ipv6')) return;
        next = b[at];
        at += length;
        continue;
      }
      case FRAGMENT: {
        // RFC 8200 §4.5: next header(1) reserved(1) offset/flags(2) identification(4).
        if (!captured(state, at, 8, 'ipv6')) return;
        const offsetAndFlags = u16(b, at + 2);
        const fragmentOffset = offsetAndFlags >> 3;
        const moreFragments = (offsetAndFlags & 1) !== 0;
        state.push('ipv6-frag', at);
        next = b[at];
        at += 8;
        // RFC 6946: an "atomic fragment" (offset 0, no more fragments) is a whole datagram.
        if (fragmentOffset === 0 && !moreFragments) continue;
        state.ipFragment = true;
        state.fragmentOffset = fragmentOffset;
        state.moreFragments = moreFragments;
        state.fragmentId = u32(b, at - 4);
        // RFC 8200 §4.5: the engine's reassembly puts the fragmentable parts back together and resumes at
        // the header that follows the Fragment header. Decoding stops here for every fragment.
        state.fragmentLayer = state.stack.length - 2;
        state.fragmentPayloadStart = at;
        state.fragmentPayloadEnd = end;
        state.fragmentProtocol = next;
        state.fragmentWireLength = payloadLength === 0 ? end - at : offset + 40 + payloadLength - at;
        state.diagnose(note('ipv6', `fragment (id 0x${state.fragmentId.toString(16)}, offset ${fragmentOffset * 8}${moreFragments ? ', more follow' : ', last'})`, at - 8));
        return;
      }
      case NO_NEXT_HEADER:
        return;
      default:
        dispatchIpProtocol(state, next, at);
        return;
    }
  }
}
