/**
 * Tunnel decoders (GRE, ERSPAN, VXLAN, MPLS, GTP-U, ESP NULL) on crafted frames built around a real SIP
 * message. Headers are laid out from the specs cited in each builder; the expected layer stacks and tunnel
 * fields are checked against tshark (written to a pcap and decoded with `tshark -T fields -e
 * frame.protocols ...`) so that the expectations come from an independent decoder, not from ours.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePcapFile } from '../../../src/core/capture/pcap-writer.js';
import { findNullEspLayout } from '../../../src/core/layers/esp.js';
import { MAX_LAYERS } from '../../../src/core/layers/nesting.js';
import { PacketDecodeState, Transport, emptyDecodeAs } from '../../../src/core/layers/packet.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { ascii, concat, ethernet, ipv4, ipv6, sampleInvite, tcp, udp } from '../../helpers/packet-builder.js';
import { dissect } from '../../helpers/dissect.js';

const sip = ascii(sampleInvite);
const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const bytes = (...parts: (Uint8Array | number[])[]) => concat(...parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p))));

// ---------------------------------------------------------------------------------------------------
// Builders

/** The inner packet most tunnels carry: IPv4/UDP with the SIP INVITE, from the UE to the P-CSCF. */
const innerIpv4 = () => ipv4(udp(sip, 5060, 5060), { src: '10.45.0.7', dst: '10.46.0.1' });
const innerIpv6 = () => ipv6(udp(sip, 5060, 5060), { src: '2001:db8:e::7', dst: '2001:db8:c5c::1' });
const outer = (protocol: number, payload: Uint8Array) => ethernet(0x0800, ipv4(payload, { protocol, src: '192.0.2.1', dst: '192.0.2.2' }));
const outerUdp = (port: number, payload: Uint8Array) => outer(17, udp(payload, port, port));

interface GreOptions {
  checksum?: boolean;
  key?: number;
  seq?: number;
}
/** RFC 2784 §2.1 + RFC 2890 §2: C K S flags, protocol type, [checksum, reserved1], [key], [sequence]. */
function gre(protocol: number, payload: Uint8Array, o: GreOptions = {}): Uint8Array {
  const flags = (o.checksum ? 0x80 : 0) | (o.key !== undefined ? 0x20 : 0) | (o.seq !== undefined ? 0x10 : 0);
  return bytes(
    [flags, 0, ...u16(protocol)],
    o.checksum ? [0xab, 0xcd, 0, 0] : [],
    o.key !== undefined ? u32(o.key) : [],
    o.seq !== undefined ? u32(o.seq) : [],
    payload,
  );
}

/** RFC 2637 §4.1 enhanced GRE: flags with K, [S], [A]; version 1; PPP; payload length, call id, [seq], [ack]. */
function pptpGre(payload: Uint8Array, callId: number, seq?: number, ack?: number): Uint8Array {
  const flags = 0x20 | (seq !== undefined ? 0x10 : 0);
  return bytes([flags, (ack !== undefined ? 0x80 : 0) | 1, 0x88, 0x0b, ...u16(payload.length), ...u16(callId)], seq !== undefined ? u32(seq) : [], ack !== undefined ? u32(ack) : [], payload);
}

/** draft-foschiano-erspan-03 §4.2: version 1, VLAN, COS/En/T/session id, reserved/index. */
const erspanII = (vlan: number, session: number, index: number, frame: Uint8Array) => bytes([0x10 | (vlan >> 8), vlan & 0xff, (0 << 5) | (3 << 3) | (session >> 8), session & 0xff, ...u32(index & 0xfffff)], frame);

/** §4.3: version 2, VLAN, COS/BSO/T/session id, timestamp, SGT, P/FT/HwID/D/Gra/O, [platform sub-header]. */
function erspanIII(session: number, frameType: number, platform: boolean, frame: Uint8Array): Uint8Array {
  const word = (frameType << 10) | (platform ? 1 : 0);
  return bytes([0x20, 0x64, session >> 8, session & 0xff, ...u32(0x12345678), 0, 0, ...u16(word)], platform ? [0x08, 0, 0, 0, 0, 0, 0, 0] : [], frame);
}

/** RFC 7348 §5: flags (I), reserved, VNI, reserved. */
const vxlan = (vni: number, frame: Uint8Array, flags = 0x08) => bytes([flags, 0, 0, 0, ...u32(vni << 8)], frame);

