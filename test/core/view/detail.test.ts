/**
 * The detail pane's data (src/core/view/detail.ts) on real captures: header spans checked against the raw
 * text itself (each span starts with the header's name, the lines between the start line and the blank line
 * are exactly the headers), parsed parts and SDP against tshark's decode (`-e sip.Request-Line -e
 * sip.Status-Line -e sip.Call-ID -e sip.from.tag -e sip.Via.branch -e sip.CSeq -e sdp.media`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { analyzeCalls } from '../../../src/core/calls/analysis.js';
import { TraceEngine } from '../../../src/core/engine/trace-engine.js';
import { LinkType } from '../../../src/core/layers/registry.js';
import { messageDetail, messageRow, type TraceViewSource } from '../../../src/core/view/trace-view.js';
import type { MessageDetail } from '../../../src/shared/api.js';
import { ascii, ethernet, ipv4, udp } from '../../helpers/packet-builder.js';
import { captures, haveTshark, load, tsharkRows, type TsharkRow } from './view-helpers.js';

/** Header lines of a message's text, found by reading the text: continuation lines (folding) join the line before. */
function headerLinesOf(raw: string): string[] {
  const end = raw.indexOf('\r\n\r\n');
  const lines = raw.slice(0, end < 0 ? raw.length : end).split(/\r?\n/).slice(1);
  const out: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && out.length > 0) out[out.length - 1] += `\r\n${line}`;
    else if (line !== '') out.push(line);
  }
  return out;
}

const part = (d: MessageDetail, header: string, name: string): string | undefined =>
  d.headers.find((h) => h.canonicalName === header)?.parts.find(([n]) => n === name)?.[1];

function checkSpans(d: MessageDetail): void {
  const lines = headerLinesOf(d.raw);
  expect(d.headers.map((h) => d.raw.slice(h.start, h.end))).toEqual(lines);
  let previous = -1;
  for (const h of d.headers) {
    expect(d.raw.slice(h.start, h.end).startsWith(h.name), `${h.name} at ${h.start}`).toBe(true);
    expect(h.start).toBeGreaterThan(previous);
    previous = h.end;
    // The value is the line's text after the colon (folded lines joined by one space, RFC 3261 §7.3.1).
    const line = d.raw.slice(h.start, h.end).replace(/\r?\n[ \t]+/g, ' ');
    expect(line.slice(line.indexOf(':') + 1).trim()).toBe(h.value);
  }
  expect(d.raw.startsWith(d.startLine)).toBe(true);
}

for (const capture of captures()) {
  describe(`view detail: ${capture.name}`, () => {
    let source: TraceViewSource;
    let details: MessageDetail[];
    let reference: Map<number, TsharkRow>;
    beforeAll(async () => {
      source = await load(capture.path);
      details = Array.from(source.engine.index.frameOrder(), (row) => messageDetail(source, row));
      reference = new Map(haveTshark ? tsharkRows(capture.path, capture.tshark).map((t) => [t.frame, t]) : []);
    });

    it('gives each header with its span in the raw text, its value and its parsed parts', () => {
      for (const d of details) {
        const bytes = source.engine.messageBytes?.bytesOf(d.row) as Uint8Array;
        expect(d.raw).toBe(new TextDecoder().decode(bytes));
        checkSpans(d);
        const fromTag = part(d, 'From', 'tag');
        expect(fromTag).toBe(source.engine.index.get(d.row).fromTag || undefined);
        if (d.bodyStart !== null) expect(d.raw.slice(0, d.bodyStart).endsWith('\r\n\r\n') || d.raw.slice(0, d.bodyStart).endsWith('\n\n')).toBe(true);
      }
    });

    it.runIf(haveTshark)('agrees with tshark on the start line, Call-ID, From tag, top Via branch, CSeq and SDP media', () => {
      for (const d of details) {
        const t = reference.get(d.frame) as TsharkRow;
        expect(t, `frame ${d.frame}`).toBeDefined();
        if (t.messages > 1) continue; // several messages in one TCP segment: tshark joins their values
        const where = `frame ${d.frame}`;
        expect(d.startLine, where).toBe(t.startLine);
        expect(d.headers.find((h) => h.canonicalName === 'Call-ID')?.value, where).toBe(t.callId);
        expect(part(d, 'From', 'tag') ?? '', where).toBe(t.fromTag);
        // tshark gives up on a Via whose sent-by is an IPv6 address without brackets (heplify_sip_ipv6_udp; RFC
        // 3261 §25.1 wants brackets), and then has no branch; the index read it.
        if (t.branch !== '') expect(part(d, 'Via', 'branch') ?? '', where).toBe(t.branch.split(',')[0]);
        else expect(part(d, 'Via', 'branch') ?? '', where).toBe(source.engine.index.branchOf(d.row));
        expect(`${part(d, 'CSeq', 'seq')} ${part(d, 'CSeq', 'method')}`, where).toBe(t.cseq);
        expect(d.sdp?.media.map((m) => m.line) ?? [], where).toEqual(t.sdpMedia);
        expect(d.sdp !== null, where).toBe(t.sdp);
        if (d.sdp) expect(d.raw.slice(d.bodyStart ?? 0).startsWith('v=0'), where).toBe(true);
      }
    });

    it('lists the frames, layers, copies, decoder diagnostics and findings of each message', () => {
      const index = source.engine.index;
      const calls = source.calls;
      for (const d of details) {
        const row = messageRow(source, d.row, 0, null, []);
        expect(d.frames).toContain(d.frame);
        expect(d.frame).toBe(row.frame);
        expect(d.source).toBe(row.source);
        expect(d.destination).toBe(row.destination);
        expect(d.encapsulation.length).toBeGreaterThan(1);
        expect(d.encapsulation.some((l) => l === 'udp' || l === 'tcp' || l === 'sctp')).toBe(true);
        // Copies are the other rows carrying the same message: same Call-ID, CSeq and size.
        for (const frame of d.copies) {
          const other = details.find((o) => o.frame === frame && o.row !== d.row && o.raw === d.raw);
          expect(other, `copy of frame ${d.frame} in frame ${frame}`).toBeDefined();
        }
        expect(d.copies.length > 0).toBe(index.copiesOf(d.row).length > 0);
        const decoder = d.notes.filter((n) => n.source === 'decoder');
        expect(decoder.length).toBeGreaterThanOrEqual(index.diagnosticsOf(d.row).length);
        const analysis = d.notes.filter((n) => n.source === 'analysis').map((n) => n.code);
        expect(analysis).toEqual(calls?.findings.filter((f) => f.rows.includes(d.row)).map((f) => f.code));
        // The row's severity is the worst of its notes (the SDP parsed here may add notes of its own).
        const rank = { note: 1, warning: 2, error: 3 } as const;
        const worst = Math.max(0, ...d.notes.map((n) => rank[n.severity]));
        expect(worst).toBeGreaterThanOrEqual(row.severity ? rank[row.severity] : 0);
        expect(d.call).toBe(row.call);
        expect(d.procedure).toBe(row.procedure);
        expect(d.transaction).toBe(calls?.transactionOf[d.row]);
      }
    });
  });
}

