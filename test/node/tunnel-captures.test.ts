/**
 * Tunnelled SIP through the whole engine: for each capture, the set of (frame, method or status, Call-ID,
 * CSeq) that sipscope finds equals tshark's (`FILE.tshark.tsv`, or `.tshark.alt.tsv` with the option in
 * `.alt.opts`, TShark 4.0.17; for the crafted GTP-U fixture, the `.tshark.tsv` written beside it by the same
 * command), and every message's encapsulation is the stack the capture carries (tshark's
 * `frame.protocols`, listed in the comments).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/node/analyze.js';
import { fixtures, haveSharedCaptures, sharedCapture } from '../helpers/paths.js';

const haveTshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function tsharkRows(tsvPath: string): string[] {
  const rows: string[] = [];
  for (const line of readFileSync(tsvPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [frame, , , , , method, status, callId, cseq] = line.split('\t');
    if (!method && !status) continue;
    rows.push(`${frame}|${method || status}|${callId ?? ''}|${(cseq ?? '').replace(/\s+/g, ' ')}`);
  }
  return rows.sort();
}

function referenceFor(capture: string): string {
  const alt = `${capture}.tshark.alt.tsv`;
  return existsSync(alt) ? alt : `${capture}.tshark.tsv`;
}

async function decode(capture: string) {
  const { engine } = await analyzeFile(capture);
  const rows: string[] = [];
  const stacks = new Map<string, number>();
  const messages = [];
  for (let i = 0; i < engine.index.count; i++) {
    const m = engine.index.get(i);
    messages.push(m);
    rows.push(`${m.frame}|${m.method ?? m.status}|${m.callId}|${m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : ''}`);
    stacks.set(m.stack, (stacks.get(m.stack) ?? 0) + 1);
  }
  return { engine, messages, rows: rows.sort(), stacks };
}

describe.skipIf(!haveSharedCaptures)('tunnelled SIP in the shared captures matches tshark', () => {
  it('ndpi_gre: 100 Trying inside VLAN / IPv4 / enhanced GRE (PPTP, version 1) / PPP / IPv4 / UDP', async () => {
    const capture = sharedCapture('ndpi_gre.pcapng');
    const { rows, stacks } = await decode(capture);
    expect(rows).toEqual(tsharkRows(referenceFor(capture)));
    // tshark: eth:ethertype:vlan:ethertype:ip:gre:ppp:ip:udp:sip
    expect([...stacks.keys()]).toEqual(['eth/vlan/ipv4/gre/ppp/ipv4/udp']);
  });

  it('heplify_erspan: 140 messages inside GRE transparent Ethernet bridging', async () => {
    const capture = sharedCapture('heplify_erspan_sip_ipv4_udp.pcapng');
    const { rows, stacks } = await decode(capture);
    expect(rows.length).toBe(140);
    expect(rows).toEqual(tsharkRows(referenceFor(capture)));
    // tshark: eth:ethertype:ip:gre:eth:ethertype:ip:udp:sip for all 140 frames
    expect([...stacks.entries()]).toEqual([['eth/ipv4/gre/eth/ipv4/udp', 140]]);
  });

  it('nokia_51_esp_sip: 92 messages in NULL-encrypted ESP, plain and inside GTP-U', async () => {
    const capture = sharedCapture('nokia_51_esp_sip.pcapng.gz');
    const { rows, stacks } = await decode(capture);
    expect(rows).toEqual(tsharkRows(referenceFor(capture)));
    expect(rows.length).toBe(92);
    expect([...stacks.keys()].sort()).toEqual(['eth/ipv4/esp/tcp', 'eth/ipv4/esp/udp', 'eth/ipv4/udp/gtpu/ipv4/esp/tcp', 'eth/ipv4/udp/gtpu/ipv4/esp/udp']);
  });

  it.skipIf(!haveTshark)('nokia_51_esp_sip: outer layers carry the SPI and TEID tshark reads in each message frame', async () => {
    const capture = sharedCapture('nokia_51_esp_sip.pcapng.gz');
    const out = execFileSync('tshark', ['-r', capture, '-T', 'fields', '-E', 'separator=\t', '-e', 'frame.number', '-e', 'esp.spi', '-e', 'gtp.teid'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const byFrame = new Map(out.split('\n').filter(Boolean).map((line) => {
      const [frame, spi, teid] = line.split('\t');
      return [Number(frame), { spi, teid }] as const;
    }));
    const { messages } = await decode(capture);
    for (const m of messages) {
      const reference = byFrame.get(m.frame);
      const esp = m.outer.find((layer) => layer.layer === 'esp');
      const gtpu = m.outer.find((layer) => layer.layer === 'gtpu');
      expect(esp?.['esp.spi'], `frame ${m.frame}`).toBe(reference?.spi);
      expect(gtpu?.['gtp.teid'], `frame ${m.frame}`).toBe(reference?.teid || undefined);
    }
  });
});

describe('crafted GTP-U fixture (test/fixtures/gtpu-volte.pcap) matches tshark', () => {
  it('every SIP message of sample-volte.pcap is found under its GTP-U encapsulation', async () => {
    const capture = join(fixtures, 'gtpu-volte.pcap');
    const { rows, stacks } = await decode(capture);
    expect(rows).toEqual(tsharkRows(`${capture}.tshark.tsv`));
    expect(rows.length).toBeGreaterThan(30);
    expect([...stacks.keys()].sort()).toEqual(['eth/ipv4/udp/gtpu/ipv4/tcp', 'eth/ipv4/udp/gtpu/ipv4/udp', 'eth/ipv4/udp/gtpu/ipv6/udp', 'eth/ipv6/udp/gtpu/ipv4/udp']);
  });

  it("each message's outer layers show the TEID tshark reads in its frame (gtpu-volte.pcap.tshark.teid.tsv)", async () => {
    const capture = join(fixtures, 'gtpu-volte.pcap');
    const { messages } = await decode(capture);
    const teids = new Map(
      readFileSync(`${capture}.tshark.teid.tsv`, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t') as [string, string]),
    );
    for (const m of messages) {
      const gtpu = m.outer.find((layer) => layer.layer === 'gtpu');
      expect(gtpu?.['gtp.teid'], `frame ${m.frame}`).toBe(teids.get(String(m.frame)));
    }
  });
});
