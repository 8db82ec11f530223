import type { SipMessage } from '../sip/types.js';

/** What the call analysis needs from a message beyond the indexed fields, read once at ingestion. */
export interface MessageFacts {
  /** Expires header (RFC 3261 §20.19). */
  expires?: number;
  /** Smallest `expires` Contact parameter (RFC 3261 §10.2.1.1); with a wildcard Contact, 0 means "remove all". */
  contactExpires?: number;
  /** Option tags of Require and Supported (RFC 3261 §20.32, §20.37). */
  require: string[];
  supported: string[];
  /** RSeq of a reliable provisional response (RFC 3262 §7.1). */
  rseq?: number;
  /** RAck of a PRACK: the RSeq and CSeq it acknowledges (RFC 3262 §7.2). */
  rack?: { rseq: number; cseq: number; method: string };
  /** Media type of the body in lower case, without parameters ('' when none). */
  contentType: string;
  /** The message carries an SDP body (directly or as a multipart part). */
  sdp: boolean;
  /** Direction of the first audio stream (RFC 3264 §5.1; sendrecv by default). */
  audioDirection?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** Audio codecs offered or answered (rtpmap encoding names, or static payload numbers). */
  codecs: string[];
  /** The SDP carries precondition attributes (RFC 3312). */
  preconditions: boolean;
  /** Event package (RFC 6665 §8.2.1): `reg`, `message-summary`, `presence`, `refer`... */
  event?: string;
  /** `icid-value` of P-Charging-Vector (RFC 7315 §4.6): the IMS charging id shared by every leg of a session. */
  icid?: string;
  /** Session-ID (RFC 7989) local uuid. */
  sessionId?: string;
  /** Refer-To (RFC 3515) and Reason (RFC 3326) as written. */
  referTo?: string;
  reason?: string;
  /** `nonce` of the request's Authorization / Proxy-Authorization (RFC 3261 §22.4, RFC 2617 §3.2.2). */
  authNonce?: string;
  /** A Contact carries `isfocus` (RFC 4579 §3.3): the UA is a conference focus. */
  isFocus?: boolean;
  /** `nonce` of the response's WWW-Authenticate / Proxy-Authenticate challenge (RFC 3261 §22.1). */
  challengeNonce?: string;
}

/** The nonce parameter of a Digest credentials or challenge value. */
function nonceOf(value: string): string | undefined {
  const match = /(?:^|[\s,])nonce\s*=\s*"([^"]*)"/i.exec(value) ?? /(?:^|[\s,])nonce\s*=\s*([^\s,]+)/i.exec(value);
  return match ? match[1] : undefined;
}

const EMPTY: string[] = [];

/** Static RTP payload types (RFC 3551 §6), so that `0` in an offer and `PCMU` in an answer compare equal. */
const STATIC_PAYLOADS: Record<string, string> = { '0': 'PCMU', '3': 'GSM', '4': 'G723', '8': 'PCMA', '9': 'G722', '13': 'CN', '15': 'G728', '18': 'G729' };

function codecName(format: string, rtpmap: string | undefined): string {
  return rtpmap ?? STATIC_PAYLOADS[format] ?? format;
}

function optionTags(message: SipMessage, name: string): string[] {
  const headers = message.headersNamed(name);
  if (headers.length === 0) return EMPTY;
  const tags: string[] = [];
  for (const h of headers) for (const v of h.values) if (v.trim()) tags.push(v.trim().toLowerCase());
  return tags;
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return /^\d{1,10}$/.test(t) ? Number(t) : undefined;
}

