/**
 * The objects parseSip returns. Index fields are plain data filled in by the parser; header names and values,
 * the multipart split and the SDP are materialised on first access from the bytes the message keeps.
 */
import { decoderBug, malformed, note, type Diagnostic } from '../diagnostics.js';
import { parseSdp } from '../sdp/sdp.js';
import type { SdpSession } from '../sdp/types.js';
import { decodeUtf8 } from '../util/text.js';
import { equalsLower } from './chars.js';
import { isMediaType, isMultipart, multipartBoundary } from './content-type.js';
import { HEADERS, UNKNOWN_HEADER, headerId } from './header-names.js';
import { HEADER_FIELDS, scanHeaderSection, type HeaderSectionScan } from './lines.js';
import { parseMultipart } from './multipart.js';
import { splitList } from './scan.js';
import { unfold, type TextSource } from './source.js';
import type {
  ByteSpan,
  CSeq,
  MultipartPart,
  NameAddr,
  SipHeader,
  SipMessage,
  SipMessageKind,
  Uri,
  Via,
} from './types.js';

export class Header implements SipHeader {
  private cachedValue: string | undefined = undefined;
  constructor(
    private readonly src: TextSource,
    readonly id: number,
    readonly start: number,
    /** End of the name as written (before any whitespace and the colon). */
    readonly nameEnd: number,
    readonly valueStart: number,
    readonly valueEnd: number,
    readonly end: number,
    readonly folded: boolean,
  ) {}

  get name(): string {
    return this.src.str(this.start, this.nameEnd);
  }

  get canonical(): string {
    return this.id === UNKNOWN_HEADER ? this.name : HEADERS[this.id].name;
  }

  get compact(): boolean {
    return this.id !== UNKNOWN_HEADER && this.nameEnd - this.start === 1;
  }

  get value(): string {
    let v = this.cachedValue;
    if (v === undefined) {
      v = this.src.str(this.valueStart, this.valueEnd);
      if (this.folded) v = unfold(v);
      this.cachedValue = v;
    }
    return v;
  }

  get values(): string[] {
    return this.id !== UNKNOWN_HEADER && HEADERS[this.id].list ? splitList(this.value) : [this.value];
  }

  /** Plain-data snapshot (for JSON, IPC, or keeping beyond the life of the parse buffer). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      canonical: this.canonical,
      value: this.value,
      start: this.start,
      end: this.end,
      valueStart: this.valueStart,
      valueEnd: this.valueEnd,
    };
  }
}

const LAYER = 'sip';
const EMPTY_BODY: ByteSpan = Object.freeze({ start: 0, end: 0 });

export class SipMessageImpl implements SipMessage {
  kind: SipMessageKind = 'request';
  method = '';
  requestUri = '';
  parsedRequestUri: Uri | undefined = undefined;
  statusCode = 0;
  reason = '';
  version = '';
  headersEnd: number;
  bodyStart: number;
  end: number;
  body: ByteSpan;
  callId: string | undefined = undefined;
  cseq: CSeq | undefined = undefined;
  from: NameAddr | undefined = undefined;
  to: NameAddr | undefined = undefined;
  vias: Via[] = [];
  contacts: NameAddr[] = [];
  contentLength: number | undefined = undefined;
  contentType = '';
  maxForwards: number | undefined = undefined;
  expires: number | undefined = undefined;
  diagnostics: Diagnostic[];
  private headersCache: Header[] | undefined = undefined;
  private multipartCache: MultipartPart[] | null | undefined = undefined;
  private sdpCache: SdpSession | null | undefined = undefined;
  /** The decoded text, kept so the lazy SDP can reuse it when it covers the body. */
  src: TextSource | undefined = undefined;

  constructor(
    readonly bytes: Uint8Array,
    public start: number,
    end: number,
    diagnostics: Diagnostic[],
  ) {
    this.headersEnd = end;
    this.bodyStart = end;
    this.end = end;
    // Replaced by the parser; a fresh object here would be one more allocation per message.
    this.body = EMPTY_BODY;
    this.diagnostics = diagnostics;
  }

  get headers(): Header[] {
    let list = this.headersCache;
    if (list === undefined) {
      this.headersCache = list = this.buildHeaders();
    }
    return list;
  }

