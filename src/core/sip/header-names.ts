/**
 * SIP header names: canonical spellings (as Wireshark writes its `sip.<Name>` filter fields), compact forms
 * (RFC 3261 §7.3.3 and the IANA "Header Fields" registry), and how each header's value is shaped.
 *
 * The parser looks names up straight from the wire bytes — a case-folding FNV-1a hash over the name and a
 * byte compare against the lower-case spelling — so no string is built or lower-cased per header line.
 */

export interface HeaderInfo {
  /** Index in HEADERS; stable for the lifetime of the process. */
  id: number;
  /** Canonical full name, spelled as Wireshark's `sip.<Name>` field (`Call-ID`, `CSeq`, `P-Asserted-Identity`). */
  name: string;
  /** Compact form (RFC 3261 §7.3.3 / IANA), lower case. */
  compact?: string;
  /** The grammar is a comma-separated list (RFC 3261 §7.3.1): a line may carry several values. */
  list: boolean;
  /** At most one such header field is allowed in a message; duplicates are flagged (RFC 4475 §3.3.8). */
  single: boolean;
}

const L = 1; // comma-separated list
const S = 2; // single occurrence

/**
 * The headers the parser handles itself come first so their ids are the constants in `H` below. The rest is
 * RFC 3261 plus the extensions and IMS P-headers seen in VoLTE/VoNR traffic (RFC 7315, TS 24.229 §7.2).
 * Headers whose values contain commas by grammar (Date, WWW-Authenticate, Authorization, User-Agent, ...)
 * are deliberately not `L`: splitting them on commas would cut a value in half.
 */
const TABLE: Array<[name: string, flags: number, compact?: string]> = [
  ['Via', L, 'v'],
  ['From', S, 'f'],
  ['To', S, 't'],
  ['Call-ID', S, 'i'],
  ['CSeq', S],
  ['Contact', L, 'm'],
  ['Content-Length', S, 'l'],
  ['Content-Type', S, 'c'],
  ['Max-Forwards', S],
  ['Expires', S],
  ['Date', S],
  ['Retry-After', S],
  ['Warning', L],
  ['Route', L],
  ['Record-Route', L],
  ['Min-Expires', S],
  ['RSeq', S],
  ['RAck', S],
  ['Session-Expires', S, 'x'],
  ['Min-SE', S],
  // RFC 3261 and extensions, alphabetical.
  ['Accept', L],
  ['Accept-Contact', L, 'a'],
  ['Accept-Encoding', L],
  ['Accept-Language', L],
  ['Accept-Resource-Priority', L],
  ['Additional-Identity', 0],
  ['Alert-Info', L],
  ['Allow', L],
  ['Allow-Events', L, 'u'],
  ['Answer-Mode', 0],
  ['Attestation-Info', 0],
  ['Authentication-Info', 0],
  ['Authorization', 0],
  ['Call-Info', L],
  ['Cellular-Network-Info', 0],
  ['Content-Disposition', 0],
  ['Content-Encoding', L, 'e'],
  ['Content-ID', 0],
  ['Content-Language', L],
  ['Diversion', L],
  ['Error-Info', L],
  ['Event', 0, 'o'],
  ['Feature-Caps', L],
  ['Flow-Timer', 0],
  ['Geolocation', L],
  ['Geolocation-Error', 0],
  ['Geolocation-Routing', 0],
  ['History-Info', L],
  ['Identity', 0, 'y'],
  ['Identity-Info', 0, 'n'],
  ['In-Reply-To', L],
  ['Info-Package', 0],
  ['Join', 0],
  ['Max-Breadth', 0],
  ['MIME-Version', 0],
  ['Organization', 0],
  ['Origination-Id', 0],
  ['P-Access-Network-Info', L],
  ['P-Answer-State', 0],
  ['P-Asserted-Identity', L],
  ['P-Asserted-Service', L],
  ['P-Associated-URI', L],
  ['P-Called-Party-ID', 0],
  ['P-Charge-Info', 0],
  ['P-Charging-Function-Addresses', 0],
  ['P-Charging-Vector', 0],
  ['P-DCS-Billing-Info', 0],
  ['P-DCS-LAES', 0],
  ['P-DCS-OSPS', 0],
  ['P-DCS-Redirect', 0],
  ['P-DCS-Trace-Party-ID', 0],
  ['P-Early-Media', L],
  ['P-Media-Authorization', L],
  ['P-Preferred-Identity', L],
  ['P-Preferred-Service', L],
  ['P-Private-Network-Indication', 0],
  ['P-Profile-Key', 0],
  ['P-Refused-URI-List', L],
  ['P-Served-User', 0],
  ['P-User-Database', 0],
  ['P-Visited-Network-ID', L],
  ['Path', L],
  ['Permission-Missing', L],
  ['Policy-Contact', L],
  ['Policy-ID', L],
  ['Priority', 0],
  ['Priority-Share', 0],
  ['Priv-Answer-Mode', 0],
  ['Privacy', 0],
  ['Proxy-Authenticate', 0],
  ['Proxy-Authorization', 0],
  ['Proxy-Require', L],
  ['Reason', L],
  ['Reason-Phrase', 0],
  ['Recv-Info', L],
  ['Refer-Sub', 0],
  ['Refer-To', 0, 'r'],
  ['Referred-By', 0, 'b'],
  ['Reject-Contact', L, 'j'],
  ['Relayed-Charge', 0],
  ['Replaces', 0],
  ['Reply-To', 0],
  ['Request-Disposition', L, 'd'],
  ['Require', L],
  ['Resource-Priority', L],
  ['Resource-Share', 0],
  ['Response-Source', 0],
  ['Restoration-Info', 0],
  ['Security-Client', L],
  ['Security-Server', L],
  ['Security-Verify', L],
  ['Server', 0],
  ['Service-Interact-Info', 0],
  ['Service-Route', L],
  ['Session-ID', 0],
  ['SIP-ETag', 0],
  ['SIP-If-Match', 0],
  ['Subject', 0, 's'],
  ['Subscription-State', 0],
  ['Supported', L, 'k'],
  ['Suppress-If-Match', 0],
  ['Target-Dialog', 0],
  ['Timestamp', 0],
  ['Trigger-Consent', L],
  ['Unsupported', L],
  ['User-Agent', 0],
  ['User-to-User', L],
  ['WWW-Authenticate', 0],
];