/** Reads the facts of one parsed message. Never throws on odd values: what cannot be read is left out. */
export function extractFacts(message: SipMessage): MessageFacts {
  const facts: MessageFacts = {
    require: optionTags(message, 'Require'),
    supported: optionTags(message, 'Supported'),
    contentType: message.contentType.split(';')[0].trim().toLowerCase(),
    sdp: false,
    codecs: EMPTY,
    preconditions: false,
  };
  if (message.expires !== undefined) facts.expires = message.expires;
  for (const contact of message.contacts) {
    if (contact.params.some((p) => p.name.toLowerCase() === 'isfocus')) facts.isFocus = true;
    const param = contact.params.find((p) => p.name.toLowerCase() === 'expires');
    const value = integer(param?.value);
    if (value !== undefined) facts.contactExpires = Math.min(facts.contactExpires ?? value, value);
    else if (contact.wildcard && message.expires === 0) facts.contactExpires = 0;
  }
  const rseq = message.header('RSeq');
  if (rseq) facts.rseq = integer(rseq.value);
  const rack = message.header('RAck');
  if (rack) {
    // RFC 3262 §7.2: RAck = response-num CSeq-num Method.
    const [r, c, m] = rack.value.trim().split(/\s+/);
    const rseqValue = integer(r);
    const cseq = integer(c);
    if (rseqValue !== undefined && cseq !== undefined && m) facts.rack = { rseq: rseqValue, cseq, method: m };
  }
  const event = message.header('Event');
  if (event) facts.event = event.value.split(';')[0].trim().toLowerCase();
  const pcv = message.header('P-Charging-Vector');
  if (pcv) {
    const match = /(?:^|;)\s*icid-value\s*=\s*("?)([^;"]+)\1/i.exec(pcv.value);
    if (match) facts.icid = match[2].trim();
  }
  const sessionId = message.header('Session-ID');
  if (sessionId) facts.sessionId = sessionId.value.split(';')[0].trim().toLowerCase();
  const referTo = message.header('Refer-To');
  if (referTo) facts.referTo = referTo.value;
  const reason = message.header('Reason');
  if (reason) facts.reason = reason.value;
  // The first credentials / challenge header carrying a nonce, in wire order (as scanFacts reads them).
  for (const h of message.headers) {
    const name = h.canonical.toLowerCase();
    if (facts.authNonce === undefined && (name === 'authorization' || name === 'proxy-authorization')) {
      const nonce = nonceOf(h.value);
      if (nonce !== undefined) facts.authNonce = nonce;
    } else if (facts.challengeNonce === undefined && (name === 'www-authenticate' || name === 'proxy-authenticate')) {
      const nonce = nonceOf(h.value);
      if (nonce !== undefined) facts.challengeNonce = nonce;
    }
  }
  const sdp = message.body.end > message.body.start ? message.sdp : undefined;
  if (!sdp && facts.contentType === '' && looksLikeSdp(message.bytes, message.body.start, message.body.end)) scanSdp(facts, message.bytes, message.body.start, message.body.end);
  if (sdp) {
    facts.sdp = true;
    const audio = sdp.media.find((m) => m.type === 'audio');
    if (audio) {
      facts.audioDirection = audio.direction;
      const names = audio.formats.map((format) => codecName(format, audio.rtpmaps.find((r) => String(r.payloadType) === format)?.encoding));
      facts.codecs = names;
      facts.preconditions = audio.preconditions.length > 0 || sdp.preconditions.length > 0;
    }
  }
  return facts;
}

/** Header names the facts come from, lower case, with their compact forms (RFC 3261 §7.3.3, RFC 3515, RFC 6665). */
const FACT_HEADERS = new Map<string, string>([
  ['expires', 'expires'],
  ['contact', 'contact'],
  ['m', 'contact'],
  ['require', 'require'],
  ['supported', 'supported'],
  ['k', 'supported'],
  ['rseq', 'rseq'],
  ['rack', 'rack'],
  ['content-type', 'content-type'],
  ['c', 'content-type'],
  ['event', 'event'],
  ['o', 'event'],
  ['p-charging-vector', 'p-charging-vector'],
  ['session-id', 'session-id'],
  ['refer-to', 'refer-to'],
  ['r', 'refer-to'],
  ['reason', 'reason'],
  ['authorization', 'authorization'],
  ['proxy-authorization', 'authorization'],
  ['www-authenticate', 'authenticate'],
  ['proxy-authenticate', 'authenticate'],
]);

