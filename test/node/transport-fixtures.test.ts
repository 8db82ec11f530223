/**
 * Whole-engine checks on the transport fixtures this project made (test/fixtures/README.md says how): HEP v2/v3
 * mirrors of real SIPp calls, HEP over TCP, TLS without keys, and decode-as on the command line. The
 * references are independent of our decoders: tshark's decode of the captures the HEP agent replayed, and
 * tshark's own TLS record counts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../src/core/capture/types.js';
import { TraceEngine } from '../../src/core/engine/trace-engine.js';
import type { MessageRecord } from '../../src/core/index/message-index.js';
import { LinkType } from '../../src/core/layers/registry.js';
import { analyzeFile } from '../../src/node/analyze.js';
import { openCaptureFile } from '../../src/node/capture-file.js';
import { framesToPcap } from '../helpers/fragments.js';
import { concat, ethernet, ipv4, sampleInvite, ascii, tcp, udp } from '../helpers/packet-builder.js';
import { repoRoot } from '../helpers/paths.js';

const fixture = (name: string) => join(repoRoot, 'test/fixtures', name);

/** tshark's decode of the capture a HEP agent replayed: time, addresses, ports, method/status, Call-ID, CSeq. */
function sourceRows(name: string): string[] {
  return readFileSync(fixture(name), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [time, ip4src, ip6src, ip4dst, ip6dst, sport, dport, , method, status, callId, cseq] = line.split('\t');
      const host = (v4: string, v6: string) => (v4 ? v4 : `[${v6}]`);
      const usec = time.slice(0, time.indexOf('.') + 7);
      return [usec, `${host(ip4src, ip6src)}:${sport}`, `${host(ip4dst, ip6dst)}:${dport}`, method || status, callId, cseq].join('|');
    });
}

function ourRows(messages: MessageRecord[]): string[] {
  return messages.map((m) =>
    [`${m.tsSec}.${String(Math.floor(m.tsNsec / 1000)).padStart(6, '0')}`, m.src, m.dst, m.method ?? String(m.status), m.callId, `${m.cseq?.seq} ${m.cseq?.method}`].join('|'),
  );
}

function messagesOf(engine: TraceEngine): MessageRecord[] {
  return Array.from(engine.index.frameOrder(), (i) => engine.index.get(i));
}

describe('HEP mirrors (sngrep as the agent)', () => {
  for (const [file, source, layer] of [
    ['hep3-udp.pcap', 'hep-source-sample-volte.tshark.tsv', 'hep3'],
    ['hep2-udp.pcap', 'hep-source-sample-volte.tshark.tsv', 'hep2'],
    ['hep3-ipv6-udp.pcap', 'hep-source-sipp-volte-ipv6.tshark.tsv', 'hep3'],
  ] as const) {
    it(`${file}: every mirrored message, between the endpoints and at the time the agent captured`, async () => {
      const { engine } = await analyzeFile(fixture(file));
      const messages = messagesOf(engine);
      expect(ourRows(messages)).toEqual(sourceRows(source));
      for (const m of messages) {
        expect(m.stack).toBe(`eth/ipv4/udp/${layer}`);
        expect(m.outer.at(-1)).toMatchObject({ layer, 'hep.version': layer === 'hep3' ? 3 : 2 });
        expect(m.outer[1]).toMatchObject({ layer: 'udp', 'udp.dstport': 9060 });
        expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      }
    });
  }

  it('HEP v3 over TCP: packets back to back and cut anywhere give the same messages', async () => {
    // The HEP packets sngrep sent, laid end to end on one TCP connection as a TCP agent sends them.
    const hepPackets: Uint8Array[] = [];
    await openCaptureFile(fixture('hep3-udp.pcap'), {
      packet: (p) => hepPackets.push(p.data.slice(42, p.capturedLength)), // Ethernet + IPv4 + UDP headers
      diagnostic: () => undefined,
    });
    const stream = concat(...hepPackets);
    for (const segmentSize of [1460, 997, 64]) {
      const engine = new TraceEngine();
      let seq = 1000;
      let frame = 0;
      const send = (payload: Uint8Array, flags: number) => {
        const data = ethernet(0x0800, ipv4(tcp(payload, { srcPort: 41000, dstPort: 9060, seq, flags }), { protocol: 6, src: '192.0.2.10', dst: '192.0.2.20' }));
        frame++;
        const packet: CapturedPacket = { frame, interfaceId: 0, linkType: LinkType.ETHERNET, tsSec: 1_800_000_000, tsNsec: frame, capturedLength: data.length, originalLength: data.length, dataOffset: frame * 4096, data };
        engine.addPacket(packet);
        seq += payload.length + (flags & 0x02 ? 1 : 0);
      };
      send(new Uint8Array(0), 0x02); // SYN
      for (let at = 0; at < stream.length; at += segmentSize) send(stream.subarray(at, Math.min(stream.length, at + segmentSize)), 0x18);
      send(new Uint8Array(0), 0x11); // FIN
      engine.finish();
      const messages = messagesOf(engine);
      expect(ourRows(messages), `segments of ${segmentSize}`).toEqual(sourceRows('hep-source-sample-volte.tshark.tsv'));
      expect(messages[0].stack).toBe('eth/ipv4/tcp/hep3');
      expect(messages[0].outer[0]).toEqual({ layer: 'tcp', 'tcp.src': '192.0.2.10:41000', 'tcp.dst': '192.0.2.20:9060' });
    }
  });
});

