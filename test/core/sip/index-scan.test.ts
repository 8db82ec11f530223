/**
 * The indexing fast path's contract: whenever `scanIndexFields` accepts a message, the full parser finds no
 * diagnostic at all in it and the same index fields. Checked on every UDP SIP payload of the shared corpus,
 * the RFC 4475 torture messages, the VoLTE scenario messages, and thousands of single-byte mutations of
 * them; and the fast path must accept the common clean shapes (else it would be no fast path).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexFields, scanIndexFields } from '../../../src/core/sip/index-scan.js';
import { parseSip } from '../../../src/core/sip/parser.js';
import { udpSipPayloads } from '../../helpers/corpus.js';
import { haveSharedCaptures, sharedCaptures } from '../../helpers/paths.js';
import { volteCall } from './volte-fixtures.js';

const text = (b: Uint8Array, s: number, e: number) => new TextDecoder().decode(b.subarray(s, e));

/** The index fields as the fast path sees them, or undefined when it declines. */
function fast(bytes: Uint8Array, stream = false) {
  const f = new IndexFields();
  if (!scanIndexFields(bytes, 0, bytes.length, stream, f)) return undefined;
  return {
    label: f.request ? text(bytes, f.methodStart, f.methodEnd) : `${f.status} ${text(bytes, f.reasonStart, f.reasonEnd)}`,
    callId: text(bytes, f.callIdStart, f.callIdEnd),
    cseq: `${f.cseqSeq} ${text(bytes, f.cseqMethodStart, f.cseqMethodEnd)}`,
    from: `${text(bytes, f.fromUriStart, f.fromUriEnd)};tag=${text(bytes, f.fromTagStart, f.fromTagEnd)}`,
    to: `${text(bytes, f.toUriStart, f.toUriEnd)};tag=${text(bytes, f.toTagStart, f.toTagEnd)}`,
    branch: text(bytes, f.branchStart, f.branchEnd),
    end: f.end,
  };
}

function full(bytes: Uint8Array, stream = false) {
  const m = parseSip(bytes, 0, bytes.length, { stream });
  return {
    fields: {
      label: m.kind === 'request' ? m.method : `${m.statusCode} ${m.reason}`,
      callId: m.callId ?? '',
      cseq: m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : '',
      from: `${m.from?.uri ?? ''};tag=${m.from?.tag ?? ''}`,
      to: `${m.to?.uri ?? ''};tag=${m.to?.tag ?? ''}`,
      branch: m.vias[0]?.branch ?? '',
      end: m.end,
    },
    diagnostics: m.diagnostics.map((d) => `${d.severity}: ${d.message}`),
  };
}

/** Asserts the contract on one message; returns whether the fast path accepted it. */
function checkContract(bytes: Uint8Array, where: string, stream = false): boolean {
  const quick = fast(bytes, stream);
  if (!quick) return false;
  const slow = full(bytes, stream);
  expect(slow.diagnostics, `${where}: accepted by the fast path but the parser finds problems: ${JSON.stringify(slow.diagnostics)} in ${JSON.stringify(new TextDecoder().decode(bytes).split('\r\n\r\n')[0])}`).toEqual([]);
  expect(quick, `${where}: fields differ`).toEqual(slow.fields);
  return true;
}

const corpusPayloads = () => udpSipPayloads();

let seed = 12345;
function random(n: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
}
const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x2c, 0x2f, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x40, 0x5b, 0x5c, 0x61, 0x41, 0x30, 0x39, 0x2e, 0x2d, 0x7f, 0x80, 0xc3, 0xff];

function mutate(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const kind = random(3);
  const at = random(copy.length);
  if (kind === 0) {
    copy[at] = INTERESTING[random(INTERESTING.length)];
    return copy;
  }
  if (kind === 1) return new Uint8Array([...copy.subarray(0, at), ...copy.subarray(at + 1)]); // delete a byte
  return new Uint8Array([...copy.subarray(0, at), INTERESTING[random(INTERESTING.length)], ...copy.subarray(at)]); // insert one
}

