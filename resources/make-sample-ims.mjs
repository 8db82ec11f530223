#!/usr/bin/env node
// Builds resources/sample-ims.pcap: an IMS trace written for sipscope (not captured), as an IMS engineer
// would read it in ladder diagrams. One home network (ims.example.com; IMSIs of the test PLMN 001/01), two
// VoLTE UEs on IPv6, dual-homed P-CSCFs (IPv6 Gm, IPv4 Mw), an I-CSCF, an S-CSCF and an IP-SM-GW. In order:
//   1. UE-A initial registration with IMS AKA (TS 24.229 §5.1.1.2, TS 33.203): REGISTER, 401 with an
//      AKAv1-MD5 challenge, REGISTER with the response, 200 (Service-Route, P-Associated-URI, Path), then the
//      reg-event subscription (RFC 3680): SUBSCRIBE, 200, NOTIFY with reginfo, 200.
//   2. A VoLTE call UE-A → UE-B with preconditions (RFC 3312, RFC 3262, TS 24.229 §5.1.3 / §6.1.2; GSMA IR.92):
//      INVITE, 100, 183 with SDP and RSeq, PRACK, 200, UPDATE (curr:qos local sendrecv), 200, 180, 200, ACK,
//      30 s of conversation, BYE (sent again after T1 = 500 ms: the first was lost on the radio), 200.
//   3. A call UE-A → UE-B that UE-A cancels while it rings: INVITE, 100, 180, CANCEL, 200, 487, ACK
//      (RFC 3261 §9, CANCEL and the ACK to the 487 hop by hop).
//   4. A call UE-B → UE-A that UE-A rejects busy: INVITE, 100, 486, ACK.
//   5. SMS over IP (TS 24.341 §5.3.1): MESSAGE with RP-DATA / SMS-SUBMIT (TS 24.011, TS 23.040) to the
//      service centre via the IP-SM-GW, 202 Accepted, then the network's MESSAGE with RP-ACK (the submit
//      report), 200.
// Every hop is in the trace: each proxy adds its Via with a new branch, decrements Max-Forwards, pops its
// Route, record-routes dialog-creating requests; responses lose the top Via at each proxy. Transport: UDP,
// except TCP between P-CSCF-1 and the S-CSCF (one connection each way, as RFC 3261 §18 opens them) and, on Gm,
// for requests over 1300 bytes (the INVITEs, RFC 3261 §18.1.1); the core runs jumbo frames, so UDP carries
// large messages there. IP, UDP and TCP checksums are correct. Standalone (no project imports), so the sample
// does not depend on the code that reads it; deterministic: `node resources/make-sample-ims.mjs [OUT]` always
// writes the same bytes (default OUT: resources/sample-ims.pcap).
/* global Buffer, console, process */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'sample-ims.pcap');

// ---------------------------------------------------------------------------------------------------------
// Bytes: Ethernet, IPv4 / IPv6, UDP, TCP, pcap.

const u16 = (n) => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const cat = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));

function checksum(bytes) {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4Bytes(text) {
  return text.split('.').map(Number);
}

function ipv6Bytes(text) {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap(u16);
}

const isIpv6 = (address) => address.includes(':');
const addressBytes = (address) => (isIpv6(address) ? ipv6Bytes(address) : ipv4Bytes(address));

/** The IPv4 identification each sender increments (RFC 6864: unique per source while in flight). */
const ipIds = new Map();

function ipPacket(protocol, src, dst, payload) {
  if (isIpv6(src)) return cat([0x60, 0, 0, 0, ...u16(payload.length), protocol, 64, ...ipv6Bytes(src), ...ipv6Bytes(dst)], payload);
  const id = (ipIds.get(src) ?? 0x3a10 + ipv4Bytes(src)[3] * 0x100) & 0xffff;
  ipIds.set(src, id + 1);
  // Don't Fragment set, as Linux sends UDP and TCP under path MTU discovery.
  const header = Buffer.from([0x45, 0, ...u16(20 + payload.length), ...u16(id), 0x40, 0, 64, protocol, 0, 0, ...ipv4Bytes(src), ...ipv4Bytes(dst)]);
  header.writeUInt16BE(checksum(header), 10);
  return cat(header, payload);
}

function pseudoHeader(protocol, src, dst, length) {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  return isIpv6(src) ? [...s, ...d, ...u32(length), 0, 0, 0, protocol] : [...s, ...d, 0, protocol, ...u16(length)];
}

/** UDP with its checksum (RFC 768; mandatory over IPv6, RFC 8200 §8.1). */
function udpSegment(src, dst, srcPort, dstPort, payload) {
  const d = Buffer.from(cat([...u16(srcPort), ...u16(dstPort), ...u16(8 + payload.length), 0, 0], payload));
  d.writeUInt16BE(checksum(cat(pseudoHeader(17, src, dst, d.length), d)) || 0xffff, 6);
  return d;
}

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;

function tcpSegment(src, dst, srcPort, dstPort, seq, ack, flags, payload, options = []) {
  const d = Buffer.from(cat([...u16(srcPort), ...u16(dstPort), ...u32(seq), ...u32(ack), ((20 + options.length) / 4) << 4, flags, ...u16(64240), 0, 0, 0, 0, ...options], payload));
  d.writeUInt16BE(checksum(cat(pseudoHeader(6, src, dst, d.length), d)), 16);
  return d;
}

function ethernetFrame(srcMac, dstMac, ipVersion6, payload) {
  return cat(dstMac, srcMac, u16(ipVersion6 ? 0x86dd : 0x0800), payload);
}

/** Classic pcap (draft-ietf-opsawg-pcap §4, §5): little-endian, microseconds, LINKTYPE_ETHERNET. */
function pcapFile(records) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const parts = [header];
  for (const { us, data } of records) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Math.floor(us / 1e6), 0);
    h.writeUInt32LE(us % 1e6, 4);
    h.writeUInt32LE(data.length, 8);
    h.writeUInt32LE(data.length, 12);
    parts.push(h, data);
  }
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------------------
// The network.

// An operator domain provisioned in the ISIM (TS 23.003 §13.2), from the names reserved for examples (RFC 2606).
const DOMAIN = 'ims.example.com';

const host = (name, address, mac) => ({ name, address, mac: mac.split(':').map((b) => parseInt(b, 16)) });
const UE_A = { ...host('UE-A', '2001:db8:a::11', '52:54:00:1a:00:11'), ue: true };
const PCSCF1_GM = host('P-CSCF-1 (Gm)', '2001:db8:10::10', '52:54:00:0c:01:06');
const PCSCF1_MW = host('P-CSCF-1 (Mw)', '10.20.0.10', '52:54:00:0c:01:04');
const ICSCF = host('I-CSCF', '10.20.0.20', '52:54:00:0c:02:04');
const SCSCF = host('S-CSCF', '10.20.0.30', '52:54:00:0c:03:04');
const IPSMGW = host('IP-SM-GW', '10.20.0.40', '52:54:00:0c:04:04');
const PCSCF2_MW = host('P-CSCF-2 (Mw)', '10.20.0.11', '52:54:00:0c:05:04');
const PCSCF2_GM = host('P-CSCF-2 (Gm)', '2001:db8:20::10', '52:54:00:0c:05:06');
const UE_B = { ...host('UE-B', '2001:db8:b::22', '52:54:00:1b:00:22'), ue: true };

