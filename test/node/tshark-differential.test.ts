/**
 * Differential test against tshark: for every capture in ../shared/captures — plain UDP/TCP, IP fragments,
 * SCTP, WebSocket, GRE/ERSPAN, GTP-U, ESP NULL alike — the set of
 * (frame, method or status, Call-ID, CSeq) that sipscope finds equals tshark's reference decode stored
 * beside the capture (`FILE.tshark.tsv`, TShark 4.0.17 with default preferences; `.tshark.alt.tsv` where
 * tshark needs an option to see SIP at all). Each known difference is listed with the reason we are right.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/node/analyze.js';
import { haveSharedCaptures, sharedCapture, sharedCaptures } from '../helpers/paths.js';

/** Not a pcap/pcapng file at all: sipscope must refuse it with a clear message (tested in capture tests). */
const notACapture = new Set(['sipnab_c07-sip-r2.cap']);

/**
 * Known differences, per file: frames where tshark reports a SIP message and we do not
 * (`onlyTshark`), or where we report one and tshark does not (`onlySipscope`), each with the reason
 * sipscope is right.
 */
const knownDifferences: Record<string, { onlyTshark?: number[]; onlySipscope?: number[]; why: string }> = {
  'ndpi_fuzz-2006-06-26-2594.pcap': {
    onlySipscope: [108, 180, 223, 274, 348],
    why: 'bit-flipped datagrams on port 5060 whose SIP is damaged (a broken Via, a 2-digit status code, junk before the method, a bad header line): tshark gives up and shows them as plain UDP, hiding them from `-Y sip`; sipscope keeps each message and flags what is wrong with it',
  },
};

/**
 * Frames where both tools find the same message (same frame, same method or status) but the Call-ID or
 * CSeq bytes are corrupted, and the two tools render corrupted text differently: tshark prints what it
 * could not format as `%s`, cuts at NUL bytes and keeps `INV\xffTE` whole as the CSeq method, while
 * sipscope keeps the bytes, splits the CSeq at the first non-token character and flags the message.
 * For these frames only (frame, method/status) is compared, and sipscope must flag an error.
 */
const corruptedFieldFrames: Record<string, { frames: number[]; why: string }> = {
  'ndpi_fuzz-2006-06-26-2594.pcap': {
    frames: [155, 182, 227, 247, 527, 550],
    why: 'bit-flipped copy of aaa.pcap: garbled CSeq and Call-ID bytes',
  },
};

function rowKey(file: string, frame: string, label: string, callId: string, cseq: string): string {
  return corruptedFieldFrames[file]?.frames.includes(Number(frame)) ? `${frame}|${label}|(corrupted)` : `${frame}|${label}|${callId}|${cseq}`;
}

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
    rows.push(rowKey(file, frame, method || status, callId ?? '', (cseq ?? '').replace(/\s+/g, ' ')));
  }
  return rows.sort();
}

async function sipscopeRows(file: string): Promise<string[]> {
  const { engine } = await analyzeFile(sharedCapture(file));
  const rows: string[] = [];
  for (let i = 0; i < engine.index.count; i++) {
    const m = engine.index.get(i);
    if (corruptedFieldFrames[file]?.frames.includes(m.frame)) {
      expect(m.diagnostics.some((d) => d.severity === 'error'), `frame ${m.frame} must be flagged`).toBe(true);
    }
    rows.push(rowKey(file, String(m.frame), String(m.method ?? m.status), m.callId, m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : ''));
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
  it('covers every capture of the corpus (each compared, or refused as not a capture)', () => {
    expect(captures.length).toBeGreaterThanOrEqual(37);
  });

  for (const file of captures.filter((f) => !notACapture.has(f))) {
    it(file, async () => {
      const expected = tsharkRows(file);
      const actual = await sipscopeRows(file);
      const known = knownDifferences[file] ?? {};
      const frames = (rows: string[]) => rows.map((r) => Number(r.split('|')[0])).sort((a, b) => a - b);
      expect(difference(expected, actual).sort(), `in tshark only (${known.why ?? 'no known difference'})`).toEqual(
        expected.filter((r) => known.onlyTshark?.includes(Number(r.split('|')[0]))).sort(),
      );
      const onlyOurs = difference(actual, expected);
      expect(frames(onlyOurs), `in sipscope only (${known.why ?? 'no known difference'})`).toEqual(known.onlySipscope ?? []);
    });
  }
});
