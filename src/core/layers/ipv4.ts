import { malformed, note, truncated } from '../diagnostics.js';
import { captured, u16 } from './bounds.js';
import { dispatchIpProtocol } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

/** IPv4 (RFC 791), options skipped by IHL. Fragments are marked for the reassembly stage. */
export function decodeIpv4(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 20, 'ipv4')) return;
  const b = state.bytes;
  const version = b[offset] >> 4;
  const headerLength = (b[offset] & 0x0f) * 4;
  state.push('ipv4', offset);
  if (version !== 4) {
    state.diagnose(malformed('ipv4', `version ${version} in an IPv4 header`, offset));
    return;
  }
  if (headerLength < 20) {
    state.diagnose(malformed('ipv4', `header length ${headerLength} is below the minimum of 20`, offset));
    return;
  }
  if (!captured(state, offset, headerLength, 'ipv4')) return;
  const totalLength = u16(b, offset + 2);
  let end = offset + totalLength;
  if (totalLength < headerLength) {
    // TCP segmentation offload on the capturing host writes 0 here; use what was captured.
    if (totalLength !== 0) state.diagnose(malformed('ipv4', `total length ${totalLength} is smaller than the header (${headerLength})`, offset));
    end = state.end;
  } else if (end > state.end) {
    state.diagnose(truncated('ipv4', `datagram of ${totalLength} bytes, ${state.end - offset} captured`, offset));
    end = state.end;
  }
  // Bytes after the datagram (Ethernet padding, trailers) are not part of it.
  state.end = end;

  state.ipVersion = 4;
  state.srcAddrOffset = offset + 12;
  state.dstAddrOffset = offset + 16;
  const flagsAndOffset = u16(b, offset + 6);
  const moreFragments = (flagsAndOffset & 0x2000) !== 0;
  const fragmentOffset = flagsAndOffset & 0x1fff;
  state.fragmentId = u16(b, offset + 4);
  state.fragmentOffset = fragmentOffset;
  state.moreFragments = moreFragments;
  state.ipFragment = moreFragments || fragmentOffset !== 0;
  if (state.ipFragment) {
    // RFC 791 §3.2: the pieces are put back together by the engine's reassembly, which then resumes
    // decoding at the protocol they carry. Decoding stops here for every fragment, the first included.
    state.fragmentLayer = state.stack.length - 1;
    state.fragmentPayloadStart = offset + headerLength;
    state.fragmentPayloadEnd = end;
    state.fragmentProtocol = b[offset + 9];
    state.fragmentWireLength = totalLength >= headerLength ? totalLength - headerLength : end - (offset + headerLength);
    state.diagnose(note('ipv4', `fragment (id 0x${state.fragmentId.toString(16)}, offset ${fragmentOffset * 8}${moreFragments ? ', more follow' : ', last'})`, offset));
    return;
  }
  dispatchIpProtocol(state, b[offset + 9], offset + headerLength);
}