const hostport = (h, port = 5060) => (isIpv6(h.address) ? `[${h.address}]:${port}` : `${h.address}:${port}`);

const FQDN = { pcscf1: `pcscf1.${DOMAIN}`, pcscf2: `pcscf2.${DOMAIN}`, icscf: `icscf.${DOMAIN}`, scscf: `scscf1.${DOMAIN}`, ipsmgw: `ipsmgw.${DOMAIN}` };

/**
 * A TCP connection: the client's ephemeral port to the server's 5060; sequence numbers run per direction. The
 * MSS is the link's MTU less the IP and TCP headers: 1500 on the radio side, jumbo frames (9000) in the core.
 */
function tcpConnection(client, clientPort, server, isn, mss) {
  return { client, clientPort, server, serverPort: 5060, isn, mss, next: undefined };
}
// RFC 3261 §18.1.1 / §18.2.2: a request opens (or reuses) a connection to the next hop's port; its responses come
// back on it. P-CSCF-1 → S-CSCF carries what UE-A originates, S-CSCF → P-CSCF-1 what terminates at UE-A.
const TCP_PCSCF1_SCSCF = tcpConnection(PCSCF1_MW, 38412, SCSCF, [0x5a3c0f01, 0x9e21b7c4], 8960);
const TCP_SCSCF_PCSCF1 = tcpConnection(SCSCF, 45874, PCSCF1_MW, [0x1b77e402, 0x6cd09a13], 8960);
// On Gm a request over 1300 bytes goes over TCP (RFC 3261 §18.1.1: the radio path MTU is 1500 at best): the
// INVITEs, each way. Smaller requests (PRACK, UPDATE, ACK, BYE, MESSAGE...) stay on UDP. Both ends send from
// their SIP port, as they would from their protected ports under IPsec (TS 33.203 §7.1, TS 24.229 §5.1.1.2),
// so there is one connection per UE and P-CSCF, opened by whoever sends the first large request, used both ways.
const TCP_GM_A = tcpConnection(UE_A, 5060, PCSCF1_GM, [0x0c4f9a21, 0x73e1d0b5], 1440);
const TCP_GM_B = tcpConnection(PCSCF2_GM, 5060, UE_B, [0x7b3e5c90, 0x05a9d41c], 1440);
const LARGE_REQUEST = 1300;

/**
 * One hop: who sends to whom, over what, and the one-way delay (radio on Gm, LAN in the core); `largeOver`,
 * the TCP connection large requests take instead of UDP.
 */
const leg = (from, to, transport, delayMs, connection, largeOver) => ({ from, to, transport, delayMs, connection, largeOver });

/** The hop a request really takes: over TCP when it is too large for UDP there (its top Via says so). */
function hopFor(hop, message) {
  if (!hop.largeOver || !message.isRequest || Buffer.byteLength(message.toString(), 'latin1') <= LARGE_REQUEST) return hop;
  const via = message.get('Via');
  message.set('Via', via.replace('SIP/2.0/UDP ', 'SIP/2.0/TCP '));
  return { ...hop, transport: 'TCP', connection: hop.largeOver, largeOver: undefined };
}
const LTE_MS = 19;
const CORE_MS = 0.4;

// ---------------------------------------------------------------------------------------------------------
// Frames, in time order at the end.

const T0_US = Date.UTC(2026, 10, 24, 9, 30, 0) * 1000;
const events = [];
let sequence = 0;

/** Sends a SIP message at time t (ms) over a hop, forwards (request) or backwards (response). */
function send(t, hop, message, backwards = false) {
  const from = backwards ? hop.to : hop.from;
  const to = backwards ? hop.from : hop.to;
  events.push({ us: T0_US + Math.round(t * 1000), order: sequence++, hop, from, to, backwards, payload: Buffer.from(message.toString(), 'latin1') });
}

function buildFrames() {
  events.sort((a, b) => a.us - b.us || a.order - b.order);
  // The peer's delayed ACK (RFC 9293 §3.8.6.3; Linux: 40 ms) when it sends nothing back on the connection sooner.
  for (const e of events.filter((x) => x.hop.transport === 'TCP')) {
    const due = e.us + Math.round(e.hop.delayMs * 1000) + 40_000;
    const reply = events.find((x) => x.us > e.us && x.hop.connection === e.hop.connection && x.from === e.to);
    if (!reply || reply.us > due) events.push({ us: due, order: sequence++, hop: e.hop, from: e.to, to: e.from, pureAck: true });
  }
  events.sort((a, b) => a.us - b.us || a.order - b.order);
  const frames = [];
  const frame = (us, from, to, protocol, bytes) => frames.push({ us, data: ethernetFrame(from.mac, to.mac, isIpv6(from.address), ipPacket(protocol, from.address, to.address, bytes)) });
  for (const e of events) {
    if (e.hop.transport === 'UDP') {
      frame(e.us, e.from, e.to, 17, udpSegment(e.from.address, e.to.address, 5060, 5060, e.payload));
      continue;
    }
    const c = e.hop.connection;
    const port = (h) => (h === c.client ? c.clientPort : c.serverPort);
    const segment = (us, from, to, seq, ack, flags, payload, options) => {
      if (flags & ACK) c.acked.set(from, ack);
      frame(us, from, to, 6, tcpSegment(from.address, to.address, port(from), port(to), seq >>> 0, ack >>> 0, flags, payload, options));
    };
    if (!c.next) {
      c.acked = new Map();
      // The three-way handshake just before the first message (RFC 9293 §3.5): MSS, SACK permitted, window scale.
      // One round trip before the message: SYN, SYN-ACK one delay later, ACK with the message.
      const options = [2, 4, ...u16(c.mss), 1, 1, 4, 2];
      const rtt = Math.round(e.hop.delayMs * 2000);
      segment(e.us - rtt - 150, c.client, c.server, c.isn[0], 0, SYN, Buffer.alloc(0), options);
      segment(e.us - rtt / 2 - 100, c.server, c.client, c.isn[1], c.isn[0] + 1, SYN | ACK, Buffer.alloc(0), options);
      segment(e.us - 50, c.client, c.server, c.isn[0] + 1, c.isn[1] + 1, ACK, Buffer.alloc(0));
      c.next = new Map([[c.client, c.isn[0] + 1], [c.server, c.isn[1] + 1]]);
    }
    if (e.pureAck) {
      // Nothing new to acknowledge: the data it would ACK was acknowledged by an earlier segment.
      if (c.acked.get(e.from) === c.next.get(e.to)) continue;
      segment(e.us, e.from, e.to, c.next.get(e.from), c.next.get(e.to), ACK, Buffer.alloc(0));
      continue;
    }
    // A message larger than the MSS leaves in MSS-sized segments back to back, PSH on the last.
    for (let at = 0, n = 0; at < e.payload.length; at += c.mss, n++) {
      const chunk = e.payload.subarray(at, at + c.mss);
      const last = at + c.mss >= e.payload.length;
      segment(e.us + n * 12, e.from, e.to, c.next.get(e.from), c.next.get(e.to), last ? PSH_ACK : ACK, chunk);
      c.next.set(e.from, c.next.get(e.from) + chunk.length);
    }
  }
  // The handshakes were written when their connection's first message came: put them in time order.
  return frames.map((f, i) => ({ ...f, i })).sort((x, y) => x.us - y.us || x.i - y.i);
}

