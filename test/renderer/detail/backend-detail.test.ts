/**
 * The detail pane's derivations on what the back end really sends: every message of the real captures run
 * through the engine and `messageDetail` (src/core/view/detail.ts) as `getMessage` answers, and what the pane
 * makes of it checked against the message text itself. This is the contract between the two halves: offsets
 * that land on their header, SDP lines found in the body, preconditions the pane can read, outer-layer fields
 * that find their layer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { messageDetail } from '../../../src/core/view/trace-view.js';
import {
  encapsulationView,
  headerTree,
  headerValueTokens,
  notesView,
  sdpLineSpans,
  sdpView,
  selectionAt,
  selectionSpan,
  splitRaw,
  startLineTokens,
  visibleText,
} from '../../../src/renderer/src/detail/detail-model.js';
import type { MessageDetail } from '../../../src/shared/api.js';
import { captures, load } from '../../core/view/view-helpers.js';

for (const capture of captures()) {
  describe(`detail pane on ${capture.name}`, () => {
    let details: MessageDetail[];
    beforeAll(async () => {
      const source = await load(capture.path);
      details = Array.from(source.engine.index.frameOrder(), (row) => messageDetail(source, row));
    });

    it('highlights exactly each header line, and a click on it selects that header back', () => {
      expect(details.length).toBeGreaterThan(0);
      for (const d of details) {
        const tree = headerTree(d.headers);
        for (const node of tree) {
          const selection = { kind: 'header' as const, term: node.term, occurrence: node.occurrence };
          const parts = splitRaw(d.raw, selectionSpan(d, tree, selection));
          expect(parts.selected.startsWith(`${node.name}:`) || parts.selected.startsWith(`${node.name} `), `frame ${d.frame} ${node.name}`).toBe(true);
          expect(parts.before + parts.selected + parts.after).toBe(d.raw);
          expect(selectionAt(d, tree, node.start + 1), `frame ${d.frame} ${node.name}`).toEqual(selection);
          expect(headerValueTokens(node).map((t) => t.text).join('')).toBe(node.value);
        }
      }
    });

    it('finds the method or status code in every start line', () => {
      for (const d of details) {
        const tokens = startLineTokens(d);
        expect(tokens.map((t) => t.text).join(''), `frame ${d.frame}`).toBe(d.startLine);
        const refs = tokens.flatMap((t) => ('ref' in t ? [t.ref] : []));
        expect(refs, `frame ${d.frame}: ${d.startLine}`).toEqual(d.method !== null ? [{ kind: 'method', term: d.method }] : [{ kind: 'response', term: String(d.status) }]);
      }
    });

    it('finds every SDP line in the body and reads every precondition', () => {
      for (const d of details.filter((x) => x.sdp !== null)) {
        const spans = sdpLineSpans(d)!;
        const all = [...spans.session, ...spans.media.flatMap((m) => [m.line, ...m.lines])];
        expect(all.every((span) => span !== null && span.start >= d.bodyStart!), `frame ${d.frame}`).toBe(true);
        for (const media of sdpView(d.sdp!).media) {
          for (const p of media.preconditions) expect(p.ok, `frame ${d.frame} a=${p.text}`).toBe(true);
        }
      }
    });

    it('puts each outer layer’s fields on a layer of the stack', () => {
      for (const d of details) {
        const layers = encapsulationView(d);
        expect(layers.map((l) => l.name), `frame ${d.frame}`).toEqual(d.encapsulation);
        expect(layers.filter((l) => l.fields.length > 0).length).toBe(d.outer.filter((o) => o.fields.length > 0).length);
      }
    });

    it('groups every note', () => {
      for (const d of details) {
        const view = notesView(d.notes);
        expect(view.groups.flatMap((g) => g.notes).length).toBe(d.notes.length);
        expect(visibleText(d.raw).length).toBe(d.raw.length);
      }
    });
  });
}
