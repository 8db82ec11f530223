import { note, type Diagnostic } from '../diagnostics.js';
import { findNullEspLayout } from '../layers/esp.js';
import { dissectPacket } from '../layers/dissect.js';
import { PacketDecodeState, Transport } from '../layers/packet.js';
import '../layers/registry.js';

/**
 * Anonymisation of traces that leave the lab (issue 8, "Privacy").
 *
 * What is replaced, and how (every pseudonym has the original's length and character class, so SIP
 * Content-Length, header offsets, IP/UDP lengths and TCP sequence numbers all stay valid):
 *  - phone numbers and other digit identifiers: tel: URIs, digit user parts of sip:/sips: URIs (with
 *    visual separators and `%2B`), `username=` of Authorization headers, SDP `o=` user names. Digits become
 *    other digits, separators and a leading `+` stay. 15-digit values (IMSI, IMEI, 15-digit E.164) keep
 *    their first 5 digits (MCC + MNC of an IMSI, TS 23.003 §2.2): a network identity, not a person.
 *  - IMPU / IMPI user parts and display names that are not numbers (`alice`, `"Alice Smith"`): letters become
 *    letters of the same case, digits digits; a few role words (`anonymous`, `orig`, ...) are kept.
 *  - device identifiers: `urn:gsma:imei:` / `urn:gsma:imeisv:` (TS 23.003 §13.8) and `urn:uuid:` instance ids.
 *  - location: the cell / node identifiers of P-Access-Network-Info and P-Last-Access-Network-Info
 *    (TS 24.229 §7.2A.4: `utran-cell-id-3gpp`, `cgi-3gpp`, `i-wlan-node-id`, ...) keep their first 5
 *    characters (MCC + MNC), the tracking area and cell id are replaced.
 *  - IPv4 and IPv6 addresses, in text anywhere and in binary IP headers, tunnels included (see
 *    `pseudonymIpv4/6`); addresses the map has seen are also replaced where their bytes stand in ARP,
 *    DNS, DHCP and ICMP-quoted headers.
 *  - numbers the map has seen, in TBCD in binary bodies (the RP/TP addresses of SMS over IP).
 *  - host names, optionally (`hostNames`): each DNS label of URI hosts and Via sent-by, except the
 *    top-level domain and the labels of 3GPP home-network domains (`ims`, `mncNNN`, `3gppnetwork`...).
 * What is left alone on purpose: Via branches, tags, Call-IDs (not personal, and the engine groups by
 * them) unless they embed an address or a number seen elsewhere (then that part is replaced, the same
 * way in every message, so they still match), CSeq, Content-Length, ports, SDP session ids, MAC
 * addresses, loopback ::1, unspecified / broadcast / multicast addresses. Text that looks like an address
 * is treated as one (a 4-part version string in User-Agent becomes another 4-part number).
 * Not handled: masked WebSocket frames, encrypted TLS / ESP, SigComp, gzip bodies; the ESP ICV of NULL-ESP
 * packets is not recomputed (it needs the key).
 *
 * Consistency: one `AnonymizationMap` per export maps each original to one pseudonym everywhere (an IP
 * address is the same in the IP header and in the Via that names it). Pseudonyms are drawn from a seeded
 * generator, not derived from the value, so they reveal nothing but equality; different originals never
 * share a pseudonym, and a pseudonym is never an original the map has seen. Exports run two passes:
 * `learnText` / `learnPacket` on everything, then `anonymizeText` / `anonymizePacket`. Learning first
 * makes a pseudonym never equal an original that only appears later, lets fragmented IP datagrams be
 * anonymised whole (right UDP checksum over every fragment) and finishes identifiers that a TCP segment
 * boundary cuts in two with the matching half of the same pseudonym.
 */

export interface AnonymizeOptions {
  /** Seeds the pseudonym generator: one export, one seed (a random one gives unlinkable exports). */
  seed: number | string;
  /** Also replace host names (default false: host names are usually the operator's, not the subscriber's). */
  hostNames?: boolean;
}

/** What kind of value a pseudonym stands for: each kind has its own key space. */
type Kind = 'ip4' | 'ip6' | 'digits' | 'token' | 'label';

/** Character classes a token pseudonym keeps. */
type Alphabet = 'alnum' | 'hex';

/** Display names and user parts that name a role, not a person (RFC 3323 §4.1.1.3, TS 24.229 §5.4.3.2). */
const KEPT_WORDS = new Set(['anonymous', 'unknown', 'unavailable', 'restricted', 'orig', 'term', 'invalid', 'user', 'sip', 'tel']);

/** Labels of 3GPP home-network domains (TS 23.003 §13.2) and role labels: structure, not identity. */
const KEPT_LABELS = new Set(['ims', '3gppnetwork', 'pub', 'epc', 'apn', 'gprs', 'pcscf', 'scscf', 'icscf', 'localhost', 'invalid']);

/** P-Access-Network-Info parameters that locate the user (TS 24.229 §7.2A.4, RFC 7315 §5.4). */
const LOCATION_PARAMETERS = /^(?:utran-cell-id-3gpp|cgi-3gpp|utran-sai-3gpp|i-wlan-node-id|ci-3gpp2|ci-3gpp2-femto|eth-location|fiber-location|dsl-location|gstn-location|nrcgi|nr-cell-id|eutran-cell-id-3gpp|local-time-zone)$/i;