export const HEADERS: readonly HeaderInfo[] = TABLE.map(([name, flags, compact], id) => ({
  id,
  name,
  compact,
  list: (flags & L) !== 0,
  single: (flags & S) !== 0,
}));

/** Ids of the headers the message parser decodes itself (positions in TABLE above). */
export const H = {
  Via: 0,
  From: 1,
  To: 2,
  CallId: 3,
  CSeq: 4,
  Contact: 5,
  ContentLength: 6,
  ContentType: 7,
  MaxForwards: 8,
  Expires: 9,
  Date: 10,
  RetryAfter: 11,
  Warning: 12,
  Route: 13,
  RecordRoute: 14,
  MinExpires: 15,
  RSeq: 16,
  RAck: 17,
  SessionExpires: 18,
  MinSE: 19,
} as const;

/** Returned by the lookups for a name not in the table. */
export const UNKNOWN_HEADER = -1;

// ---- lookup tables -------------------------------------------------------------------------------------

const BUCKETS = 512; // power of two, > 3x the table size: chains stay at 1-2 entries
const bucketHead = new Int32Array(BUCKETS).fill(-1);
const chainNext = new Int32Array(HEADERS.length).fill(-1);
const lowerBytes: Uint8Array[] = [];
/** COMPACT_ID[charCode | 0x20] = header id of that compact form, or -1. */
const COMPACT_ID = new Int16Array(128).fill(-1);

function hashLower(codes: ArrayLike<number>, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (codes[i] | 0x20), 0x01000193);
  return (h ^ (h >>> 15)) & (BUCKETS - 1);
}

for (const info of HEADERS) {
  const lower = new Uint8Array(info.name.length);
  for (let i = 0; i < lower.length; i++) lower[i] = info.name.toLowerCase().charCodeAt(i);
  lowerBytes[info.id] = lower;
  const h = hashLower(lower, 0, lower.length);
  chainNext[info.id] = bucketHead[h];
  bucketHead[h] = info.id;
  if (info.compact) COMPACT_ID[info.compact.charCodeAt(0)] = info.id;
}

/**
 * Header id for the name in bytes [start, end) (case-insensitive, compact forms resolved), or UNKNOWN_HEADER.
 * `| 0x20` folds ASCII upper case onto lower case; it maps no other token character onto a letter, '-' or a
 * digit (the only characters of the table's names), so the compare is exact for every token.
 */
export function lookupHeaderBytes(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 1) {
    const c = bytes[start] | 0x20;
    return c < 128 ? COMPACT_ID[c] : UNKNOWN_HEADER;
  }
  let id = bucketHead[hashLower(bytes, start, end)];
  while (id >= 0) {
    const lower = lowerBytes[id];
    if (lower.length === length) {
      let i = 0;
      while (i < length && (bytes[start + i] | 0x20) === lower[i]) i++;
      if (i === length) return id;
    }
    id = chainNext[id];
  }
  return UNKNOWN_HEADER;
}

// String lookup, for the parser's decoded header section: a bucket by (length, first, last char), then a
// case-sensitive native `startsWith` against the canonical spelling (the common case on the wire), and only
// then a case-folding compare.
const SBUCKETS = 1024;
const sBucketHead = new Int16Array(SBUCKETS).fill(-1);
const sChainNext = new Int16Array(HEADERS.length).fill(-1);

