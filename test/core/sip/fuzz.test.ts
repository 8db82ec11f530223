/**
 * Never throws: the RFC 4475 messages and the VoLTE INVITE, truncated at every offset, with bits flipped, and
 * random bytes. No exception may escape, no decoder-bug diagnostic may appear (every problem must be one the
 * parser understands), every offset must stay inside the buffer, and a cut message must be flagged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeSipStart, findSipStart, parseSip, sipFrameLength } from '../../../src/core/sip/parser.js';
import type { SipMessage } from '../../../src/core/sip/types.js';
import { haveSharedCaptures, sharedCaptures } from '../../helpers/paths.js';
import { volteCall } from './volte-fixtures.js';

let seed = 4475;
function random(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
}

/** Parses and touches every lazy part, asserting the invariants. */
function exercise(bytes: Uint8Array, where: string, stream = false): SipMessage {
  let m: SipMessage | undefined;
  expect(() => {
    m = parseSip(bytes, 0, bytes.length, { stream });
    void m.sdp;
    void m.multipart;
    for (const h of m.headers) void (h.value + h.name + h.canonical + h.values.length);
    JSON.stringify(m);
    looksLikeSipStart(bytes, 0, bytes.length);
    findSipStart(bytes, 0, bytes.length);
    sipFrameLength(bytes, 0, bytes.length);
  }, where).not.toThrow();
  const msg = m!;
  const bugs = msg.diagnostics.filter((d) => d.kind === 'decoder-bug');
  expect(bugs, where).toEqual([]);
  for (const d of msg.diagnostics) {
    if (d.offset !== undefined) expect(d.offset >= 0 && d.offset <= bytes.length, `${where}: offset ${d.offset} of '${d.message}'`).toBe(true);
  }
  expect(msg.start >= 0 && msg.start <= msg.headersEnd && msg.headersEnd <= msg.end && msg.end <= bytes.length, where).toBe(true);
  expect(msg.body.start <= msg.body.end && msg.body.end <= bytes.length, where).toBe(true);
  return msg;
}

const rfc4475 = join(sharedCaptures, 'rfc4475');
const torture = haveSharedCaptures
  ? readdirSync(rfc4475)
      .filter((f) => f.endsWith('.dat'))
      .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(rfc4475, f))) }))
  : [];
const invite = new TextEncoder().encode(volteCall(1)[0].text);

describe('fuzz: the parser never throws', () => {
  it('truncated at every offset: every cut message is flagged (datagram) or reported incomplete (stream)', () => {
    const samples = [{ name: 'VoLTE INVITE', bytes: invite }, ...torture.filter((t) => ['wsinv.dat', 'esc01.dat', 'mpart01.dat', 'unreason.dat'].includes(t.name))];
    for (const { name, bytes } of samples) {
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.slice(0, cut);
        const m = exercise(prefix, `${name} cut at ${cut}`);
        expect(m.diagnostics.length, `${name} cut at ${cut}: no diagnostic`).toBeGreaterThan(0);
        expect(sipFrameLength(prefix, 0, prefix.length), `${name} cut at ${cut}`).toBe(-1);
        const s = exercise(prefix, `${name} cut at ${cut} (stream)`, true);
        expect(s.diagnostics.some((d) => d.kind === 'truncated' || d.kind === 'malformed'), `${name} cut at ${cut} (stream)`).toBe(true);
      }
    }
  });

  it('with random bit flips, byte insertions and deletions in every RFC 4475 message', () => {
    const samples = [{ name: 'VoLTE INVITE', bytes: invite }, ...torture];
    for (const { name, bytes } of samples) {
      for (let n = 0; n < 60; n++) {
        const copy = bytes.slice();
        const flips = 1 + random(4);
        for (let k = 0; k < flips; k++) copy[random(copy.length)] ^= 1 << random(8);
        exercise(copy, `${name} flip #${n}`);
        const at = random(bytes.length);
        exercise(new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + random(8))]), `${name} delete #${n}`);
        const junk = [0x00, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x3a, 0x3b, 0x3c, 0x3e, 0x40, 0x5b, 0x5c, 0xff][random(14)];
        exercise(new Uint8Array([...bytes.subarray(0, at), junk, ...bytes.subarray(at)]), `${name} insert #${n}`);
      }
    }
  });

  it('on random bytes, with and without a plausible start line', () => {
    for (let n = 0; n < 1500; n++) {
      const length = random(400);
      const bytes = new Uint8Array(length);
      for (let k = 0; k < length; k++) bytes[k] = random(4) === 0 ? [0x0d, 0x0a, 0x3a, 0x20, 0x3b][random(5)] : random(256);
      const m = exercise(bytes, `random #${n}`);
      expect(m.diagnostics.length, `random #${n}`).toBeGreaterThan(0);
      const prefixed = new Uint8Array([...new TextEncoder().encode(n % 2 ? 'INVITE sip:a@b SIP/2.0\r\n' : 'SIP/2.0 200 OK\r\n'), ...bytes]);
      expect(exercise(prefixed, `prefixed random #${n}`).diagnostics.length).toBeGreaterThan(0);
    }
  });

  it('on messages made of every header the parser decodes, each given hostile values', () => {
    const hostile = ['', ' ', ',', ';', ';;,,', '"', '<', '>', '<>', '<sip:', 'sip:@', '*', '%', '\\', '99999999999999999999999', '-1', 'SIP/2.0/', '[', '[::', '\u00ff\u00fe', 'a'.repeat(3000)];
    const names = ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Length', 'Content-Type', 'Max-Forwards', 'Expires', 'Date', 'Retry-After', 'Warning', 'Min-Expires', 'RSeq', 'RAck', 'Session-Expires', 'Min-SE', 'l', 'm', 'v'];
    for (const name of names) {
      for (const value of hostile) {
        const text = `INVITE sip:a@b SIP/2.0\r\n${name}: ${value}\r\n${name}: ${value}, ${value}\r\n\r\n`;
        exercise(new TextEncoder().encode(text), `${name}: ${JSON.stringify(value.slice(0, 20))}`);
      }
    }
    exercise(new TextEncoder().encode('INVITE sip:a@b SIP/2.0\r\nContent-Type: multipart/mixed;boundary=x\r\n\r\n--x\r\n--x\r\nContent-Type: application/sdp\r\n\r\nv=1\r\nm=\r\n--x'), 'multipart');
  });
});
