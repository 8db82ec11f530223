import { emptyDecodeAs, type DecodeAsProtocol, type DecodeAsTable } from '../layers/packet.js';

/** The protocols a port can be forced to, as users type them. */
export const DECODE_AS_PROTOCOLS: readonly DecodeAsProtocol[] = ['sip', 'hep', 'gtpu', 'vxlan', 'esp', 'websocket', 'tls', 'none'];

/** Which protocols make sense over which transport (a WebSocket over UDP is a typo, say so). */
const ALLOWED: Record<'udp' | 'tcp' | 'sctp', readonly DecodeAsProtocol[]> = {
  udp: ['sip', 'hep', 'gtpu', 'vxlan', 'esp', 'none'],
  tcp: ['sip', 'hep', 'websocket', 'tls', 'none'],
  sctp: ['sip', 'none'],
};

export interface DecodeAsRule {
  transport: 'udp' | 'tcp' | 'sctp';
  port: number;
  protocol: DecodeAsProtocol;
}

/**
 * Parses a decode-as rule in Wireshark's spirit: `tcp.port==6060,sip` (also `udp.port=2153,gtpu`).
 * Returns the rule, or a message saying exactly what is wrong with the text.
 */
export function parseDecodeAs(text: string): DecodeAsRule | { error: string } {
  const match = /^\s*(udp|tcp|sctp)\.port\s*==?\s*(\d{1,5})\s*,\s*([a-z]+)\s*$/i.exec(text);
  if (!match) return { error: `'${text}' is not a decode-as rule; write TRANSPORT.port==PORT,PROTOCOL, e.g. tcp.port==6060,sip` };
  const transport = match[1].toLowerCase() as DecodeAsRule['transport'];
  const port = Number(match[2]);
  const protocol = match[3].toLowerCase() as DecodeAsProtocol;
  if (port < 1 || port > 65535) return { error: `port ${port} in '${text}' is outside 1–65535` };
  if (!DECODE_AS_PROTOCOLS.includes(protocol)) return { error: `unknown protocol '${match[3]}' in '${text}'; one of ${DECODE_AS_PROTOCOLS.join(', ')}` };
  if (!ALLOWED[transport].includes(protocol)) return { error: `${protocol} does not run over ${transport} ('${text}'); over ${transport}: ${ALLOWED[transport].join(', ')}` };
  return { transport, port, protocol };
}

export function decodeAsTable(rules: readonly DecodeAsRule[]): DecodeAsTable {
  const table = emptyDecodeAs();
  for (const rule of rules) table[rule.transport].set(rule.port, rule.protocol);
  return table;
}
