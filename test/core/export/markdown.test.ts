/**
 * The Markdown report of sample-ims's VoLTE call: the text ladder draws each message as an arrow from its
 * sender's lifeline to its receiver's (read back from the text), with its frame and its note on its line; the
 * notes, findings and KPIs follow as lists and tables.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { markdownReport, textLadder } from '../../../src/core/export/markdown.js';
import type { Report } from '../../../src/core/export/report-input.js';
import { repoRoot } from '../../helpers/paths.js';
import { load } from '../view/view-helpers.js';
import { annotate, reportOf, saveResult } from './export-helpers.js';

describe('Markdown report (sample-ims VoLTE call)', () => {
  let report: Report;
  beforeAll(async () => {
    const source = await load(join(repoRoot, 'resources/sample-ims.pcap'));
    const call = (source.calls?.calls ?? []).find((c) => c.procedures.some((p) => source.calls?.procedures[p].group === 'call-setup'));
    if (!call) throw new Error('no call set-up in sample-ims');
    report = reportOf(source, [call.index], annotate(source, [call.rows[2], call.rows[20]], [call.callId], { '[2001:db8:a::11]:5060': 'UE-A' }));
  });

  it('draws every message as an arrow between the lifelines of its hosts', () => {
    const lines = textLadder(report).split('\n');
    // The first line of lifelines: one `|` per host, in column order.
    const lifelineRow = lines.find((l) => /^\s*\|/.test(l));
    if (!lifelineRow) throw new Error('no lifelines');
    const centres = [...lifelineRow].flatMap((c, i) => (c === '|' ? [i] : []));
    expect(centres).toHaveLength(report.hosts.length);
    const arrowLines = lines.filter((l) => /#\d+/.test(l));
    expect(arrowLines).toHaveLength(report.ladder.arrows.length);
    report.ladder.arrows.forEach((arrow, i) => {
      const line = arrowLines[i];
      expect(line).toContain(`#${arrow.frame}`);
      const from = centres[arrow.from];
      const to = centres[arrow.to];
      if (from === to) {
        expect(line.slice(from, from + 4)).toBe("|<-'");
        return;
      }
      // The head next to the receiver's lifeline, the shaft from the sender's.
      if (to > from) {
        expect(line[to - 1], line).toBe('>');
        expect(line[from + 1], line).toMatch(/[-=]/);
      } else {
        expect(line[to + 1], line).toBe('<');
        expect(line[from - 1], line).toMatch(/[-=]/);
      }
      // Two characters of shaft at each end, whatever the label: dashes, or `=` for a retransmission.
      const shaft = arrow.retransmission ? '=' : '-';
      expect(line[Math.min(from, to) + 2], line).toBe(shaft);
      expect(line[Math.max(from, to) - 2], line).toBe(shaft);
      // The label (cut to the span when long) sits on the arrow.
      expect(line.slice(Math.min(from, to), Math.max(from, to))).toContain(arrow.label.slice(0, Math.min(6, arrow.label.length)));
    });
    for (const note of report.notes.messages) expect(arrowLines[note.arrow]).toContain(`<-- [root cause] note on row`);
  });

  it('lists notes, findings, KPIs and procedures', () => {
    const md = markdownReport(report);
    saveResult('report.md', md);
    expect(md).toContain('## Notes');
    expect(md).toContain('**Call ');
    expect(md).toMatch(/\*\*\\\[expected\\\]\*\* call note of/);
    expect(md).toContain('## KPIs');
    expect(md).toContain('| ASR |');
    expect(md).toContain('## Procedures');
    expect(md).toMatch(/\| call-setup \| success \| 200 \|/);
    // The PDD the calls view computes for this call (resources/README.md: 141 ms).
    expect(md).toContain('141 ms');
  });
});
