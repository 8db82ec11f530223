/**
 * The objects parseSip returns. Index fields are plain data filled in by the parser; header names and values,
 * the multipart split and the SDP are materialised on first access from the bytes the message keeps.
 */
import { malformed, note, type Diagnostic } from '../diagnostics.js';
import { parseSdp } from '../sdp/sdp.js';
import type { SdpSession } from '../sdp/types.js';
import { decodeUtf8 } from '../util/text.js';
import { equalsLower } from './chars.js';
import { unfold, type TextSource } from './source.js';
import { isMediaType, isMultipart, multipartBoundary } from './content-type.js';
import { HEADERS, UNKNOWN_HEADER, UNRESOLVED_HEADER, headerId, lookupHeader } from './header-names.js';
import { parseMultipart } from './multipart.js';
import { splitList } from './scan.js';
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
    public start: number,
    public nameEnd: number,
    public valueStart: number,
    public valueEnd: number,
    public end: number,
    public folded: boolean,
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

/** Ints per header in SipMessageImpl.spans. */
export const HEADER_FIELDS = 7;
const NO_SPANS: number[] = Object.freeze([]) as unknown as number[];

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
  /**
   * Header spans, HEADER_FIELDS ints per header line in wire order: id, start, nameEnd, valueStart, valueEnd,
   * end, folded. The Header objects of `headers` are built from it on first access.
   */
  spans: number[] = NO_SPANS;
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
    this.body = { start: end, end };
    this.diagnostics = diagnostics;
  }

  get headers(): Header[] {
    let list = this.headersCache;
    if (list === undefined) {
      list = [];
      const sp = this.spans;
      const src = this.src;
      if (src) {
        for (let k = 0; k + HEADER_FIELDS <= sp.length; k += HEADER_FIELDS) {
          let id = sp[k];
          if (id === UNRESOLVED_HEADER) {
            id = src.ascii ? lookupHeader(src.text, sp[k + 1] - src.base, sp[k + 2] - src.base) : headerId(src.str(sp[k + 1], sp[k + 2]));
          }
          list.push(new Header(src, id, sp[k + 1], sp[k + 2], sp[k + 3], sp[k + 4], sp[k + 5], sp[k + 6] !== 0));
        }
      }
      this.headersCache = list;
    }
    return list;
  }

  /** Number of header lines (without building the Header objects). */
  get headerCount(): number {
    return this.spans.length / HEADER_FIELDS;
  }

  /** Multipart parts; problems found while splitting are appended to `diagnostics` on first access. */
  get multipart(): MultipartPart[] | undefined {
    if (this.multipartCache === undefined) {
      this.multipartCache = null;
      if (isMultipart(this.contentType)) {
        const boundary = multipartBoundary(this.contentType);
        if (boundary === undefined) {
          this.diagnostics.push(malformed(LAYER, 'multipart Content-Type without a boundary parameter (RFC 2046 §5.1.1)'));
        } else {
          const r = parseMultipart(this.bytes, this.body.start, this.body.end, boundary);
          this.multipartCache = r.parts;
          for (const p of r.problems) {
            this.diagnostics.push(p.severity === 'error' ? malformed(LAYER, p.message, p.at) : note(LAYER, p.message, p.at));
          }
        }
      }
    }
    return this.multipartCache ?? undefined;
  }

  /**
   * The SDP of an application/sdp body, or of the first application/sdp part of a multipart body. Parsed on
   * first access; its diagnostics (layer `sdp`) are then appended to `diagnostics` with byte offsets.
   */
  get sdp(): SdpSession | undefined {
    if (this.sdpCache === undefined) {
      this.sdpCache = null;
      let span: ByteSpan | undefined;
      if (isMediaType(this.contentType, 'application/sdp')) span = this.body;
      else {
        const part = findSdpPart(this.multipart);
        if (part) span = { start: part.bodyStart, end: part.bodyEnd };
      }
      if (span) {
        const src = this.src;
        const text = src && src.fast(span.start, span.end) ? src.str(span.start, span.end) : decodeUtf8(this.bytes, span.start, span.end);
        const sdp = parseSdp(text);
        this.sdpCache = sdp;
        for (const d of sdp.diagnostics) {
          this.diagnostics.push({ ...d, offset: d.offset === undefined ? span.start : span.start + d.offset });
        }
      }
    }
    return this.sdpCache ?? undefined;
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
    const { bytes: _bytes, multipartCache: _m, sdpCache: _s, src: _src, spans: _spans, headersCache: _h, ...rest } = this as unknown as Record<string, unknown>;
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
