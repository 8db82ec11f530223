/**
 * Looking terms up in the reference base: `explain('183')`, `explain('PRACK')`, `explain('i')` (Call-ID),
 * `explain('a=curr:qos local sendrecv')`, `explain('registration')`. Every method, code and header asked for by
 * name gets an answer: terms the base does not know get a generic entry by class, marked `generic`.
 */
import { HEADER_ENTRIES } from './headers.js';
import { METHOD_ENTRIES } from './methods.js';
import { FEATURE_TAG_ENTRIES, OPTION_TAG_ENTRIES } from './option-tags.js';
import { PROCEDURE_ENTRIES } from './procedures.js';
import { genericResponse, RESPONSE_CLASSES, RESPONSE_ENTRIES } from './responses.js';
import { SDP_ENTRIES } from './sdp-attributes.js';
import { rfc, type ReferenceEntry } from './types.js';

/** One entry per response class, for `explain('4xx')` (RFC 3261 §7.2, §21). */
const CLASS_ENTRIES: readonly ReferenceEntry[] = Object.entries(RESPONSE_CLASSES).map(([digit, info]) => ({
  kind: 'response',
  key: `${digit}xx`,
  title: `${digit}xx ${info.name}`,
  summary: info.summary,
  sources: [rfc(3261, info.section)],
  seeAlso: [`${digit}00`],
}));

/** Every entry of the base, in the order explain() lists matches: responses, methods, headers, tags, SDP, procedures. */
export const REFERENCE_ENTRIES: readonly ReferenceEntry[] = [
  ...RESPONSE_ENTRIES,
  ...CLASS_ENTRIES,
  ...METHOD_ENTRIES,
  ...HEADER_ENTRIES,
  ...OPTION_TAG_ENTRIES,
  ...FEATURE_TAG_ENTRIES,
  ...SDP_ENTRIES,
  ...PROCEDURE_ENTRIES,
];

const byKey = new Map<string, ReferenceEntry[]>();
const byAlias = new Map<string, ReferenceEntry[]>();
const byTitle = new Map<string, ReferenceEntry[]>();

function add(map: Map<string, ReferenceEntry[]>, name: string, entry: ReferenceEntry): void {
  const list = map.get(name);
  if (!list) map.set(name, [entry]);
  else if (!list.includes(entry)) list.push(entry);
}

for (const entry of REFERENCE_ENTRIES) {
  const key = entry.key.toLowerCase();
  add(byKey, key, entry);
  for (const alias of entry.aliases ?? []) add(byAlias, alias.toLowerCase(), entry);
  // 'curr' finds a=curr, 'AS' finds b=AS, 'call setup' finds call-setup.
  if (entry.kind === 'sdp-attribute' && /^[ab]=/.test(key)) add(byAlias, key.slice(2), entry);
  if (entry.kind === 'procedure') add(byAlias, key.replace(/-/g, ' '), entry);
  add(byTitle, entry.title.toLowerCase(), entry);
}

const methodsByName = new Map(METHOD_ENTRIES.map((e) => [e.key, e]));
const responsesByCode = new Map(RESPONSE_ENTRIES.map((e) => [Number(e.key), e]));
const headersByName = new Map<string, ReferenceEntry>();
for (const entry of HEADER_ENTRIES) {
  headersByName.set(entry.key.toLowerCase(), entry);
  for (const alias of entry.aliases ?? []) headersByName.set(alias.toLowerCase(), entry);
}

/** RFC 3261 §25.1 `token`: the characters a method or header name may use. */
const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

/**
 * The entry of a method as it appears in a request line. Methods are case-sensitive (RFC 3261 §7.1), so
 * `invite` is an extension method, not INVITE. Unknown methods get a generic "extension method" entry.
 */
export function lookupMethod(name: string): ReferenceEntry {
  return methodsByName.get(name) ?? genericMethod(name);
}

/** The entry of a status code: the registered code, else a generic entry by class, else a generic "invalid". */
export function lookupResponse(code: number): ReferenceEntry {
  return responsesByCode.get(code) ?? genericResponse(code);
}

/** The entry of a header field: any case, compact forms resolved (`i` → Call-ID); unknown → generic entry. */
export function lookupHeader(name: string): ReferenceEntry {
  return headersByName.get(name.trim().toLowerCase()) ?? genericHeader(name.trim());
}

