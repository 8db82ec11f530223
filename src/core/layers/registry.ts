import { decodeEthernet } from './ethernet.js';
import { etherTypeDecoders, ipProtocolDecoders, linkTypeDecoders, pppProtocolDecoders } from './dispatch.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLoop, decodeNull } from './null-loopback.js';
import { decodePpp } from './ppp.js';
import { decodePppoeSession } from './pppoe.js';
import { decodeRawIp, decodeRawIpv4, decodeRawIpv6 } from './raw-ip.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';

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

export { linkTypeDecoders };
