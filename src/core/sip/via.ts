/**
 * Via (RFC 3261 §20.42, §25.1):
 *
 *   Via           = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport     (SLASH = SWS "/" SWS)
 *   sent-by       = host [ COLON port ]
 */
import { CR, HTAB, LF, SP, TOKEN, equalsLower } from './chars.js';
import { NO_PARAMS, addProblem, parseDecimal, parseGenericParams } from './scan.js';
import { parseHostPort } from './uri.js';
import type { Problem, Via } from './types.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this magic cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

function isLws(c: number): boolean {
  return c === SP || c === HTAB || c === CR || c === LF;
}

function skipLws(s: string, i: number, end: number): number {
  while (i < end && isLws(s.charCodeAt(i))) i++;
  return i;
}

function scanToken(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN[c] === 0) break;
    i++;
  }
  return i;
}

const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS', 'TLS-SCTP', 'DTLS'];

/** The transport token, interned when it is a common one written in upper case. */
function internTransport(s: string, a: number, b: number): string {
  for (const t of TRANSPORTS) {
    if (t.length === b - a && s.startsWith(t, a)) return t;
  }
  return s.substring(a, b).toUpperCase();
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

/** Parses one via-parm from s[start, end). Never throws; problems are reported on the result. */
export function parseVia(s: string, start = 0, end = s.length): Via {
  const via = newVia();
  parseViaAt(s, start, end, via, false);
  return via;
}

function parseViaAt(s: string, start: number, end: number, via: Via, inList: boolean): number {
  let i = skipLws(s, start, end);
  const at = i;
  // sent-protocol; the fast path is the exact "SIP/2.0/" everyone sends.
  let ok: boolean;
  if (s.startsWith('SIP/2.0/', i) && i + 8 <= end) {
    via.protocol = 'SIP';
    via.version = '2.0';
    const j = scanToken(s, i + 8, end);
    via.transport = internTransport(s, i + 8, j);
    ok = j > i + 8;
    i = j;
  } else {
    let j = scanToken(s, i, end);
    via.protocol = s.substring(i, j);
    i = skipLws(s, j, end);
    ok = via.protocol.length > 0 && i < end && s.charCodeAt(i) === 0x2f;
    if (ok) {
      i = skipLws(s, i + 1, end);
      j = scanToken(s, i, end);
      via.version = s.substring(i, j);
      i = skipLws(s, j, end);
      ok = via.version.length > 0 && i < end && s.charCodeAt(i) === 0x2f;
      if (ok) {
        i = skipLws(s, i + 1, end);
        j = scanToken(s, i, end);
        via.transport = internTransport(s, i, j);
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
    while (stop < end && !(inList && s.charCodeAt(stop) === 0x2c)) stop++;
    addProblem(via, 'error', `malformed sent-protocol (expected SIP/2.0/<transport>) in '${s.substring(at, stop)}'`, i);
    return stop;
  }
  // LWS sent-by
  const hostStart = skipLws(s, i, end);
  if (hostStart === i) addProblem(via, 'error', 'whitespace expected between the transport and sent-by', i);
  i = parseHostPort(s, hostStart, end, via, 'Via sent-by');
  const stop = parseGenericParams(s, i, end, via, inList);
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

/**
 * Parses a Via header value with one or more comma-separated via-parms in one pass, appending to `out`.
 * Empty items (a stray ',') are reported on `sink`.
 */
export function parseViaList(
  s: string,
  start = 0,
  end = s.length,
  sink: { problems?: Problem[] } = {},
  out: Via[] = [],
): Via[] {
  let i = start;
  while (true) {
    i = skipLws(s, i, end);
    if (i >= end || s.charCodeAt(i) === 0x2c) {
      addProblem(sink, 'error', i >= end && out.length === 0 ? 'empty Via value' : "empty via-parm (stray ',')", i);
    } else {
      const via = newVia();
      i = parseViaAt(s, i, end, via, true);
      out.push(via);
    }
    if (i >= end) break;
    i++; // the ','
  }
  return out;
}
