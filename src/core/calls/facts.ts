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
}

const EMPTY: string[] = [];

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
  const sdp = message.body.end > message.body.start ? message.sdp : undefined;
  if (sdp) {
    facts.sdp = true;
    const audio = sdp.media.find((m) => m.type === 'audio');
    if (audio) {
      facts.audioDirection = audio.direction;
      const names = audio.formats.map((format) => {
        const map = audio.rtpmaps.find((r) => String(r.payloadType) === format);
        return map ? map.encoding : format;
      });
      facts.codecs = names;
      facts.preconditions = audio.preconditions.length > 0 || sdp.preconditions.length > 0;
    }
  }
  return facts;
}