const volte = volteCall(1).map((m) => ({ where: `VoLTE ${m.name}`, bytes: new TextEncoder().encode(m.text) }));

describe('the indexing fast path', () => {
  it('accepts every message of the VoLTE scenario, with the parser agreeing', () => {
    for (const m of volte) expect(checkContract(m.bytes, m.where), m.where).toBe(true);
  });

  it('keeps its contract on cases found by longer fuzzing runs', () => {
    // A comma in a bare Contact addr-spec: Contact is a list header, so the full parser splits there.
    const invite = volte.find((m) => m.where === 'VoLTE INVITE') ?? volte[0];
    const textOf = new TextDecoder().decode(invite.bytes);
    const mutant = textOf.replace(/^Contact: .*$/m, 'Contact: sip:sipp,@10.0.2.20:5060');
    expect(mutant).not.toBe(textOf);
    checkContract(new TextEncoder().encode(mutant), 'comma in a bare Contact');
  });

  it('frames stream messages by Content-Length', () => {
    const both = new Uint8Array([...volte[0].bytes, ...volte[1].bytes]);
    const f = new IndexFields();
    expect(scanIndexFields(both, 0, both.length, true, f)).toBe(true);
    expect(f.end).toBe(volte[0].bytes.length);
    expect(checkContract(volte[0].bytes, 'stream', true)).toBe(true);
    // Not all of the body is there yet: decline (the stream layer waits for more bytes).
    expect(scanIndexFields(both, 0, volte[0].bytes.length - 1, true, f)).toBe(false);
  });

  const rfc4475 = join(sharedCaptures, 'rfc4475');
  it.skipIf(!existsSync(rfc4475))('keeps its contract on the RFC 4475 torture messages and declines every invalid one', () => {
    const readme = readFileSync(join(rfc4475, 'README.md'), 'utf8');
    for (const file of readdirSync(rfc4475).filter((f) => f.endsWith('.dat'))) {
      const accepted = checkContract(new Uint8Array(readFileSync(join(rfc4475, file))), file);
      const row = readme.split('\n').find((l) => l.includes(`\`${file}\``)) ?? '';
      if (/\| invalid \|/.test(row)) expect(accepted, `${file} is invalid`).toBe(false);
    }
  });

  const acceptedCorpus: { where: string; bytes: Uint8Array }[] = [];
  it.skipIf(!haveSharedCaptures)('keeps its contract on every UDP SIP payload of the shared corpus', async () => {
    const payloads = await corpusPayloads();
    expect(payloads.length).toBeGreaterThan(9_000);
    for (const p of payloads) if (checkContract(p.bytes, p.where)) acceptedCorpus.push(p);
    // Most of the corpus takes the fast path (the rest is malformed, or shapes left to the full parser).
    expect(acceptedCorpus.length / payloads.length).toBeGreaterThan(0.8);
  });

  it('keeps its contract on single-byte mutations of accepted messages', () => {
    // Every distinct shape: the VoLTE call plus one accepted message per corpus file and message kind.
    const byShape = new Map<string, { where: string; bytes: Uint8Array }>();
    for (const p of acceptedCorpus) byShape.set(`${p.where.split(' frame')[0]} ${text(p.bytes, 0, 12)}`, p);
    const samples = [...volte, ...byShape.values()];
    let acceptedMutants = 0;
    for (let n = 0; n < 40_000; n++) {
      const base = samples[random(samples.length)];
      const mutant = mutate(base.bytes);
      if (checkContract(mutant, `${base.where} mutant ${n}`)) acceptedMutants++;
    }
    // Many mutations land in the body or in headers the fast path does not interpret: those stay accepted.
    expect(acceptedMutants).toBeGreaterThan(1000);
  });
});