/** A 32-bit generator (mulberry32): deterministic per seed, no crypto needed since nothing is derived from the values. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a of a string seed. */
function hashSeed(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX_LOWER = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';

/** Attempts before a crowded key space is reported instead of looped on. */
const MAX_ATTEMPTS = 200;

export class AnonymizationMap {
  readonly hostNames: boolean;
  private readonly random: () => number;
  /** `kind:original` → pseudonym. */
  private readonly pseudonyms = new Map<string, string>();
  /** `kind:pseudonym` of every pseudonym handed out. */
  private readonly taken = new Set<string>();
  /** `kind:original` of every original seen (learned or replaced). */
  private readonly originals = new Set<string>();
  /** Digit keys long enough to be replaced wherever they occur, not only where they were found. */
  private readonly globalDigits = new Set<string>();
  /** Token keys (device ids, cell ids, long user names) replaced wherever they occur. */
  private readonly globalTokens = new Set<string>();
  /** Problems met (a crowded key space): surfaced by `anonymizePacket` and available to text exports. */
  readonly problems: string[] = [];
  /** TBCD forms of the long known numbers, rebuilt when numbers are added. */
  private tbcd: { size: number; index: Map<number, { key: string; bytes: Uint8Array }[]> } | null = null;

  /** Originals (`kind:key`) by their first EDGE_MIN characters, to finish identifiers a TCP segment cuts. */
  private readonly prefixes = new Map<string, string[]>();
  /** The last characters of each TCP segment's payload, by flow and the sequence number that follows it. */
  readonly tcpTails = new Map<string, string>();
  /** Identifiers `learnPacket` saw straddling two TCP segments, by flow and the sequence number of the cut. */
  readonly tcpCuts = new Map<string, { before: number; original: string; make: () => string }>();

  /** IPv4 addresses seen (as 32-bit values), replaced wherever their 4 bytes appear in a frame (ARP, DNS, DHCP, ICMP). */
  readonly binaryIpv4 = new Set<number>();
  /** IPv6 addresses seen (canonical 8-group keys) and their first 32 bits, for the same binary sweep. */
  readonly binaryIpv6 = new Set<string>();
  readonly binaryIpv6Prefixes = new Set<number>();
  /**
   * IP fragments seen by `learnPacket`, by datagram, so `anonymizePacket` can anonymise the whole datagram
   * (identifiers cut by a fragment boundary included) and give its first fragment the right UDP checksum.
   */
  readonly fragments = new Map<string, FragmentedDatagram>();

  constructor(options: AnonymizeOptions) {
    this.random = generator(hashSeed(options.seed));
    this.hostNames = options.hostNames ?? false;
  }

  /** Number of distinct originals replaced so far. */
  get size(): number {
    return this.pseudonyms.size;
  }

  /** Records originals so that no pseudonym handed out later equals them. */
  learn(kind: Kind, key: string): void {
    const id = `${kind}:${key}`;
    if (this.originals.has(id)) return;
    this.originals.add(id);
    if (kind !== 'ip6' && key.length > EDGE_MIN) {
      const head = key.slice(0, EDGE_MIN);
      const list = this.prefixes.get(head);
      if (list) list.push(id);
      else this.prefixes.set(head, [id]);
    }
    if (kind === 'digits' && key.length >= MIN_GLOBAL_DIGITS) this.globalDigits.add(key);
    else if (kind === 'ip4') {
      const o = key.split('.').map(Number);
      if (!isKeptIpv4(o)) this.binaryIpv4.add(((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0);
    } else if (kind === 'ip6') {
      const g = key.split(':').map((x) => parseInt(x, 16));
      if (pseudonymIpv6IsKept(g)) return;
      this.binaryIpv6.add(key);
      this.binaryIpv6Prefixes.add(((g[0] << 16) | g[1]) >>> 0);
    }
  }

  /** An original that starts with `part` (and is longer), as `kind:key`. */
  originalStartingWith(part: string): string | undefined {
    for (const id of this.prefixes.get(part.slice(0, EDGE_MIN)) ?? []) {
      const key = id.slice(id.indexOf(':') + 1);
      if (key.length > part.length && key.startsWith(part)) return id;
    }
    return undefined;
  }

  learnGlobalToken(key: string): void {
    this.learn('token', key);
    this.globalTokens.add(key);
  }

  /** The pseudonym of `key` (created on first use by `make`, retried while it collides). */
  pseudonym(kind: Kind, key: string, make: (attempt: number) => string): string {
    const id = `${kind}:${key}`;
    const known = this.pseudonyms.get(id);
    if (known !== undefined) return known;
    this.learn(kind, key);
    let candidate = make(0);
    for (let attempt = 1; candidate === key || this.taken.has(`${kind}:${candidate}`) || this.originals.has(`${kind}:${candidate}`); attempt++) {
      if (attempt === MAX_ATTEMPTS) {
        // Only a tiny key space (a one-digit octet, a 2-letter name) runs out; the value is still replaced.
        this.problems.push(`no unused pseudonym left for a ${kind} value of ${key.length} characters; two values share one`);
        if (candidate === key) candidate = make(attempt);
        break;
      }
      candidate = make(attempt);
    }
    this.pseudonyms.set(id, candidate);
    this.taken.add(`${kind}:${candidate}`);
    return candidate;
  }

  /** A random integer in [low, high]. */
  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  pick(alphabet: string): string {
    return alphabet[Math.floor(this.random() * alphabet.length)];
  }

  /** Known numbers of 7 digits or more in TBCD (TS 29.002 §17.7.8: SMS addresses, IMSI in binary protocols), by first byte. */
  tbcdIndex(): Map<number, { key: string; bytes: Uint8Array }[]> {
    if (this.tbcd?.size === this.globalDigits.size) return this.tbcd.index;
    const index = new Map<number, { key: string; bytes: Uint8Array }[]>();
    for (const key of this.globalDigits) {
      if (key.length < 7) continue;
      const bytes = encodeTbcd(key);
      const list = index.get(bytes[0]);
      if (list) list.push({ key, bytes });
      else index.set(bytes[0], [{ key, bytes }]);
    }
    this.tbcd = { size: this.globalDigits.size, index };
    return index;
  }

  knowsIpv4(a: number[]): boolean {
    return this.binaryIpv4.has(((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0);
  }

  /** Digit keys that are replaced wherever they occur as a whole digit run. */
  knownDigits(): ReadonlySet<string> {
    return this.globalDigits;
  }

  knownTokens(): ReadonlySet<string> {
    return this.globalTokens;
  }

  /** Original → pseudonym pairs of one kind, for tests and for a legend the user keeps to themselves. */
  entries(kind: Kind): [string, string][] {
    const out: [string, string][] = [];
    const prefix = `${kind}:`;
    for (const [id, value] of this.pseudonyms) if (id.startsWith(prefix)) out.push([id.slice(prefix.length), value]);
    return out;
  }
}

/** Digit runs this long are replaced wherever they appear; shorter ones (extensions, "1000") only in the URI that named them, so CSeq or Content-Length values are never touched. */
const MIN_GLOBAL_DIGITS = 6;
/** The shortest cut-off identifier worth finishing at the end of a TCP segment (fewer characters identify nobody). */
const EDGE_MIN = 3;
/** How much of the previous TCP segment is kept as context for the next one. */
const TCP_TAIL = 128;
/** Bound on the TCP tails kept (oldest dropped first). */
const MAX_TCP_TAILS = 100_000;
/** Token keys this long (with a digit) are replaced wherever they appear. */
const MIN_GLOBAL_TOKEN = 8;

// ---------------------------------------------------------------------------------------------------------
// Pseudonyms per kind

/** Digits → digits of the same count; 15-digit values keep MCC + MNC (first 5 digits, TS 23.003 §2.2). */
export function pseudonymDigits(map: AnonymizationMap, digits: string): string {
  const keep = digits.length === 15 ? 5 : 0;
  return map.pseudonym('digits', digits, () => {
    let out = digits.slice(0, keep);
    for (let i = keep; i < digits.length; i++) {
      // A leading zero where there was none would read as a different numbering plan (trunk prefix).
      out += i === 0 && digits[0] !== '0' ? map.pick('123456789') : map.pick(DIGITS);
    }
    return out;
  });
}

/** Letters → letters (same case), digits → digits, anything else kept; `keep` leading characters kept. */
function pseudonymToken(map: AnonymizationMap, token: string, alphabet: Alphabet = 'alnum', keep = 0, kind: Kind = 'token'): string {
  return map.pseudonym(kind, token, () => {
    let out = token.slice(0, keep);
    for (let i = keep; i < token.length; i++) out += replacementChar(map, token[i], alphabet);
    return out;
  });
}

function replacementChar(map: AnonymizationMap, c: string, alphabet: Alphabet): string {
  if (c >= '0' && c <= '9') return map.pick(alphabet === 'hex' ? HEX_LOWER.slice(0, 10) : DIGITS);
  if (alphabet === 'hex') {
    if (c >= 'a' && c <= 'f') return map.pick(HEX_LOWER.slice(10));
    if (c >= 'A' && c <= 'F') return map.pick(HEX_UPPER.slice(10));
    return c;
  }
  if (c >= 'a' && c <= 'z') return map.pick(LOWER);
  if (c >= 'A' && c <= 'Z') return map.pick(UPPER);
  // Non-ASCII letters ("Jürgen"): one ASCII letter per character. Packet payloads are read as Latin-1, one
  // character per byte, so a UTF-8 "ü" (2 bytes) becomes 2 letters and the byte length is kept.
  if (c.charCodeAt(0) >= 0x80) return map.pick(LOWER);
  return c;
}

/** Addresses with a meaning of their own, kept as they are: unspecified, broadcast, multicast (RFC 6890). */
function isKeptIpv4(a: number[]): boolean {
  return (a[0] === 0 && a[1] === 0 && a[2] === 0 && a[3] === 0) || (a[0] === 255 && a[1] === 255 && a[2] === 255 && a[3] === 255) || (a[0] >= 224 && a[0] <= 239);
}

/** How many leading octets say what kind of address this is (RFC 1918 private, loopback, link-local, CGNAT). */
function ipv4KeptOctets(a: number[]): number {
  if (a[0] === 10 || a[0] === 127) return 1;
  if ((a[0] === 172 && a[1] >= 16 && a[1] <= 31) || (a[0] === 192 && a[1] === 168) || (a[0] === 169 && a[1] === 254) || (a[0] === 100 && a[1] >= 64 && a[1] <= 127)) return 2;
  return 0;
}

function digitCount(n: number): number {
  return n >= 100 ? 3 : n >= 10 ? 2 : 1;
}

/** A random octet written with `digits` digits; a last octet avoids 0 and 255 (network / broadcast look). */
function randomOctet(map: AnonymizationMap, digits: number, last = false): number {
  return digits === 1 ? map.int(last ? 1 : 0, 9) : digits === 2 ? map.int(10, 99) : map.int(100, last ? 254 : 255);
}

/** RFC 5737 documentation networks, as the text before the last octet. */
const IPV4_DOCUMENTATION = ['192.0.2.', '203.0.113.', '198.51.100.'];

/**
 * The pseudonym of an IPv4 address, with the same dotted-text length (so every textual form of it keeps its
 * length). Unspecified, broadcast and multicast addresses are kept. Private, loopback, link-local and
 * CGNAT addresses stay in their range (127.0.0.1 becomes another 127.x.y.z: still loopback) with the host
 * part replaced. Public addresses go to the RFC 5737 documentation networks when one has a free address
 * of the right text length, otherwise to a random public-looking address of the same octet lengths.
 */
export function pseudonymIpv4(map: AnonymizationMap, a: number[]): number[] {
  if (isKeptIpv4(a)) return a;
  const text = a.join('.');
  const kept = ipv4KeptOctets(a);
  const result = map.pseudonym('ip4', text, (attempt) => {
    if (kept > 0) return a.map((o, i) => (i < kept ? o : randomOctet(map, digitCount(o), i === 3))).join('.');
    // Documentation networks first (a third of the attempts each, in order), then any public address.
    const documentation = IPV4_DOCUMENTATION.filter((prefix) => text.length - prefix.length >= 1 && text.length - prefix.length <= 3);
    const range = Math.floor(attempt / 20);
    if (range < documentation.length) return documentation[range] + randomOctet(map, text.length - documentation[range].length, true);
    for (;;) {
      const first = randomOctet(map, digitCount(a[0]));
      if (first === 0 || first === 10 || first === 127 || first >= 224) continue;
      const candidate = [first, ...a.slice(1).map((o, i) => randomOctet(map, digitCount(o), i === 2))];
      if (ipv4KeptOctets(candidate) === 0) return candidate.join('.');
    }
  });
  return result.split('.').map(Number);
}

/** Hex digits of a 16-bit group without leading zeros (0 for a zero group). */
function hexDigits(group: number): number {
  return group === 0 ? 0 : group.toString(16).length;
}

function randomGroup(map: AnonymizationMap, digits: number): number {
  if (digits === 0) return 0;
  return map.int(16 ** (digits - 1), 16 ** digits - 1);
}

/**
 * The pseudonym of an IPv6 address (8 groups). Keeps the "shape": zero groups stay zero and every other
 * group keeps its number of hex digits, so any textual form (`::` compression, leading zeros, case) can be
 * rewritten with the same length. Kept: `::`, `::1` and multicast (ff00::/8). Link-local fe80::/64 and
 * unique-local fc00::/7 keep their prefix group(s); others go to 2001:db8::/32 (RFC 3849) when their first
 * two groups have 4 and 3 hex digits, else keep a global-unicast first group (2000::/3) of random value.
 */
function pseudonymIpv6IsKept(g: number[]): boolean {
  return g.every((x, i) => (i < 7 ? x === 0 : x <= 1)) || g[0] >> 8 === 0xff;
}

export function pseudonymIpv6(map: AnonymizationMap, g: number[]): number[] {
  if (pseudonymIpv6IsKept(g)) return g;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    // IPv4-mapped (RFC 4291 §2.5.5.2): the IPv4 address's own pseudonym, so both forms agree.
    const v4 = pseudonymIpv4(map, [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff]);
    return [0, 0, 0, 0, 0, 0xffff, (v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
  }
  const key = g.map((x) => x.toString(16).padStart(4, '0')).join(':');
  const result = map.pseudonym('ip6', key, () => {
    const out = g.map((x) => randomGroup(map, hexDigits(x)));
    if (g[0] >> 6 === 0x3fa) for (let i = 0; i < 4; i++) out[i] = g[i]; // fe80::/10 link-local: keep the /64 prefix
    else if (g[0] >> 9 === 0x7e) out[0] = g[0]; // fc00::/7 unique local
    else if (hexDigits(g[0]) === 4 && hexDigits(g[1]) === 3) {
      out[0] = 0x2001;
      out[1] = 0x0db8;
    } else if (hexDigits(g[0]) === 4) out[0] = map.int(0x2000, 0x3fff);
    return out.map((x) => x.toString(16).padStart(4, '0')).join(':');
  });
  return result.split(':').map((x) => parseInt(x, 16));
}

// ---------------------------------------------------------------------------------------------------------
// Text

interface Replacement {
  start: number;
  end: number;
  text: string;
}

/** IPv4 dotted quad not inside a longer dotted or digit run (OIDs, version strings of 5 parts). */
const IPV4_PATTERN = /(?<![0-9.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![0-9]|\.\d)/g;
/** Candidate IPv6 text (validated by `parseIpv6`), optionally with an IPv4 tail (RFC 4291 §2.2 form 3). */
const IPV6_PATTERN = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![0-9A-Za-z:.])/g;
/** sip:/sips: URI user part (RFC 3261 §19.1.1): up to '@', with an optional password. */
const SIP_USER_PATTERN = /\bsips?:([^@\s<>"',?:/]{1,256})(?::[^@\s<>"']{0,64})?@/gi;
/** tel: URI number (RFC 3966 §3): digits, visual separators, optional '+'. */
const TEL_PATTERN = /\btel:((?:\+|%2[bB])?[0-9().-]*[0-9][0-9().-]*)/gi;
/** Device identifiers: IMEI / IMEISV URNs (RFC 7254, TS 23.003 §13.8) and UUID URNs (RFC 4122). */
const DEVICE_PATTERN = /\burn:(?:gsma:imei(?:sv)?|uuid):([0-9A-Fa-f][0-9A-Fa-f-]*)/gi;
/** username="..." of an Authorization / Proxy-Authorization header (RFC 3261 §25.1 dig-resp). */
const USERNAME_PATTERN = /\busername\s*=\s*"([^"@\r\n]*)(?:@[^"\r\n]*)?"/gi;
/** A quoted display name before a name-addr (RFC 3261 §25.1): a quoted string then '<' (the URI may be in the next TCP segment). */
const QUOTED_DISPLAY_PATTERN = /"((?:[^"\\\r\n]|\\.)+)"[ \t]*</g;
/** An unquoted display name (tokens) after a header colon or a comma. */
const TOKEN_DISPLAY_PATTERN = /(?<=(?:^|\n)[A-Za-z-]+[ \t]*:[ \t]*|,[ \t]*)([A-Za-z0-9][A-Za-z0-9 .\-_!~*'%+`]*?)[ \t]*<(?:sips?|tel):/gi;
/** SDP origin user name (RFC 8866 §5.2). */
const SDP_ORIGIN_PATTERN = /(?<=(?:^|\n)o=)([^ \r\n]+) /g;
/** reginfo / conference XML display names (RFC 3680 §5.4). */
const XML_DISPLAY_PATTERN = /<display-name(?:\s[^>]*)?>([^<]+)<\/display-name>/gi;
/** P-Access-Network-Info and friends (TS 24.229 §7.2A.4): the header value, to scan its parameters. */
const ACCESS_INFO_PATTERN = /(?<=(?:^|\n)(?:P-Access-Network-Info|P-Last-Access-Network-Info|Cellular-Network-Info)[ \t]*:)[^\r\n]*/gi;
const PARAMETER_PATTERN = /;\s*([A-Za-z0-9-]+)\s*=\s*("[^"]*"|[^;,\s]+)/g;
/** Hosts of URIs and Via sent-by, for the optional host-name replacement. */
const URI_HOST_PATTERN = /(?:\bsips?:(?:[^@\s<>"']{0,256}@)?|\bSIP\/2\.0\/[A-Za-z]+[ \t]+)([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*)/g;
const DIGIT_RUN_PATTERN = /\d+/g;
const GLUED_IPV4_PATTERN = /(?<=[0-9A-Za-z_-])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![0-9]|\.\d)/g;
const TOKEN_RUN_PATTERN = /[A-Za-z0-9][A-Za-z0-9-]*/g;

/** Parses IPv6 text into 8 groups, or null. `tailStart` is where an IPv4 tail starts (-1 without). */
export function parseIpv6(text: string): { groups: number[]; tailStart: number } | null {
  let head = text;
  let tail: number[] = [];
  let tailStart = -1;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    tailStart = lastColon + 1;
    // "::ffff:1.2.3.4" → head "::ffff"; "::1.2.3.4" → head "::".
    head = text[lastColon - 1] === ':' ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const wanted = 8 - tail.length;
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  if (!left || !right) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = wanted - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== wanted) return null;
    groups = left;
  }
  return { groups: [...groups, ...tail], tailStart };
}

function parseIpv4(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const octets = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  return octets.every((o) => o <= 255) ? octets : null;
}

/** Writes `pseudonym` octets in the widths of the original text (leading zeros kept as padding). */
function formatIpv4Like(original: string, pseudonym: number[]): string {
  const plain = pseudonym.join('.');
  if (plain.length === original.length) return plain;
  // The original had leading zeros ("010.000.000.001"): pad the first octet so the length is kept.
  return '0'.repeat(Math.max(0, original.length - plain.length)) + plain;
}

/** Rewrites IPv6 text with the pseudonym's groups, keeping each group's text width and letter case. */
function formatIpv6Like(map: AnonymizationMap, original: string, parsed: { groups: number[]; tailStart: number }, pseudonym: number[]): string {
  const headText = parsed.tailStart >= 0 ? original.slice(0, parsed.tailStart) : original;
  // Groups as written, left of "::" from the front and right of it from the back.
  const [left, right] = headText.includes('::') ? headText.split('::') : [headText, null];
  const leftGroups = left === '' ? [] : left.split(':').filter((g, i, all) => !(g === '' && i === all.length - 1));
  const rightGroups = right === null || right === '' ? [] : right.split(':').filter((g) => g !== '');
  const tailGroups = parsed.tailStart >= 0 ? 2 : 0;
  // RFC 5952 §4.3 writes lowercase; a text in uppercase stays uppercase.
  const upper = /[A-F]/.test(headText) && !/[a-f]/.test(headText);
  const write = (g: string, value: number): string => {
    let hex = value.toString(16).padStart(g.length, '0');
    if (hex.length > g.length) hex = hex.slice(-g.length); // cannot happen: the shape keeps digit counts
    return upper ? hex.toUpperCase() : hex;
  };
  const outLeft = leftGroups.map((g, i) => write(g, pseudonym[i]));
  const firstRight = 8 - tailGroups - rightGroups.length;
  const outRight = rightGroups.map((g, i) => write(g, pseudonym[firstRight + i]));
  let text = right === null ? outLeft.join(':') : `${outLeft.join(':')}::${outRight.join(':')}`;
  if (parsed.tailStart >= 0) {
    if (!headText.endsWith('::')) text += ':';
    const tailText = original.slice(parsed.tailStart);
    const v4 = parseIpv4(tailText) ?? [0, 0, 0, 0];
    text += formatIpv4Like(tailText, pseudonymIpv4(map, v4));
  }
  return text.length === original.length ? text : original.replace(/[0-9A-Fa-f]/g, '0');
}

/** Is this user part a phone number (RFC 3966 global or local number, visual separators allowed)? */
function numberDigits(user: string): string | null {
  const body = user.replace(/^(?:\+|%2[bB])/, '');
  if (!/^[0-9().-]+$/.test(body)) return null;
  const digits = body.replace(/[^0-9]/g, '');
  return digits.length >= 3 ? digits : null;
}

/** Replaces the digits of `text` (separators kept) by those of the pseudonym of its digits. */
function replaceDigitsIn(map: AnonymizationMap, text: string, digits: string): string {
  const pseudonym = pseudonymDigits(map, digits);
  let at = 0;
  return text.replace(/[0-9]/g, () => pseudonym[at++]);
}

/** Learns the originals a piece of text holds (what `anonymizeText` would find), replacing nothing. */
export function learnText(text: string, map: AnonymizationMap): void {
  findReplacements(text, map, true);
}

/** An identifier found in text: where, and how to make its replacement (called only when writing). */
interface Span {
  start: number;
  end: number;
  original: string;
  make: () => string;
}

/**
 * Anonymises SIP / SDP / XML text: every identifier found is replaced by its pseudonym, same length. Used by
 * text exports on every string of the Report, and on packet payloads (decoded as Latin-1, byte = char).
 */
export function anonymizeText(text: string, map: AnonymizationMap): string {
  const replacements = findReplacements(text, map, false);
  if (replacements.length === 0) return text;
  replacements.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const r of replacements) {
    if (r.start < at) continue; // overlaps one already applied (found by two rules)
    if (r.text.length !== r.end - r.start) continue; // never change a length
    out += text.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + text.slice(at);
}

function findReplacements(text: string, map: AnonymizationMap, learnOnly: boolean, spans?: Span[]): Replacement[] {
  const out: Replacement[] = [];
  const add = (start: number, original: string, make: () => string): void => {
    if (learnOnly) {
      spans?.push({ start, end: start + original.length, original, make });
      return;
    }
    out.push({ start, end: start + original.length, text: make() });
  };
  const digitsAt = (start: number, original: string, digits: string): void => {
    map.learn('digits', digits);
    add(start, original, () => replaceDigitsIn(map, original, digits));
  };
  const tokenAt = (start: number, original: string, alphabet: Alphabet = 'alnum', keep = 0): void => {
    if (KEPT_WORDS.has(original.toLowerCase())) return;
    if (!/[A-Za-z0-9]/.test(original.slice(keep))) return;
    if (original.length >= MIN_GLOBAL_TOKEN && /[0-9]/.test(original)) map.learnGlobalToken(original);
    else map.learn('token', original);
    add(start, original, () => pseudonymToken(map, original, alphabet, keep));
  };
  /** A user part, user name or o= name: a number, or a name. */
  const identityAt = (start: number, original: string): void => {
    const digits = numberDigits(original);
    if (digits) digitsAt(start, original, digits);
    else tokenAt(start, original);
  };

  // Addresses first, so an IPv6 with an IPv4 tail is not also matched as IPv4.
  for (const m of text.matchAll(IPV6_PATTERN)) {
    const parsed = parseIpv6(m[0]);
    if (!parsed) continue;
    const key = parsed.groups.map((x) => x.toString(16).padStart(4, '0')).join(':');
    map.learn('ip6', key);
    add(m.index, m[0], () => formatIpv6Like(map, m[0], parsed, pseudonymIpv6(map, parsed.groups)));
  }
  for (const m of text.matchAll(IPV4_PATTERN)) {
    const octets = parseIpv4(m[0]);
    if (!octets) continue;
    map.learn('ip4', octets.join('.'));
    add(m.index, m[0], () => formatIpv4Like(m[0], pseudonymIpv4(map, octets)));
  }
  for (const m of text.matchAll(SIP_USER_PATTERN)) {
    const user = m[1];
    const userStart = m.index + m[0].indexOf(':') + 1;
    // User parameters (RFC 4694 rn=, npdi): the number before the first ';', and numbers in parameter values.
    let at = 0;
    for (const piece of user.split(';')) {
      const eq = piece.indexOf('=');
      const value = eq >= 0 ? piece.slice(eq + 1) : piece;
      const valueStart = userStart + at + (eq >= 0 ? eq + 1 : 0);
      if (at === 0) identityAt(valueStart, value);
      else if (numberDigits(value)) identityAt(valueStart, value);
      at += piece.length + 1;
    }
  }
  for (const m of text.matchAll(TEL_PATTERN)) {
    const digits = numberDigits(m[1]);
    if (digits) digitsAt(m.index + 4, m[1], digits);
  }
  for (const m of text.matchAll(DEVICE_PATTERN)) {
    const value = m[1].replace(/-+$/, '');
    // Keep the IMEI spare digit / UUID layout; the identifying digits change.
    const isImei = /imei/i.test(m[0]);
    map.learnGlobalToken(value);
    add(m.index + m[0].length - m[1].length, value, () => pseudonymToken(map, value, isImei ? 'alnum' : 'hex'));
  }
  for (const m of text.matchAll(USERNAME_PATTERN)) {
    if (m[1] !== '') identityAt(m.index + m[0].indexOf('"') + 1, m[1]);
  }
  for (const m of text.matchAll(QUOTED_DISPLAY_PATTERN)) {
    identityOrName(m.index + 1, m[1]);
  }
  for (const m of text.matchAll(TOKEN_DISPLAY_PATTERN)) {
    identityOrName(m.index, m[1]);
  }
  for (const m of text.matchAll(XML_DISPLAY_PATTERN)) {
    identityOrName(m.index + m[0].indexOf('>') + 1, m[1]);
  }
  for (const m of text.matchAll(SDP_ORIGIN_PATTERN)) {
    if (m[1] !== '-') identityAt(m.index, m[1]);
  }
  for (const m of text.matchAll(ACCESS_INFO_PATTERN)) {
    for (const p of m[0].matchAll(PARAMETER_PATTERN)) {
      if (!LOCATION_PARAMETERS.test(p[1])) continue;
      const quoted = p[2].startsWith('"');
      const value = quoted ? p[2].slice(1, -1) : p[2];
      const start = m.index + p.index + p[0].length - p[2].length + (quoted ? 1 : 0);
      // Keep MCC + MNC (5 characters, TS 23.003 §4.3): which network, not where in it.
      const keep = /^[0-9]{5}/.test(value) ? 5 : 0;
      if (value.length > keep) tokenAt(start, value, /^[0-9A-Fa-f]+$/.test(value) ? 'hex' : 'alnum', keep);
    }
  }
  if (map.hostNames) {
    for (const m of text.matchAll(URI_HOST_PATTERN)) {
      const host = m[1];
      const hostStart = m.index + m[0].length - host.length;
      const labels = host.split('.');
      let at = 0;
      labels.forEach((label, i) => {
        const last = i === labels.length - 1 && labels.length > 1;
        if (label !== '' && !last && !KEPT_LABELS.has(label.toLowerCase()) && !/^(?:mnc|mcc)\d{3}$/i.test(label) && /[A-Za-z]/.test(label)) {
          map.learn('label', label);
          add(hostStart + at, label, () => pseudonymToken(map, label, 'alnum', 0, 'label'));
        }
        at += label.length + 1;
      });
    }
  }

  if (!learnOnly) {
    // Values found earlier (in this text or another message), wherever they occur: inside Call-IDs, XML,
    // URL-escaped forms. Digits match whole digit runs only, so CSeq and lengths are never touched.
    const digits = map.knownDigits();
    if (digits.size > 0) {
      for (const m of text.matchAll(DIGIT_RUN_PATTERN)) {
        if (m[0].length < MIN_GLOBAL_DIGITS) continue;
        if (digits.has(m[0])) {
          add(m.index, m[0], () => pseudonymDigits(map, m[0]));
          continue;
        }
        // A known number inside a longer run (an IMSI inside an ICID): replace that part.
        for (const key of digits) {
          if (key.length < 8 || key.length >= m[0].length) continue;
          const inner = m[0].indexOf(key);
          if (inner >= 0) add(m.index + inner, key, () => pseudonymDigits(map, key));
        }
      }
    }
    // Known IPv4 addresses glued to what precedes them (a Via branch "…fc8192.168.1.2" made from the
    // address): the discovery pattern wants a clean left edge, this one only a known address.
    for (const m of text.matchAll(GLUED_IPV4_PATTERN)) {
      const octets = parseIpv4(m[0]);
      if (octets && map.knowsIpv4(octets)) add(m.index, m[0], () => formatIpv4Like(m[0], pseudonymIpv4(map, octets)));
    }
    const tokens = map.knownTokens();
    if (tokens.size > 0) {
      for (const m of text.matchAll(TOKEN_RUN_PATTERN)) {
        if (m[0].length < MIN_GLOBAL_TOKEN) continue;
        for (const key of tokens) {
          const inner = m[0].indexOf(key);
          if (inner >= 0) add(m.index + inner, key, () => pseudonymToken(map, key, /^[0-9A-Fa-f-]+$/.test(key) ? 'hex' : 'alnum'));
        }
      }
    }
  }
  return out;

  function identityOrName(start: number, name: string): void {
    const digits = numberDigits(name);
    if (digits) digitsAt(start, name, digits);
    else tokenAt(start, name);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Packets

export interface AnonymizedPacket {
  /** A new frame, same length as the input. */
  data: Uint8Array;
  diagnostics: Diagnostic[];
}

const latin1 = new TextDecoder('latin1');

function bytesToText(b: Uint8Array, start: number, end: number): string {
  return latin1.decode(b.subarray(start, end));
}

/** Writes text (Latin-1, same length as the range) back; returns false when it would not fit. */
function writeText(b: Uint8Array, start: number, end: number, text: string): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) b[start + i] = text.charCodeAt(i) & 0xff;
  return true;
}

/** Digits as TBCD: two per byte, the first in the low nibble, an odd count filled with 0xF (TS 29.002 §17.7.8). */
function encodeTbcd(digits: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(digits.length / 2));
  for (let i = 0; i < digits.length; i += 2) {
    const high = i + 1 < digits.length ? digits.charCodeAt(i + 1) - 48 : 0xf;
    out[i / 2] = (high << 4) | (digits.charCodeAt(i) - 48);
  }
  return out;
}

/** Known numbers in binary bodies (SMS over IP RP/TP addresses, TS 24.011 §8.2.5, TS 23.040 §9.1.2.5). */
function sweepTbcd(b: Uint8Array, start: number, end: number, map: AnonymizationMap): void {
  const index = map.tbcdIndex();
  if (index.size === 0) return;
  for (let i = start; i < end; i++) {
    const candidates = index.get(b[i]);
    if (!candidates) continue;
    for (const { key, bytes } of candidates) {
      if (i + bytes.length > end) continue;
      let same = true;
      for (let k = 1; k < bytes.length && same; k++) same = b[i + k] === bytes[k];
      if (!same) continue;
      b.set(encodeTbcd(pseudonymDigits(map, key)), i);
      i += bytes.length - 1;
      break;
    }
  }
}

function anonymizeRegion(b: Uint8Array, start: number, end: number, map: AnonymizationMap, diagnostics: Diagnostic[], learnOnly: boolean): void {
  if (end <= start) return;
  const original = bytesToText(b, start, end);
  if (learnOnly) {
    learnText(original, map);
    return;
  }
  const text = anonymizeText(original, map);
  if (text !== original && !writeText(b, start, end, text)) diagnostics.push(note('anonymize', 'payload left unchanged: its pseudonyms would not keep the length', start));
  sweepTbcd(b, start, end, map);
}

function anonymizeAddress(b: Uint8Array, offset: number, version: 4 | 6, map: AnonymizationMap, learnOnly: boolean): void {
  if (version === 4) {
    if (offset + 4 > b.length) return;
    const a = [b[offset], b[offset + 1], b[offset + 2], b[offset + 3]];
    if (learnOnly) {
      if (!isKeptIpv4(a)) map.learn('ip4', a.join('.'));
      return;
    }
    b.set(pseudonymIpv4(map, a), offset);
    return;
  }
  if (offset + 16 > b.length) return;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[offset + 2 * i] << 8) | b[offset + 2 * i + 1]);
  if (learnOnly) {
    map.learn('ip6', g.map((x) => x.toString(16).padStart(4, '0')).join(':'));
    return;
  }
  const p = pseudonymIpv6(map, g);
  for (let i = 0; i < 8; i++) {
    b[offset + 2 * i] = p[i] >> 8;
    b[offset + 2 * i + 1] = p[i] & 0xff;
  }
}

/** One's-complement sum of 16-bit words (RFC 1071), not yet folded or inverted. */
function sum16(b: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** CRC32c (Castagnoli) for the SCTP checksum (RFC 9260 Appendix A). */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(b: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = CRC32C_TABLE[(crc ^ b[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The pieces of one fragmented IP datagram (RFC 791 §3.2, RFC 8200 §4.5), keyed by their byte offset. */
export interface FragmentedDatagram {
  /** Fragment data (the transport header included in the first), by offset in the datagram's payload. */
  pieces: Map<number, Uint8Array>;
  /** Payload length, known once the last fragment (more-fragments clear) is seen; -1 before. */
  length: number;
  /** The anonymised payload, made once when every piece is there. */
  anonymised: Uint8Array | null;
}

interface IpLayer {
  version: 4 | 6;
  offset: number;
  /** End of the datagram by its header, or -1 when the capture cut it (checksums cannot be recomputed). */
  end: number;
}

function ipLayerAt(b: Uint8Array, name: string, offset: number): IpLayer | null {
  // A header whose version contradicts its type is not an IP header: its bytes are left as they are.
  if (name === 'ipv4' && offset + 20 <= b.length && b[offset] >> 4 === 4) {
    const total = (b[offset + 2] << 8) | b[offset + 3];
    const end = total === 0 ? b.length : offset + total;
    return { version: 4, offset, end: end <= b.length ? end : -1 };
  }
  if (name === 'ipv6' && offset + 40 <= b.length && b[offset] >> 4 === 6) {
    const payload = (b[offset + 4] << 8) | b[offset + 5];
    const end = payload === 0 ? b.length : offset + 40 + payload;
    return { version: 6, offset, end: end <= b.length ? end : -1 };
  }
  return null;
}

/** The IPv4 / IPv6 pseudo-header sum (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1). */
function pseudoHeaderSum(b: Uint8Array, ip: IpLayer, protocol: number, length: number): number {
  if (ip.version === 4) return sum16(b, ip.offset + 12, ip.offset + 20) + protocol + length;
  return sum16(b, ip.offset + 8, ip.offset + 40) + Math.floor(length / 0x10000) + (length & 0xffff) + protocol;
}

function recomputeIpv4Header(b: Uint8Array, offset: number): void {
  const headerLength = (b[offset] & 0x0f) * 4;
  if (headerLength < 20 || offset + headerLength > b.length) return;
  b[offset + 10] = 0;
  b[offset + 11] = 0;
  const sum = fold(sum16(b, offset, offset + headerLength));
  b[offset + 10] = sum >> 8;
  b[offset + 11] = sum & 0xff;
}

const state = new PacketDecodeState();

/**
 * Anonymises one captured frame: the addresses of every IPv4 / IPv6 header (tunnels included: GTP-U,
 * IP-in-IP, GRE, ESP with NULL encryption), the addresses a HEP header carries, and the text of the
 * innermost transport payload (SIP, SDP, XML bodies) or IP fragment. The IPv4 header checksums and the
 * UDP / TCP / SCTP checksums are recomputed; lengths are unchanged. Never throws: what cannot be changed
 * safely is left as it is and reported as a diagnostic.
 */
export function anonymizePacket(frame: Uint8Array, linkType: number, map: AnonymizationMap): AnonymizedPacket {
  return processPacket(frame, linkType, map, false);
}

/** Learns the originals of a frame (for a first pass over an export), changing nothing. */
export function learnPacket(frame: Uint8Array, linkType: number, map: AnonymizationMap): void {
  processPacket(frame, linkType, map, true);
}

function processPacket(frame: Uint8Array, linkType: number, map: AnonymizationMap, learnOnly: boolean): AnonymizedPacket {
  const b = frame.slice();
  const diagnostics: Diagnostic[] = [];
  const problemsBefore = map.problems.length;
  try {
    dissectPacket(state, linkType, b);
    const stack = [...state.stack];
    const starts = [...state.layerStarts];
    /** Set for a fragment whose share of its anonymised datagram was written: already swept. */
    let settled = false;
    // Payload text first (it is inside every checksum), then addresses, then checksums innermost first.
    if (state.ipFragment && state.fragmentLayer >= 0) {
      settled = handleFragment(b, stack[state.fragmentLayer], starts[state.fragmentLayer], map, diagnostics, learnOnly) !== null;
    } else if (state.transport === Transport.SCTP) {
      for (let i = 0; i < state.sctpChunkCount; i++) {
        const chunk = state.sctpChunks[i];
        anonymizeRegion(b, chunk.payloadStart, Math.min(chunk.payloadEnd, b.length), map, diagnostics, learnOnly);
      }
    } else if (state.transport === Transport.TCP && state.ipVersion !== 0 && !state.hep) {
      anonymizeSegment(b, state.payloadStart, Math.min(state.payloadEnd, b.length), map, diagnostics, learnOnly);
    } else if (state.transport !== Transport.None) {
      anonymizeRegion(b, state.payloadStart, Math.min(state.payloadEnd, b.length), map, diagnostics, learnOnly);
    }
    if (state.hep && state.ipVersion !== 0) {
      anonymizeAddress(b, state.srcAddrOffset, state.ipVersion, map, learnOnly);
      anonymizeAddress(b, state.dstAddrOffset, state.ipVersion, map, learnOnly);
    }
    const ips: (IpLayer | null)[] = stack.map((name, i) => ipLayerAt(b, name, starts[i]));
    for (const ip of ips) {
      if (!ip) continue;
      const src = ip.offset + (ip.version === 4 ? 12 : 8);
      const dst = ip.offset + (ip.version === 4 ? 16 : 24);
      anonymizeAddress(b, src, ip.version, map, learnOnly);
      anonymizeAddress(b, dst, ip.version, map, learnOnly);
    }
    if (!learnOnly) {
      for (const [start, end] of sweepRegions(b, stack, starts, ips, settled)) sweepAddresses(b, start, end, map);
      // IPv4 header sums first: a tunnelled header is inside the outer UDP checksum.
      for (const ip of ips) if (ip?.version === 4) recomputeIpv4Header(b, ip.offset);
      for (let i = stack.length - 1; i >= 0; i--) {
        const name = stack[i];
        if (name !== 'udp' && name !== 'tcp' && name !== 'sctp' && name !== 'ip-proto-1' && name !== 'ip-proto-58') continue;
        let ipIndex = i - 1;
        while (ipIndex >= 0 && !ips[ipIndex]) ipIndex--;
        const ip = ipIndex >= 0 ? ips[ipIndex] : null;
        if (!ip) continue;
        const between = stack.slice(ipIndex + 1, i);
        // Carried by that IP layer directly (through a NULL ESP, or an atomic fragment header, RFC 6946).
        if (between.some((n) => n !== 'esp' && n !== 'ipv6-frag')) continue;
        recomputeTransport(b, name, starts[i], ip, between.includes('esp') ? starts[ipIndex + 1 + between.indexOf('esp')] : -1, diagnostics);
      }
      if (stack.includes('esp')) diagnostics.push(note('anonymize', 'ESP integrity check value not recomputed (it needs the SA key)'));
    }
  } catch (error) {
    diagnostics.push({ kind: 'decoder-bug', severity: 'error', layer: 'anonymize', message: `anonymisation stopped: ${error instanceof Error ? error.message : String(error)}` });
  }
  for (const problem of map.problems.slice(problemsBefore)) diagnostics.push(note('anonymize', problem));
  return { data: b, diagnostics };
}

/**
 * A TCP segment. SIP over TCP is a byte stream, so a number or an address may be cut between two segments.
 * The end of the previous segment of the flow (found by sequence number, so a copy of the flow seen twice,
 * plain and tunnelled, gets the same context) is put in front of the text: what starts in it is found
 * whole, and this segment gets its share of the pseudonym. What this segment cuts at its end is finished
 * from the originals the map has learned (hence `learnPacket` first): it gets the start of the pseudonym.
 */
function anonymizeSegment(b: Uint8Array, start: number, end: number, map: AnonymizationMap, diagnostics: Diagnostic[], learnOnly: boolean): void {
  if (end <= start) return;
  const addressLength = state.ipVersion === 4 ? 4 : 16;
  if (state.dstAddrOffset + addressLength > b.length) return anonymizeRegion(b, start, end, map, diagnostics, learnOnly);
  const flow = `${hex(b.subarray(state.srcAddrOffset, state.srcAddrOffset + addressLength))}:${state.srcPort}>${hex(b.subarray(state.dstAddrOffset, state.dstAddrOffset + addressLength))}:${state.dstPort}`;
  const pass = learnOnly ? 'learn' : 'write';
  const current = bytesToText(b, start, end);
  const tail = map.tcpTails.get(`${pass}:${flow}:${state.tcpSeq}`) ?? '';
  const next = `${pass}:${flow}:${(state.tcpSeq + (end - start)) >>> 0}`;
  map.tcpTails.delete(next);
  map.tcpTails.set(next, current.slice(-TCP_TAIL));
  if (map.tcpTails.size > MAX_TCP_TAILS) map.tcpTails.delete(map.tcpTails.keys().next().value as string);
  if (learnOnly) {
    const spans: Span[] = [];
    findReplacements(tail + current, map, true, spans);
    // The identifier that straddles the previous segment's end, as anonymizeText will pick it (first
    // start, longest): the previous segment gets the start of its replacement when written.
    const boundary = tail.length;
    const crossing = spans.filter((x) => x.start < boundary && x.end > boundary).sort((x, y) => x.start - y.start || y.end - x.end)[0];
    if (crossing) map.tcpCuts.set(`${flow}:${state.tcpSeq}`, { before: boundary - crossing.start, original: crossing.original, make: crossing.make });
    return;
  }
  let text = anonymizeText(tail + current, map).slice(tail.length);
  const cut = map.tcpCuts.get(`${flow}:${(state.tcpSeq + (end - start)) >>> 0}`);
  if (cut && cut.before <= current.length && current.endsWith(cut.original.slice(0, cut.before))) {
    text = text.slice(0, text.length - cut.before) + cut.make().slice(0, cut.before);
  } else {
    text = finishCutIdentifier(text, map);
  }
  if (text !== current && !writeText(b, start, end, text)) diagnostics.push(note('anonymize', 'segment left unchanged: its pseudonyms would not keep the length', start));
  sweepTbcd(b, start, end, map);
}

/** Replaces an identifier cut at the end of `text` by the start of its pseudonym, when the map knows it. */
function finishCutIdentifier(text: string, map: AnonymizationMap): string {
  const run = /[0-9A-Za-z._-]+$/.exec(text)?.[0];
  if (!run) return text;
  for (let k = Math.min(run.length, 64); k >= EDGE_MIN; k--) {
    const part = run.slice(-k);
    const id = map.originalStartingWith(part);
    if (!id) continue;
    const kind = id.slice(0, id.indexOf(':'));
    const key = id.slice(kind.length + 1);
    let pseudonym: string;
    if (kind === 'digits') pseudonym = pseudonymDigits(map, key);
    else if (kind === 'ip4') pseudonym = pseudonymIpv4(map, key.split('.').map(Number)).join('.');
    else if (kind === 'token' || kind === 'label') pseudonym = pseudonymToken(map, key, /^[0-9A-Fa-f-]+$/.test(key) && /[0-9]/.test(key) ? 'hex' : 'alnum', 0, kind);
    else continue;
    return text.slice(0, text.length - k) + pseudonym.slice(0, k);
  }
  return text;
}

/**
 * Where known addresses are looked for in binary: frames with no IP layer (ARP, RFC 826), transport
 * payloads (DNS answers, DHCP, Diameter Host-IP-Address) and what ICMP quotes; never in the IP and
 * transport headers themselves, where 4 bytes like `7f 00 00 01` are a checksum, an urgent pointer and a
 * NOP option, not 127.0.0.1.
 */
function sweepRegions(b: Uint8Array, stack: readonly string[], starts: readonly number[], ips: readonly (IpLayer | null)[], settled: boolean): [number, number][] {
  if (!ips.some((ip) => ip !== null)) return [[0, b.length]];
  const regions: [number, number][] = [];
  if (state.ipFragment) {
    if (!settled) regions.push([state.fragmentPayloadStart + (state.fragmentOffset === 0 ? transportHeaderLength(b, state.fragmentPayloadStart, Math.min(state.fragmentPayloadEnd, b.length), state.fragmentProtocol) : 0), Math.min(state.fragmentPayloadEnd, b.length)]);
  } else if (state.transport === Transport.SCTP) {
    for (let i = 0; i < state.sctpChunkCount; i++) regions.push([state.sctpChunks[i].payloadStart, Math.min(state.sctpChunks[i].payloadEnd, b.length)]);
  } else if (state.transport !== Transport.None) {
    regions.push([state.payloadStart, Math.min(state.payloadEnd, b.length)]);
  }
  stack.forEach((name, i) => {
    if (name !== 'ip-proto-1' && name !== 'ip-proto-58') return;
    const ip = ips.slice(0, i).reverse().find((x) => x !== null);
    regions.push([starts[i] + 8, Math.min(ip && ip.end >= 0 ? ip.end : b.length, b.length)]);
  });
  return regions;
}

/** Known addresses wherever their bytes stand in [start, end): only addresses the map has seen. */
function sweepAddresses(b: Uint8Array, start: number, end: number, map: AnonymizationMap): void {
  if (map.binaryIpv4.size === 0 && map.binaryIpv6.size === 0) return;
  for (let i = start; i + 4 <= end; i++) {
    const v = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    if (map.binaryIpv6Prefixes.has(v) && i + 16 <= end) {
      const g: number[] = [];
      for (let k = 0; k < 8; k++) g.push((b[i + 2 * k] << 8) | b[i + 2 * k + 1]);
      if (map.binaryIpv6.has(g.map((x) => x.toString(16).padStart(4, '0')).join(':'))) {
        anonymizeAddress(b, i, 6, map, false);
        i += 15;
        continue;
      }
    }
    if (map.binaryIpv4.has(v)) {
      anonymizeAddress(b, i, 4, map, false);
      i += 3;
    }
  }
}

/** Address bytes of the IP header at `offset` (4 or 16 each). */
function headerAddressBytes(b: Uint8Array, name: string, offset: number): [Uint8Array, Uint8Array] | null {
  if (name === 'ipv4' && offset + 20 <= b.length) return [b.slice(offset + 12, offset + 16), b.slice(offset + 16, offset + 20)];
  if (name === 'ipv6' && offset + 40 <= b.length) return [b.slice(offset + 8, offset + 24), b.slice(offset + 24, offset + 40)];
  return null;
}

/**
 * An IP fragment. When `learnPacket` saw every fragment of its datagram, the datagram's payload is put
 * together and anonymised once (so an identifier cut by a fragment boundary is still found, and the UDP
 * checksum, which covers every fragment, is right), and each fragment takes its share. Otherwise the
 * fragment is anonymised alone and, over IPv4, the first fragment's UDP checksum is set to 0 ("none",
 * RFC 768); over IPv6 that is not allowed (RFC 8200 §8.1), so the checksum is left and reported.
 * Returns the range of bytes that are final.
 */
function handleFragment(b: Uint8Array, ipName: string, ipOffset: number, map: AnonymizationMap, diagnostics: Diagnostic[], learnOnly: boolean): [number, number] | null {
  const dataStart = state.fragmentPayloadStart;
  const dataEnd = Math.min(state.fragmentPayloadEnd, b.length);
  const addresses = headerAddressBytes(b, ipName, ipOffset);
  const protocol = state.fragmentProtocol;
  const key = addresses ? `${ipName}:${hex(addresses[0])}:${hex(addresses[1])}:${state.fragmentId}:${protocol}` : '';
  const offset = state.fragmentOffset * 8;
  const first = offset === 0;
  const cut = state.fragmentWireLength > dataEnd - dataStart;
  if (learnOnly) {
    if (addresses && !cut) {
      let datagram = map.fragments.get(key);
      if (!datagram) map.fragments.set(key, (datagram = { pieces: new Map(), length: -1, anonymised: null }));
      datagram.pieces.set(offset, b.slice(dataStart, dataEnd));
      if (!state.moreFragments) datagram.length = offset + (dataEnd - dataStart);
    }
    anonymizeRegion(b, dataStart + (first ? transportHeaderLength(b, dataStart, dataEnd, protocol) : 0), dataEnd, map, diagnostics, true);
    return null;
  }
  const datagram = addresses ? map.fragments.get(key) : undefined;
  const whole = datagram && addresses ? anonymisedDatagram(datagram, ipName === 'ipv4' ? 4 : 6, addresses, protocol, map, diagnostics) : null;
  if (whole && offset + (dataEnd - dataStart) <= whole.length) {
    b.set(whole.subarray(offset, offset + (dataEnd - dataStart)), dataStart);
    return [dataStart, dataEnd];
  }
  anonymizeRegion(b, dataStart + (first ? transportHeaderLength(b, dataStart, dataEnd, protocol) : 0), dataEnd, map, diagnostics, false);
  if (first && protocol === 17 && dataStart + 8 <= b.length) {
    if (ipName === 'ipv4') {
      b[dataStart + 6] = 0;
      b[dataStart + 7] = 0;
    } else {
      diagnostics.push(note('anonymize', 'UDP checksum of a fragmented IPv6 datagram not recomputed: not every fragment was learned first', dataStart));
    }
  }
  return null;
}

function transportHeaderLength(b: Uint8Array, start: number, end: number, protocol: number): number {
  if (protocol === 17) return Math.min(8, end - start);
  if (protocol === 6 && start + 20 <= end) return Math.min((b[start + 12] >> 4) * 4, end - start);
  return 0;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const x of bytes) out += x.toString(16).padStart(2, '0');
  return out;
}

/** The anonymised payload of a fragmented datagram whose pieces were all learned (null when some are missing). */
function anonymisedDatagram(datagram: FragmentedDatagram, version: 4 | 6, addresses: [Uint8Array, Uint8Array], protocol: number, map: AnonymizationMap, diagnostics: Diagnostic[]): Uint8Array | null {
  if (datagram.anonymised) return datagram.anonymised;
  if (datagram.length < 0) return null;
  const payload = new Uint8Array(datagram.length);
  let covered = 0;
  for (const offset of [...datagram.pieces.keys()].sort((x, y) => x - y)) {
    if (offset > covered) return null; // a hole: a fragment never seen
    const piece = datagram.pieces.get(offset) as Uint8Array;
    payload.set(piece.subarray(0, Math.min(piece.length, datagram.length - offset)), offset);
    covered = Math.max(covered, offset + piece.length);
  }
  if (covered < datagram.length) return null;
  anonymizeRegion(payload, transportHeaderLength(payload, 0, payload.length, protocol), payload.length, map, diagnostics, false);
  sweepAddresses(payload, transportHeaderLength(payload, 0, payload.length, protocol), payload.length, map);
  // The pseudo-header holds the addresses as they will be written (RFC 768, RFC 8200 §8.1).
  const pseudo = new Uint8Array(version === 4 ? 8 : 32);
  pseudo.set(addresses[0], 0);
  pseudo.set(addresses[1], addresses[0].length);
  anonymizeAddress(pseudo, 0, version, map, false);
  anonymizeAddress(pseudo, addresses[0].length, version, map, false);
  const checksumAt = protocol === 17 ? 6 : protocol === 6 ? 16 : -1;
  if (checksumAt >= 0 && payload.length >= checksumAt + 2 && !(protocol === 17 && version === 4 && payload[6] === 0 && payload[7] === 0)) {
    payload[checksumAt] = 0;
    payload[checksumAt + 1] = 0;
    const length = payload.length;
    let sum = fold(sum16(payload, 0, length, sum16(pseudo, 0, pseudo.length) + protocol + (length & 0xffff) + Math.floor(length / 0x10000)));
    if (sum === 0 && protocol === 17) sum = 0xffff;
    payload[checksumAt] = sum >> 8;
    payload[checksumAt + 1] = sum & 0xff;
  }
  datagram.anonymised = payload;
  return payload;
}

function recomputeTransport(b: Uint8Array, name: string, offset: number, ip: IpLayer, espOffset: number, diagnostics: Diagnostic[]): void {
  if (ip.end < 0) {
    diagnostics.push(note('anonymize', `${name} checksum not recomputed: the capture cut the datagram`, offset));
    return;
  }
  let end = ip.end;
  if (espOffset >= 0) {
    const layout = findNullEspLayout(b, espOffset, ip.end);
    if (!layout) return;
    end = layout.payloadEnd;
  }
  if (name === 'udp') {
    if (offset + 8 > end) return;
    const length = (b[offset + 4] << 8) | b[offset + 5];
    const udpEnd = length >= 8 && offset + length <= end ? offset + length : end;
    // RFC 768: over IPv4 a zero checksum means "none computed"; keep it so.
    if (ip.version === 4 && b[offset + 6] === 0 && b[offset + 7] === 0) return;
    b[offset + 6] = 0;
    b[offset + 7] = 0;
    let sum = fold(sum16(b, offset, udpEnd, pseudoHeaderSum(b, ip, 17, udpEnd - offset)));
    if (sum === 0) sum = 0xffff; // RFC 768: a computed zero is sent as all ones
    b[offset + 6] = sum >> 8;
    b[offset + 7] = sum & 0xff;
  } else if (name === 'ip-proto-1' || name === 'ip-proto-58') {
    if (offset + 8 > end) return;
    // RFC 792: errors quote the offending IPv4 header, whose addresses the sweep may have changed.
    const type = b[offset];
    if (name === 'ip-proto-1' && (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) && offset + 28 <= end && b[offset + 8] >> 4 === 4) {
      const inner = offset + 8;
      const headerLength = (b[inner] & 0x0f) * 4;
      if (headerLength >= 20 && inner + headerLength <= end) {
        recomputeIpv4Header(b, inner);
        // When the whole offending datagram is quoted, its UDP / TCP checksum can be checked, so redo it.
        const total = (b[inner + 2] << 8) | b[inner + 3];
        const protocol = b[inner + 9];
        if (total >= headerLength && inner + total <= end && (protocol === 17 || protocol === 6)) {
          recomputeTransport(b, protocol === 17 ? 'udp' : 'tcp', inner + headerLength, { version: 4, offset: inner, end: inner + total }, -1, diagnostics);
        }
      }
    }
    b[offset + 2] = 0;
    b[offset + 3] = 0;
    // ICMPv4 sums the message alone (RFC 792); ICMPv6 adds the pseudo-header (RFC 4443 §2.3).
    const initial = name === 'ip-proto-58' ? pseudoHeaderSum(b, ip, 58, end - offset) : 0;
    const sum = fold(sum16(b, offset, end, initial));
    b[offset + 2] = sum >> 8;
    b[offset + 3] = sum & 0xff;
  } else if (name === 'tcp') {
    if (offset + 20 > end) return;
    b[offset + 16] = 0;
    b[offset + 17] = 0;
    const sum = fold(sum16(b, offset, end, pseudoHeaderSum(b, ip, 6, end - offset)));
    b[offset + 16] = sum >> 8;
    b[offset + 17] = sum & 0xff;
  } else {
    if (offset + 12 > end) return;
    b.fill(0, offset + 8, offset + 12);
    const crc = crc32c(b, offset, end);
    // RFC 9260 Appendix A: the reflected CRC goes on the wire least significant byte first.
    b[offset + 8] = crc & 0xff;
    b[offset + 9] = (crc >>> 8) & 0xff;
    b[offset + 10] = (crc >>> 16) & 0xff;
    b[offset + 11] = crc >>> 24;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Plain data (the Report of text exports)

/**
 * Anonymises every string of plain data (objects, arrays, strings; numbers, booleans and null as they
 * are), object keys included (host aliases are keyed by address), into a new value of the same shape.
 * Learns every string first, so no pseudonym equals an original that appears later in the data.
 */
export function anonymizeData<T>(value: T, map: AnonymizationMap): T {
  visitStrings(value, (text) => {
    learnText(text, map);
    return text;
  });
  return visitStrings(value, (text) => anonymizeText(text, map));
}

/** A copy of `value` with `f` applied to every string and object key (depth-bounded against cycles). */
function visitStrings<T>(value: T, f: (text: string) => string, depth = 0): T {
  if (typeof value === 'string') return f(value) as T;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => visitStrings(item, f, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[f(key)] = visitStrings(item, f, depth + 1);
  return out as T;
}

/**
 * The steps a capture writer takes to anonymise what it writes (src/node/export/write-capture.ts `transform`):
 * learn every packet first, then rewrite each (same length, checksums recomputed), the packet comments, and the
 * notes (whose Call-IDs and addresses then agree with the packets'). Problems the packets raise (an ESP integrity
 * value that cannot be recomputed...) are collected, each once.
 */
export function anonymizingTransform(map: AnonymizationMap): {
  learn(data: Uint8Array, linkType: number): void;
  apply(data: Uint8Array, linkType: number): Uint8Array;
  text(value: string): string;
  notes<T>(annotations: T): T;
  problems: Set<string>;
} {
  const problems = new Set<string>();
  return {
    learn: (data, linkType) => learnPacket(data, linkType, map),
    apply: (data, linkType) => {
      const result = anonymizePacket(data, linkType, map);
      for (const d of result.diagnostics) problems.add(d.message);
      return result.data;
    },
    text: (value) => anonymizeText(value, map),
    notes: (annotations) => anonymizeData(annotations, map),
    problems,
  };
}
