import { captured } from './bounds.js';
import { dispatchEtherType } from './dispatch.js';
import type { PacketDecodeState } from './packet.js';

/** Raw IP (LINKTYPE_RAW 101, and DLT_RAW 12/14 in old files): the version nibble says IPv4 or IPv6. */
export function decodeRawIp(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 1, 'raw')) return;
  const version = state.bytes[offset] >> 4;
  if (version === 4) dispatchEtherType(state, 0x0800, offset);
  else if (version === 6) dispatchEtherType(state, 0x86dd, offset);
  else state.push(`raw-ip-version-${version}`, offset);
}

/** LINKTYPE_IPV4 (228): an IPv4 packet with no link header. */
export function decodeRawIpv4(state: PacketDecodeState, offset: number): void {
  dispatchEtherType(state, 0x0800, offset);
}

/** LINKTYPE_IPV6 (229): an IPv6 packet with no link header. */
export function decodeRawIpv6(state: PacketDecodeState, offset: number): void {
  dispatchEtherType(state, 0x86dd, offset);
}
