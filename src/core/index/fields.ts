import type { FieldDeclaration, FieldReader, FieldValue, FilterContext } from '../filter/field.js';
import { derivedKeyReader, NO_VALUES, unionReader } from '../filter/readers.js';
import { parseUri } from '../sip/uri.js';
import { TextColumn, type LayerDetail, type MessageIndex } from './message-index.js';

/**
 * Display-filter fields read from the message index alone: frame, addresses and ports, tunnels, and the SIP
 * fields the index keeps (method, status, Call-ID, CSeq, From/To URI and tag). Names and types are
 * Wireshark's (`tshark -G fields`), so that filters written for Wireshark work as they are.
 */

/** `ip:port` or `[ip6]:port` → address and port (as formatEndpoint writes them). */
function splitEndpoint(text: string): { address: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(text.slice(colon + 1));
  const host = text.slice(0, colon);
  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return Number.isInteger(port) ? { address, port } : undefined;
}

const isIpv6 = (address: string): boolean => address.includes(':');

function textReader(index: MessageIndex, column: TextColumn, derive: (text: string) => readonly FieldValue[]): FieldReader {
  return derivedKeyReader(
    (row) => index.textId(row, column),
    (id) => derive(index.strings.get(id)),
  );
}

/** One endpoint column's address, when of the given family. */
function endpointAddress(index: MessageIndex, column: TextColumn, v6: boolean): FieldReader {
  return textReader(index, column, (text) => {
    const endpoint = splitEndpoint(text);
    return endpoint && isIpv6(endpoint.address) === v6 ? [endpoint.address] : NO_VALUES;
  });
}

/** The transports whose ports the `Src`/`Dst` columns show for `udp.*`, `tcp.*` and `sctp.*`. */
const TRANSPORT_LAYER: Record<string, string> = { UDP: 'udp', TCP: 'tcp', TLS: 'tcp', WS: 'tcp', WSS: 'tcp', SCTP: 'sctp' };

/** One endpoint column's port, when the message's transport is `layer`. */
function endpointPort(index: MessageIndex, column: TextColumn, layer: string): FieldReader {
  const pairs = new Map<number, number>();
  const ports: (readonly FieldValue[])[] = [];
  // The key combines the endpoint id and the transport id: the port belongs to the layer only for its transports.
  return {
    kind: 'keyed',
    key(row) {
      const endpoint = index.textId(row, column);
      const transport = index.textId(row, TextColumn.Transport);
      const pair = endpoint * 64 + (transport & 63);
      let k = pairs.get(pair);
      if (k === undefined) {
        k = ports.length;
        const split = splitEndpoint(index.strings.get(endpoint));
        const matches = TRANSPORT_LAYER[index.strings.get(transport)] === layer;
        ports.push(split && matches ? [split.port] : NO_VALUES);
        pairs.set(pair, k);
      }
      return k;
    },
    values: (k) => (k < 0 ? NO_VALUES : ports[k]),
  };
}

/** Values of one Wireshark-named field in the outer (tunnel) layers of each message. */
function outerField(index: MessageIndex, names: readonly string[], convert: (value: string | number) => FieldValue | undefined): FieldReader {
  return derivedKeyReader(
    (row) => index.textId(row, TextColumn.Outer),
    (id) => {
      if (id === 0) return NO_VALUES;
      const values: FieldValue[] = [];
      for (const layer of JSON.parse(index.strings.get(id)) as LayerDetail[]) {
        for (const name of names) {
          const value = layer[name];
          if (value === undefined) continue;
          const converted = convert(value);
          if (converted !== undefined) values.push(converted);
        }
      }
      return values.length === 0 ? NO_VALUES : values;
    },
  );
}

const asText = (value: string | number): FieldValue => String(value);
const asNumber = (value: string | number): FieldValue | undefined => {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
};

/** Our layer names (the `Stack` column) → Wireshark's protocol filter names. */
const PROTOCOL_NAMES: Record<string, string> = {
  eth: 'eth',
  vlan: 'vlan',
  sll: 'sll',
  sll2: 'sll',
  null: 'null',
  ppp: 'ppp',
  pppoe: 'pppoes',
  ipv4: 'ip',
  ipv6: 'ipv6',
  udp: 'udp',
  tcp: 'tcp',
  sctp: 'sctp',
  gre: 'gre',
  erspan: 'erspan',
  vxlan: 'vxlan',
  mpls: 'mpls',
  gtpu: 'gtp',
  esp: 'esp',
  hep2: 'hep',
  hep3: 'hep',
  websocket: 'websocket',
  ws: 'websocket',
};