// ---------------------------------------------------------------------------------------------------------
// SIP messages.

/** A deterministic stream of hex for branches, tags, Call-IDs (mulberry32). */
let seed = 0x1a2b3c4d;
function hex(n) {
  let s = '';
  while (s.length < n) {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    s += ((x ^ (x >>> 14)) >>> 0).toString(16).padStart(8, '0');
  }
  return s.slice(0, n);
}
const branch = () => `z9hG4bK${hex(10)}`;
const newCallId = () => hex(20);
const tag = () => hex(10);

class Sip {
  /** headers: [name, value] in order; body: string (latin1) or Buffer. */
  constructor(startLine, headers, body, contentType) {
    this.startLine = startLine;
    this.headers = headers;
    this.body = body ?? '';
    this.contentType = contentType;
  }
  clone() {
    return new Sip(this.startLine, this.headers.map(([n, v]) => [n, v]), this.body, this.contentType);
  }
  get isRequest() {
    return !this.startLine.startsWith('SIP/2.0');
  }
  get method() {
    return this.startLine.split(' ')[0];
  }
  get requestUri() {
    return this.startLine.split(' ')[1];
  }
  get(name) {
    return this.headers.find(([n]) => n === name)?.[1];
  }
  all(name) {
    return this.headers.filter(([n]) => n === name).map(([, v]) => v);
  }
  remove(name) {
    this.headers = this.headers.filter(([n]) => n !== name);
    return this;
  }
  set(name, value) {
    const at = this.headers.findIndex(([n]) => n === name);
    if (at >= 0) this.headers[at][1] = value;
    else this.headers.push([name, value]);
    return this;
  }
  /** Inserts before the first header of `name`, else after the last header of one of `after`, else last. */
  insertTop(name, value, after = []) {
    let at = this.headers.findIndex(([n]) => n === name);
    if (at < 0) {
      for (const a of after) {
        const last = this.headers.map(([n]) => n).lastIndexOf(a);
        if (last >= 0) at = Math.max(at, last + 1);
      }
    }
    if (at < 0) at = this.headers.length;
    this.headers.splice(at, 0, [name, value]);
    return this;
  }
  removeFirst(name) {
    const at = this.headers.findIndex(([n]) => n === name);
    if (at >= 0) this.headers.splice(at, 1);
    return this;
  }
  toString() {
    const body = Buffer.isBuffer(this.body) ? this.body.toString('latin1') : this.body;
    const lines = [this.startLine, ...this.headers.map(([n, v]) => `${n}: ${v}`)];
    if (this.contentType) lines.push(`Content-Type: ${this.contentType}`);
    lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
    return `${lines.join('\r\n')}\r\n\r\n${body}`;
  }
}

const REASONS = { 100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 202: 'Accepted', 401: 'Unauthorized', 486: 'Busy Here', 487: 'Request Terminated' };

/**
 * A response to `request` as its UAS or a proxy builds it (RFC 3261 §8.2.6): Vias, From, To (with the tag,
 * none on a 100), Call-ID and CSeq copied; Record-Route copied for a dialog-creating response (§12.1.1).
 */
function response(request, status, { toTag, recordRoute = false, headers = [], body, contentType } = {}) {
  const h = [];
  for (const v of request.all('Via')) h.push(['Via', v]);
  if (recordRoute) for (const rr of request.all('Record-Route')) h.push(['Record-Route', rr]);
  h.push(['From', request.get('From')]);
  h.push(['To', toTag ? `${request.get('To')};tag=${toTag}` : request.get('To')]);
  h.push(['Call-ID', request.get('Call-ID')]);
  h.push(['CSeq', request.get('CSeq')]);
  return new Sip(`SIP/2.0 ${status} ${REASONS[status]}`, [...h, ...headers], body, contentType);
}

/**
 * What a proxy does to a request it forwards on `next` (RFC 3261 §16.6): its own Via on top with a new
 * branch, Max-Forwards decremented, its Route entry popped (loose routing, §16.4), a Record-Route when asked;
 * then the node's own edits (TS 24.229 header handling).
 */
function forward(request, next, { recordRoute, requestUri, edit } = {}) {
  const m = request.clone();
  if (next.to.ue) leaveTrustDomain(m);
  if (requestUri) m.startLine = `${m.method} ${requestUri} SIP/2.0`;
  m.removeFirst('Route');
  m.set('Max-Forwards', String(Number(m.get('Max-Forwards')) - 1));
  m.insertTop('Via', `SIP/2.0/${next.transport} ${hostport(next.from)};branch=${branch()}`);
  if (recordRoute) m.insertTop('Record-Route', `<sip:${recordRoute};lr>`, ['Route', 'Max-Forwards']);
  edit?.(m);
  return m;
}

/**
 * What a P-CSCF removes from what it sends to a UE, outside the trust domain (RFC 7315 §4, TS 24.229 §5.2.6.4,
 * §5.2.7): the access network and charging headers.
 */
function leaveTrustDomain(m) {
  m.remove('P-Access-Network-Info');
  m.remove('P-Charging-Vector');
  m.remove('P-Charging-Function-Addresses');
}

/** A proxy forwarding a response upstream (RFC 3261 §16.7 step 3): the top Via removed; then its edits. */
function forwardResponse(message, edit) {
  const m = message.clone();
  m.removeFirst('Via');
  edit?.(m);
  return m;
}

/**
 * Sends a request hop by hop along `legs`: `forwards[i]` (i ≥ 1) turns what arrived over legs[i-1] into what
 * goes out on legs[i]; `processingMs[i]` is how long node i takes to forward. Returns the copy on each hop
 * with its send time, and the arrival time at the last node.
 */
function sendRequest(t, legs, first, forwards = [], processingMs = []) {
  const hops = [];
  let message = first;
  for (let i = 0; i < legs.length; i++) {
    if (i > 0) {
      t += processingMs[i] ?? 1.5;
      message = forwards[i] ? forwards[i](message, legs[i]) : forward(message, legs[i]);
    }
    const hop = hopFor(legs[i], message);
    if (hop.connection && !hop.connection.used) {
      // A new connection: the three-way handshake takes a round trip before the request can leave.
      hop.connection.used = true;
      t += 2 * hop.delayMs + 0.2;
    }
    send(t, hop, message);
    hops.push({ leg: hop, message, t });
    t += hop.delayMs;
  }
  return { hops, arrival: t };
}

/**
 * Sends a response from the last node back along the hops a request took; `edits[i]` is what node i (the
 * proxy that received it on hop i) changes before sending it on hop i-1. Returns the arrival time at the
 * request's originator.
 */
function sendResponse(t, hops, message, edits = [], processingMs = 0.8) {
  for (let i = hops.length - 1; i >= 0; i--) {
    if (i < hops.length - 1) {
      t += processingMs;
      message = forwardResponse(message, edits[i + 1]);
      if (hops[i].leg.from.ue) leaveTrustDomain(message);
    }
    send(t, hops[i].leg, message, true);
    t += hops[i].leg.delayMs;
  }
  return t;
}

