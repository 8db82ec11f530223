import { decodeEthernet } from './ethernet.js';
import { decodeGre, decodeTransparentEthernet, describeGre } from './gre.js';
import { decodeGtpu, describeGtpu } from './gtpu.js';
import { decodeHep, describeHep, HEP_PORT } from './hep.js';
import {
  etherTypeDecoders,
  ipProtocolDecoders,
  layerDescribers,
  linkTypeDecoders,
  namedPayloadDecoders,
  pppProtocolDecoders,
  claimUdpPort,
} from './dispatch.js';
import { decodeErspanII, decodeErspanIII, describeErspan } from './erspan.js';
import { decodeEsp, decodeEspInUdp, describeEsp } from './esp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeMpls, describeMpls } from './mpls.js';
import { decodeLoop, decodeNull } from './null-loopback.js';
import { decodePpp } from './ppp.js';
import { decodePppoeSession } from './pppoe.js';
import { decodeSctp, decodeSctpOverUdp, SCTP_UDP_PORT } from './sctp.js';
import { decodeRawIp, decodeRawIpv4, decodeRawIpv6 } from './raw-ip.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeVxlan, describeVxlan } from './vxlan.js';

/** LINKTYPE_* values (tcpdump.org/linktypes.html). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW_OPENBSD: 12,
  RAW_BSD: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

linkTypeDecoders.set(LinkType.NULL, decodeNull);
linkTypeDecoders.set(LinkType.ETHERNET, decodeEthernet);
linkTypeDecoders.set(LinkType.PPP, decodePpp);
linkTypeDecoders.set(LinkType.RAW_OPENBSD, decodeRawIp);
linkTypeDecoders.set(LinkType.RAW_BSD, decodeRawIp);
linkTypeDecoders.set(LinkType.RAW, decodeRawIp);
linkTypeDecoders.set(LinkType.LOOP, decodeLoop);
linkTypeDecoders.set(LinkType.LINUX_SLL, decodeSll);
linkTypeDecoders.set(LinkType.IPV4, decodeRawIpv4);
linkTypeDecoders.set(LinkType.IPV6, decodeRawIpv6);
linkTypeDecoders.set(LinkType.LINUX_SLL2, decodeSll2);

etherTypeDecoders.set(0x0800, decodeIpv4);
etherTypeDecoders.set(0x86dd, decodeIpv6);
etherTypeDecoders.set(0x8864, decodePppoeSession);

pppProtocolDecoders.set(0x0021, decodeIpv4);
pppProtocolDecoders.set(0x0057, decodeIpv6);

ipProtocolDecoders.set(4, decodeIpv4); // IP-in-IP (RFC 2003)
ipProtocolDecoders.set(6, decodeTcp);
ipProtocolDecoders.set(17, decodeUdp);
ipProtocolDecoders.set(41, decodeIpv6); // IPv6-in-IP (RFC 4213)

// Tunnels (issue 3 items 5 and 6): GRE, ERSPAN, VXLAN, MPLS, GTP-U, ESP.
etherTypeDecoders.set(0x6558, decodeTransparentEthernet); // GRE transparent Ethernet bridging (RFC 1701)
etherTypeDecoders.set(0x880b, decodePpp); // PPP in GRE (RFC 2637 §4.1)
etherTypeDecoders.set(0x88be, decodeErspanII);
etherTypeDecoders.set(0x22eb, decodeErspanIII);
etherTypeDecoders.set(0x8847, decodeMpls); // RFC 3032 §5 unicast
etherTypeDecoders.set(0x8848, decodeMpls); // RFC 3032 §5 multicast
ipProtocolDecoders.set(47, decodeGre);
ipProtocolDecoders.set(50, decodeEsp);
ipProtocolDecoders.set(137, decodeMpls); // MPLS-in-IP (RFC 4023 §3)
claimUdpPort(2152, decodeGtpu); // TS 29.281 §4.4.2.0
claimUdpPort(4789, decodeVxlan); // RFC 7348 §5
claimUdpPort(4500, decodeEspInUdp); // RFC 3948 §2
namedPayloadDecoders.set('gtpu', decodeGtpu);
namedPayloadDecoders.set('vxlan', decodeVxlan);
namedPayloadDecoders.set('esp', decodeEspInUdp);
layerDescribers.set('gre', describeGre);
layerDescribers.set('erspan', describeErspan);
layerDescribers.set('vxlan', describeVxlan);
layerDescribers.set('mpls', describeMpls);
layerDescribers.set('gtpu', describeGtpu);
layerDescribers.set('esp', describeEsp);

// SCTP (RFC 9260), native and over UDP (RFC 6951); HEP v2/v3 mirrors (9060, decode-as 'hep', HEP3 magic in udp.ts).
ipProtocolDecoders.set(132, decodeSctp);
claimUdpPort(SCTP_UDP_PORT, decodeSctpOverUdp);
claimUdpPort(HEP_PORT, decodeHep);
namedPayloadDecoders.set('hep', decodeHep);
layerDescribers.set('hep3', describeHep);
layerDescribers.set('hep2', describeHep);

export { linkTypeDecoders };
