import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexHeaderLines, lookupField, lookupKeyedField } from '../../../src/core/filter/registry.js';
import { HeaderLines, sipHeaderField, sipMessageFields } from '../../../src/core/sip/fields.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { fixtures, haveSharedCaptures, sharedCapture, sharedCaptures } from '../../helpers/paths.js';
import { seededRandom } from '../../helpers/random.js';

/**
 * The header-line index must give exactly what walking the message gives (the Wireshark-exact extractor,
 * checked against tshark in test/node/message-fields-tshark.test.ts), for every plain header field, on
 * real messages and on damaged copies of them (the walk's early stops, folds, bare CR/LF, cuts).
 */
const fields = [...sipMessageFields.filter((f) => f.fromHeaderLines), sipHeaderField('X-Anything'), sipHeaderField('user-agent'), sipHeaderField('v'), sipHeaderField('i')];

function compare(messages: Uint8Array[]): { compared: number; withValues: number; differences: string[]; scannedFields: number } {
  const lines = new HeaderLines();
  let compared = 0;
  let scannedFields = 0;
  let withValues = 0;
  const differences: string[] = [];
  messages.forEach((bytes, row) => {
    for (const field of fields) {
      const fast = field.fromHeaderLines?.(lines, row, bytes);
      const walked = field.extract(bytes, 0, bytes.length);
      compared++;
      if (walked.length > 0) withValues++;
      if (JSON.stringify(fast ?? walked) !== JSON.stringify(walked) && differences.length < 10) differences.push(`message ${row} ${field.name}: ${JSON.stringify(fast)} vs ${JSON.stringify(walked)}`);
    }
  });
  // The one-pass column read (every row recorded now) gives the same values, row by row.
  for (const field of fields) {
    const byRow = new Map<number, unknown[]>();
    const scanned = field.scanHeaderLines?.(lines, messages.length, (row) => messages[row], (row, value) => {
      const list = byRow.get(row) ?? [];
      list.push(value);
      byRow.set(row, list);
    });
    if (!scanned) continue;
    messages.forEach((bytes, row) => {
      const walked = field.extract(bytes, 0, bytes.length);
      if (JSON.stringify(byRow.get(row) ?? []) !== JSON.stringify(walked) && differences.length < 10) differences.push(`scan: message ${row} ${field.name}: ${JSON.stringify(byRow.get(row))} vs ${JSON.stringify(walked)}`);
    });
    scannedFields++;
  }
  return { compared, withValues, differences, scannedFields };
}

/** Damaged copies: bit flips, a cut, a folded line, CR or LF dropped, a header line duplicated. */
function damage(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const copy = Array.from(bytes);
  const at = () => Math.floor(rnd() * copy.length);
  switch (Math.floor(rnd() * 6)) {
    case 0:
      for (let i = 0; i < 3; i++) copy[at()] ^= 1 << Math.floor(rnd() * 8);
      break;
    case 1:
      copy.length = at();
      break;
    case 2: {
      const lf = copy.indexOf(10, at());
      if (lf >= 0) copy.splice(lf + 1, 0, 32);
      break;
    }
    case 3: {
      const cr = copy.indexOf(13, at());
      if (cr >= 0) copy.splice(cr, 1);
      break;
    }
    case 4: {
      const lf = copy.indexOf(10, at());
      if (lf >= 0) copy.splice(lf, 1);
      break;
    }
    default: {
      const start = copy.indexOf(10, at()) + 1;
      const end = copy.indexOf(10, start) + 1;
      if (start > 0 && end > start) copy.splice(end, 0, ...copy.slice(start, end));
    }
  }
  return Uint8Array.from(copy);
}

async function messagesOf(path: string): Promise<Uint8Array[]> {
  const { engine } = await analyzeFile(path, { engine: { keepMessageBytes: true } });
  return Array.from({ length: engine.index.count }, (_, row) => engine.messageBytes?.bytesOf(row) ?? new Uint8Array(0));
}

describe.skipIf(!haveSharedCaptures)('header-line index', () => {
  it('gives the walked values for every plain header field on every real capture and fixture', async () => {
    const paths = [
      ...readdirSync(sharedCaptures).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).map(sharedCapture),
      ...readdirSync(fixtures).filter((f) => f.endsWith('.pcap')).map((f) => join(fixtures, f)),
      ...readdirSync(join(fixtures, 'flows')).filter((f) => f.endsWith('.pcap')).map((f) => join(fixtures, 'flows', f)),
    ];
    const messages = (await Promise.all(paths.map(messagesOf))).flat();
    const result = compare(messages);
    expect(result.differences).toEqual([]);
    expect(result.scannedFields).toBe(fields.filter((f) => f.scanHeaderLines).length);
    expect(messages.length).toBeGreaterThan(10_000);
    expect(result.withValues).toBeGreaterThan(50_000);
  }, 120_000);

  it('and on 3,000 damaged copies of real messages', async () => {
    const rnd = seededRandom(5);
    const originals = (await Promise.all(['sngrep_aaa.pcap', 'gprshome_sip.pcap', 'heplify_sip_sctp.pcap', 'nokia_10_tcp_volte.pcap.gz'].map((f) => messagesOf(sharedCapture(f))))).flat();
    const damaged = Array.from({ length: 3000 }, (_, i) => damage(originals[i % originals.length], rnd));
    const result = compare(damaged);
    expect(result.differences).toEqual([]);
    expect(result.withValues).toBeGreaterThan(5_000);
  }, 120_000);
});

describe.skipIf(!haveSharedCaptures)('a filter column read in one pass over the header-line index', () => {
  it.each(['sngrep_aaa.pcap', 'sipnab_sip-proxy.pcap', 'sv_sip_header_multi_val.pcap', 'heplify_sip_sctp.pcap', 'ndpi_fuzz-2006-06-26-2594.pcap'])('%s: every plain header column equals the walked values', async (capture) => {
    const { engine } = await analyzeFile(sharedCapture(capture), { engine: { keepMessageBytes: true } });
    const context = { index: engine.index, messages: engine.messageBytes, cache: new Map<string, unknown>() };
    expect(indexHeaderLines(context)).toBeGreaterThan(0);
    const differences: string[] = [];
    for (const name of fields.filter((f) => f.scanHeaderLines).map((f) => f.name)) {
      const declaration = name.startsWith('sip.header[') ? lookupKeyedField('sip.header', name.slice(12, -2)) : lookupField(name);
      // Fields the index serves (sip.Call-ID...) are compared with the bytes in index-fields-contract.test.ts.
      if (declaration?.source !== 'message') continue;
      const reader = declaration.bind(context);
      if (!reader || reader.kind !== 'keyed') throw new Error(`${name}: no keyed reader`);
      const extract = fields.find((f) => f.name === name)?.extract;
      for (let row = 0; row < engine.index.count; row++) {
        const bytes = engine.messageBytes?.bytesOf(row) as Uint8Array;
        const key = reader.key(row);
        const ours = key < 0 ? [] : reader.values(key);
        const walked = extract?.(bytes, 0, bytes.length);
        if (JSON.stringify(ours) !== JSON.stringify(walked) && differences.length < 10) differences.push(`${name} row ${row}: ${JSON.stringify(ours)} vs ${JSON.stringify(walked)}`);
      }
    }
    expect(differences).toEqual([]);
  });
});
