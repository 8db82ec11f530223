/**
 * Via (RFC 3261 §20.42, §25.1):
 *
 *   Via           = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport     (SLASH = SWS "/" SWS)
 *   sent-by       = host [ COLON port ]
 */
import { TOKEN, equalsLower, skipLws, trimEnd } from './chars.js';
import { addProblem, nextTopLevelComma, parseDecimal, parseGenericParams } from './scan.js';
import { parseHostPort } from './uri.js';
import type { Problem, Via } from './types.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this magic cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

function scanToken(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN[c] === 0) break;
    i++;
  }
  return i;
}

function internTransport(s: string, a: number, b: number): string {
  const t = s.substring(a, b);
  switch (t) {
    case 'UDP':
    case 'TCP':
    case 'TLS':
    case 'SCTP':
    case 'WS':
    case 'WSS':
      return t;
  }
  return t.toUpperCase();
}

/** Parses one via-parm from s[start, end). Never throws; problems are reported on the result. */
export function parseVia(s: string, start = 0, end = s.length): Via {
  const via: Via = {
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
    params: [],
  };
  let i = skipLws(s, start, end);
  end = trimEnd(s, i, end);
  // sent-protocol
  let j = scanToken(s, i, end);
  via.protocol = s.substring(i, j);
  i = skipLws(s, j, end);
  let ok = via.protocol.length > 0 && i < end && s.charCodeAt(i) === 0x2f;
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
  if (!ok) {
    addProblem(via, 'error', `malformed sent-protocol (expected SIP/2.0/<transport>) in '${s.substring(start, end)}'`, i);
    return via;
  }
  if (!equalsLower(via.protocol, 'sip') || via.version !== '2.0') {
    addProblem(via, 'error', `protocol version ${via.protocol}/${via.version} is not SIP/2.0`, start);
  }
  // LWS sent-by
  const hostStart = skipLws(s, i, end);
  if (hostStart === i) {
    addProblem(via, 'error', 'whitespace expected between the transport and sent-by', i);
  }
  i = parseHostPort(s, hostStart, end, via, 'Via sent-by');
  parseGenericParams(s, i, end, via.params, via);
  for (const p of via.params) {
    const n = p.name;
    if (equalsLower(n, 'branch')) via.branch = p.value ?? '';
    else if (equalsLower(n, 'received')) via.received = p.value ?? '';
    else if (equalsLower(n, 'rport')) {
      if (p.value === undefined || p.value === '') via.rport = true;
      else {
        const port = parseDecimal(p.value, 0, p.value.length);
        if (port < 0 || port > 65535) addProblem(via, 'error', `invalid rport value '${p.value}'`, hostStart);
        via.rport = port < 0 ? true : port;
      }
    } else if (equalsLower(n, 'maddr')) via.maddr = p.value ?? '';
    else if (equalsLower(n, 'ttl') && p.value !== undefined) {
      const ttl = parseDecimal(p.value, 0, p.value.length);
      if (ttl < 0 || ttl > 255) addProblem(via, 'error', `invalid ttl '${p.value}'`, hostStart);
      else via.ttl = ttl;
    }
  }
  checkBranch(via, start);
  if (via.host === '255.255.255.255') {
    addProblem(via, 'note', 'sent-by is the broadcast address 255.255.255.255 (RFC 4475 §3.3.10)', hostStart);
  }
  return via;
}

function checkBranch(via: Via, at: number): void {
  const b = via.branch;
  if (b === undefined) {
    addProblem(via, 'note', 'no branch parameter: RFC 2543-style transaction matching (RFC 3261 §17.2.3)', at);
  } else if (b.length === 0) {
    addProblem(via, 'error', 'branch parameter without a value', at);
  } else if (b === MAGIC_COOKIE) {
    addProblem(via, 'note', 'branch is only the magic cookie z9hG4bK: no transaction identifier (RFC 4475 §3.2.1)', at);
  } else if (!b.startsWith(MAGIC_COOKIE)) {
    addProblem(via, 'note', `branch '${b}' lacks the z9hG4bK magic cookie (RFC 3261 §8.1.1.7): pre-RFC 3261 sender`, at);
  }
}

/**
 * Parses a Via header value with one or more comma-separated via-parms. Empty items (a stray comma) are
 * reported on `problems`.
 */
export function parseViaList(s: string, start = 0, end = s.length, problems?: Problem[], out: Via[] = []): Via[] {
  let i = start;
  while (true) {
    const comma = nextTopLevelComma(s, i, end);
    const a = skipLws(s, i, comma);
    if (a >= comma) {
      problems?.push({ severity: 'error', message: "empty via-parm (stray ',')", at: a });
    } else out.push(parseVia(s, a, comma));
    if (comma >= end) break;
    i = comma + 1;
  }
  return out;
}