/** 100 Trying from every node that receives an INVITE (RFC 3261 §16.2, §17.2.1), `afterMs` after it arrives. */
function tryingOnEachHop(hops, afterMs = [0.3, 0.3, 0.3, 4]) {
  hops.forEach((hop, i) => send(hop.t + hop.leg.delayMs + (afterMs[i] ?? 0.3), hop.leg, response(hop.message, 100), true));
}

/** The ACK to a non-2xx final response, sent on one hop (RFC 3261 §17.1.1.3): INVITE's branch, Route, R-URI. */
function ackFor(invite, toWithTag) {
  const h = [['Via', invite.get('Via')], ['Max-Forwards', '70']];
  for (const r of invite.all('Route')) h.push(['Route', r]);
  h.push(['From', invite.get('From')], ['To', toWithTag], ['Call-ID', invite.get('Call-ID')], ['CSeq', `${invite.get('CSeq').split(' ')[0]} ACK`]);
  return new Sip(`ACK ${invite.requestUri} SIP/2.0`, h);
}

/**
 * A failure final response from the callee back to the caller: each proxy ACKs it on its hop and passes it on
 * (RFC 3261 §16.7 step 3, §17.1.1.3); the P-CSCF strips what the UE must not see.
 */
function finalHopByHop(t, hops, message, toWithTag) {
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (i < hops.length - 1) {
      message = forwardResponse(message);
      if (hop.leg.from.ue) leaveTrustDomain(message);
    }
    send(t, hop.leg, message, true);
    t += hop.leg.delayMs;
    send(t + 0.2, hop.leg, ackFor(hop.message, toWithTag));
    t += 0.6;
  }
}

/** The CANCEL of an INVITE on one hop (RFC 3261 §9.1): same R-URI, top Via (branch), Route, From, To, CSeq number. */
function cancelFor(invite) {
  const h = [['Via', invite.get('Via')], ['Max-Forwards', '70']];
  for (const r of invite.all('Route')) h.push(['Route', r]);
  h.push(['From', invite.get('From')], ['To', invite.get('To')], ['Call-ID', invite.get('Call-ID')], ['CSeq', `${invite.get('CSeq').split(' ')[0]} CANCEL`]);
  return new Sip(`CANCEL ${invite.requestUri} SIP/2.0`, h);
}

// ---------------------------------------------------------------------------------------------------------
// Identities and the common IMS headers (TS 24.229).

const A = {
  host: UE_A,
  msisdn: '+12125550101',
  impi: `001010123456789@${DOMAIN}`,
  impu: `sip:+12125550101@${DOMAIN}`,
  contact: `sip:+12125550101@${hostport(UE_A)}`,
  instance: '"<urn:gsma:imei:35209900-176148-1>"',
  // TS 24.229 §7.2A.4: E-UTRAN cell as MCC 001, MNC 01, TAC 0001 (4 hex digits), ECI 19B2D01 (28 bits).
  pani: '3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=00101000119B2D01',
};
const B = {
  host: UE_B,
  msisdn: '+12125550102',
  impu: `sip:+12125550102@${DOMAIN}`,
  contact: `sip:+12125550102@${hostport(UE_B)}`,
  pani: '3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=00101000202C5E70',
};
const MMTEL = 'urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel';
const SMSC_PSI = `sip:+12125550100@${DOMAIN};user=phone`;
const ALLOW = 'INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, NOTIFY, OPTIONS';
const ueContact = (ue) => `<${ue.contact}>;+g.3gpp.icsi-ref="${MMTEL}";audio`;
const userAgent = 'Samsung IMS 6.0';

// Gm: UE ↔ P-CSCF over IPv6 UDP; Mw: IPv4, TCP between P-CSCF-1 and the S-CSCF, UDP elsewhere.
const gmA = leg(UE_A, PCSCF1_GM, 'UDP', LTE_MS, undefined, TCP_GM_A);
const gmAdown = leg(PCSCF1_GM, UE_A, 'UDP', LTE_MS, undefined, TCP_GM_A);
const mwA = leg(PCSCF1_MW, SCSCF, 'TCP', CORE_MS, TCP_PCSCF1_SCSCF);
const mwAdown = leg(SCSCF, PCSCF1_MW, 'TCP', CORE_MS, TCP_SCSCF_PCSCF1);
const mwB = leg(PCSCF2_MW, SCSCF, 'UDP', CORE_MS);
const mwBdown = leg(SCSCF, PCSCF2_MW, 'UDP', CORE_MS);
const gmB = leg(UE_B, PCSCF2_GM, 'UDP', LTE_MS, undefined, TCP_GM_B);
const gmBdown = leg(PCSCF2_GM, UE_B, 'UDP', LTE_MS, undefined, TCP_GM_B);
const toIcscf = leg(PCSCF1_MW, ICSCF, 'UDP', CORE_MS);
const icscfToScscf = leg(ICSCF, SCSCF, 'UDP', CORE_MS);
const toIpsmgw = leg(SCSCF, IPSMGW, 'UDP', CORE_MS);
const fromIpsmgw = leg(IPSMGW, SCSCF, 'UDP', CORE_MS);

/** Route set the UE pre-loads for initial requests (TS 24.229 §5.1.2A.1.1): its P-CSCF, then the Service-Route. */
const originatingRoutes = (pcscfGm) => [`<sip:${hostport(pcscfGm)};lr>`, `<sip:orig@${FQDN.scscf};lr>`];

let icidCount = 0;
const pcv = (generatedAt) => `icid-value=${hex(8)}.${(++icidCount).toString(16).padStart(4, '0')}.${hex(12)};icid-generated-at=${generatedAt.address}`;

/** P-CSCF (originating, TS 24.229 §5.2.6.3): asserts the identity, starts charging (ICID), keeps PANI. */
const pcscfOriginating = (identity, { recordRoute = FQDN.pcscf1, charging = true } = {}) => (m, next) =>
  forward(m, next, {
    recordRoute,
    edit: (x) => {
      x.remove('P-Preferred-Identity');
      x.insertTop('P-Asserted-Identity', `<${identity}>`, ['CSeq', 'Contact']);
      if (charging) x.set('P-Charging-Vector', pcv(next.from));
    },
  });

/**
 * S-CSCF (originating then terminating, TS 24.229 §5.4.3.2 / §5.4.3.3; both users are served here, so it
 * routes straight to the terminating side): asserts the tel URI and the service, translates the tel URI
 * Request-URI (ENUM), retargets to the callee's registered contact via its Path, adds the orig-ioi.
 */
const scscfOriginatingTerminating = (caller, callee, calleePath) => (m, next) =>
  forward(m, next, {
    recordRoute: FQDN.scscf,
    requestUri: callee.contact,
    edit: (x) => {
      x.insertTop('Route', `<sip:term@${calleePath};lr>`, ['Max-Forwards']);
      const pai = x.headers.findIndex(([n]) => n === 'P-Asserted-Identity');
      x.headers.splice(pai + 1, 0, ['P-Asserted-Identity', `<tel:${caller.msisdn}>`]);
      x.remove('P-Preferred-Service');
      x.insertTop('P-Asserted-Service', 'urn:urn-7:3gpp-service.ims.icsi.mmtel', ['P-Asserted-Identity']);
      x.insertTop('P-Called-Party-ID', `<sip:${callee.msisdn}@${DOMAIN};user=phone>`, ['P-Asserted-Service']);
      x.set('P-Charging-Vector', `${x.get('P-Charging-Vector')};orig-ioi=${DOMAIN}`);
    },
  });

