/**
 * What the reference tooltips and the Reference view show, derived from the runtime-free reference base in
 * src/core/reference (the same entries as `sipscope explain`): resolving a hovered term to its entry,
 * browsing and searching the base by kind, and the display filter that finds an entry's term in the open
 * trace ("show the 183s in this trace"). Pure functions, no DOM.
 */
import { explain, lookupHeader, lookupMethod, lookupResponse, REFERENCE_ENTRIES } from '../../../core/reference/explain.js';
import type { ReferenceEntry, ReferenceKind } from '../../../core/reference/types.js';

export type { ReferenceEntry, ReferenceKind };

/** The kinds the Reference view browses, in tab order, with the tab's name. */
export const REFERENCE_TABS: readonly { kind: ReferenceKind; label: string }[] = [
  { kind: 'method', label: 'Requests' },
  { kind: 'response', label: 'Responses' },
  { kind: 'header', label: 'Headers' },
  { kind: 'option-tag', label: 'Option tags' },
  { kind: 'feature-tag', label: 'Feature tags' },
  { kind: 'sdp-attribute', label: 'SDP' },
  { kind: 'procedure', label: 'Procedures' },
];

/** RFC 3261 §25.1 `token`: what a method or header name is made of. */
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

const KINDS = new Set<string>(REFERENCE_TABS.map((tab) => tab.kind));

export function isReferenceKind(kind: string): kind is ReferenceKind {
  return KINDS.has(kind);
}

/** A stable identity for an entry (keys repeat across kinds: `199` is a response code and an option tag). */
export function entryId(entry: Pick<ReferenceEntry, 'kind' | 'key'>): string {
  return `${entry.kind}:${entry.key}`;
}

/**
 * The entry for a term shown in the UI. Methods, codes and headers always get one (a generic entry by class
 * for what the base does not know, as `sipscope explain` does); other kinds take explain()'s match of that
 * kind, then any match, then a placeholder that says the base has no entry (e.g. the `other` procedure).
 */
export function entryFor(kind: string, term: string): ReferenceEntry {
  const text = term.trim();
  switch (kind) {
    case 'method':
      // The request line's method token: case-sensitive (RFC 3261 §7.1).
      if (TOKEN.test(text)) return lookupMethod(text);
      break;
    case 'response': {
      // '183', '183 Session Progress', '4xx'.
      const code = /^(\d{1,9})(?:\s|$)/.exec(text);
      if (code) return lookupResponse(Number(code[1]));
      break;
    }
    case 'header':
      // 'Require:' as written in a header line.
      if (text.replace(/:$/, '') !== '') return lookupHeader(text.replace(/:$/, ''));
      break;
  }
  // explain() reads digits as a status code; '199' asked as an option tag is the tag.
  const lower = text.toLowerCase();
  const exact = REFERENCE_ENTRIES.find((entry) => entry.kind === kind && entry.key.toLowerCase() === lower);
  if (exact) return exact;
  const found = explain(text);
  return found.find((entry) => entry.kind === kind) ?? found[0] ?? unknownEntry(kind, text);
}

function unknownEntry(kind: string, term: string): ReferenceEntry {
  return {
    kind: isReferenceKind(kind) ? kind : 'header',
    key: term,
    title: term === '' ? '(empty)' : term,
    summary: 'The reference base has no entry for this term.',
    sources: [],
    generic: true,
  };
}

/** Resolves a see-also key (each one `explain()` resolves) to its entry, or null. */
export function seeAlsoEntry(key: string): ReferenceEntry | null {
  return explain(key)[0] ?? null;
}

/** The entries of one kind, in the base's order (codes ascending, then the class entries 1xx…6xx). */
export function entriesOfKind(kind: ReferenceKind): ReferenceEntry[] {
  return REFERENCE_ENTRIES.filter((entry) => entry.kind === kind);
}

/**
 * The entries of `kind` matching a search, best first: key equal, key prefix, alias equal, title word
 * prefix, then anywhere in key, aliases, title or summary (all case-insensitive). An empty search keeps
 * every entry in the base's order.
 */
export function searchEntries(kind: ReferenceKind, query: string): ReferenceEntry[] {
  const entries = entriesOfKind(kind);
  const q = query.trim().toLowerCase();
  if (q === '') return entries;
  const scored: { entry: ReferenceEntry; score: number; order: number }[] = [];
  entries.forEach((entry, order) => {
    const score = matchScore(entry, q);
    if (score > 0) scored.push({ entry, score, order });
  });
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.map((s) => s.entry);
}

function matchScore(entry: ReferenceEntry, q: string): number {
  const key = entry.key.toLowerCase();
  const aliases = (entry.aliases ?? []).map((a) => a.toLowerCase());
  const title = entry.title.toLowerCase();
  // 'curr' finds a=curr, 'call setup' finds call-setup.
  const bareKey = key.replace(/^[ab]=/, '');
  if (key === q || bareKey === q || key.replace(/-/g, ' ') === q) return 6;
  if (aliases.includes(q)) return 5;
  if (key.startsWith(q) || bareKey.startsWith(q)) return 4;
  if (title.split(/[\s()/-]+/).some((word) => word.startsWith(q))) return 3;
  if (key.includes(q) || title.includes(q) || aliases.some((a) => a.includes(q))) return 2;
  if (entry.summary.toLowerCase().includes(q) || (entry.ims ?? '').toLowerCase().includes(q)) return 1;
  return 0;
}

