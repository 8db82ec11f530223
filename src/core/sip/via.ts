/**
 * Via (RFC 3261 §20.42, §25.1):
 *
 *   Via           = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport     (SLASH = SWS "/" SWS)
 *   sent-by       = host [ COLON port ]
 */
import { LWS_BYTE, equalsLower, isDigit } from './chars.js';
import {
  NO_PARAMS,
  addProblem,
  parseDecimal,
  parseDecimalBytes,
  parseGenericParams,
  scanTokenBytes,
  skipLwsBytes,
  type ProblemSink,
} from './scan.js';
import { sourceOf, type TextSource } from './source.js';
import { parseHostPort } from './uri.js';
import type { Via } from './types.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this magic cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** The transport token at bytes [a, b), interned when it is a common one written in upper case. */
function internTransport(src: TextSource, a: number, b: number): string {
  const x = src.bytes;
  const n = b - a;
  if (n === 3) {
    const c0 = x[a];
    const c1 = x[a + 1];
    const c2 = x[a + 2];
    if (c0 === 0x55 && c1 === 0x44 && c2 === 0x50) return 'UDP';
    if (c0 === 0x54 && c1 === 0x43 && c2 === 0x50) return 'TCP';
    if (c0 === 0x54 && c1 === 0x4c && c2 === 0x53) return 'TLS';
    if (c0 === 0x57 && c1 === 0x53 && c2 === 0x53) return 'WSS';
  } else if (n === 2 && x[a] === 0x57 && x[a + 1] === 0x53) return 'WS';
  return src.str(a, b).toUpperCase();
}

function newVia(): Via {
  return {
    protocol: '',
    version: '',
    transport: '',
    host: '',
    hostType: '',
    port: undefined,
    branch: undefined,
    received: undefined,
    rport: undefined,
    maddr: undefined,
    ttl: undefined,
    params: NO_PARAMS,
  };
}

/** Parses one via-parm. Problem offsets are UTF-8 byte offsets in `text`. Never throws. */
export function parseVia(text: string): Via {
  const src = sourceOf(text);
  const via = newVia();
  parseInto(src, 0, src.bytes.length, via, false);
  return via;
}

/** `SIP/2.0/` at i, the sent-protocol every implementation sends. */
function isSip20(b: Uint8Array, i: number, end: number): boolean {
  return (
    i + 8 <= end &&
    b[i] === 0x53 &&
    b[i + 1] === 0x49 &&
    b[i + 2] === 0x50 &&
    b[i + 3] === 0x2f &&
    b[i + 4] === 0x32 &&
    b[i + 5] === 0x2e &&
    b[i + 6] === 0x30 &&
    b[i + 7] === 0x2f
  );
}