/** P-CSCF (terminating, TS 24.229 §5.2.6.4): record-routes; `forward` strips what the UE must not see. */
const pcscfTerminating = (recordRoute) => (m, next) => forward(m, next, { recordRoute });

/** In-dialog request through the proxies: loose routing only (RFC 3261 §16.12). */
const inDialog = (m, next) => forward(m, next);

/** The responder's P-CSCF asserts the identity of the UE that answers (TS 24.229 §5.2.6.4.4). */
const assertResponder = (ue) => (m) => m.insertTop('P-Asserted-Identity', `<${ue.impu}>`, ['Contact']);

// ---------------------------------------------------------------------------------------------------------
// SDP (RFC 4566, RFC 3264) with QoS preconditions (RFC 3312) and AMR-WB (RFC 4867), as IR.92 UEs send it.

function sdp(ue, sessionVersion, port, { codecs = 'offer', preconditions } = {}) {
  const ip = ue.host.address;
  const lines = ['v=0', `o=- ${ue === A ? 3958621004 : 2887402213} ${sessionVersion} IN IP6 ${ip}`, 's=-', `c=IN IP6 ${ip}`, 't=0 0'];
  if (codecs === 'offer') {
    lines.push(
      `m=audio ${port} RTP/AVP 116 118 111`,
      'b=AS:41',
      'b=RS:512',
      'b=RR:1537',
      'a=rtpmap:116 AMR-WB/16000/1',
      'a=fmtp:116 mode-change-capability=2;max-red=0',
      'a=rtpmap:118 AMR/8000/1',
      'a=fmtp:118 mode-change-capability=2;max-red=0',
      'a=rtpmap:111 telephone-event/16000',
      'a=fmtp:111 0-15',
    );
  } else {
    lines.push(
      `m=audio ${port} RTP/AVP 116 111`,
      'b=AS:41',
      'b=RS:512',
      'b=RR:1537',
      'a=rtpmap:116 AMR-WB/16000/1',
      'a=fmtp:116 mode-change-capability=2;max-red=0',
      'a=rtpmap:111 telephone-event/16000',
      'a=fmtp:111 0-15',
    );
  }
  if (preconditions) lines.push(...preconditions);
  lines.push('a=sendrecv', 'a=ptime:20', 'a=maxptime:240');
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------------------
// 1. Registration of UE-A, then its reg-event subscription.

function registration(t) {
  const callId = newCallId();
  const fromTag = tag();
  const legs = [gmA, toIcscf, icscfToScscf];
  const register = (cseq, authorization) =>
    new Sip(`REGISTER sip:${DOMAIN} SIP/2.0`, [
      ['Via', `SIP/2.0/UDP ${hostport(UE_A)};branch=${branch()}`],
      ['Max-Forwards', '70'],
      ['From', `<${A.impu}>;tag=${fromTag}`],
      ['To', `<${A.impu}>`],
      ['Call-ID', callId],
      ['CSeq', `${cseq} REGISTER`],
      ['Contact', `<${A.contact}>;+sip.instance=${A.instance};+g.3gpp.icsi-ref="${MMTEL}";+g.3gpp.smsip;audio`],
      ['Expires', '600000'],
      ['Authorization', authorization],
      ['Supported', 'path, gruu'],
      ['Allow', ALLOW],
      ['P-Access-Network-Info', A.pani],
      ['User-Agent', userAgent],
    ]);
  // P-CSCF (TS 24.229 §5.2.2.1): Path for terminating requests, Require: path, the visited network, integrity
  // protection "no" (no IPsec: sec-agree is not in use here), charging; I-CSCF (§5.3.1.2): UAR, then to the S-CSCF.
  const pcscf = (m, next) =>
    forward(m, next, {
      edit: (x) => {
        x.set('Authorization', `${x.get('Authorization')},integrity-protected="no"`);
        x.insertTop('Path', `<sip:term@${FQDN.pcscf1};lr>`, ['Contact']);
        x.insertTop('Require', 'path', ['Supported']);
        x.set('P-Visited-Network-ID', `"${DOMAIN}"`);
        x.set('P-Charging-Vector', pcv(next.from));
      },
    });
  const forwards = [undefined, pcscf, undefined];
  const processing = [0, 2, 14]; // the I-CSCF asks the HSS (Cx UAR/UAA) where to send it.

  // Initial REGISTER: an Authorization with the private identity and an empty nonce (TS 24.229 §5.1.1.2.1).
  const emptyAuthorization = `Digest username="${A.impi}",realm="${DOMAIN}",uri="sip:${DOMAIN}",nonce="",response=""`;
  const first = sendRequest(t, legs, register(1, emptyAuthorization), forwards, processing);
  // S-CSCF: Cx MAR/MAA for an authentication vector, then the AKA challenge (TS 33.203 §6.1, RFC 3310): the
  // nonce is base64(RAND || AUTN); CK and IK go to the P-CSCF, which removes them (TS 24.229 §5.2.2.1).
  const rand = Buffer.from(hex(32), 'hex');
  const autn = Buffer.from(hex(32), 'hex');
  const nonce = Buffer.concat([rand, autn]).toString('base64');
  const challenge = `Digest realm="${DOMAIN}",nonce="${nonce}",algorithm=AKAv1-MD5,qop="auth"`;
  const scscfTag = tag();
  const unauthorized = response(first.hops[2].message, 401, {
    toTag: scscfTag,
    headers: [['WWW-Authenticate', `${challenge},ck="${hex(32)}",ik="${hex(32)}"`]],
  });
  const stripKeys = (m) => m.set('WWW-Authenticate', challenge);
  const challenged = sendResponse(first.arrival + 22, first.hops, unauthorized, [undefined, stripKeys, undefined]);

  // The USIM checks AUTN and computes RES; the response is RFC 2617 digest with RES as the password (RFC 3310 §3.2).
  const res = Buffer.from(hex(16), 'hex');
  const cnonce = hex(16);
  const md5 = (...parts) => createHash('md5').update(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)))).digest('hex');
  const ha1 = md5(`${A.impi}:${DOMAIN}:`, res);
  const ha2 = md5(`REGISTER:sip:${DOMAIN}`);
  const digest = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
  const authorization = `Digest username="${A.impi}",realm="${DOMAIN}",uri="sip:${DOMAIN}",nonce="${nonce}",response="${digest}",algorithm=AKAv1-MD5,cnonce="${cnonce}",qop=auth,nc=00000001`;
  const second = sendRequest(challenged + 35, legs, register(2, authorization), forwards, processing);
  // S-CSCF: SAR/SAA, then 200 with the registered contacts, the Service-Route for originating requests, the
  // implicitly registered identities (TS 24.229 §5.4.1.2.2) and the Path echoed (RFC 3327 §5.3).
  const ok = response(second.hops[2].message, 200, {
    toTag: scscfTag,
    headers: [
      ['Contact', `<${A.contact}>;expires=600000;+sip.instance=${A.instance};+g.3gpp.icsi-ref="${MMTEL}";+g.3gpp.smsip;audio`],
      ['Path', `<sip:term@${FQDN.pcscf1};lr>`],
      ['Service-Route', `<sip:orig@${FQDN.scscf};lr>`],
      ['P-Associated-URI', `<${A.impu}>, <tel:${A.msisdn}>`],
      ['Supported', 'path'],
      ['P-Charging-Function-Addresses', `ccf="aaa://ccf.${DOMAIN}"`],
      ['Date', 'Tue, 24 Nov 2026 09:30:00 GMT'],
    ],
  });
  const chargingOff = (m) => m.remove('P-Charging-Function-Addresses');
  const registered = sendResponse(second.arrival + 31, second.hops, ok, [undefined, chargingOff, undefined]);

  // Reg-event subscription (TS 24.229 §5.1.1.3, RFC 3680), to the S-CSCF through the Service-Route.
  const subscribeCallId = newCallId();
  const subscribeTag = tag();
  const subscribe = new Sip(`SUBSCRIBE ${A.impu} SIP/2.0`, [
    ['Via', `SIP/2.0/UDP ${hostport(UE_A)};branch=${branch()}`],
    ['Max-Forwards', '70'],
    ...originatingRoutes(PCSCF1_GM).map((r) => ['Route', r]),
    ['From', `<${A.impu}>;tag=${subscribeTag}`],
    ['To', `<${A.impu}>`],
    ['Call-ID', subscribeCallId],
    ['CSeq', '1 SUBSCRIBE'],
    ['Contact', `<${A.contact}>`],
    ['Event', 'reg'],
    ['Expires', '600000'],
    ['Accept', 'application/reginfo+xml'],
    ['P-Preferred-Identity', `<${A.impu}>`],
    ['P-Access-Network-Info', A.pani],
    ['Allow', ALLOW],
  ]);
  const sub = sendRequest(registered + 60, [gmA, mwA], subscribe, [undefined, pcscfOriginating(A.impu)], [0, 2]);
  const notifierTag = tag();
  const notifierContact = `<sip:${hostport(SCSCF)};transport=tcp>`;
  const subOk = response(sub.hops[1].message, 200, { toTag: notifierTag, recordRoute: true, headers: [['Contact', notifierContact], ['Expires', '600000']] });
  const subscribed = sendResponse(sub.arrival + 3, sub.hops, subOk);
  // NOTIFY: in the subscription's dialog, from the S-CSCF through the Record-Route (P-CSCF-1) to UE-A's contact.
  const reginfo = [
    '<?xml version="1.0"?>',
    `<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">`,
    ` <registration aor="${A.impu}" id="a1" state="active">`,
    `  <contact id="c1" state="active" event="registered" expires="600000">`,
    `   <uri>${A.contact}</uri>`,
    '  </contact>',
    ' </registration>',
    ` <registration aor="tel:${A.msisdn}" id="a2" state="active">`,
    `  <contact id="c2" state="active" event="registered" expires="600000">`,
    `   <uri>${A.contact}</uri>`,
    '  </contact>',
    ' </registration>',
    '</reginfo>',
    '',
  ].join('\r\n');
  const notify = new Sip(
    `NOTIFY ${A.contact} SIP/2.0`,
    [
      ['Via', `SIP/2.0/TCP ${hostport(SCSCF)};branch=${branch()}`],
      ['Max-Forwards', '70'],
      ['Route', `<sip:${FQDN.pcscf1};lr>`],
      ['From', `<${A.impu}>;tag=${notifierTag}`],
      ['To', `<${A.impu}>;tag=${subscribeTag}`],
      ['Call-ID', subscribeCallId],
      ['CSeq', '1 NOTIFY'],
      ['Contact', notifierContact],
      ['Event', 'reg'],
      ['Subscription-State', 'active;expires=600000'],
    ],
    reginfo,
    'application/reginfo+xml',
  );
  const notified = sendRequest(subscribed - sub.hops[1].leg.delayMs - sub.hops[0].leg.delayMs + 4, [mwAdown, gmAdown], notify, [undefined, inDialog]);
  const notifyOk = response(notified.hops[1].message, 200, { headers: [] });
  sendResponse(notified.arrival + 12, notified.hops, notifyOk);
}

