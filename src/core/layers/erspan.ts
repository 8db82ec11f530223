import { malformed, note, unsupported } from '../diagnostics.js';
import { captured, u16, u32 } from './bounds.js';
import type { LayerDescriber } from './dispatch.js';
import { dispatchInnerEthernet, dispatchInnerIp, tooDeep } from './nesting.js';
import type { PacketDecodeState } from './packet.js';

/**
 * ERSPAN (Cisco Encapsulated Remote SPAN, draft-foschiano-erspan-03), carried in GRE. Type I has no header
 * (handled in gre.ts); type II (GRE protocol 0x88be, version field 1) has an 8-byte header and type III
 * (GRE protocol 0x22eb, version field 2) a 12-byte one plus an optional 8-byte platform-specific
 * sub-header. What follows is the mirrored frame.
 */

/**
 * The start types II and III share (§4.2, §4.3: Ver(4) VLAN(12) COS(3) En/BSO(2) T(1) Session ID(10)) of a
 * `length`-byte header: pushes the layer, flags a version other than the one the GRE protocol type implies
 * (`kind` names that header), notes the T bit. False when the header is not captured or nests too deep.
 */
function erspanHeader(state: PacketDecodeState, offset: number, length: number, expectedVersion: number, kind: string): boolean {
  if (!captured(state, offset, length, 'erspan') || tooDeep(state, 'erspan', offset)) return false;
  const b = state.bytes;
  state.push('erspan', offset);
  const version = b[offset] >> 4;
  if (version !== expectedVersion) state.diagnose(malformed('erspan', `version ${version} in an ERSPAN ${kind}`, offset));
  if (b[offset + 2] & 0x04) state.diagnose(note('erspan', 'the mirrored frame was truncated by the switch (T bit)', offset));
  return true;
}

/** draft-foschiano-erspan-03 §4.2: Ver(4) VLAN(12) COS(3) En(2) T(1) Session ID(10) Reserved(12) Index(20). */
export function decodeErspanII(state: PacketDecodeState, offset: number): void {
  if (!erspanHeader(state, offset, 8, 1, 'type II header (GRE protocol 0x88be)')) return;
  dispatchInnerEthernet(state, offset + 8, 'erspan');
}

/**
 * draft-foschiano-erspan-03 §4.3: Ver(4) VLAN(12) COS(3) BSO(2) T(1) Session ID(10) Timestamp(32)
 * SGT(16) P(1) FT(5) Hw ID(6) D(1) Gra(2) O(1), then the platform-specific sub-header when O is set.
 * FT 0 is an Ethernet frame, FT 2 an IP packet.
 */
export function decodeErspanIII(state: PacketDecodeState, offset: number): void {
  if (!erspanHeader(state, offset, 12, 2, 'type III header (GRE protocol 0x22eb)')) return;
  const word = u16(state.bytes, offset + 10);
  const frameType = (word >> 10) & 0x1f;
  let at = offset + 12;
  if (word & 0x0001) {
    if (!captured(state, at, 8, 'erspan')) return;
    at += 8;
  }
  if (frameType === 0) dispatchInnerEthernet(state, at, 'erspan');
  else if (frameType === 2) {
    if (!dispatchInnerIp(state, at, 'erspan')) state.diagnose(malformed('erspan', `IP frame type with IP version ${state.bytes[at] >> 4}`, at));
  } else state.diagnose(unsupported('erspan', `frame type ${frameType} is not decoded`, offset + 10));
}

/**
 * ERSPAN fields for the outer-layers view. A type I layer starts at the GRE protocol type field (0x88be):
 * its first byte 0x88 cannot be a type II/III version nibble (1 or 2).
 */
export const describeErspan: LayerDescriber = (b, offset, end) => {
  if (offset + 2 > end) return undefined;
  if (b[offset] === 0x88 && b[offset + 1] === 0xbe) return { 'erspan.type': 'I' };
  if (offset + 4 > end) return undefined;
  const version = b[offset] >> 4;
  const fields: Record<string, string | number> = {
    'erspan.type': version === 1 ? 'II' : version === 2 ? 'III' : `version ${version}`,
    'erspan.version': version,
    'erspan.vlan': u16(b, offset) & 0x0fff,
    'erspan.spanid': u16(b, offset + 2) & 0x03ff,
  };
  if (version === 1 && offset + 8 <= end) fields['erspan.index'] = u32(b, offset + 4) & 0xfffff;
  return fields;
};