/** The protocols whose bare name tests presence (`udp`, `gtp`, `esp`...), as Wireshark's protocol fields. */
const PROTOCOL_FIELDS: { name: string; description: string }[] = [
  { name: 'eth', description: 'Ethernet' },
  { name: 'vlan', description: '802.1Q Virtual LAN' },
  { name: 'sll', description: 'Linux cooked capture (v1 or v2)' },
  { name: 'ip', description: 'Internet Protocol version 4' },
  { name: 'ipv6', description: 'Internet Protocol version 6' },
  { name: 'udp', description: 'User Datagram Protocol' },
  { name: 'tcp', description: 'Transmission Control Protocol' },
  { name: 'sctp', description: 'Stream Control Transmission Protocol' },
  { name: 'gre', description: 'Generic Routing Encapsulation' },
  { name: 'erspan', description: 'Encapsulated Remote Switch Packet ANalysis' },
  { name: 'vxlan', description: 'Virtual eXtensible Local Area Network' },
  { name: 'mpls', description: 'MultiProtocol Label Switching' },
  { name: 'gtp', description: 'GPRS Tunneling Protocol (GTP-U)' },
  { name: 'esp', description: 'Encapsulating Security Payload (NULL encryption decoded)' },
  { name: 'hep', description: 'Homer Encapsulation Protocol (v2 or v3)' },
  { name: 'websocket', description: 'WebSocket (SIP over WebSocket, RFC 7118)' },
];

function protocolReader(index: MessageIndex, protocol: string): FieldReader {
  return textReader(index, TextColumn.Stack, (stack) => (stack.split('/').some((layer) => PROTOCOL_NAMES[layer] === protocol) ? [true] : NO_VALUES));
}

/** Characters of a plain user part (RFC 3261 §25.1 unreserved, no escapes or separators). */
const PLAIN_USER = /^[A-Za-z0-9\-_.!~*'()&=+$]+$/;
const PLAIN_NUMBER = /^[+0-9\-.()]+$/;

/**
 * The user part of a plain `sip:`/`sips:`/`tel:` URI without parsing it (most URIs in a trace): what
 * parseUri gives for them, ~20× cheaper, which matters when a filter first reads 25k distinct URIs.
 * Undefined: not plain, parse it.
 */
export function plainUriUser(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon < 3 || colon > 4) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'tel') {
    const semi = text.indexOf(';', colon + 1);
    const number = text.slice(colon + 1, semi < 0 ? text.length : semi);
    return PLAIN_NUMBER.test(number) ? number : undefined;
  }
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;
  const at = text.indexOf('@', colon + 1);
  if (at < 0) return undefined;
  const user = text.slice(colon + 1, at);
  return PLAIN_USER.test(user) ? user : undefined;
}

/** The user, host or whole URI of a URI column (`sip.from.user`...), as Wireshark shows them. */
function uriPart(index: MessageIndex, column: TextColumn, part: 'user' | 'host' | 'addr'): FieldReader {
  return textReader(index, column, (text) => {
    if (text === '') return NO_VALUES;
    if (part === 'addr') return [text];
    if (part === 'user') {
      const user = plainUriUser(text);
      if (user !== undefined) return [user];
    }
    const uri = parseUri(text);
    // Wireshark shows an IPv6 host as written in the URI, in brackets (RFC 3261 §25.1 IPv6reference).
    const value = part === 'user' ? uri.user : uri.hostType === 'ipv6' && !uri.host.startsWith('[') ? `[${uri.host}]` : uri.host;
    return value ? [value] : NO_VALUES;
  });
}

function declare(name: string, type: FieldDeclaration['type'], description: string, bind: (index: MessageIndex, context: FilterContext) => FieldReader): FieldDeclaration {
  return { name, type, description, source: 'index', bind: (context) => bind(context.index, context) };
}