/** RFC 3032 §2.1: label stack entries; the last has S set. */
const mpls = (labels: number[], payload: Uint8Array) =>
  bytes(labels.flatMap((label, i) => u32(((label << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64) >>> 0)), payload);

interface GtpOptions {
  type?: number;
  seq?: number;
  npdu?: number;
  /** Extension headers as [type, content] (content padded by the caller to 4n-2 bytes). */
  extensions?: [number, number[]][];
  /** Set E/S/PN even without a value (the optional fields are then present with zeros). */
  flags?: number;
}
/** TS 29.281 §5.1/§5.2: version 1, PT 1, E/S/PN, type, length, TEID, [seq, N-PDU, next], extensions. */
function gtpu(teid: number, payload: Uint8Array, o: GtpOptions = {}): Uint8Array {
  const ext = o.extensions ?? [];
  let flags = 0x30 | (o.flags ?? 0) | (ext.length ? 0x04 : 0) | (o.seq !== undefined ? 0x02 : 0) | (o.npdu !== undefined ? 0x01 : 0);
  if (o.flags !== undefined) flags = 0x30 | o.flags;
  const optional: number[] = [];
  if (flags & 0x07) {
    optional.push(...u16(o.seq ?? 0), o.npdu ?? 0, ext.length ? ext[0][0] : 0);
    ext.forEach(([, content], i) => optional.push((content.length + 2) / 4, ...content, i + 1 < ext.length ? ext[i + 1][0] : 0));
  }
  const body = bytes(optional, payload);
  return bytes([flags, o.type ?? 0xff, ...u16(body.length), ...u32(teid)], body);
}
const pduSessionContainer: [number, number[]] = [0x85, [0x10, 0x05]]; // TS 38.415 §5.5.2.2: UL, QFI 5
const udpPortExtension: [number, number[]] = [0x40, [...u16(2152)]]; // TS 29.281 §5.2.2.1

/**
 * RFC 4303 §2 with NULL encryption (RFC 2410): SPI, sequence, payload, padding 1,2,3... to a 4-byte
 * boundary (§2.4), pad length, next header, ICV (`icvLength` bytes of 0xa5, standing for an HMAC).
 */
function espNull(nextHeader: number, payload: Uint8Array, icvLength: number, spi = 0xc0ffee01, seq = 7, extraPad = 0): Uint8Array {
  const padLength = ((4 - ((payload.length + 2) % 4)) % 4) + extraPad;
  return bytes(u32(spi), u32(seq), payload, Array.from({ length: padLength }, (_, i) => i + 1), [padLength, nextHeader], new Array<number>(icvLength).fill(0xa5));
}

/** Real AES-128-CBC + HMAC-SHA1-96 ESP (RFC 3602, RFC 2404) of the same inner packet: must not decode. */
function espEncrypted(nextHeader: number, payload: Uint8Array, seq: number): Uint8Array {
  const key = createHash('md5').update('sipscope test key').digest();
  const iv = createHash('md5').update(`iv ${seq}`).digest();
  const padLength = (16 - ((payload.length + 2) % 16)) % 16;
  const plain = bytes(payload, Array.from({ length: padLength }, (_, i) => i + 1), [padLength, nextHeader]);
  const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  const encrypted = bytes(cipher.update(plain), cipher.final());
  const header = bytes(u32(0x0000a71a), u32(seq), iv, encrypted);
  const icv = createHmac('sha1', 'sipscope auth key').update(header).digest().subarray(0, 12);
  return bytes(header, icv);
}

// ---------------------------------------------------------------------------------------------------
// tshark, the independent reference

const tsharkVersion = (() => {
  try {
    return execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
})();

/** tshark's protocol names, mapped to ours; `ethertype`, `sip`, `sdp` and `data` are not layers of ours. */
const tsharkNames: Record<string, string | undefined> = {
  ip: 'ipv4',
  gtp: 'gtpu',
  ethertype: undefined,
  sip: undefined,
  sdp: undefined,
  data: undefined,
  // RFC 3948 UDP encapsulation and the pseudowire guess are not layers of their own for us.
  udpencap: undefined,
  pwethheuristic: undefined,
};
const fields = ['frame.protocols', 'sip.Method', 'gtp.teid', 'esp.spi', 'esp.sequence', 'gre.key', 'erspan.spanid', 'vxlan.vni', 'mpls.label'] as const;

function tsharkDecode(frames: Uint8Array[], options: string[] = []): Record<(typeof fields)[number], string>[] {
  const dir = mkdtempSync(join(tmpdir(), 'sipscope-tunnels-'));
  try {
    const file = join(dir, 'tunnels.pcap');
    writeFileSync(file, encodePcapFile({ linkType: LinkType.ETHERNET }, frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, data }))));
    const out = execFileSync('tshark', ['-r', file, ...options, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .split('\n')
      .filter((l) => l !== '')
      .map((line) => Object.fromEntries(line.split('\t').map((v, i) => [fields[i], v])) as Record<(typeof fields)[number], string>);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function tsharkStack(protocols: string): string {
  return protocols
    .split(':')
    .map((p) => (p in tsharkNames ? tsharkNames[p] : p))
    .filter((p) => p !== undefined)
    .join('/');
}

// ---------------------------------------------------------------------------------------------------
// The crafted cases: frame, the stack we expect (checked against tshark below), tunnel fields.

interface Case {
  name: string;
  frame: Uint8Array;
  stack: string;
  /** Our describer's fields for a tunnel layer, and the tshark field that must agree. */
  fields?: Record<string, Record<string, string | number>>;
  /** tshark names some layers differently or needs help; a difference from tshark, with the reason. */
  tsharkStack?: string;
}

const greCases: Case[] = [];
for (const checksum of [false, true]) {
  for (const key of [undefined, 0x01020304]) {
    for (const seq of [undefined, 99]) {
      const o = { checksum, key, seq };
      const label = `C=${+checksum} K=${+(key !== undefined)} S=${+(seq !== undefined)}`;
      const keyField: Record<string, string> = key !== undefined ? { 'gre.key': '0x01020304' } : {};
      greCases.push(
        { name: `GRE ${label} IPv4`, frame: outer(47, gre(0x0800, innerIpv4(), o)), stack: 'eth/ipv4/gre/ipv4/udp', fields: { gre: { 'gre.proto': '0x0800', ...keyField } } },
        { name: `GRE ${label} IPv6`, frame: outer(47, gre(0x86dd, innerIpv6(), o)), stack: 'eth/ipv4/gre/ipv6/udp' },
        { name: `GRE ${label} TEB`, frame: outer(47, gre(0x6558, ethernet(0x0800, innerIpv4()), o)), stack: 'eth/ipv4/gre/eth/ipv4/udp', fields: { gre: { 'gre.proto': '0x6558', ...keyField } } },
        { name: `GRE ${label} PPP`, frame: outer(47, gre(0x880b, bytes([0xff, 0x03, 0x00, 0x21], innerIpv4()), o)), stack: 'eth/ipv4/gre/ppp/ipv4/udp' },
        { name: `GRE ${label} MPLS`, frame: outer(47, gre(0x8847, mpls([16], innerIpv4()), o)), stack: 'eth/ipv4/gre/mpls/ipv4/udp' },
        {
          name: `GRE ${label} ERSPAN III`,
          frame: outer(47, gre(0x22eb, erspanIII(77, 0, false, ethernet(0x0800, innerIpv4())), o)),
          stack: 'eth/ipv4/gre/erspan/eth/ipv4/udp',
          fields: { erspan: { 'erspan.type': 'III', 'erspan.version': 2, 'erspan.vlan': 100, 'erspan.spanid': 77 } },
        },
      );
      if (seq !== undefined) {
        greCases.push({
          name: `GRE ${label} ERSPAN II`,
          frame: outer(47, gre(0x88be, erspanII(100, 513, 7, ethernet(0x0800, innerIpv4())), o)),
          stack: 'eth/ipv4/gre/erspan/eth/ipv4/udp',
          fields: { erspan: { 'erspan.type': 'II', 'erspan.version': 1, 'erspan.vlan': 100, 'erspan.spanid': 513, 'erspan.index': 7 } },
        });
      } else {
        greCases.push({
          name: `GRE ${label} ERSPAN I`,
          frame: outer(47, gre(0x88be, ethernet(0x0800, innerIpv4()), o)),
          stack: 'eth/ipv4/gre/erspan/eth/ipv4/udp',
          fields: { erspan: { 'erspan.type': 'I' } },
        });
      }
    }
  }
}
greCases.push(
  {
    name: 'ERSPAN III with the platform sub-header',
    frame: outer(47, gre(0x22eb, erspanIII(5, 0, true, ethernet(0x0800, innerIpv4())), { seq: 1 })),
    stack: 'eth/ipv4/gre/erspan/eth/ipv4/udp',
  },
  { name: 'GRE over IPv6', frame: ethernet(0x86dd, ipv6(gre(0x0800, innerIpv4(), { key: 9 }), { nextHeader: 47 })), stack: 'eth/ipv6/gre/ipv4/udp' },
  {
    name: 'enhanced GRE (PPTP) with S and A',
    frame: outer(47, pptpGre(bytes([0xff, 0x03, 0x00, 0x21], innerIpv4()), 38992, 106, 140)),
    stack: 'eth/ipv4/gre/ppp/ipv4/udp',
    fields: { gre: { 'gre.proto': '0x880b', 'gre.version': 1, 'gre.call_id': 38992 } },
  },
  { name: 'enhanced GRE (PPTP) with S, compressed PPP header', frame: outer(47, pptpGre(bytes([0x21], innerIpv4()), 7, 1)), stack: 'eth/ipv4/gre/ppp/ipv4/udp' },
);

const vxlanCases: Case[] = [
  {
    name: 'VXLAN',
    frame: outerUdp(4789, vxlan(0x123456, ethernet(0x0800, innerIpv4()))),
    stack: 'eth/ipv4/udp/vxlan/eth/ipv4/udp',
    fields: { vxlan: { 'vxlan.vni': 0x123456 } },
  },
  { name: 'VXLAN with an inner VLAN and IPv6', frame: outerUdp(4789, vxlan(1, ethernet(0x86dd, innerIpv6(), [42]))), stack: 'eth/ipv4/udp/vxlan/eth/vlan/ipv6/udp' },
];

const mplsCases: Case[] = [
  { name: 'MPLS one label, IPv4', frame: ethernet(0x8847, mpls([1001], innerIpv4())), stack: 'eth/mpls/ipv4/udp', fields: { mpls: { 'mpls.label': '1001' } } },
  { name: 'MPLS three labels, IPv6', frame: ethernet(0x8847, mpls([16, 2002, 2], innerIpv6())), stack: 'eth/mpls/ipv6/udp', fields: { mpls: { 'mpls.label': '16/2002/2' } } },
  {
    name: 'MPLS Ethernet pseudowire with control word',
    frame: ethernet(0x8847, mpls([100, 200], bytes([0, 0, 0, 5], ethernet(0x0800, innerIpv4())))),
    stack: 'eth/mpls/pwethcw/eth/ipv4/udp',
  },
  { name: 'MPLS multicast over VLAN', frame: ethernet(0x8848, mpls([300], innerIpv4()), [10]), stack: 'eth/vlan/mpls/ipv4/udp' },
];

const gtpCases: Case[] = [];
for (let flags = 0; flags < 8; flags++) {
  const e = (flags & 4) !== 0;
  const extensionSets: [number, number[]][][] = e ? [[pduSessionContainer], [udpPortExtension, pduSessionContainer]] : [[]];
  for (const extensions of extensionSets) {
    for (const v6 of [false, true]) {
      const label = `E=${+e} S=${(flags >> 1) & 1} PN=${flags & 1}${extensions.length ? ` ext ${extensions.map(([t]) => `0x${t.toString(16)}`).join('+')}` : ''}`;
      const o: GtpOptions = { flags, seq: flags & 2 ? 4660 : undefined, npdu: flags & 1 ? 9 : undefined, extensions: e ? extensions : [] };
      gtpCases.push({
        name: `GTP-U ${label} inner ${v6 ? 'IPv6' : 'IPv4'}`,
        frame: outerUdp(2152, gtpu(0x47890135, v6 ? innerIpv6() : innerIpv4(), o)),
        stack: v6 ? 'eth/ipv4/udp/gtpu/ipv6/udp' : 'eth/ipv4/udp/gtpu/ipv4/udp',
        fields: { gtpu: { 'gtp.teid': '0x47890135', 'gtp.message': 255 } },
      });
    }
  }
}
gtpCases.push(
  { name: 'GTP-U over IPv6', frame: ethernet(0x86dd, ipv6(udp(gtpu(1, innerIpv4()), 2152, 2152))), stack: 'eth/ipv6/udp/gtpu/ipv4/udp' },
  { name: 'GTP-U inner TCP', frame: outerUdp(2152, gtpu(5, ipv4(tcp(sip), { protocol: 6 }))), stack: 'eth/ipv4/udp/gtpu/ipv4/tcp' },
  { name: 'GTP-U echo request', frame: outerUdp(2152, gtpu(0, new Uint8Array(0), { type: 1, seq: 1 })), stack: 'eth/ipv4/udp/gtpu', fields: { gtpu: { 'gtp.teid': '0x00000000', 'gtp.message': 1 } } },
  { name: 'GTP-U end marker', frame: outerUdp(2152, gtpu(0xa001, new Uint8Array(0), { type: 254 })), stack: 'eth/ipv4/udp/gtpu' },
);

/** One SPI per ICV length, so that tshark can be given an SA for the lengths its heuristic does not try. */
const espSpi = (icv: number) => 0x5e000000 + icv;
/**
 * tshark's NULL heuristic finds ICV lengths 12, 16, 24 and 32 but not 0 or 8: for those, tshark is told the
 * SA (NULL encryption; NULL or "ANY 64 bit" authentication), which is how a user would decode them.
 */
const tsharkEspOptions = [
  '-o', 'esp.enable_null_encryption_decode_heuristic:TRUE',
  '-o', 'esp.enable_encryption_decode:TRUE',
  '-o', `uat:esp_sa:"IPv4","*","*","0x${espSpi(0).toString(16)}","NULL","","NULL",""`,
  '-o', `uat:esp_sa:"IPv6","*","*","0x${espSpi(0).toString(16)}","NULL","","NULL",""`,
  '-o', `uat:esp_sa:"IPv4","*","*","0x${espSpi(8).toString(16)}","NULL","","ANY 64 bit authentication [no checking]",""`,
  '-o', `uat:esp_sa:"IPv6","*","*","0x${espSpi(8).toString(16)}","NULL","","ANY 64 bit authentication [no checking]",""`,
];

const espCases: Case[] = [];
for (const icv of [12, 16, 0, 8, 24, 32]) {
  espCases.push(
    {
      name: `ESP NULL ICV ${icv}, UDP`,
      frame: outer(50, espNull(17, udp(sip, 5060, 5060), icv, espSpi(icv), 1172)),
      stack: 'eth/ipv4/esp/udp',
      fields: { esp: { 'esp.spi': `0x${espSpi(icv).toString(16).padStart(8, '0')}`, 'esp.sequence': 1172 } },
    },
    { name: `ESP NULL ICV ${icv}, TCP`, frame: outer(50, espNull(6, tcp(sip, { srcPort: 6100 + icv, dstPort: 65525 }), icv, espSpi(icv))), stack: 'eth/ipv4/esp/tcp' },
    { name: `ESP NULL ICV ${icv}, tunnel mode IPv4`, frame: outer(50, espNull(4, innerIpv4(), icv, espSpi(icv))), stack: 'eth/ipv4/esp/ipv4/udp' },
    {
      name: `ESP NULL ICV ${icv}, tunnel mode IPv6 over IPv6`,
      frame: ethernet(0x86dd, ipv6(espNull(41, innerIpv6(), icv, espSpi(icv)), { nextHeader: 50 })),
      stack: 'eth/ipv6/esp/ipv6/udp',
    },
  );
}
espCases.push(
  { name: 'ESP NULL with extra padding (pad length 9)', frame: outer(50, espNull(17, udp(sip), 12, 0x1234, 1, 8)), stack: 'eth/ipv4/esp/udp' },
  { name: 'ESP in UDP 4500 (RFC 3948)', frame: outerUdp(4500, espNull(17, udp(sip), 12, 0xabcdef01, 3)), stack: 'eth/ipv4/udp/esp/udp' },
);

const allCases = [...greCases, ...vxlanCases, ...mplsCases, ...gtpCases, ...espCases];

// ---------------------------------------------------------------------------------------------------

describe('tunnel decoders on crafted frames', () => {
  for (const c of allCases) {
    it(`${c.name}: ${c.stack}`, () => {
      const r = dissect(c.frame);
      expect(r.stack).toBe(c.stack);
      expect(r.diagnostics).toEqual([]);
      if (!/gtpu$/.test(c.stack)) {
        // The innermost transport carries the SIP message, byte for byte.
        expect(r.payload).toBe(sampleInvite);
        expect(r.state.transport).toBe(c.stack.endsWith('tcp') ? Transport.TCP : Transport.UDP);
      } else {
        expect(r.state.transport).toBe(Transport.None);
      }
      for (const [layer, expected] of Object.entries(c.fields ?? {})) expect(r.describe(layer)).toEqual(expected);
    });
  }

  it('reports the innermost addresses and ports (GTP-U: the UE and the P-CSCF, not eNB and UPF)', () => {
    const r = dissect(outerUdp(2152, gtpu(1, innerIpv4())));
    expect([r.src, r.dst, r.state.srcPort, r.state.dstPort]).toEqual(['10.45.0.7', '10.46.0.1', 5060, 5060]);
    const r6 = dissect(outerUdp(2152, gtpu(1, innerIpv6(), { extensions: [pduSessionContainer] })));
    expect([r6.src, r6.dst]).toEqual(['2001:db8:e::7', '2001:db8:c5c::1']);
  });

  it.skipIf(!tsharkVersion)('tshark decodes every crafted frame to the same stack and tunnel fields', () => {
    const rows = tsharkDecode(
      allCases.map((c) => c.frame),
      tsharkEspOptions,
    );
    expect(rows.length).toBe(allCases.length);
    const mismatches: string[] = [];
    allCases.forEach((c, i) => {
      const t = rows[i];
      const stack = tsharkStack(t['frame.protocols']);
      if (stack !== (c.tsharkStack ?? c.stack)) mismatches.push(`${c.name}: tshark ${stack}, expected ${c.tsharkStack ?? c.stack}`);
      if (!c.stack.endsWith('gtpu') && t['sip.Method'] !== 'INVITE') mismatches.push(`${c.name}: tshark found no INVITE`);
      const r = dissect(c.frame);
      const compare = (ours: string | number | undefined, theirs: string, what: string) => {
        if (ours === undefined) return;
        const a = typeof ours === 'string' && ours.startsWith('0x') ? parseInt(ours, 16) : ours;
        const b = theirs.startsWith('0x') ? parseInt(theirs, 16) : theirs.split(',').map(Number).join('/');
        if (String(a) !== String(b)) mismatches.push(`${c.name}: ${what} ours ${ours}, tshark ${theirs}`);
      };
      compare(r.describe('gtpu')?.['gtp.teid'], t['gtp.teid'], 'TEID');
      compare(r.describe('esp')?.['esp.spi'], t['esp.spi'], 'SPI');
      compare(r.describe('esp')?.['esp.sequence'], t['esp.sequence'], 'ESP sequence');
      compare(r.describe('gre')?.['gre.key'], t['gre.key'], 'GRE key');
      compare(r.describe('vxlan')?.['vxlan.vni'], t['vxlan.vni'], 'VNI');
      compare(r.describe('mpls')?.['mpls.label'], t['mpls.label'], 'MPLS labels');
      const span = r.describe('erspan')?.['erspan.spanid'];
      if (span !== undefined) compare(span, t['erspan.spanid'], 'ERSPAN session');
    });
    expect(mismatches).toEqual([]);
  });
});

describe('bytes that are not the tunnel on its port stay with SIP content detection', () => {
  const cases: [string, Uint8Array, string][] = [
    ['SIP on UDP 2152 (GTP-U port)', outerUdp(2152, sip), 'eth/ipv4/udp'],
    ['SIP on UDP 4789 (VXLAN port)', outerUdp(4789, sip), 'eth/ipv4/udp'],
    ['SIP on UDP 4500 (ESP-in-UDP port)', outerUdp(4500, sip), 'eth/ipv4/udp'],
    ['VXLAN header without the I flag', outerUdp(4789, vxlan(5, ethernet(0x0800, innerIpv4()), 0x00)), 'eth/ipv4/udp'],
    ['GTP with PT=0 (GTP\' charging)', outerUdp(2152, bytes([0x20], gtpu(1, innerIpv4()).subarray(1))), 'eth/ipv4/udp'],
    ['GTPv2-C on the GTP-U port', outerUdp(2152, bytes([0x48], gtpu(1, innerIpv4()).subarray(1))), 'eth/ipv4/udp'],
    ['IKE on 4500 (non-ESP marker)', outerUdp(4500, bytes([0, 0, 0, 0], new Array(40).fill(7))), 'eth/ipv4/udp'],
    ['NAT keep-alive on 4500', outerUdp(4500, bytes([0xff])), 'eth/ipv4/udp'],
  ];
  for (const [name, frame, stack] of cases) {
    it(name, () => {
      const r = dissect(frame);
      expect(r.stack).toBe(stack);
      expect(r.state.transport).toBe(Transport.UDP);
      const udpStart = r.state.layerStarts[r.state.stack.length - 1] + 8;
      expect([r.state.payloadStart, r.state.payloadEnd]).toEqual([udpStart, frame.length]);
      expect(r.diagnostics).toEqual([]);
    });
  }

  it.skipIf(!tsharkVersion)('tshark agrees: none of these is decoded as the tunnel', () => {
    // Except the VXLAN header without the I flag: tshark decodes VXLAN on 4789 whatever the flags, while
    // RFC 7348 §5 has the I flag set in every VXLAN packet ("MUST be set to 1 for a valid VNI"); a
    // datagram without it is not one we can trust to carry a frame, and its payload stays visible.
    // The same goes for SIP sent to ports 4789 and 4500: tshark takes it for VXLAN or ESP and loses the
    // INVITE, where the I flag (VXLAN) and the printable SPI and sequence number (ESP) show it is text.
    const onVxlanPort = new Set(['VXLAN header without the I flag', 'SIP on UDP 4789 (VXLAN port)', 'SIP on UDP 4500 (ESP-in-UDP port)']);
    const rows = tsharkDecode(cases.map(([, frame]) => frame));
    const stacks = rows.map((row, i) => `${cases[i][0]}: ${tsharkStack(row['frame.protocols'])}`);
    // tshark shows GTP' and GTPv2 as other protocols and IKE as isakmp: none is GTP-U with a user packet or ESP.
    expect(stacks.filter((line, i) => !onVxlanPort.has(cases[i][0]) && /gtpu\/ipv|vxlan|esp/.test(line))).toEqual([]);
    expect(stacks.filter((_, i) => onVxlanPort.has(cases[i][0]))).toEqual([
      'SIP on UDP 4789 (VXLAN port): eth/ipv4/udp/vxlan/eth',
      'SIP on UDP 4500 (ESP-in-UDP port): eth/ipv4/udp/esp',
      'VXLAN header without the I flag: eth/ipv4/udp/vxlan/eth/ipv4/udp',
    ]);
    // On the three tunnel ports tshark's port dissector keeps the datagram and no INVITE is shown; we show it.
    expect(rows.map((r) => r['sip.Method'])).toEqual(['', '', '', 'INVITE', '', '', '', '']);
  });

  it('decode-as forces the decoder on another port (namedPayloadDecoders)', () => {
    const state = new PacketDecodeState();
    state.decodeAs = emptyDecodeAs();
    state.decodeAs.udp.set(9999, 'gtpu');
    expect(dissect(outerUdp(9999, gtpu(1, innerIpv4())), { state }).stack).toBe('eth/ipv4/udp/gtpu/ipv4/udp');
    state.decodeAs.udp.set(9999, 'vxlan');
    expect(dissect(outerUdp(9999, vxlan(3, ethernet(0x0800, innerIpv4()))), { state }).stack).toBe('eth/ipv4/udp/vxlan/eth/ipv4/udp');
    state.decodeAs.udp.set(9999, 'esp');
    expect(dissect(outerUdp(9999, espNull(17, udp(sip), 12)), { state }).stack).toBe('eth/ipv4/udp/esp/udp');
  });
});

describe('ESP that is really encrypted is not decoded', () => {
  const packets = Array.from({ length: 300 }, (_, seq) => outer(50, espEncrypted(seq % 2 ? 6 : 17, seq % 2 ? tcp(sip) : udp(sip), seq + 1)));

  it('no layout validates on 300 AES-CBC + HMAC-SHA1-96 packets: esp, a note, no payload', () => {
    for (const packet of packets) {
      const r = dissect(packet);
      expect(r.stack).toBe('eth/ipv4/esp');
      expect(r.state.transport).toBe(Transport.None);
      expect(r.diagnostics).toEqual(['note esp: encrypted or unknown ICV length: payload not decoded']);
      expect(r.describe('esp')).toMatchObject({ 'esp.spi': '0x0000a71a' });
    }
  });

  it.skipIf(!tsharkVersion)('tshark with its NULL heuristic finds no SIP in them either', () => {
    const rows = tsharkDecode(packets.slice(0, 50), ['-o', 'esp.enable_null_encryption_decode_heuristic:TRUE']);
    expect(rows.filter((r) => r['sip.Method'] !== '')).toEqual([]);
  });

  it('each ICV length is found, shortest-first order does not mistake one for another', () => {
    for (const icv of [12, 16, 0, 8, 24, 32]) {
      for (const [next, inner] of [[17, udp(sip)], [6, tcp(sip)], [4, innerIpv4()], [41, innerIpv6()]] as const) {
        const packet = espNull(next, inner, icv);
        expect(findNullEspLayout(packet, 0, packet.length), `ICV ${icv}, next header ${next}`).toEqual({ icvLength: icv, nextHeader: next, payloadEnd: 8 + inner.length });
      }
    }
  });

  it('finds SCTP (next header 132) inside ESP, as tshark does', () => {
    // RFC 9260 §3: common header (ports 5060, verification tag, checksum), one DATA chunk (§3.3.1) with the
    // INVITE, padded to 4 bytes.
    const dataLength = 16 + sip.length;
    const sctp = (tsn: number) =>
      bytes([...u16(5060), ...u16(5060), ...u32(0x1234), 0, 0, 0, 0, 0, 0x03, ...u16(dataLength), ...u32(tsn), 0, 0, 0, 0, ...u32(0)], sip, new Array<number>((4 - (dataLength % 4)) % 4).fill(0));
    const icvs = [12, 16, 0];
    const frames = icvs.map((icv, i) => outer(50, espNull(132, sctp(i + 1), icv, espSpi(icv))));
    icvs.forEach((icv, i) => {
      const esp = frames[i].subarray(34);
      expect(findNullEspLayout(esp, 0, esp.length)).toEqual({ icvLength: icv, nextHeader: 132, payloadEnd: 8 + sctp(1).length });
      expect(dissect(frames[i]).stack).toMatch(/^eth\/ipv4\/esp\/sctp/);
    });
    if (tsharkVersion) {
      const rows = tsharkDecode(frames, tsharkEspOptions).map((r) => `${tsharkStack(r['frame.protocols'])} ${r['sip.Method']}`);
      expect(rows).toEqual(icvs.map(() => 'eth/ipv4/esp/sctp INVITE'));
    }
  });

  it('rejects padding that is not 1, 2, 3... and next headers that cannot carry SIP', () => {
    const bad = espNull(17, udp(sip), 12, 1, 1, 4);
    bad[8 + udp(sip).length] = 9; // first padding byte
    expect(findNullEspLayout(bad, 0, bad.length)).toBeUndefined();
    const icmp = espNull(1, bytes([8, 0, 0, 0, 0, 1, 0, 1]), 12);
    expect(findNullEspLayout(icmp, 0, icmp.length)).toBeUndefined();
  });
});

describe('malformed and truncated tunnels', () => {
  it('cut at every length: diagnostics, never an exception, never a payload beyond the capture', () => {
    for (const c of allCases) {
      for (let cut = 0; cut < c.frame.length; cut++) {
        const r = dissect(c.frame, { capturedLength: cut });
        expect(r.diagnostics.filter((d) => d.startsWith('decoder-bug')), `${c.name} cut at ${cut}`).toEqual([]);
        expect(r.diagnostics.length, `${c.name} cut at ${cut}`).toBeGreaterThan(0);
        expect(r.state.payloadEnd).toBeLessThanOrEqual(cut);
        expect(r.state.end).toBeLessThanOrEqual(cut);
      }
    }
  });

  it('survives random bytes after every tunnel header', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const wrappers: ((b: Uint8Array) => Uint8Array)[] = [
      (b) => outer(47, b),
      (b) => outer(47, gre(0x88be, b, { seq: 1 })),
      (b) => outer(47, gre(0x22eb, b)),
      (b) => outer(47, gre(0x6558, b)),
      (b) => outerUdp(4789, bytes([8, 0, 0, 0], b)),
      (b) => ethernet(0x8847, b),
      (b) => outerUdp(2152, b),
      (b) => outerUdp(2152, bytes([0x34, 0xff, ...u16(b.length + 4), 0, 0, 0, 1, 0, 0, 0, 0x85], b)),
      (b) => outer(50, b),
      (b) => outerUdp(4500, b),
    ];
    for (let n = 0; n < 3000; n++) {
      const payload = Uint8Array.from({ length: random() % 120 }, random);
      const frame = wrappers[n % wrappers.length](payload);
      const r = dissect(frame);
      expect(r.diagnostics.filter((d) => d.startsWith('decoder-bug'))).toEqual([]);
      expect(r.state.payloadEnd).toBeLessThanOrEqual(frame.length);
      expect(r.state.stack.length).toBeLessThanOrEqual(MAX_LAYERS + 2);
    }
  });

  it('stops nested tunnels at MAX_LAYERS layers with a diagnostic', () => {
    // Ethernet in GRE in IPv4 in Ethernet, 40 times (each level is IPv4/GRE/Ethernet).
    let frame = ethernet(0x0800, innerIpv4());
    for (let i = 0; i < 40; i++) frame = ethernet(0x0800, ipv4(gre(0x6558, frame), { protocol: 47 }));
    const r = dissect(frame);
    expect(r.state.stack.length).toBeLessThanOrEqual(MAX_LAYERS + 1);
    expect(r.diagnostics).toEqual([expect.stringMatching(/^malformed \w+: more than 32 nested layers/)]);
    // MPLS ethernet pseudowires nested: same bound.
    let pw = ethernet(0x0800, innerIpv4());
    for (let i = 0; i < 40; i++) pw = ethernet(0x8847, mpls([i + 16], bytes([0, 0, 0, 0], pw)));
    expect(dissect(pw).diagnostics).toEqual([expect.stringMatching(/more than 32 nested layers/)]);
  });

  it('names what is wrong', () => {
    const d = (frame: Uint8Array) => dissect(frame).diagnostics;
    expect(d(outer(47, bytes([0, 2, 0x08, 0], innerIpv4())))).toEqual(['unsupported gre: GRE version 2 is not decoded']);
    expect(d(outer(47, bytes([0x30, 0x01, 0x08, 0x00, 0, 0, 0, 0], innerIpv4())))[0]).toMatch(/^malformed gre: enhanced GRE \(version 1\) header/);
    expect(d(ethernet(0x8847, mpls(Array.from({ length: 17 }, () => 5), innerIpv4()).map((b, i) => (i % 4 === 2 ? b & 0xfe : b))))).toEqual([
      'malformed mpls: no bottom of stack within 16 labels',
    ]);
    expect(d(ethernet(0x8847, mpls([5], bytes([0x90], innerIpv4()))))).toEqual([
      'unsupported mpls: payload after the label stack starts with nibble 9: not IP or a pseudowire control word',
    ]);
    const zeroLength = gtpu(1, innerIpv4(), { extensions: [pduSessionContainer] });
    zeroLength[12] = 0; // the extension header's length
    expect(d(outerUdp(2152, zeroLength))).toEqual(['malformed gtpu: extension header 0x85 with length 0']);
    expect(d(outerUdp(2152, gtpu(1, bytes([0x02], new Array(30).fill(0)))))).toEqual(['unsupported gtpu: T-PDU is not IPv4 or IPv6 (first nibble 0)']);
    expect(d(outer(47, gre(0x22eb, erspanIII(1, 7, false, innerIpv4()))))).toEqual(['unsupported erspan: frame type 7 is not decoded']);
    // A GTP-U length beyond the UDP datagram: decoded as far as it goes (tshark does the same), and flagged.
    const long = dissect(outerUdp(2152, gtpu(1, innerIpv4()).subarray(0, 60)));
    expect(long.stack).toBe('eth/ipv4/udp/gtpu/ipv4/udp');
    expect(long.diagnostics[0]).toMatch(/^malformed gtpu: length \d+ runs past the end of the UDP datagram \(52 bytes after the header\)/);
    expect(dissect(outer(47, gre(0x22eb, erspanIII(1, 2, false, innerIpv4())))).stack).toBe('eth/ipv4/gre/erspan/ipv4/udp');
  });
});
