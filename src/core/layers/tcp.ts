import { malformed } from '../diagnostics.js';
import { captured, u16, u32 } from './bounds.js';
import { Transport, type PacketDecodeState } from './packet.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

/** TCP (RFC 9293 §3.1): ports, sequence number, flags; the payload starts after the data offset. */
export function decodeTcp(state: PacketDecodeState, offset: number): void {
  if (!captured(state, offset, 20, 'tcp')) return;
  const b = state.bytes;
  state.push('tcp', offset);
  const headerLength = (b[offset + 12] >> 4) * 4;
  if (headerLength < 20) {
    state.diagnose(malformed('tcp', `data offset ${headerLength} is below the 20-byte header`, offset));
    return;
  }
  if (!captured(state, offset, headerLength, 'tcp')) return;
  state.transport = Transport.TCP;
  state.srcPort = u16(b, offset);
  state.dstPort = u16(b, offset + 2);
  state.tcpSeq = u32(b, offset + 4);
  state.tcpAck = u32(b, offset + 8);
  state.tcpFlags = b[offset + 13];
  state.payloadStart = offset + headerLength;
  state.payloadEnd = state.end;
}