const FACT_NAME_LENGTHS = new Set([...FACT_HEADERS.keys()].map((name) => name.length));

const decoder = new TextDecoder();

/**
 * The same facts as `extractFacts`, read straight from the bytes of a message the strict fast scan accepted
 * (`scanIndexFields`: no folding, CRLF line ends, a clean header section), without building the parsed
 * message: a line walk that decodes only the values it needs, and a line walk over an SDP body.
 */
export function scanFacts(bytes: Uint8Array, start: number, end: number): MessageFacts {
  const facts: MessageFacts = { require: EMPTY, supported: EMPTY, contentType: '', sdp: false, codecs: EMPTY, preconditions: false };
  // Skip the start line.
  let pos = bytes.indexOf(0x0a, start);
  if (pos < 0 || pos >= end) return facts;
  pos++;
  let bodyStart = end;
  while (pos < end) {
    let lineEnd = bytes.indexOf(0x0a, pos);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const textEnd = lineEnd > pos && bytes[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    if (textEnd === pos) {
      bodyStart = lineEnd + 1;
      break;
    }
    const colon = bytes.indexOf(0x3a, pos);
    if (colon > pos && colon < textEnd) {
      let nameEnd = colon;
      while (nameEnd > pos && (bytes[nameEnd - 1] === 0x20 || bytes[nameEnd - 1] === 0x09)) nameEnd--;
      // Only names of the right length are decoded: most header lines are skipped without a string.
      const length = nameEnd - pos;
      if (FACT_NAME_LENGTHS.has(length)) {
        let name = '';
        for (let i = pos; i < nameEnd; i++) name += String.fromCharCode(bytes[i] | 0x20);
        const fact = FACT_HEADERS.get(name);
        if (fact !== undefined) applyHeader(facts, fact, decoder.decode(bytes.subarray(colon + 1, textEnd)).trim());
      }
    }
    pos = lineEnd + 1;
  }
  if (bodyStart < end && (facts.contentType === 'application/sdp' || (facts.contentType === '' && looksLikeSdp(bytes, bodyStart, end)))) scanSdp(facts, bytes, bodyStart, end);
  return facts;
}

function applyHeader(facts: MessageFacts, header: string, value: string): void {
  switch (header) {
    case 'expires':
      facts.expires = integer(value);
      break;
    case 'contact': {
      // RFC 3261 §20.10: each contact-param may carry `expires`; the smallest decides when bindings end.
      if (/;\s*isfocus\s*(?:[;,=]|$)/i.test(value)) facts.isFocus = true;
      const re = /;\s*expires\s*=\s*(\d{1,10})/gi;
      for (let m = re.exec(value); m; m = re.exec(value)) facts.contactExpires = Math.min(facts.contactExpires ?? Number(m[1]), Number(m[1]));
      break;
    }
    case 'require':
    case 'supported': {
      const tags = value.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
      facts[header] = facts[header] === EMPTY ? tags : [...facts[header], ...tags];
      break;
    }
    case 'rseq':
      facts.rseq = integer(value);
      break;
    case 'rack': {
      const [r, c, m] = value.split(/\s+/);
      const rseq = integer(r);
      const cseq = integer(c);
      if (rseq !== undefined && cseq !== undefined && m) facts.rack = { rseq, cseq, method: m };
      break;
    }
    case 'content-type':
      facts.contentType = value.split(';')[0].trim().toLowerCase();
      break;
    case 'event':
      facts.event = value.split(';')[0].trim().toLowerCase();
      break;
    case 'p-charging-vector': {
      const match = /(?:^|;)\s*icid-value\s*=\s*("?)([^;"]+)\1/i.exec(value);
      if (match) facts.icid = match[2].trim();
      break;
    }
    case 'session-id':
      facts.sessionId = value.split(';')[0].trim().toLowerCase();
      break;
    case 'refer-to':
      facts.referTo = value;
      break;
    case 'reason':
      facts.reason = value;
      break;
    case 'authorization':
      // The first of Authorization / Proxy-Authorization, as `message.header()` returns the first.
      if (facts.authNonce === undefined) {
        const nonce = nonceOf(value);
        if (nonce !== undefined) facts.authNonce = nonce;
      }
      break;
    case 'authenticate':
      if (facts.challengeNonce === undefined) {
        const nonce = nonceOf(value);
        if (nonce !== undefined) facts.challengeNonce = nonce;
      }
      break;
  }
}