/**
 * The tab a search should show: the current one while it holds a match as good as any other tab's best
 * (so typing does not jump around), else the tab with the best match ('curr' goes to SDP for a=curr, even
 * though some request's summary mentions "current"). Tabs without a match never win.
 */
export function tabForSearch(query: string, current: ReferenceKind): ReferenceKind {
  const q = query.trim().toLowerCase();
  if (q === '') return current;
  const best = (kind: ReferenceKind) => entriesOfKind(kind).reduce((max, entry) => Math.max(max, matchScore(entry, q)), 0);
  let winner = current;
  let winnerScore = best(current);
  for (const tab of REFERENCE_TABS) {
    const score = best(tab.kind);
    if (score > winnerScore) {
      winner = tab.kind;
      winnerScore = score;
    }
  }
  return winner;
}

/** How many entries of each kind match a search (the tabs show it). */
export function matchCounts(query: string): Record<ReferenceKind, number> {
  const counts = {} as Record<ReferenceKind, number>;
  for (const tab of REFERENCE_TABS) counts[tab.kind] = searchEntries(tab.kind, query).length;
  return counts;
}

/** A display-filter string literal (wireshark-filter(4): double quotes, backslash escapes). */
export function filterString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The display filter that finds an entry's term in the trace, or null when no field can express it. Each
 * uses a field of the filter language (src/core/filter/registry.ts; `sipscope fields`):
 * - method: `sip.Method == "INVITE"`; response code: `sip.Status-Code == 183`, a class `>= 400 && <= 499`;
 * - header: `sip.header["Name"]`, which exists for any header name and matches its compact form too;
 * - option tag: in Require, Proxy-Require or Supported (RFC 3261 §20.32, §20.29, §20.37);
 * - feature tag: in Contact, Accept-Contact or Feature-Caps (RFC 3840 §9, RFC 3841 §9.2, RFC 6809 §6);
 * - SDP: `a=` lines by attribute name (sdp.attribute is the text after `a=`), `b=` by modifier, a codec by
 *   its rtpmap encoding name (`rtpmap:97 AMR-WB/16000/1`, RFC 4566 §6);
 * - procedure: `ims.procedure == "registration"`.
 */
export function filterForEntry(entry: ReferenceEntry): string | null {
  const key = entry.key;
  switch (entry.kind) {
    case 'method':
      return `sip.Method == ${filterString(key)}`;
    case 'response': {
      const cls = /^([1-6])xx$/.exec(key);
      if (cls) return `sip.Status-Code >= ${cls[1]}00 && sip.Status-Code <= ${cls[1]}99`;
      return /^\d{3}$/.test(key) ? `sip.Status-Code == ${Number(key)}` : null;
    }
    case 'header':
      // The filter refuses a name that is not a token (RFC 3261 §25.1), as no header can have it.
      return TOKEN.test(key) ? `sip.header[${filterString(key)}]` : null;
    case 'option-tag': {
      const tag = filterString(key);
      return `sip.Require contains ${tag} || sip.Proxy-Require contains ${tag} || sip.Supported contains ${tag}`;
    }
    case 'feature-tag': {
      const tag = filterString(key);
      return `sip.Contact contains ${tag} || sip.Accept-Contact contains ${tag} || sip.Feature-Caps contains ${tag}`;
    }
    case 'sdp-attribute': {
      const line = /^([ab])=(.+)$/.exec(key);
      if (line && line[1] === 'a') {
        const name = line[2];
        // a=sendrecv has no value; a=curr:qos… has one after the colon.
        return `sdp.attribute == ${filterString(name)} || sdp.attribute matches ${filterString(`^${escapeRegex(name)}:`)}`;
      }
      if (line) return `sdp.bandwidth.modifier == ${filterString(line[2])}`;
      // A codec ('AMR-WB', 'telephone-event'): the encoding name of an rtpmap line (RFC 4566 §6); `matches`
      // ignores case, as encoding names do.
      return `sdp.attribute matches ${filterString(`^rtpmap:[0-9]+ ${escapeRegex(key)}/`)}`;
    }
    case 'procedure':
      return `ims.procedure == ${filterString(key)}`;
  }
  return null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const KIND_LABELS: Record<ReferenceKind, string> = {
  method: 'SIP request',
  response: 'SIP response',
  header: 'SIP header',
  'option-tag': 'Option tag',
  'feature-tag': 'Feature tag',
  'sdp-attribute': 'SDP',
  procedure: 'IMS procedure',
};

/** `SIP request`, `SIP header`…: what kind of term an entry is, in a few words. */
export function kindLabel(kind: string): string {
  return isReferenceKind(kind) ? KIND_LABELS[kind] : kind;
}

/** `RFC 3261 §21.1.5`. */
export function sourceText(source: { spec: string; section?: string }): string {
  return source.section ? `${source.spec} ${source.section}` : source.spec;
}
