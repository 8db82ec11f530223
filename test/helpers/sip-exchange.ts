// SIP over UDP from a test's own socket, for live-capture tests: a capture filter on the socket's port
// (`udp and src port N`) keeps tests that run in parallel from seeing each other's packets.
import { createSocket, type Socket } from 'node:dgram';

/** A REGISTER/200 and an INVITE/100/180/200/ACK/BYE/200 exchange, as one UA and its P-CSCF would send them. */
export function sipExchange(tag: string): string[] {
  const via = (branch: string) => `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${branch}`;
  const common = (callId: string, cseq: string) => [`From: <sip:alice@ims.example>;tag=a${tag}`, `Call-ID: ${callId}`, `CSeq: ${cseq}`, 'Max-Forwards: 70'];
  const message = (start: string, headers: string[], body = '') => `${start}\r\n${headers.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const reg = `reg-${tag}@127.0.0.1`;
  const call = `call-${tag}@127.0.0.1`;
  const toReg = 'To: <sip:alice@ims.example>';
  const toCall = 'To: <sip:bob@ims.example>';
  return [
    message('REGISTER sip:ims.example SIP/2.0', [via(`r${tag}`), toReg, ...common(reg, '1 REGISTER'), 'Contact: <sip:alice@127.0.0.1:5060>', 'Expires: 600000']),
    message('SIP/2.0 200 OK', [via(`r${tag}`), `${toReg};tag=s${tag}`, ...common(reg, '1 REGISTER'), 'Contact: <sip:alice@127.0.0.1:5060>;expires=600000']),
    message('INVITE sip:bob@ims.example SIP/2.0', [via(`i${tag}`), toCall, ...common(call, '1 INVITE'), 'Contact: <sip:alice@127.0.0.1:5060>']),
    message('SIP/2.0 100 Trying', [via(`i${tag}`), toCall, ...common(call, '1 INVITE')]),
    message('SIP/2.0 180 Ringing', [via(`i${tag}`), `${toCall};tag=b${tag}`, ...common(call, '1 INVITE'), 'Contact: <sip:bob@127.0.0.1:5062>']),
    message('SIP/2.0 200 OK', [via(`i${tag}`), `${toCall};tag=b${tag}`, ...common(call, '1 INVITE'), 'Contact: <sip:bob@127.0.0.1:5062>']),
    message('ACK sip:bob@127.0.0.1:5062 SIP/2.0', [via(`k${tag}`), `${toCall};tag=b${tag}`, ...common(call, '1 ACK')]),
    message('BYE sip:bob@127.0.0.1:5062 SIP/2.0', [via(`b${tag}`), `${toCall};tag=b${tag}`, ...common(call, '2 BYE')]),
    message('SIP/2.0 200 OK', [via(`b${tag}`), `${toCall};tag=b${tag}`, ...common(call, '2 BYE')]),
  ];
}

export async function boundSender(family: 'udp4' | 'udp6', address: string): Promise<Socket> {
  const socket = createSocket(family);
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  return socket;
}

export async function sendSip(socket: Socket, messages: string[], port: number, address: string): Promise<void> {
  for (const text of messages) {
    await new Promise<void>((resolve, reject) => socket.send(Buffer.from(text), port, address, (error) => (error ? reject(error) : resolve())));
  }
}

