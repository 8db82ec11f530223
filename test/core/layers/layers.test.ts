import { describe, expect, it } from 'vitest';
import { Transport } from '../../../src/core/layers/packet.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { ascii, ethernet, ipv4, ipv6, nullLoopback, pppoeSession, sampleInvite, sll, sll2, tcp, udp } from '../../helpers/packet-builder.js';
import { dissect } from '../../helpers/dissect.js';

const sip = ascii(sampleInvite);

describe('layer stack', () => {
  it('decodes Ethernet/IPv4/UDP down to the SIP payload', () => {
    const r = dissect(ethernet(0x0800, ipv4(udp(sip, 5060, 5070), { src: '192.0.2.1', dst: '192.0.2.2' })));
    expect(r.stack).toBe('eth/ipv4/udp');
    expect([r.src, r.dst, r.state.srcPort, r.state.dstPort]).toEqual(['192.0.2.1', '192.0.2.2', 5060, 5070]);
    expect(r.state.transport).toBe(Transport.UDP);
    expect(r.payload).toBe(sampleInvite);
    expect(r.diagnostics).toEqual([]);
  });

  it('walks stacked 802.1ad + 802.1Q tags', () => {
    const r = dissect(ethernet(0x0800, ipv4(udp(sip)), [100, 200], 0x88a8));
    expect(r.stack).toBe('eth/vlan/vlan/ipv4/udp');
    expect(r.payload).toBe(sampleInvite);
  });

  it('skips IPv4 options by IHL and ignores Ethernet padding after the datagram', () => {
    const packet = ethernet(0x0800, ipv4(udp(sip), { options: [0x94, 0x04, 0x00, 0x00] }));
    const padded = new Uint8Array(packet.length + 6);
    padded.set(packet);
    const r = dissect(padded);
    expect(r.payload).toBe(sampleInvite);
    expect(r.diagnostics).toEqual([]);
  });

  it('decodes IPv6 through hop-by-hop and destination-option extension headers', () => {
    // Hop-by-hop (next: dest opts 60), 8 bytes with a PadN option; dest opts (next: UDP 17), 8 bytes.
    const extensions = new Uint8Array([60, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0]);
    const r = dissect(ethernet(0x86dd, ipv6(udp(sip), { nextHeader: 0, extensions, src: '2001:db8::a', dst: 'fe80::1' })));
    expect(r.stack).toBe('eth/ipv6/udp');
    expect([r.src, r.dst]).toEqual(['2001:db8::a', 'fe80::1']);
    expect(r.payload).toBe(sampleInvite);
  });

  it('decodes Linux cooked v1 and v2, BSD loopback (both byte orders), raw IP link types', () => {
    expect(dissect(sll(0x0800, ipv4(udp(sip))), { linkType: LinkType.LINUX_SLL }).stack).toBe('sll/ipv4/udp');
    expect(dissect(sll2(0x86dd, ipv6(udp(sip))), { linkType: LinkType.LINUX_SLL2 }).stack).toBe('sll2/ipv6/udp');
    expect(dissect(nullLoopback(2, ipv4(udp(sip))), { linkType: LinkType.NULL }).stack).toBe('null/ipv4/udp');
    expect(dissect(nullLoopback(30, ipv6(udp(sip)), true), { linkType: LinkType.NULL }).stack).toBe('null/ipv6/udp');
    expect(dissect(ipv6(udp(sip)), { linkType: LinkType.RAW }).stack).toBe('ipv6/udp');
    expect(dissect(ipv4(udp(sip)), { linkType: LinkType.IPV4 }).stack).toBe('ipv4/udp');
    expect(dissect(ipv6(udp(sip)), { linkType: LinkType.IPV6 }).stack).toBe('ipv6/udp');
  });

  it('decodes PPPoE session frames to PPP-carried IPv4', () => {
    const r = dissect(ethernet(0x8864, pppoeSession(0x0021, ipv4(udp(sip)))));
    expect(r.stack).toBe('eth/pppoe/ipv4/udp');
    expect(r.payload).toBe(sampleInvite);
  });

  it('decodes TCP with options, sequence number and flags', () => {
    const r = dissect(ethernet(0x0800, ipv4(tcp(sip, { seq: 0xfffffff0, flags: 0x18, options: [1, 1, 1, 1] }), { protocol: 6 })));
    expect(r.stack).toBe('eth/ipv4/tcp');
    expect(r.state.transport).toBe(Transport.TCP);
    expect(r.state.tcpSeq).toBe(0xfffffff0);
    expect(r.state.tcpFlags).toBe(0x18);
    expect(r.payload).toBe(sampleInvite);
  });

  it('follows IP-in-IP to the inner addresses', () => {
    const inner = ipv4(udp(sip), { src: '10.1.1.1', dst: '10.2.2.2' });
    const r = dissect(ethernet(0x0800, ipv4(inner, { protocol: 4, src: '172.16.0.1', dst: '172.16.0.2' })));
    expect(r.stack).toBe('eth/ipv4/ipv4/udp');
    expect([r.src, r.dst]).toEqual(['10.1.1.1', '10.2.2.2']);
  });
});