function parseInto(src: TextSource, start: number, end: number, via: Via, inList: boolean): number {
  const b = src.bytes;
  let i = skipLwsBytes(b, start, end);
  const at = i;
  let ok: boolean;
  if (isSip20(b, i, end)) {
    via.protocol = 'SIP';
    via.version = '2.0';
    const j = scanTokenBytes(b, i + 8, end);
    via.transport = internTransport(src, i + 8, j);
    ok = j > i + 8;
    i = j;
  } else {
    let j = scanTokenBytes(b, i, end);
    via.protocol = src.str(i, j);
    i = skipLwsBytes(b, j, end);
    ok = j > at && i < end && b[i] === 0x2f;
    if (ok) {
      i = skipLwsBytes(b, i + 1, end);
      j = scanTokenBytes(b, i, end);
      via.version = src.str(i, j);
      ok = j > i;
      i = skipLwsBytes(b, j, end);
      ok = ok && i < end && b[i] === 0x2f;
      if (ok) {
        i = skipLwsBytes(b, i + 1, end);
        j = scanTokenBytes(b, i, end);
        via.transport = internTransport(src, i, j);
        ok = j > i;
        i = j;
      }
    }
    if (ok && (!equalsLower(via.protocol, 'sip') || via.version !== '2.0')) {
      addProblem(via, 'error', `protocol version ${via.protocol}/${via.version} is not SIP/2.0`, at);
    }
  }
  if (!ok) {
    let stop = i;
    while (stop < end && !(inList && b[stop] === 0x2c)) stop++;
    addProblem(via, 'error', `malformed sent-protocol (expected SIP/2.0/<transport>) in '${src.str(at, stop)}'`, i);
    return stop;
  }
  // LWS sent-by
  const hostStart = skipLwsBytes(b, i, end);
  if (hostStart === i) addProblem(via, 'error', 'whitespace expected between the transport and sent-by', i);
  i = parseHostPort(src, hostStart, end, via, 'Via sent-by');
  if (via.port === undefined && i < end && LWS_BYTE[b[i]] === 1) {
    // COLON = SWS ":" SWS: whitespace around the port's colon is legal, if rare.
    let k = skipLwsBytes(b, i, end);
    if (k < end && b[k] === 0x3a) {
      k = skipLwsBytes(b, k + 1, end);
      const portStart = k;
      while (k < end && isDigit(b[k])) k++;
      const port = parseDecimalBytes(b, portStart, k);
      if (port < 0 || port > 65535) addProblem(via, 'error', 'invalid port in Via sent-by', portStart);
      else via.port = port;
      i = k;
    }
  }
  const stop = parseGenericParams(src, i, end, via, inList);
  const params = via.params;
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    const n = p.name;
    if (n === 'branch' || equalsLower(n, 'branch')) via.branch = p.value ?? '';
    else if (n === 'received' || equalsLower(n, 'received')) via.received = p.value ?? '';
    else if (n === 'rport' || equalsLower(n, 'rport')) {
      if (p.value === undefined || p.value === '') via.rport = true;
      else {
        const port = parseDecimal(p.value, 0, p.value.length);
        if (port < 0 || port > 65535) addProblem(via, 'error', `invalid rport value '${p.value}'`, hostStart);
        via.rport = port < 0 ? true : port;
      }
    } else if (n === 'maddr' || equalsLower(n, 'maddr')) via.maddr = p.value ?? '';
    else if ((n === 'ttl' || equalsLower(n, 'ttl')) && p.value !== undefined) {
      const ttl = parseDecimal(p.value, 0, p.value.length);
      if (ttl < 0 || ttl > 255) addProblem(via, 'error', `invalid ttl '${p.value}'`, hostStart);
      else via.ttl = ttl;
    }
  }
  checkBranch(via, at);
  if (via.hostType === 'ipv4' && via.host === '255.255.255.255') {
    addProblem(via, 'note', 'sent-by is the broadcast address 255.255.255.255 (RFC 4475 §3.3.10)', hostStart);
  }
  return stop;
}

function checkBranch(via: Via, at: number): void {
  const b = via.branch;
  if (b === undefined) {
    addProblem(via, 'note', 'no branch parameter: RFC 2543-style transaction matching (RFC 3261 §17.2.3)', at);
  } else if (b.length === 0) {
    addProblem(via, 'error', 'branch parameter without a value', at);
  } else if (b.length === 7 && b === MAGIC_COOKIE) {
    addProblem(via, 'note', 'branch is only the magic cookie z9hG4bK: no transaction identifier (RFC 4475 §3.2.1)', at);
  } else if (!b.startsWith(MAGIC_COOKIE)) {
    addProblem(via, 'note', `branch '${b}' lacks the z9hG4bK magic cookie (RFC 3261 §8.1.1.7): pre-RFC 3261 sender`, at);
  }
}

/** Parses a Via header value with one or more comma-separated via-parms. */
export function parseViaList(text: string, sink: ProblemSink = {}): Via[] {
  const src = sourceOf(text);
  return parseViaListAt(src, 0, src.bytes.length, sink);
}

/**
 * Parses the via-parms in bytes [start, end) in one pass, appending to `out`. Empty items (a stray ',') are
 * reported on `sink`.
 */
export function parseViaListAt(src: TextSource, start: number, end: number, sink: ProblemSink = {}, out: Via[] = []): Via[] {
  const b = src.bytes;
  let i = start;
  const before = out.length;
  while (true) {
    i = skipLwsBytes(b, i, end);
    if (i >= end || b[i] === 0x2c) {
      addProblem(sink, 'error', i >= end && out.length === before ? 'empty Via value' : "empty via-parm (stray ',')", i);
    } else {
      const via = newVia();
      i = parseInto(src, i, end, via, true);
      out.push(via);
    }
    if (i >= end) break;
    i++; // the ','
  }
  return out;
}