// ---------------------------------------------------------------------------------------------------------
// Calls between UE-A and UE-B: the path, the INVITE and the in-dialog requests.

const pathAtoB = [gmA, mwA, mwBdown, gmBdown];
const pathBtoA = [gmB, mwB, mwAdown, gmAdown];

function callParties(caller) {
  return caller === A
    ? { caller: A, callee: B, path: pathAtoB, pcscfCaller: PCSCF1_GM, rrCaller: FQDN.pcscf1, rrCallee: FQDN.pcscf2, calleePath: FQDN.pcscf2 }
    : { caller: B, callee: A, path: pathBtoA, pcscfCaller: PCSCF2_GM, rrCaller: FQDN.pcscf2, rrCallee: FQDN.pcscf1, calleePath: FQDN.pcscf1 };
}

function invite(p, { callId, fromTag, body, supported = '100rel, precondition, timer' }) {
  return new Sip(
    `INVITE tel:${p.callee.msisdn} SIP/2.0`,
    [
      ['Via', `SIP/2.0/UDP ${hostport(p.caller.host)};branch=${branch()}`],
      ['Max-Forwards', '70'],
      ...originatingRoutes(p.pcscfCaller).map((r) => ['Route', r]),
      ['From', `<${p.caller.impu}>;tag=${fromTag}`],
      ['To', `<tel:${p.callee.msisdn}>`],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Contact', ueContact(p.caller)],
      ['P-Preferred-Identity', `<${p.caller.impu}>`],
      ['P-Preferred-Service', 'urn:urn-7:3gpp-service.ims.icsi.mmtel'],
      ['Accept-Contact', `*;+g.3gpp.icsi-ref="${MMTEL}"`],
      ['P-Access-Network-Info', p.caller.pani],
      ['Supported', supported],
      ['Session-Expires', '1800'],
      ['Allow', ALLOW],
    ],
    body,
    'application/sdp',
  );
}

function initialInvite(t, p, message) {
  const forwards = [undefined, pcscfOriginating(p.caller.impu, { recordRoute: p.rrCaller }), scscfOriginatingTerminating(p.caller, p.callee, p.calleePath), pcscfTerminating(p.rrCallee)];
  // P-CSCF 3 ms, the S-CSCF's originating and terminating service logic (iFC, ENUM, no AS triggered) 9 ms.
  return sendRequest(t, p.path, message, forwards, [0, 3, 9, 2]);
}

/** The callee's response and the edits on the way back (its P-CSCF asserts its identity on 18x/2xx to INVITE). */
function answerUpstream(t, p, hops, message, assert = true) {
  const edits = [];
  if (assert) edits[hops.length - 1] = assertResponder(p.callee);
  return sendResponse(t, hops, message, edits);
}

