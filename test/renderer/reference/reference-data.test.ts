/**
 * The Reference view's derivations: resolving hovered terms to entries, searching the base, and the display
 * filter behind "show … in this trace" — which must compile for every entry of the base and find the term in
 * a real trace.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_ENTRIES } from '../../../src/core/reference/explain.js';
import { compileDisplayFilter } from '../../../src/core/filter/filter.js';
import {
  entriesOfKind,
  entryFor,
  entryId,
  filterForEntry,
  filterString,
  kindLabel,
  matchCounts,
  REFERENCE_TABS,
  searchEntries,
  seeAlsoEntry,
  sourceText,
  tabForSearch,
} from '../../../src/renderer/src/reference/reference-data.js';
import { repoRoot } from '../../helpers/paths.js';

describe('entryFor', () => {
  it('resolves methods case-sensitively, with a generic entry for extension methods', () => {
    expect(entryFor('method', 'PRACK')).toMatchObject({ kind: 'method', key: 'PRACK' });
    expect(entryFor('method', 'invite')).toMatchObject({ kind: 'method', key: 'invite', generic: true });
  });

  it('resolves a response from its code, a status text or a class', () => {
    expect(entryFor('response', '183')).toMatchObject({ key: '183', title: 'Session Progress' });
    expect(entryFor('response', '486 Busy Here').key).toBe('486');
    expect(entryFor('response', '299')).toMatchObject({ key: '299', generic: true });
    expect(entryFor('response', '4xx').key).toBe('4xx');
  });

  it('resolves headers in any case, compact forms and a trailing colon', () => {
    expect(entryFor('header', 'p-access-network-info').key).toBe('P-Access-Network-Info');
    expect(entryFor('header', 'i').key).toBe('Call-ID');
    expect(entryFor('header', 'Require:').key).toBe('Require');
    expect(entryFor('header', 'X-Vendor-Thing')).toMatchObject({ kind: 'header', generic: true });
  });

  it('prefers the asked kind when a key exists in several (199 is a code and an option tag)', () => {
    expect(entryFor('option-tag', '199').kind).toBe('option-tag');
    expect(entryFor('response', '199').kind).toBe('response');
  });

  it('resolves SDP lines, procedures and feature tags through explain()', () => {
    expect(entryFor('sdp-attribute', 'a=curr:qos local none').key).toBe('a=curr');
    expect(entryFor('procedure', 'call-setup').kind).toBe('procedure');
    expect(entryFor('option-tag', '+g.3gpp.icsi-ref').kind).toBe('feature-tag');
    // A see-also link carries no kind.
    expect(entryFor('', 'Security-Client').kind).toBe('header');
  });

  it('gives a placeholder, not an exception, for a term the base does not know', () => {
    const other = entryFor('procedure', 'other');
    expect(other).toMatchObject({ kind: 'procedure', key: 'other', generic: true, sources: [] });
    expect(entryFor('sdp-attribute', '').title).toBe('(empty)');
  });
});

describe('browsing and searching', () => {
  it('has a tab for every kind in the base, and every entry lands in one tab', () => {
    const tabbed = REFERENCE_TABS.flatMap((tab) => entriesOfKind(tab.kind));
    expect(tabbed).toHaveLength(REFERENCE_ENTRIES.length);
    expect(entriesOfKind('procedure').map((e) => e.key)).toContain('registration');
  });

  it('entry ids are unique across the base', () => {
    const ids = REFERENCE_ENTRIES.map(entryId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('an empty search keeps every entry in base order', () => {
    expect(searchEntries('method', '  ')).toEqual(entriesOfKind('method'));
  });

  it('ranks an exact key first, then key prefixes, then titles, then summaries', () => {
    const responses = searchEntries('response', '18').map((e) => e.key);
    expect(responses.slice(0, 4)).toEqual(['180', '181', '182', '183']);
    expect(searchEntries('header', 'via')[0].key).toBe('Via');
    expect(searchEntries('response', 'busy')[0].key).toBe('486');
    expect(searchEntries('sdp-attribute', 'curr')[0].key).toBe('a=curr');
    expect(searchEntries('procedure', 'call setup')[0].key).toBe('call-setup');
    // Compact form (an alias).
    expect(searchEntries('header', 'i')[0].key).toBe('Call-ID');
    // Only in a summary: found, but after everything matched by name.
    const prack = searchEntries('method', 'reliable').map((e) => e.key);
    expect(prack).toContain('PRACK');
    expect(searchEntries('method', 'zzzz-no-such-thing')).toEqual([]);
  });

  it('moves the search to the tab with the best match, staying while the current one is as good', () => {
    expect(tabForSearch('curr', 'method')).toBe('sdp-attribute');
    expect(tabForSearch('486', 'method')).toBe('response');
    expect(tabForSearch('call setup', 'response')).toBe('procedure');
    expect(tabForSearch('+g.3gpp.icsi', 'header')).toBe('feature-tag');
    // 'INVITE' is a method key; the tab stays on Requests rather than jumping to a summary mention.
    expect(tabForSearch('INVITE', 'method')).toBe('method');
    expect(tabForSearch('zzzz-nothing', 'header')).toBe('header');
    expect(tabForSearch('', 'procedure')).toBe('procedure');
  });

  it('counts matches per tab', () => {
    const counts = matchCounts('PRACK');
    expect(counts.method).toBeGreaterThanOrEqual(1);
    expect(counts['feature-tag']).toBe(0);
    expect(Object.keys(counts).sort()).toEqual(REFERENCE_TABS.map((t) => t.kind).sort());
  });

  it('resolves every see-also key of the base', () => {
    for (const entry of REFERENCE_ENTRIES) {
      for (const key of entry.seeAlso ?? []) expect(seeAlsoEntry(key), `${entry.key} → ${key}`).not.toBeNull();
    }
  });

  it('labels kinds and sources', () => {
    expect(kindLabel('header')).toBe('SIP header');
    expect(kindLabel('weird')).toBe('weird');
    expect(sourceText({ spec: 'RFC 3261', section: '§21.1.5' })).toBe('RFC 3261 §21.1.5');
    expect(sourceText({ spec: '3GPP TS 33.203' })).toBe('3GPP TS 33.203');
  });
});

describe('filterForEntry', () => {
  it('writes the filter each kind needs', () => {
    expect(filterForEntry(entryFor('method', 'INVITE'))).toBe('sip.Method == "INVITE"');
    expect(filterForEntry(entryFor('response', '183'))).toBe('sip.Status-Code == 183');
    expect(filterForEntry(entryFor('response', '4xx'))).toBe('sip.Status-Code >= 400 && sip.Status-Code <= 499');
    expect(filterForEntry(entryFor('header', 'P-Access-Network-Info'))).toBe('sip.header["P-Access-Network-Info"]');
    expect(filterForEntry(entryFor('procedure', 'registration'))).toBe('ims.procedure == "registration"');
    expect(filterForEntry(entryFor('sdp-attribute', 'b=AS'))).toBe('sdp.bandwidth.modifier == "AS"');
    expect(filterForEntry(entryFor('sdp-attribute', 'a=sendrecv'))).toBe('sdp.attribute == "sendrecv" || sdp.attribute matches "^sendrecv:"');
  });

  it('escapes quotes and backslashes in string literals', () => {
    expect(filterString('a"b\\c')).toBe('"a\\"b\\\\c"');
    const odd = filterForEntry({ kind: 'option-tag', key: 'x"y', title: '', summary: '', sources: [] });
    expect(odd).toBe('sip.Require contains "x\\"y" || sip.Proxy-Require contains "x\\"y" || sip.Supported contains "x\\"y"');
    expect(compileDisplayFilter(odd!).error).toBeUndefined();
  });

  it('has no filter for a header name no header can have (not a token)', () => {
    expect(filterForEntry(entryFor('header', 'X "odd"'))).toBeNull();
  });

  it('compiles for every entry of the base, and for generic entries', () => {
    const entries = [...REFERENCE_ENTRIES, entryFor('method', 'FOO'), entryFor('response', '299'), entryFor('header', 'X-Custom'), entryFor('header', 'q')];
    for (const entry of entries) {
      const filter = filterForEntry(entry);
      expect(filter, entryId(entry)).not.toBeNull();
      const compiled = compileDisplayFilter(filter!);
      expect(compiled.error, `${entryId(entry)}: ${filter}`).toBeUndefined();
    }
  });

  it('has no filter for an invalid status code', () => {
    expect(filterForEntry(entryFor('response', '99999'))).toBeNull();
  });

  it('finds the terms in the sample VoLTE trace (the CLI applies the same filter language)', () => {
    const expected: [string, string, number][] = [
      ['response', '183', 3],
      ['header', 'P-Access-Network-Info', 9],
      ['sdp-attribute', 'a=curr', 12],
      ['sdp-attribute', 'AMR-WB', 12],
      ['option-tag', '100rel', 6],
      ['procedure', 'call-setup', 30],
    ];
    for (const [kind, term, count] of expected) {
      const filter = filterForEntry(entryFor(kind, term))!;
      const run = spawnSync(process.execPath, [join(repoRoot, 'bin/sipscope.js'), 'analyze', join(repoRoot, 'resources/sample-volte.pcap'), '--filter', filter, '--summary'], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout, filter).toContain(`Filter:      ${count} of 36 messages match`);
    }
  });
});
