/**
 * The JSON export of sample-ims (every call, annotated, and a filtered report that leaves a noted message out):
 * it round-trips through JSON.parse to the report, and every object has exactly the fields docs/export-json.md
 * documents for it, so the documentation and the code cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonReport } from '../../../src/core/export/json.js';
import type { Report } from '../../../src/core/export/report-input.js';
import type { TraceViewSource } from '../../../src/core/view/trace-view.js';
import { repoRoot } from '../../helpers/paths.js';
import { load } from '../view/view-helpers.js';
import { annotate, reportOf } from './export-helpers.js';

/** `path → fields` from the doc's `### \`path\`` sections and their `| \`field\` |` table rows. */
function documentedFields(): Map<string, string[]> {
  const doc = readFileSync(join(repoRoot, 'docs/export-json.md'), 'utf8');
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of doc.split('\n')) {
    const heading = /^### `([^`]+)`$/.exec(line);
    if (heading) {
      current = [];
      sections.set(heading[1], current);
      continue;
    }
    const row = /^\| `([A-Za-z]+)` \|/.exec(line);
    if (row && current) current.push(row[1]);
  }
  return sections;
}

/** Every object at `path` (`calls[]`, `ladder.arrows[]`, `(top level)`) in a parsed document. */
function objectsAt(document: unknown, path: string): Record<string, unknown>[] {
  let values: unknown[] = [document];
  if (path === '(top level)') return values as Record<string, unknown>[];
  for (const part of path.split('.')) {
    const name = part.replace(/\[\]$/, '');
    values = values.map((v) => (v as Record<string, unknown>)[name]);
    if (part.endsWith('[]')) values = values.flatMap((v) => v as unknown[]);
  }
  return values as Record<string, unknown>[];
}

describe('JSON report (sample-ims)', () => {
  let source: TraceViewSource;
  let full: Report;
  let filtered: Report;
  beforeAll(async () => {
    source = await load(join(repoRoot, 'resources/sample-ims.pcap'));
    const calls = source.calls?.calls ?? [];
    const noted = calls.flatMap((c) => [c.rows[0], c.rows[c.rows.length - 1]]);
    const annotations = annotate(source, noted, calls.map((c) => c.callId), { '10.20.0.30:5060': 'S-CSCF' });
    full = reportOf(source, calls.map((c) => c.index), annotations);
    // Requests only: the noted final responses are left out and must show up in notes.elsewhere.
    const requests = calls.flatMap((c) => c.rows.filter((row) => source.engine.index.isRequest(row)));
    filtered = reportOf(source, calls.map((c) => c.index), annotations, requests);
  });

  it('round-trips through JSON.parse to the report', () => {
    for (const report of [full, filtered]) {
      const parsed = JSON.parse(jsonReport(report)) as Record<string, unknown>;
      expect(parsed).toEqual({ schema: 'sipscope-report', ...JSON.parse(JSON.stringify(report)) });
    }
  });

  it('has exactly the documented fields on every object', () => {
    const documented = documentedFields();
    expect([...documented.keys()]).toEqual(
      expect.arrayContaining(['(top level)', 'calls[]', 'ladder.arrows[]', 'messages[]', 'notes.messages[]', 'notes.elsewhere[]', 'statistics', 'findings[]']),
    );
    for (const report of [full, filtered]) {
      const parsed = JSON.parse(jsonReport(report)) as unknown;
      for (const [path, fields] of documented) {
        const objects = objectsAt(parsed, path);
        if (report === filtered) expect(objects.length, path).toBeGreaterThan(0);
        for (const object of objects) expect(Object.keys(object).sort(), path).toEqual([...fields].sort());
      }
    }
  });

  it('resolves notes to arrows and keeps those of filtered-out messages', () => {
    expect(full.notes.messages.length).toBe(2 * full.calls.length);
    expect(full.notes.elsewhere).toEqual([]);
    for (const note of full.notes.messages) {
      expect(full.ladder.arrows[note.arrow].row).toBe(note.row);
      expect(full.ladder.arrows[note.arrow].annotation).toEqual({ note: note.note, tag: note.tag });
      expect(full.messages[note.arrow].annotation).toEqual({ note: note.note, tag: note.tag });
    }
    expect(filtered.ladder.arrows.every((a) => a.method !== null)).toBe(true);
    expect(filtered.notes.messages.length + filtered.notes.elsewhere.length).toBe(full.notes.messages.length);
    expect(filtered.notes.elsewhere.length).toBeGreaterThan(0);
    for (const note of filtered.notes.elsewhere) expect(full.notes.messages.find((n) => n.frame === note.frame && n.kind === note.kind)?.kind).toMatch(/^\d{3}$/);
    // Bands of the filtered ladder still point at its own arrows, hosts only at hosts it uses.
    for (const band of filtered.ladder.bands) expect(band.lastArrow).toBeLessThan(filtered.ladder.arrows.length);
    const used = new Set(filtered.ladder.arrows.flatMap((a) => [a.from, a.to]));
    expect(used.size).toBe(filtered.ladder.hosts.length);
    expect(full.aliases).toEqual({ '10.20.0.30:5060': 'S-CSCF' });
    expect(full.hosts.find((h) => h.address === '10.20.0.30:5060')?.alias).toBe('S-CSCF');
  });
});