/** A request inside the dialog from the caller: to the callee's contact through the route set (RFC 3261 §12.2.1.1). */
function callerInDialog(p, { method, cseq, callId, fromTag, toTag, headers = [], body, contentType }) {
  const routes = [`<sip:${p.rrCaller};lr>`, `<sip:${FQDN.scscf};lr>`, `<sip:${p.rrCallee};lr>`];
  return new Sip(
    `${method} ${p.callee.contact} SIP/2.0`,
    [
      ['Via', `SIP/2.0/UDP ${hostport(p.caller.host)};branch=${branch()}`],
      ['Max-Forwards', '70'],
      ...routes.map((r) => ['Route', r]),
      ['From', `<${p.caller.impu}>;tag=${fromTag}`],
      ['To', `<tel:${p.callee.msisdn}>;tag=${toTag}`],
      ['Call-ID', callId],
      ['CSeq', `${cseq} ${method}`],
      ...headers,
    ],
    body,
    contentType,
  );
}

function calleeHeaders(p, extra = []) {
  return [['Contact', ueContact(p.callee)], ...extra, ['Allow', ALLOW], ['P-Access-Network-Info', p.callee.pani]];
}

// ---------------------------------------------------------------------------------------------------------
// 2. The VoLTE call with preconditions.

function volteCall(t) {
  const p = callParties(A);
  const callId = newCallId();
  const fromTag = tag();
  const toTag = tag();
  const inDialogPath = [undefined, inDialog, inDialog, inDialog];
  const offer = sdp(A, 1, 50010, {
    preconditions: ['a=curr:qos local none', 'a=curr:qos remote none', 'a=des:qos mandatory local sendrecv', 'a=des:qos optional remote sendrecv'],
  });
  const inv = initialInvite(t, p, invite(p, { callId, fromTag, body: offer }));
  tryingOnEachHop(inv.hops);

  // UE-B answers the offer reliably (RFC 3262): its resources are not reserved yet, it asks for confirmation.
  const answer = sdp(B, 1, 40020, {
    codecs: 'answer',
    preconditions: ['a=curr:qos local none', 'a=curr:qos remote none', 'a=des:qos mandatory local sendrecv', 'a=des:qos mandatory remote sendrecv', 'a=conf:qos remote sendrecv'],
  });
  const atB = inv.hops[3].message;
  const progress = response(atB, 183, { toTag, recordRoute: true, headers: calleeHeaders(p, [['Require', '100rel, precondition'], ['RSeq', '1']]), body: answer, contentType: 'application/sdp' });
  const got183 = answerUpstream(inv.arrival + 28, p, inv.hops, progress);

  const prack = callerInDialog(p, { method: 'PRACK', cseq: 2, callId, fromTag, toTag, headers: [['RAck', '1 1 INVITE'], ['P-Access-Network-Info', A.pani]] });
  const pr = sendRequest(got183 + 6, p.path, prack, inDialogPath);
  const prackOk = sendResponse(pr.arrival + 5, pr.hops, response(pr.hops[3].message, 200, {}));

  // UE-A's dedicated bearer is up (the P-CSCF pushed the session over Rx on the 183): UPDATE with curr local sendrecv.
  const updateOffer = sdp(A, 2, 50010, {
    codecs: 'answer',
    preconditions: ['a=curr:qos local sendrecv', 'a=curr:qos remote none', 'a=des:qos mandatory local sendrecv', 'a=des:qos mandatory remote sendrecv'],
  });
  const update = callerInDialog(p, {
    method: 'UPDATE',
    cseq: 3,
    callId,
    fromTag,
    toTag,
    headers: [['Contact', ueContact(A)], ['Require', 'precondition'], ['P-Access-Network-Info', A.pani]],
    body: updateOffer,
    contentType: 'application/sdp',
  });
  const up = sendRequest(prackOk + 180, p.path, update, inDialogPath);
  const updateAnswer = sdp(B, 2, 40020, {
    codecs: 'answer',
    preconditions: ['a=curr:qos local sendrecv', 'a=curr:qos remote sendrecv', 'a=des:qos mandatory local sendrecv', 'a=des:qos mandatory remote sendrecv'],
  });
  const updateOkAt = up.arrival + 9;
  sendResponse(updateOkAt, up.hops, response(up.hops[3].message, 200, { headers: [['Contact', ueContact(B)], ['Require', 'precondition']], body: updateAnswer, contentType: 'application/sdp' }));

  // Preconditions met on both sides: UE-B alerts its user.
  const ringing = response(atB, 180, { toTag, recordRoute: true, headers: calleeHeaders(p) });
  answerUpstream(updateOkAt + 14, p, inv.hops, ringing);
  // Answered after 6.2 s of ringing; the session timer is agreed with UE-A refreshing (RFC 4028 §9).
  const ok = response(atB, 200, {
    toTag,
    recordRoute: true,
    headers: calleeHeaders(p, [['Require', 'timer'], ['Supported', '100rel, precondition, timer'], ['Session-Expires', '1800;refresher=uac']]),
  });
  const answered = answerUpstream(updateOkAt + 6214, p, inv.hops, ok);
  const ack = callerInDialog(p, { method: 'ACK', cseq: 1, callId, fromTag, toTag });
  sendRequest(answered + 4, p.path, ack, inDialogPath);

  // 31.6 s of conversation, then UE-A hangs up. The first BYE is lost on the radio: Timer E fires after
  // T1 = 500 ms and UE-A sends it again (RFC 3261 §17.1.2.2).
  const bye = callerInDialog(p, { method: 'BYE', cseq: 4, callId, fromTag, toTag, headers: [['P-Access-Network-Info', A.pani]] });
  send(answered + 31_600, gmA, bye);
  const by = sendRequest(answered + 32_100, p.path, bye, inDialogPath);
  sendResponse(by.arrival + 7, by.hops, response(by.hops[3].message, 200, {}));
}

// ---------------------------------------------------------------------------------------------------------
// 3. A call UE-A cancels while UE-B rings. UE-A offers its preconditions as optional (RFC 3312 §5: strength
//    "optional", and only Supported: precondition), so UE-B need not wait for them and alerts at once.

function cancelledCall(t) {
  const p = callParties(A);
  const callId = newCallId();
  const fromTag = tag();
  const toTag = tag();
  const offer = sdp(A, 1, 50012, {
    preconditions: ['a=curr:qos local none', 'a=curr:qos remote none', 'a=des:qos optional local sendrecv', 'a=des:qos optional remote sendrecv'],
  });
  const inv = initialInvite(t, p, invite(p, { callId, fromTag, body: offer }));
  tryingOnEachHop(inv.hops);
  const atB = inv.hops[3].message;
  const ringingAt = inv.arrival + 35;
  answerUpstream(ringingAt, p, inv.hops, response(atB, 180, { toTag, recordRoute: true, headers: calleeHeaders(p) }));

  // UE-A gives up after 7.4 s of ringing. Each hop's CANCEL is answered 200 by the next node, which then cancels
  // its own client transaction (RFC 3261 §9.2, §16.10).
  let at = ringingAt + 7400;
  for (const [i, hop] of inv.hops.entries()) {
    const cancel = cancelFor(hop.message);
    send(at, hop.leg, cancel);
    at += hop.leg.delayMs;
    const last = i === inv.hops.length - 1;
    send(at + (last ? 3 : 0.4), hop.leg, response(cancel, 200, { toTag: last ? toTag : tag() }), true);
    at += 1;
  }
  // UE-B ends the INVITE with 487.
  finalHopByHop(at + 4, inv.hops, response(atB, 487, { toTag }), `${atB.get('To')};tag=${toTag}`);
}

