/**
 * The reference base against the registries it must cover: every IANA method and response code has its own
 * (non-generic) entry titled with the registered reason phrase, and Wireshark's independent table of SIP
 * reason phrases (read from the installed tshark) agrees with our titles except where the registry moved on.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { explain, lookupMethod, lookupResponse, REFERENCE_ENTRIES } from '../../../src/core/reference/explain.js';
import { KNOWN_METHODS } from '../../../src/core/sip/methods.js';
import { haveTshark } from '../../helpers/tshark.js';

/**
 * IANA "Session Initiation Protocol (SIP) Parameters", Methods table
 * (https://www.iana.org/assignments/sip-parameters/sip-parameters-6.csv): the 14 registered methods.
 */
const IANA_METHODS = ['ACK', 'BYE', 'CANCEL', 'INFO', 'INVITE', 'MESSAGE', 'NOTIFY', 'OPTIONS', 'PRACK', 'PUBLISH', 'REFER', 'REGISTER', 'SUBSCRIBE', 'UPDATE'];

/** The registry's Reference column: the RFC that defines each method today. */
const METHOD_RFC: Record<string, string> = {
  ACK: 'RFC 3261', BYE: 'RFC 3261', CANCEL: 'RFC 3261', INVITE: 'RFC 3261', OPTIONS: 'RFC 3261', REGISTER: 'RFC 3261',
  INFO: 'RFC 6086', MESSAGE: 'RFC 3428', NOTIFY: 'RFC 6665', SUBSCRIBE: 'RFC 6665', PRACK: 'RFC 3262', PUBLISH: 'RFC 3903',
  REFER: 'RFC 3515', UPDATE: 'RFC 3311',
};

/**
 * IANA "Session Initiation Protocol (SIP) Parameters", Response Codes table
 * (https://www.iana.org/assignments/sip-parameters/sip-parameters-7.csv), all 75 codes with the registered
 * reason phrase, as retrieved 2026-07-30 and tabulated in NormB/sipnab docs/sip-response-codes.md (read with the
 * code-search tool). Cross-checked against PcapPlusPlus's SipLayer table (the same 75 plus RFC 2543's 409 and
 * 411, which IANA does not list). IANA writes 202 as "Accepted (Deprecated)"; the reason phrase itself
 * (RFC 3515, RFC 6665 §8.3.1) is "Accepted", which is what our title carries.
 */
const IANA_RESPONSE_CODES: Array<[number, string]> = [
  [100, 'Trying'], [180, 'Ringing'], [181, 'Call Is Being Forwarded'], [182, 'Queued'], [183, 'Session Progress'],
  [199, 'Early Dialog Terminated'],
  [200, 'OK'], [202, 'Accepted (Deprecated)'], [204, 'No Notification'],
  [300, 'Multiple Choices'], [301, 'Moved Permanently'], [302, 'Moved Temporarily'], [305, 'Use Proxy'], [380, 'Alternative Service'],
  [400, 'Bad Request'], [401, 'Unauthorized'], [402, 'Payment Required'], [403, 'Forbidden'], [404, 'Not Found'],
  [405, 'Method Not Allowed'], [406, 'Not Acceptable'], [407, 'Proxy Authentication Required'], [408, 'Request Timeout'],
  [410, 'Gone'], [412, 'Conditional Request Failed'], [413, 'Request Entity Too Large'], [414, 'Request-URI Too Long'],
  [415, 'Unsupported Media Type'], [416, 'Unsupported URI Scheme'], [417, 'Unknown Resource-Priority'], [420, 'Bad Extension'],
  [421, 'Extension Required'], [422, 'Session Interval Too Small'], [423, 'Interval Too Brief'], [424, 'Bad Location Information'],
  [425, 'Bad Alert Message'], [428, 'Use Identity Header'], [429, 'Provide Referrer Identity'], [430, 'Flow Failed'],
  [433, 'Anonymity Disallowed'], [436, 'Bad Identity Info'], [437, 'Unsupported Credential'], [438, 'Invalid Identity Header'],
  [439, 'First Hop Lacks Outbound Support'], [440, 'Max-Breadth Exceeded'], [469, 'Bad Info Package'], [470, 'Consent Needed'],
  [480, 'Temporarily Unavailable'], [481, 'Call/Transaction Does Not Exist'], [482, 'Loop Detected'], [483, 'Too Many Hops'],
  [484, 'Address Incomplete'], [485, 'Ambiguous'], [486, 'Busy Here'], [487, 'Request Terminated'], [488, 'Not Acceptable Here'],
  [489, 'Bad Event'], [491, 'Request Pending'], [493, 'Undecipherable'], [494, 'Security Agreement Required'],
  [500, 'Server Internal Error'], [501, 'Not Implemented'], [502, 'Bad Gateway'], [503, 'Service Unavailable'],
  [504, 'Server Time-out'], [505, 'Version Not Supported'], [513, 'Message Too Large'],
  [555, 'Push Notification Service Not Supported'], [580, 'Precondition Failure'],
  [600, 'Busy Everywhere'], [603, 'Decline'], [604, 'Does Not Exist Anywhere'], [606, 'Not Acceptable'], [607, 'Unwanted'], [608, 'Rejected'],
];