describe('TLS without keys is reported, not hidden', () => {
  it('tls-5061.pcap: one report per direction with tshark’s record counts', async () => {
    const { engine } = await analyzeFile(fixture('tls-5061.pcap'));
    expect(engine.index.count).toBe(0);
    const tshark = spawnSync('tshark', ['-r', fixture('tls-5061.pcap'), '-Y', 'tls', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tls.record.length'], { encoding: 'utf8' });
    expect(tshark.status).toBe(0);
    const expected = new Map<string, number>();
    for (const line of tshark.stdout.trim().split('\n')) {
      const [sport, dport, lengths] = line.split('\t');
      const key = `127.0.0.1:${sport} → 127.0.0.1:${dport}`;
      expected.set(key, (expected.get(key) ?? 0) + lengths.split(',').length);
    }
    const reported = new Map(engine.streamReports.map((r) => [`${r.src} → ${r.dst}`, r.records]));
    expect(reported).toEqual(expected);
    for (const r of engine.streamReports) expect(r.message).toMatch(/^encrypted \(.*TLS.*\), \d+ records, no keys$/);
  });
});

describe('decode-as on the command line', () => {
  const bin = join(repoRoot, 'bin/sipscope.js');
  // GTP-U on a port content detection cannot know (2153): only a decode-as rule exposes the UE's packet.
  const gtpu = (inner: Uint8Array) => {
    const header = new Uint8Array([0x30, 0xff, inner.length >> 8, inner.length & 0xff, 0x12, 0x34, 0x56, 0x78]);
    return concat(header, inner);
  };
  const ue = ipv4(udp(ascii(sampleInvite), 5060, 5060), { src: '10.45.0.7', dst: '10.46.0.1' });
  const frame = ethernet(0x0800, ipv4(udp(gtpu(ue), 2153, 2153), { src: '192.0.2.1', dst: '192.0.2.2' }));
  const dir = mkdtempSync(join(tmpdir(), 'sipscope-decode-as-'));
  const file = join(dir, 'gtpu-2153.pcap');
  writeFileSync(file, framesToPcap([frame]));
  const analyze = (...extra: string[]) => spawnSync(process.execPath, [bin, 'analyze', file, '--format', 'ndjson', ...extra], { encoding: 'utf8' });

  it('without the rule the message is still found, but in the tunnel bytes, and flagged', () => {
    const r = analyze();
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ method: 'INVITE', src: '192.0.2.1:2153' });
    expect(m.diagnostics.map((d: { message: string }) => d.message)).toContain('36 byte(s) of non-SIP data before the start line');
  });

  it('with udp.port==2153,gtpu it is the UE’s message, with the tunnel as its outer layers', () => {
    const r = analyze('--decode-as', 'udp.port==2153,gtpu');
    expect(r.status).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ method: 'INVITE', src: '10.45.0.7:5060', dst: '10.46.0.1:5060', encapsulation: ['eth', 'ipv4', 'udp', 'gtpu', 'ipv4', 'udp'], diagnostics: [] });
    expect(m.outer).toEqual([
      { layer: 'ipv4', 'ip.src': '192.0.2.1', 'ip.dst': '192.0.2.2' },
      { layer: 'udp', 'udp.srcport': 2153, 'udp.dstport': 2153 },
      expect.objectContaining({ layer: 'gtpu', 'gtp.teid': '0x12345678' }),
    ]);
  });

  it('refuses a malformed rule with exit 2 and says what a rule looks like', () => {
    const r = analyze('--decode-as', 'tcp:6060=sip');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TRANSPORT.port==PORT,PROTOCOL');
  });
});