describe('bad and cut bytes become diagnostics, never exceptions', () => {
  const full = ethernet(0x0800, ipv4(udp(sip)));

  it('reports a snap-length cut as truncated, with the bytes that are there', () => {
    const r = dissect(full, { capturedLength: 100 });
    expect(r.diagnostics).toEqual([expect.stringMatching(/^truncated ipv4: datagram of \d+ bytes, 86 captured/), expect.stringMatching(/^truncated udp:/)]);
    expect(r.state.payloadTruncated).toBe(true);
    expect(r.payload).toBe(sampleInvite.slice(0, 100 - 42));
  });

  it('reports every header cut at every length without throwing', () => {
    for (let cut = 0; cut <= 42; cut++) {
      const r = dissect(full, { capturedLength: cut });
      expect(r.state.transport === Transport.UDP ? cut >= 42 : cut < 42).toBe(true);
      if (cut < 42) expect(r.diagnostics.some((d) => d.startsWith('truncated'))).toBe(true);
    }
  });

  it('flags an IPv4 header length below 20 as malformed', () => {
    const bad = ethernet(0x0800, ipv4(udp(sip)));
    bad[14] = 0x43;
    expect(dissect(bad).diagnostics).toEqual(['malformed ipv4: header length 12 is below the minimum of 20']);
  });

  it('marks IPv4 fragments and stops at every fragment, leaving the data to reassembly', () => {
    const first = dissect(ethernet(0x0800, ipv4(udp(sip), { moreFragments: true, id: 0x42 })));
    expect(first.state.ipFragment).toBe(true);
    expect(first.state.transport).toBe(Transport.None);
    expect(first.state.fragmentLayer).toBe(1);
    expect(first.state.fragmentProtocol).toBe(17);
    expect([first.state.fragmentPayloadStart, first.state.fragmentPayloadEnd]).toEqual([34, 34 + 8 + sip.length]);
    const later = dissect(ethernet(0x0800, ipv4(sip, { fragmentOffset: 185, id: 0x42 })));
    expect(later.state.transport).toBe(Transport.None);
    expect(later.diagnostics).toEqual(['note ipv4: fragment (id 0x42, offset 1480, last)']);
  });

  it('bounds runaway VLAN tag chains', () => {
    const r = dissect(ethernet(0x8100, new Uint8Array(64), Array(12).fill(1)));
    expect(r.diagnostics).toEqual([expect.stringMatching(/^malformed vlan: more than 8 stacked VLAN tags/)]);
  });

  it('says when a link type is not decoded', () => {
    expect(dissect(new Uint8Array(10), { linkType: 147 }).diagnostics).toEqual(['unsupported frame: link type 147 is not decoded']);
  });

  it('survives random bytes on every link type', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (const linkType of Object.values(LinkType)) {
      for (let n = 0; n < 300; n++) {
        const bytes = Uint8Array.from({ length: random() }, random);
        expect(() => dissect(bytes, { linkType })).not.toThrow();
      }
    }
  });
});