describe('IANA methods', () => {
  it('lists the same 14 methods as the SIP parser does', () => {
    expect(IANA_METHODS).toHaveLength(14);
    expect([...KNOWN_METHODS].sort()).toEqual([...IANA_METHODS].sort());
  });

  it.each(IANA_METHODS)('%s has its own entry citing the RFC that defines it', (method) => {
    const entry = lookupMethod(method);
    expect(entry.generic).toBeUndefined();
    expect(entry.kind).toBe('method');
    expect(entry.key).toBe(method);
    expect(entry.sources[0].spec).toBe(METHOD_RFC[method]);
    // RFC 3428 is cited whole: its MESSAGE rules spread over several sections.
    if (method !== 'MESSAGE') expect(entry.sources[0].section).toMatch(/^§\d/);
    expect(explain(method.toLowerCase())).toContain(entry);
  });

  it('has no method entry beyond the registry', () => {
    expect(REFERENCE_ENTRIES.filter((e) => e.kind === 'method').map((e) => e.key).sort()).toEqual([...IANA_METHODS].sort());
  });
});

describe('IANA response codes', () => {
  it('the list holds 75 distinct codes from 100 to 699', () => {
    const codes = IANA_RESPONSE_CODES.map(([code]) => code);
    expect(new Set(codes).size).toBe(75);
    expect(codes.every((c) => c >= 100 && c <= 699)).toBe(true);
  });

  it.each(IANA_RESPONSE_CODES)('%i has its own entry titled with the reason phrase', (code, phrase) => {
    const entry = lookupResponse(code);
    expect(entry.generic).toBeUndefined();
    expect(entry.kind).toBe('response');
    expect(entry.key).toBe(String(code));
    expect(entry.title).toBe(phrase.replace(/ \(Deprecated\)$/, ''));
    expect(entry.sources.length).toBeGreaterThan(0);
    expect(entry.summary.length).toBeGreaterThan(20);
    expect(explain(String(code))).toEqual([entry]);
  });

  it('has no response entry for a code IANA does not list', () => {
    const registered = new Set(IANA_RESPONSE_CODES.map(([code]) => String(code)));
    const ours = REFERENCE_ENTRIES.filter((e) => e.kind === 'response' && /^\d{3}$/.test(e.key)).map((e) => e.key);
    expect(ours.filter((key) => !registered.has(key))).toEqual([]);
    expect(ours).toHaveLength(75);
  });

  it('gives the IMS meaning of the codes an IMS engineer meets most', () => {
    for (const code of [183, 401, 403, 404, 407, 408, 480, 486, 487, 488, 494, 500, 503, 504, 580, 603, 606]) {
      expect(lookupResponse(code).ims, String(code)).toMatch(/\w/);
    }
    expect(lookupResponse(401).ims).toMatch(/AKA/);
    expect(lookupResponse(580).ims).toMatch(/bearer/);
    expect(lookupResponse(488).ims).toMatch(/codec/i);
  });
});

/** Wireshark labels that differ from the registry on purpose: the registry renamed them after Wireshark's table was written. */
const WIRESHARK_DIFFERS: Record<number, string> = {
  422: 'RFC 4028 §6 registers "Session Interval Too Small"; Wireshark writes "Session Timer Too Small"',
  436: 'RFC 8224 §13.2 renamed "Bad Identity-Info" to "Bad Identity Info"',
  437: 'RFC 8224 §13.2 renamed "Unsupported Certificate" to "Unsupported Credential"',
};

describe.skipIf(!haveTshark)("Wireshark's SIP reason phrases (tshark -G values, sip.reason_cause_sip)", () => {
  const run = spawnSync('tshark', ['-G', 'values'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const labels = new Map<number, string>();
  for (const line of run.stdout.split('\n')) {
    const [type, field, value, label] = line.split('\t');
    if (type === 'V' && field === 'sip.reason_cause_sip') labels.set(Number(value), label);
  }

  it('reads a table of at least 60 codes, including 183 Session Progress', () => {
    expect(labels.size).toBeGreaterThan(60);
    expect(labels.get(183)).toBe('Session Progress');
    expect(explain('183')[0].title).toBe(labels.get(183));
  });

  it('every code Wireshark names has an entry with the same title, except the renamed ones', () => {
    // Wireshark's x99 values are its own per-class labels ("Success - Others") and 999 its "Unknown response";
    // 199 is a registered code (RFC 6228) that Wireshark 4.0 still labels as a class catch-all.
    const codes = [...labels.keys()].filter((code) => code % 100 !== 99 && code <= 699);
    expect(codes.length).toBeGreaterThan(60);
    for (const code of codes) {
      const entry = lookupResponse(code);
      expect(entry.generic, String(code)).toBeUndefined();
      if (WIRESHARK_DIFFERS[code]) expect(entry.title, String(code)).not.toBe(labels.get(code));
      else expect(entry.title, String(code)).toBe(labels.get(code));
    }
  });
});