const time = (index: MessageIndex, row: number): number => index.tsSecOf(row) + index.tsNsecOf(row) / 1e9;

/** Fields of the message index. */
export const indexFields: FieldDeclaration[] = [
  declare('sip', 'none', 'Session Initiation Protocol (every message)', () => ({ kind: 'keyed', key: () => 0, values: () => [true] })),
  declare('frame.number', 'number', 'Frame number (the frame that completed the message)', (index) => ({ kind: 'number', number: (row) => index.frameOf(row) })),
  declare('frame.time', 'time', 'Arrival time of the frame that completed the message', (index) => ({ kind: 'number', number: (row) => time(index, row) })),
  declare('frame.time_epoch', 'number', 'Arrival time, seconds since 1970-01-01 UTC', (index) => ({ kind: 'number', number: (row) => time(index, row) })),
  declare('frame.time_relative', 'duration', 'Seconds since the first frame of the capture', (index) => {
    const start = index.captureStart;
    return { kind: 'number', number: (row) => time(index, row) - start };
  }),
  declare('frame.len', 'number', 'Frame length on the wire (of the frame that completed the message)', (index) => ({ kind: 'number', number: (row) => index.frameLengthOf(index.frameOf(row)) || NaN })),
  declare('sip.msg_len', 'number', 'Length of the SIP message in bytes (sipscope)', (index) => ({ kind: 'number', number: (row) => index.sizeOf(row) })),
  declare('ip.src', 'ipv4', 'Source IPv4 address (of the message, then of the tunnels around it)', (index) =>
    unionReader([endpointAddress(index, TextColumn.Src, false), outerField(index, ['ip.src'], asText)]),
  ),
  declare('ip.dst', 'ipv4', 'Destination IPv4 address (of the message, then of the tunnels around it)', (index) =>
    unionReader([endpointAddress(index, TextColumn.Dst, false), outerField(index, ['ip.dst'], asText)]),
  ),
  declare('ip.addr', 'ipv4', 'Source or destination IPv4 address, tunnels included', (index) =>
    unionReader([unionReader([endpointAddress(index, TextColumn.Src, false), endpointAddress(index, TextColumn.Dst, false)]), outerField(index, ['ip.src', 'ip.dst'], asText)]),
  ),
  declare('ipv6.src', 'ipv6', 'Source IPv6 address (of the message, then of the tunnels around it)', (index) =>
    unionReader([endpointAddress(index, TextColumn.Src, true), outerField(index, ['ipv6.src'], asText)]),
  ),
  declare('ipv6.dst', 'ipv6', 'Destination IPv6 address (of the message, then of the tunnels around it)', (index) =>
    unionReader([endpointAddress(index, TextColumn.Dst, true), outerField(index, ['ipv6.dst'], asText)]),
  ),
  declare('ipv6.addr', 'ipv6', 'Source or destination IPv6 address, tunnels included', (index) =>
    unionReader([unionReader([endpointAddress(index, TextColumn.Src, true), endpointAddress(index, TextColumn.Dst, true)]), outerField(index, ['ipv6.src', 'ipv6.dst'], asText)]),
  ),
  ...(['udp', 'tcp', 'sctp'] as const).flatMap((layer) => {
    const upper = layer.toUpperCase();
    return [
      declare(`${layer}.srcport`, 'number', `${upper} source port`, (index) => unionReader([endpointPort(index, TextColumn.Src, layer), outerField(index, [`${layer}.srcport`], asNumber)])),
      declare(`${layer}.dstport`, 'number', `${upper} destination port`, (index) => unionReader([endpointPort(index, TextColumn.Dst, layer), outerField(index, [`${layer}.dstport`], asNumber)])),
      declare(`${layer}.port`, 'number', `${upper} source or destination port`, (index) =>
        unionReader([unionReader([endpointPort(index, TextColumn.Src, layer), endpointPort(index, TextColumn.Dst, layer)]), outerField(index, [`${layer}.srcport`, `${layer}.dstport`], asNumber)]),
      ),
    ];
  }),
  declare('gtp.teid', 'number', 'GTP-U Tunnel Endpoint Identifier (TS 29.281 §5.1)', (index) => outerField(index, ['gtp.teid'], asNumber)),
  declare('esp.spi', 'number', 'ESP Security Parameters Index (RFC 4303 §2.1)', (index) => outerField(index, ['esp.spi'], asNumber)),
  declare('esp.sequence', 'number', 'ESP sequence number (RFC 4303 §2.2)', (index) => ({
    kind: 'number',
    number(row) {
      if (index.textId(row, TextColumn.Outer) === 0) return NaN;
      for (const layer of index.outerOf(row)) if (layer['esp.sequence'] !== undefined) return Number(layer['esp.sequence']);
      return NaN;
    },
  })),
  declare('vxlan.vni', 'number', 'VXLAN Network Identifier (RFC 7348 §5)', (index) => outerField(index, ['vxlan.vni'], asNumber)),
  declare('mpls.label', 'number', 'MPLS label (RFC 3032)', (index) => outerField(index, ['mpls.label'], asNumber)),
  declare('hep.capture_id', 'number', 'HEP capture agent id', (index) => outerField(index, ['hep.capture_id'], asNumber)),
  ...PROTOCOL_FIELDS.map(({ name, description }) => declare(name, 'none', description, (index) => protocolReader(index, name))),
  declare('sip.transport', 'string', 'Transport the message was carried on: UDP, TCP, SCTP, WS, TLS (sipscope)', (index) => textReader(index, TextColumn.Transport, (text) => (text ? [text] : NO_VALUES))),
  declare('sip.Method', 'string', 'Method (requests only)', (index) =>
    derivedKeyReader(
      (row) => (index.isRequest(row) ? index.textId(row, TextColumn.MethodOrReason) : -1),
      (id) => [index.strings.get(id)],
    ),
  ),
  declare('sip.Status-Code', 'number', 'Status-Code (responses only)', (index) => ({ kind: 'number', number: (row) => (index.isRequest(row) ? NaN : (index.statusOf(row) ?? NaN)) })),
  declare('sip.Call-ID', 'string', 'Call-ID', (index) => textReader(index, TextColumn.CallId, (text) => (text ? [text] : NO_VALUES))),
  declare('sip.CSeq.seq', 'number', 'CSeq sequence number', (index) => ({
    kind: 'number',
    number: (row) => {
      const seq = index.cseqOf(row);
      return seq < 0 ? NaN : seq;
    },
  })),
  declare('sip.CSeq.method', 'string', 'CSeq method', (index) =>
    derivedKeyReader(
      (row) => (index.cseqOf(row) < 0 ? -1 : index.textId(row, TextColumn.CSeqMethod)),
      (id) => [index.strings.get(id)],
    ),
  ),
  declare('sip.from.addr', 'string', 'From URI', (index) => uriPart(index, TextColumn.FromUri, 'addr')),
  declare('sip.from.user', 'string', 'From URI user part', (index) => uriPart(index, TextColumn.FromUri, 'user')),
  declare('sip.from.host', 'string', 'From URI host part', (index) => uriPart(index, TextColumn.FromUri, 'host')),
  declare('sip.from.tag', 'string', 'From tag', (index) => textReader(index, TextColumn.FromTag, (text) => (text ? [text] : NO_VALUES))),
  declare('sip.to.addr', 'string', 'To URI', (index) => uriPart(index, TextColumn.ToUri, 'addr')),
  declare('sip.to.user', 'string', 'To URI user part', (index) => uriPart(index, TextColumn.ToUri, 'user')),
  declare('sip.to.host', 'string', 'To URI host part', (index) => uriPart(index, TextColumn.ToUri, 'host')),
  declare('sip.to.tag', 'string', 'To tag', (index) => textReader(index, TextColumn.ToTag, (text) => (text ? [text] : NO_VALUES))),
  declare('capture.duplicate', 'boolean', 'A second capture of the same datagram (sipscope)', (index) => ({ kind: 'keyed', key: (row) => (index.isDuplicate(row) ? 1 : 0), values: (k) => [k === 1] })),
  declare('capture.copy', 'boolean', 'The same message also seen at another capture point (sipscope)', (index) => ({
    kind: 'keyed',
    key: (row) => (index.copiesOf(row).length > 0 ? 1 : 0),
    values: (k) => [k === 1],
  })),
];