describe('view detail: particular messages', () => {
  it('shows the ESP and GTP-U layers around a VoLTE message and the frames of its copies', async () => {
    const capture = captures().find((c) => c.name === 'nokia_51_esp_sip');
    if (!capture) return;
    const source = await load(capture.path);
    const order = Array.from(source.engine.index.frameOrder());
    const details = order.map((row) => messageDetail(source, row));
    const tunnelled = details.filter((d) => d.encapsulation.includes('gtpu'));
    expect(tunnelled.length).toBeGreaterThan(0);
    for (const d of tunnelled) {
      const gtpu = d.outer.find((o) => o.layer === 'gtpu');
      expect(gtpu?.fields.some(([name]) => name === 'gtp.teid')).toBe(true);
    }
    const copied = details.filter((d) => d.copies.length > 0);
    expect(copied.length).toBeGreaterThan(0);
    for (const d of copied) for (const frame of d.copies) expect(details.find((o) => o.frame === frame)?.copies).toContain(d.frame);
  });

  it('maps byte offsets to UTF-16 offsets when the message has non-ASCII text', () => {
    const text = [
      'MESSAGE sip:bob@ims.example SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1',
      'From: "Zoë Ångström 😀" <sip:zoe@ims.example>;tag=a1',
      'To: "Bjørn" <sip:bob@ims.example>',
      'Call-ID: utf8@ims.example',
      'CSeq: 1 MESSAGE',
      // Folded over two lines (RFC 3261 §7.3.1): the value joins them with one space.
      'Subject: café',
      '  ☕',
      'Content-Type: text/plain',
      'Content-Length: 6',
      '',
      'héllo',
    ].join('\r\n');
    const engine = new TraceEngine({ messageFacts: true, keepMessageBytes: true });
    const data = ethernet(0x0800, ipv4(udp(ascii(text), 5060, 5060), { src: '10.0.0.1', dst: '10.0.0.2' }));
    const packet: CapturedPacket = { frame: 1, interfaceId: 0, linkType: LinkType.ETHERNET, tsSec: 1_800_000_000, tsNsec: 0, capturedLength: data.length, originalLength: data.length, dataOffset: 0, data };
    engine.addPacket(packet);
    engine.finish();
    const source: TraceViewSource = { engine, calls: analyzeCalls(engine.index, (row) => engine.facts.get(row)), context: undefined };
    const d = messageDetail(source, 0);
    expect(d.raw).toBe(text);
    checkSpans(d);
    expect(d.raw.slice(d.headers[1].start, d.headers[1].end)).toBe('From: "Zoë Ångström 😀" <sip:zoe@ims.example>;tag=a1');
    expect(d.headers[1].parts).toEqual([
      ['display-name', 'Zoë Ångström 😀'],
      ['uri', 'sip:zoe@ims.example'],
      ['tag', 'a1'],
    ]);
    expect(d.raw.slice(d.bodyStart ?? 0)).toBe('héllo');
    const subject = d.headers.find((h) => h.canonicalName === 'Subject');
    expect(subject?.value).toBe('café ☕');
    expect(d.raw.slice(subject?.start, subject?.end)).toBe('Subject: café\r\n  ☕');
    expect(messageRow(source, 0, 0, null, ['Subject', 'f']).custom).toEqual(['café ☕', '"Zoë Ångström 😀" <sip:zoe@ims.example>;tag=a1']);
  });

  it('says which message is missing for a row outside the trace', async () => {
    const [capture] = captures();
    const source = await load(capture.path);
    const count = source.engine.index.count;
    for (const row of [-1, count, 1.5, Number.NaN]) expect(() => messageDetail(source, row)).toThrow(/is not in the trace \(messages are 0\.\./);
  });
});
