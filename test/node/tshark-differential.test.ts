/**
 * Differential test against tshark: for every capture in ../shared/captures whose decode does not need the
 * transports of the next issue (IP reassembly, SCTP, WebSocket, GRE, GTP-U, ESP), the set of
 * (frame, method or status, Call-ID, CSeq) that sipscope finds equals tshark's reference decode stored
 * beside the capture (`FILE.tshark.tsv`, TShark 4.0.17 with default preferences; `.tshark.alt.tsv` where
 * tshark needs an option to see SIP at all). Each known difference is listed with the reason we are right.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/node/analyze.js';
import { haveSharedCaptures, sharedCapture, sharedCaptures } from '../helpers/paths.js';

/** Captures whose SIP needs the next issue's transports; listed so that nothing is skipped silently. */
const needsNextIssue: Record<string, string> = {
  'gprshome_sip.pcap': 'large REGISTERs arrive as IPv4 fragments (IP reassembly)',
  'heplify_erspan_sip_ipv4_udp.pcapng': 'SIP inside GRE transparent Ethernet bridging',
  'heplify_sip_sctp.pcap': 'SIP over SCTP',
  'heplify_sip_tcp_websocket.pcap': 'SIP over WebSocket (RFC 7118)',
  'ndpi_gre.pcapng': 'SIP inside GRE/PPP',
  'nokia_51_esp_sip.pcapng.gz': 'SIP inside ESP (NULL encryption) and GTP-U',
  'sngrep_ipv6frag.pcap': 'IPv6 fragments (IP reassembly)',
};

/** Not a pcap/pcapng file at all: sipscope must refuse it with a clear message (tested in capture tests). */
const notACapture = new Set(['sipnab_c07-sip-r2.cap']);

/**
 * Known differences, per file: rows tshark reports that we do not (`onlyTshark`) or we report that tshark
 * does not (`onlySipscope`), each with the reason sipscope is right.
 */
const knownDifferences: Record<string, { onlyTshark?: string[]; onlySipscope?: string[]; why: string }> = {
  'zeek_sip-junk-before-request.pcap': {
    onlyTshark: ['1|REGISTER||'],
    onlySipscope: ['1|REGISTER|1-2097@10.10.10.10|1 REGISTER'],
    why: 'tshark sees the REGISTER line after the junk bytes but then decodes no header fields; sipscope parses the message after the junk (flagged malformed for the junk) and so has its Call-ID and CSeq',
  },
};

function tsharkRows(file: string): string[] {
  const alt = sharedCapture(`${file}.tshark.alt.tsv`);
  const path = existsSync(alt) ? alt : sharedCapture(`${file}.tshark.tsv`);
  const rows: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [frame, , , , , method, status, callId, cseq] = line.split('\t');
    // Rows with neither a method nor a status are "SIP Continuation" frames (tshark's port-based guess
    // for non-SIP bytes on a SIP port, as in ndpi_http_on_sip_port): not messages.
    if (!method && !status) continue;
    rows.push(`${frame}|${method || status}|${callId ?? ''}|${(cseq ?? '').replace(/\s+/g, ' ')}`);
  }
  return rows.sort();
}

async function sipscopeRows(file: string): Promise<string[]> {
  const { engine } = await analyzeFile(sharedCapture(file));
  const rows: string[] = [];
  for (let i = 0; i < engine.index.count; i++) {
    const m = engine.index.get(i);
    rows.push(`${m.frame}|${m.method ?? m.status}|${m.callId}|${m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : ''}`);
  }
  return rows.sort();
}

function difference(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = counts.get(x) ?? 0;
    if (n > 0) counts.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

const captures = haveSharedCaptures
  ? readdirSync(sharedCaptures).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f) && existsSync(sharedCapture(`${f}.tshark.tsv`)))
  : [];

describe.skipIf(!haveSharedCaptures)('sipscope finds the same SIP messages as tshark', () => {
  it('covers every capture of the corpus (compared, excluded for the next issue, or not a capture)', () => {
    expect(captures.length).toBeGreaterThanOrEqual(37);
    for (const file of Object.keys(needsNextIssue)) expect(captures).toContain(file);
  });

  for (const file of captures.filter((f) => !(f in needsNextIssue) && !notACapture.has(f))) {
    it(file, async () => {
      const expected = tsharkRows(file);
      const actual = await sipscopeRows(file);
      const known = knownDifferences[file] ?? {};
      expect(difference(expected, actual).sort(), `in tshark only (${known.why ?? 'no known difference'})`).toEqual((known.onlyTshark ?? []).sort());
      expect(difference(actual, expected).sort(), `in sipscope only (${known.why ?? 'no known difference'})`).toEqual((known.onlySipscope ?? []).sort());
    });
  }
});