  /** The header lines, scanned again from the bytes (the parser keeps no per-message copy of them). */
  private buildHeaders(): Header[] {
    const list: Header[] = [];
    const src = this.src;
    if (!src) return list;
    try {
      const sp: number[] = [];
      const scan: HeaderSectionScan = { n: 0, startLineEnd: 0, headersEnd: -1, bareLf: false };
      scanHeaderSection(src, this.start, sp, true, undefined, scan);
      for (let k = 0; k < scan.n; k += HEADER_FIELDS) {
        list.push(new Header(src, sp[k], sp[k + 1], sp[k + 2], sp[k + 3], sp[k + 4], sp[k + 5], sp[k + 6] !== 0));
      }
    } catch (error) {
      // Never expected; but a lazy part must not throw into the UI either (it runs outside parseSip's guard).
      this.diagnostics.push(decoderBug(LAYER, error));
      return [];
    }
    return list;
  }

  /** Multipart parts; problems found while splitting are appended to `diagnostics` on first access. */
  get multipart(): MultipartPart[] | undefined {
    if (this.multipartCache === undefined) {
      this.multipartCache = null;
      try {
        this.multipartCache = this.parseMultipartBody();
      } catch (error) {
        this.diagnostics.push(decoderBug(LAYER, error));
      }
    }
    return this.multipartCache ?? undefined;
  }

  private parseMultipartBody(): MultipartPart[] | null {
    if (!isMultipart(this.contentType)) return null;
    const boundary = multipartBoundary(this.contentType);
    if (boundary === undefined) {
      this.diagnostics.push(malformed(LAYER, 'multipart Content-Type without a boundary parameter (RFC 2046 §5.1.1)', this.bodyStart));
      return null;
    }
    const r = parseMultipart(this.bytes, this.body.start, this.body.end, boundary);
    for (const p of r.problems) {
      this.diagnostics.push(p.severity === 'error' ? malformed(LAYER, p.message, p.at) : note(LAYER, p.message, p.at));
    }
    return r.parts;
  }

  /**
   * The SDP of an application/sdp body, or of the first application/sdp part of a multipart body. Parsed on
   * first access; its diagnostics (layer `sdp`) are then appended to `diagnostics` with byte offsets.
   */
  get sdp(): SdpSession | undefined {
    if (this.sdpCache === undefined) {
      this.sdpCache = null;
      try {
        this.sdpCache = this.parseSdpBody();
      } catch (error) {
        this.diagnostics.push(decoderBug('sdp', error));
      }
    }
    return this.sdpCache ?? undefined;
  }

  private parseSdpBody(): SdpSession | null {
    let span: ByteSpan | undefined;
    if (isMediaType(this.contentType, 'application/sdp')) span = this.body;
    else {
      const part = findSdpPart(this.multipart);
      if (part) span = { start: part.bodyStart, end: part.bodyEnd };
    }
    if (!span) return null;
    const src = this.src;
    const text = src && src.fast(span.start, span.end) ? src.str(span.start, span.end) : decodeUtf8(this.bytes, span.start, span.end);
    const sdp = parseSdp(text);
    // SDP offsets are character offsets in the text: byte offsets too when the body is ASCII.
    for (const d of sdp.diagnostics) {
      this.diagnostics.push({ ...d, offset: d.offset === undefined ? span.start : span.start + d.offset });
    }
    return sdp;
  }

  header(name: string): Header | undefined {
    const id = headerId(name);
    for (const h of this.headers) {
      if (id !== UNKNOWN_HEADER ? h.id === id : h.id === UNKNOWN_HEADER && equalsLower(h.name, name.toLowerCase())) return h;
    }
    return undefined;
  }

  headersNamed(name: string): Header[] {
    const id = headerId(name);
    const lower = name.toLowerCase();
    return this.headers.filter((h) => (id !== UNKNOWN_HEADER ? h.id === id : h.id === UNKNOWN_HEADER && equalsLower(h.name, lower)));
  }

  /** Plain-data snapshot without the lazy parts' getters (for JSON / IPC). */
  toJSON(): Record<string, unknown> {
    const { bytes: _bytes, multipartCache: _m, sdpCache: _s, src: _src, headersCache: _h, ...rest } = this as unknown as Record<string, unknown>;
    return { ...rest, headers: this.headers.map((h) => h.toJSON()) };
  }
}

function findSdpPart(parts: MultipartPart[] | undefined): MultipartPart | undefined {
  if (!parts) return undefined;
  for (const p of parts) {
    if (isMediaType(p.contentType, 'application/sdp')) return p;
    const inner = findSdpPart(p.parts);
    if (inner) return inner;
  }
  return undefined;
}
