/** Data model of a parsed SIP message (RFC 3261 §7) and of the header values the index needs. */
import type { Diagnostic } from '../diagnostics.js';
import type { SdpSession } from '../sdp/types.js';

/**
 * A problem found by one of the value parsers (URI, name-addr, Via, CSeq, ...). `at` is a byte offset: into
 * the message buffer when the message parser ran them (it turns problems into diagnostics), into the UTF-8
 * of the text for the stand-alone string entry points (the string index, for ASCII text).
 */
export interface Problem {
  severity: 'error' | 'note';
  message: string;
  at: number;
}

/** A `;name=value` parameter (URI, header or Via parameter). `value` is as written (quotes kept). */
export interface Param {
  name: string;
  /** undefined for a parameter without `=` (e.g. `;lr`, `;rport`). */
  value: string | undefined;
}

export type HostType = 'name' | 'ipv4' | 'ipv6' | '';

/** A URI: sip/sips (RFC 3261 §19.1), tel (RFC 3966), or any other scheme kept opaque (urn, http, ...). */
export interface Uri {
  /** Scheme in lower case: `sip`, `sips`, `tel`, `urn`, ... ('' when the text has no scheme). */
  scheme: string;
  /** sip/sips: user part as written (escapes kept, see `unescapeUri`); tel: the telephone-subscriber number. */
  user: string | undefined;
  password: string | undefined;
  /** Host without the brackets of an IPv6 reference; '' for tel and opaque URIs. */
  host: string;
  hostType: HostType;
  port: number | undefined;
  /** uri-parameters (sip/sips) or tel parameters (phone-context, isub, ext, ...), in order. */
  params: Param[];
  /** sip/sips `?name=value&...` headers. */
  headers: Param[];
  /** For schemes other than sip/sips/tel: everything after `scheme:`. */
  opaque: string | undefined;
  problems?: Problem[];
}

/** name-addr / addr-spec with header parameters (From, To, Contact, Route, P-Asserted-Identity, ...). */
export interface NameAddr {
  /** Display name with quotes removed and quoted-pairs unescaped; undefined when absent. */
  displayName: string | undefined;
  /** The URI as written (between < and > when bracketed). `*` for a wildcard Contact. */
  uri: string;
  parsedUri: Uri;
  /** The URI was enclosed in < >. */
  bracketed: boolean;
  /** The `tag` header parameter (From/To, RFC 3261 §19.3). */
  tag: string | undefined;
  /** Header parameters after the URI (`;tag=`, `;expires=`, `;+sip.instance=`...), in order. */
  params: Param[];
  /** Contact: * (RFC 3261 §10.2.2). */
  wildcard?: boolean;
  problems?: Problem[];
}

/** One via-parm (RFC 3261 §20.42). A Via header line may carry several. */
export interface Via {
  /** Protocol name and version: `SIP`, `2.0`. */
  protocol: string;
  version: string;
  /** Transport in upper case as written: UDP, TCP, TLS, SCTP, WS, WSS, or anything else. */
  transport: string;
  /** sent-by host (IPv6 without brackets) and port. */
  host: string;
  hostType: HostType;
  port: number | undefined;
  branch: string | undefined;
  received: string | undefined;
  /** `rport` (RFC 3581): true when present without a value, the number when filled in, undefined when absent. */
  rport: boolean | number | undefined;
  maddr: string | undefined;
  ttl: number | undefined;
  /** Every parameter in order, including branch/received/rport. */
  params: Param[];
  problems?: Problem[];
}

export interface CSeq {
  /** Sequence number (NaN when not a number; may exceed 2^32-1 when the message is malformed). */
  seq: number;
  method: string;
  problems?: Problem[];
}

/**
 * One header line. The list is built on first access of `SipMessage.headers` (the parser itself keeps no
 * per-header objects), and name and value strings on first access of each; spans are byte offsets into the
 * buffer the message was parsed from, which the message keeps for these getters.
 */
export interface SipHeader {
  /** Index in HEADERS, or UNKNOWN_HEADER (-1). */
  readonly id: number;
  /** The name as written on the wire (`v`, `ViA`, `P-Asserted-Identity`). */
  readonly name: string;
  /** Canonical full name (`Via`, `Call-ID`); the name as written for headers not in the table. */
  readonly canonical: string;
  /** Written in compact form (`v`, `i`, `m`, ...). */
  readonly compact: boolean;
  /** Value with folded lines joined (CRLF + leading whitespace → one SP, RFC 3261 §7.3.1), trimmed. */
  readonly value: string;
  /** The value split on top-level commas for list headers (quoted strings and <...> respected); [value] otherwise. */
  readonly values: string[];
  /** Byte span of the whole header line including folded continuation lines, without the final CRLF. */
  readonly start: number;
  readonly end: number;
  /** Byte span of the value (after `:` and leading whitespace, trailing whitespace trimmed). */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** The value spans several lines (folding). */
  readonly folded: boolean;
}

export interface ByteSpan {
  start: number;
  end: number;
}

/** One body part of a multipart body (RFC 2046 §5.1). */
export interface MultipartPart {
  /** Span of the part: from its first header line to just before the CRLF of the next delimiter. */
  start: number;
  end: number;
  headers: Array<{ name: string; value: string }>;
  /** The part's Content-Type ('' when absent: text/plain per RFC 2046 §5.1). */
  contentType: string;
  bodyStart: number;
  bodyEnd: number;
  /** Parts of a nested multipart. */
  parts?: MultipartPart[];
}

export type SipMessageKind = 'request' | 'response';

export interface SipMessage {
  kind: SipMessageKind;
  /** Request method as written ('' for responses: see `cseq.method`). */
  method: string;
  /** Request-URI as written ('' for responses). */
  requestUri: string;
  parsedRequestUri: Uri | undefined;
  /** Status code (0 for requests or when unreadable). */
  statusCode: number;
  /** Reason phrase ('' for requests). */
  reason: string;
  /** `SIP/2.0` as written. */
  version: string;

  /** The buffer the offsets below refer to. Lazy getters read it: copy it if it must outlive a reused buffer. */
  bytes: Uint8Array;
  /** Offset of the start line (after any skipped junk or keep-alive CRLFs). */
  start: number;
  /** Offset just after the empty line that ends the header section. */
  headersEnd: number;
  bodyStart: number;
  /** End of this message (datagram end, or header + Content-Length on a stream). */
  end: number;
  body: ByteSpan;

  callId: string | undefined;
  cseq: CSeq | undefined;
  from: NameAddr | undefined;
  to: NameAddr | undefined;
  /** All via-parms, top first. */
  vias: Via[];
  contacts: NameAddr[];
  contentLength: number | undefined;
  /** Content-Type value as written (media type with parameters), '' when absent. */
  contentType: string;
  maxForwards: number | undefined;
  expires: number | undefined;

  /** Every header line in wire order (built on first access). */
  readonly headers: SipHeader[];
  /** Parts of a multipart body (parsed on first access; problems are then appended to `diagnostics`). */
  readonly multipart: MultipartPart[] | undefined;
  /**
   * The session description of an application/sdp body or of the first application/sdp part (parsed on first
   * access, or by parseSip with `body: 'eager'`; its diagnostics, layer `sdp`, are then appended to `diagnostics`).
   */
  readonly sdp: SdpSession | undefined;
  /** What is wrong with the message (layer `sip`; `sdp` once the SDP is parsed), byte offsets into `bytes`. */
  diagnostics: Diagnostic[];

  /** First header with this name (any case, compact or full form). */
  header(name: string): SipHeader | undefined;
  /** All headers with this name, in wire order. */
  headersNamed(name: string): SipHeader[];
}