/**
 * A body without Content-Type that starts with SDP's `v=0` line (RFC 8866 §5.1) is read as SDP: the type is
 * missing (RFC 3261 §20.15 wants it), the offer or answer is still there for the call to use.
 */
function looksLikeSdp(bytes: Uint8Array, start: number, end: number): boolean {
  return end - start >= 4 && bytesAre(bytes, start, end, 'v=0') && (bytes[start + 3] === 0x0d || bytes[start + 3] === 0x0a);
}

/** True when bytes[at, at + text.length) equal the ASCII `text`. */
function bytesAre(bytes: Uint8Array, at: number, end: number, text: string): boolean {
  if (at + text.length > end) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

const DIRECTION_NAMES = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;

/**
 * The audio direction, codecs and preconditions of an SDP body (RFC 8866 lines; RFC 3264 §5.1; RFC 3312),
 * by a walk over the body's bytes: only the m=audio format list and the rtpmap names become strings.
 */
function scanSdp(facts: MessageFacts, bytes: Uint8Array, start: number, end: number): void {
  facts.sdp = true;
  let inAudio = false;
  let seenAudio = false;
  let sessionDirection: MessageFacts['audioDirection'];
  let audioDirection: MessageFacts['audioDirection'];
  let formats: string[] = [];
  let names: Map<string, string> | undefined;
  for (let pos = start; pos < end; ) {
    let lineEnd = bytes.indexOf(0x0a, pos);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const textEnd = lineEnd > pos && bytes[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    if (textEnd - pos >= 2 && bytes[pos + 1] === 0x3d /* = */) {
      const type = bytes[pos];
      if (type === 0x6d /* m */) {
        if (seenAudio) inAudio = false;
        else if (bytesAre(bytes, pos, textEnd, 'm=audio ')) {
          inAudio = seenAudio = true;
          formats = decoder.decode(bytes.subarray(pos, textEnd)).split(' ').slice(3);
        }
      } else if (type === 0x61 /* a */) {
        const at = pos + 2;
        const length = textEnd - at;
        let direction: MessageFacts['audioDirection'];
        if (length === 8) for (const name of DIRECTION_NAMES) if (bytesAre(bytes, at, textEnd, name)) direction = name;
        if (direction !== undefined) {
          if (inAudio) audioDirection = direction;
          else if (!seenAudio) sessionDirection = direction;
        } else if (bytesAre(bytes, at, textEnd, 'curr:') || bytesAre(bytes, at, textEnd, 'des:') || bytesAre(bytes, at, textEnd, 'conf:')) {
          if (inAudio || !seenAudio) facts.preconditions = true;
        } else if (inAudio && bytesAre(bytes, at, textEnd, 'rtpmap:')) {
          const attribute = decoder.decode(bytes.subarray(at, textEnd));
          const space = attribute.indexOf(' ');
          if (space > 0) (names ??= new Map()).set(attribute.slice(7, space), attribute.slice(space + 1).split('/')[0]);
        }
      }
    }
    pos = lineEnd + 1;
  }
  if (seenAudio) {
    facts.audioDirection = audioDirection ?? sessionDirection ?? 'sendrecv';
    facts.codecs = formats.map((f) => codecName(f, names?.get(f)));
  }
}