export function genericMethod(name: string): ReferenceEntry {
  return {
    kind: 'method',
    key: name,
    title: `Extension method ${name}`,
    summary:
      `${name} is not in the IANA method registry (methods are case-sensitive). A user agent that does not support a method answers 501 Not Implemented (or 405 if it knows it but does not allow it here); proxies forward unknown methods like any non-INVITE request.`,
    sources: [rfc(3261, '§8.2.1'), rfc(3261, '§16.6'), rfc(3261, '§27.4')],
    seeAlso: ['501', '405', 'Allow'],
    generic: true,
  };
}

export function genericHeader(name: string): ReferenceEntry {
  const compact = name.length === 1;
  return {
    kind: 'header',
    key: name,
    title: compact ? `Unknown compact form ${name}` : `Extension header ${name}`,
    summary: compact
      ? `No header field has "${name}" as its compact form in the IANA registry. Receivers ignore header fields they do not understand.`
      : `${name} is not in this reference base: an extension, vendor-specific or private header. Proxies pass header fields they do not understand unchanged and user agents ignore them, unless an option tag in Require makes the extension mandatory.`,
    sources: [rfc(3261, '§7.3'), rfc(3261, '§8.2.2'), rfc(3261, '§27.3')],
    generic: true,
  };
}

function matches(map: Map<string, ReferenceEntry[]>, name: string): ReferenceEntry[] {
  return map.get(name) ?? [];
}

/**
 * All entries for a term: a status code ('183', '299' → generic 2xx, '4xx'), a status line ('SIP/2.0 486 Busy
 * Here'), a method ('PRACK', any case), a header ('p-access-network-info', compact 'i', 'Require:'), an option
 * or feature tag ('100rel', '+g.3gpp.icsi-ref'), an SDP line ('a=des', 'a=curr:qos local sendrecv', 'AMR-WB',
 * 'mode-set'), a procedure ('registration', 'call setup') or a title ('Busy Here'). Unknown upper-case tokens
 * get the generic method entry, unknown hyphenated names and single letters the generic header entry; anything
 * else unknown gives [].
 */
export function explain(term: string): ReferenceEntry[] {
  let text = term.trim();
  if (text === '') return [];
  const statusLine = /^SIP\/2\.0\s+(\d{3})\b/i.exec(text);
  if (statusLine) return [lookupResponse(Number(statusLine[1]))];
  if (/^\d{1,9}$/.test(text)) return [lookupResponse(Number(text))];

  const lower = text.toLowerCase();
  const whole = [...matches(byKey, lower), ...matches(byAlias, lower)];
  if (whole.length > 0) return unique(whole);
  const title = matches(byTitle, lower);
  if (title.length > 0) return title;

  // 'a=curr:qos local sendrecv', 'Require: 100rel', 'INVITE sip:bob@example.com SIP/2.0': the name before the value.
  const requestLine = /^([A-Za-z]+)\s+\S+\s+SIP\/2\.0$/i.exec(text);
  if (requestLine) return [lookupMethod(requestLine[1])];
  const colon = text.indexOf(':');
  if (colon > 0) {
    text = text.slice(0, colon).trim();
    const head = text.toLowerCase();
    const named = [...matches(byKey, head), ...matches(byAlias, head)];
    if (named.length > 0) return unique(named);
  }

  // '+g.3gpp.icsi-ref="urn%3A…"', 'octet-align=1', 'mode-set=0,2,4,7': the name before its value.
  const assign = /^([^=;\s]+)\s*[=;]/.exec(text);
  if (assign && !/^[ab]$/i.test(assign[1])) {
    const head = assign[1].toLowerCase();
    const named = [...matches(byKey, head), ...matches(byAlias, head)];
    if (named.length > 0) return unique(named);
  }

  if (!TOKEN.test(text)) return [];
  if (/^[A-Z]+$/.test(text) && text.length > 1) return [genericMethod(text)];
  if (text.length === 1 || /^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+$/.test(text)) return [genericHeader(text)];
  return [];
}

function unique(entries: ReferenceEntry[]): ReferenceEntry[] {
  return entries.filter((e, i) => entries.indexOf(e) === i);
}