function stringBucket(length: number, first: number, last: number): number {
  return (Math.imul(length, 0x9e3779b1) ^ Math.imul(first | 0x20, 0x85ebca6b) ^ Math.imul(last | 0x20, 0xc2b2ae35)) >>> 22;
}

for (const info of HEADERS) {
  const n = info.name;
  const b = stringBucket(n.length, n.charCodeAt(0), n.charCodeAt(n.length - 1));
  sChainNext[info.id] = sBucketHead[b];
  sBucketHead[b] = info.id;
}

/** Header id for the name in s[start, end) (case-insensitive, compact forms resolved), or UNKNOWN_HEADER. */
export function lookupHeader(s: string, start: number, end: number): number {
  const length = end - start;
  if (length === 1) {
    const c = s.charCodeAt(start) | 0x20;
    return c < 128 ? COMPACT_ID[c] : UNKNOWN_HEADER;
  }
  if (length <= 0) return UNKNOWN_HEADER;
  const head = sBucketHead[stringBucket(length, s.charCodeAt(start), s.charCodeAt(end - 1))];
  for (let id = head; id >= 0; id = sChainNext[id]) {
    const name = HEADERS[id].name;
    if (name.length === length && s.startsWith(name, start)) return id;
  }
  for (let id = head; id >= 0; id = sChainNext[id]) {
    const lower = lowerBytes[id];
    if (lower.length !== length) continue;
    let i = 0;
    while (i < length && (s.charCodeAt(start + i) | 0x20) === lower[i]) i++;
    if (i === length) return id;
  }
  return UNKNOWN_HEADER;
}

// The message parser only needs the ids of the headers it decodes itself (ids 0..H.MinSE); the others are
// resolved when the header list is built. A table of just those names, by (length, first, last char), mostly
// answers "not one of them" with one load and no character compare.
/** Returned by lookupParsedHeaderBytes for a name that is not one the parser decodes (resolve it later). */
export const UNRESOLVED_HEADER = -3;
const PARSED_LIMIT = H.MinSE;
const pBucketHead = new Int16Array(256).fill(-1);
const pChainNext = new Int16Array(PARSED_LIMIT + 1).fill(-1);

function parsedBucket(length: number, first: number, last: number): number {
  return (length * 37 + (first | 0x20) * 11 + (last | 0x20) * 3) & 255;
}

for (let id = 0; id <= PARSED_LIMIT; id++) {
  const n = HEADERS[id].name;
  const b = parsedBucket(n.length, n.charCodeAt(0), n.charCodeAt(n.length - 1));
  pChainNext[id] = pBucketHead[b];
  pBucketHead[b] = id;
}

/**
 * For the parser's hot loop: the id of the name in bytes [start, end) when it is one of the headers the parser
 * decodes (H.Via .. H.MinSE) or a compact form, else UNRESOLVED_HEADER (or UNKNOWN_HEADER for a 1-letter name).
 */
export function lookupParsedHeaderBytes(b: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 1) {
    const c = b[start] | 0x20;
    return c < 128 ? COMPACT_ID[c] : UNKNOWN_HEADER;
  }
  if (length <= 0) return UNKNOWN_HEADER;
  for (let id = pBucketHead[parsedBucket(length, b[start], b[end - 1])]; id >= 0; id = pChainNext[id]) {
    const lower = lowerBytes[id];
    if (lower.length !== length) continue;
    let i = 0;
    while (i < length && (b[start + i] | 0x20) === lower[i]) i++;
    if (i === length) return id;
  }
  return UNRESOLVED_HEADER;
}

const byLowerName = new Map<string, number>();
for (const info of HEADERS) {
  byLowerName.set(info.name.toLowerCase(), info.id);
  if (info.compact) byLowerName.set(info.compact, info.id);
}

/** Header id for a name given as a string (any case, compact forms resolved), or UNKNOWN_HEADER. */
export function headerId(name: string): number {
  return byLowerName.get(name.trim().toLowerCase()) ?? UNKNOWN_HEADER;
}

/** Canonical (Wireshark) spelling of a header name: `call-id` → `Call-ID`, `i` → `Call-ID`; unknown names unchanged. */
export function canonicalHeaderName(name: string): string {
  const id = headerId(name);
  return id === UNKNOWN_HEADER ? name : HEADERS[id].name;
}

/** Compact form letter → canonical full name, e.g. `v` → `Via` (RFC 3261 §7.3.3, IANA registry). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = Object.fromEntries(
  HEADERS.filter((h) => h.compact).map((h) => [h.compact as string, h.name]),
);

/** The Wireshark display-filter field for a header: `sip.Call-ID`, `sip.P-Asserted-Identity`. */
export function wiresharkField(name: string): string {
  return `sip.${canonicalHeaderName(name)}`;
}