// ---------------------------------------------------------------------------------------------------------
// 4. A call UE-B → UE-A, rejected: UE-A's user is busy (RFC 3261 §21.4.24).

function rejectedCall(t) {
  const p = callParties(B);
  const callId = newCallId();
  const fromTag = tag();
  const toTag = tag();
  const offer = sdp(B, 1, 40022, {
    preconditions: ['a=curr:qos local none', 'a=curr:qos remote none', 'a=des:qos mandatory local sendrecv', 'a=des:qos optional remote sendrecv'],
  });
  const inv = initialInvite(t, p, invite(p, { callId, fromTag, body: offer }));
  tryingOnEachHop(inv.hops);
  const busy = response(inv.hops[3].message, 486, { toTag, headers: [['P-Access-Network-Info', A.pani]] });
  const to = `${inv.hops[3].message.get('To')};tag=${toTag}`;
  finalHopByHop(inv.arrival + 210, inv.hops, busy, to);
}

// ---------------------------------------------------------------------------------------------------------
// 5. SMS over IP: UE-A submits a short message; the IP-SM-GW answers 202 and later returns the RP-ACK.

/** BCD semi-octets, filler F for an odd count (TS 24.008 §10.5.4.7, TS 23.040 §9.1.2.3). */
function bcd(digits) {
  const padded = digits.length % 2 ? `${digits}F` : digits;
  const out = [];
  for (let i = 0; i < padded.length; i += 2) out.push(parseInt(padded[i + 1] + padded[i], 16));
  return out;
}

/** GSM 7-bit default alphabet packing (TS 23.038 §6.1.2.1); the text uses only characters mapped 1:1 from ASCII. */
function packGsm7(text) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    acc |= ch.charCodeAt(0) << bits;
    bits += 7;
    while (bits >= 8) {
      out.push(acc & 0xff);
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out.push(acc & 0xff);
  return out;
}

function smsOverIp(t) {
  const scDigits = '12125550100';
  const text = 'Running 10 min late, see you at the station';
  // SMS-SUBMIT (TS 23.040 §9.2.2.2): MTI 01, VPF relative (10), no status report; MR 0x2a; TP-DA UE-B's
  // number; PID 0; DCS 0 (GSM 7-bit); VP 0xa7 (24 h); UDL in septets.
  const destination = '12125550102';
  const tpdu = [0x11, 0x2a, destination.length, 0x91, ...bcd(destination), 0x00, 0x00, 0xa7, text.length, ...packGsm7(text)];
  // RP-DATA MS → network (TS 24.011 §7.3.1.2): type 0, reference, originator address empty, destination the
  // service centre, user data.
  const scAddress = [0x91, ...bcd(scDigits)];
  const rpData = Buffer.from([0x00, 0x05, 0x00, scAddress.length, ...scAddress, tpdu.length, ...tpdu]);

  const callId = newCallId();
  const message = new Sip(
    `MESSAGE ${SMSC_PSI} SIP/2.0`,
    [
      ['Via', `SIP/2.0/UDP ${hostport(UE_A)};branch=${branch()}`],
      ['Max-Forwards', '70'],
      ...originatingRoutes(PCSCF1_GM).map((r) => ['Route', r]),
      ['From', `<${A.impu}>;tag=${tag()}`],
      ['To', `<${SMSC_PSI}>`],
      ['Call-ID', callId],
      ['CSeq', '1 MESSAGE'],
      ['P-Preferred-Identity', `<${A.impu}>`],
      ['Accept-Contact', '*;+g.3gpp.smsip'],
      ['Request-Disposition', 'no-fork'],
      ['P-Access-Network-Info', A.pani],
      ['Allow', ALLOW],
    ],
    rpData,
    'application/vnd.3gpp.sms',
  );
  // The S-CSCF's iFC for SMS (Content-Type application/vnd.3gpp.sms) sends it to the IP-SM-GW (TS 23.204 §6.3).
  const toAs = (m, next) => forward(m, next, { edit: (x) => x.set('P-Charging-Vector', `${x.get('P-Charging-Vector')};orig-ioi=${DOMAIN}`) });
  const sent = sendRequest(t, [gmA, mwA, toIpsmgw], message, [undefined, pcscfOriginating(A.impu, { recordRoute: null }), toAs], [0, 2.5, 6]);
  const accepted = sendResponse(sent.arrival + 4, sent.hops, response(sent.hops[2].message, 202, { toTag: tag() }));

  // RP-ACK network → MS (TS 24.011 §7.3.3) with the SMS-SUBMIT-REPORT (TS 23.040 §9.2.2.2a): MTI 01, no
  // parameters, the service centre time stamp 26-11-24 09:31:22 UTC.
  const scts = [0x62, 0x11, 0x42, 0x90, 0x13, 0x22, 0x00];
  const report = [0x01, 0x00, ...scts];
  const rpAck = Buffer.from([0x03, 0x05, 0x41, report.length, ...report]);
  const reportMessage = new Sip(
    `MESSAGE ${A.impu} SIP/2.0`,
    [
      ['Via', `SIP/2.0/UDP ${hostport(IPSMGW)};branch=${branch()}`],
      ['Max-Forwards', '70'],
      ['Route', `<sip:${FQDN.scscf};lr>`],
      ['From', `<${SMSC_PSI}>;tag=${tag()}`],
      ['To', `<${A.impu}>`],
      ['Call-ID', `${hex(12)}@${FQDN.ipsmgw}`],
      ['CSeq', '1 MESSAGE'],
      ['P-Asserted-Identity', `<${SMSC_PSI}>`],
      ['In-Reply-To', callId],
      ['Accept-Contact', '*;+g.3gpp.smsip'],
      ['Request-Disposition', 'no-fork'],
    ],
    rpAck,
    'application/vnd.3gpp.sms',
  );
  // Terminating S-CSCF: to UE-A's registered contact through its Path (P-CSCF-1); the P-CSCF forwards it.
  const scscfTerm = (m, next) =>
    forward(m, next, {
      requestUri: A.contact,
      edit: (x) => {
        x.insertTop('Route', `<sip:term@${FQDN.pcscf1};lr>`, ['Max-Forwards']);
        x.insertTop('P-Called-Party-ID', `<${A.impu}>`, ['P-Asserted-Identity']);
      },
    });
  const pcscfTerm = (m, next) => forward(m, next);
  const reportSent = sendRequest(accepted + 830, [fromIpsmgw, mwAdown, gmAdown], reportMessage, [undefined, scscfTerm, pcscfTerm], [0, 5, 2]);
  sendResponse(reportSent.arrival + 9, reportSent.hops, response(reportSent.hops[2].message, 200, { toTag: tag() }));
}

// ---------------------------------------------------------------------------------------------------------

registration(0);
volteCall(4_000);
cancelledCall(50_000);
rejectedCall(65_000);
smsOverIp(72_000);

const frames = buildFrames();
const bytes = pcapFile(frames);
writeFileSync(out, bytes);
console.log(`${out}: ${frames.length} frames, ${bytes.length} bytes`);
