import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyAnnotations, frameComments, noteKeyOfRow, rowOfNote, type Annotations } from '../../../src/core/annotations/annotations.js';
import { concatBytes, encodeEnhancedPacket, encodeInterfaceDescription, encodeSectionHeader } from '../../../src/core/capture/pcapng-writer.js';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { framesOfRows } from '../../../src/core/export/frames.js';
import type { MessageIndex } from '../../../src/core/index/message-index.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { loadAnnotations } from '../../../src/node/annotations/load.js';
import { streamCapture } from '../../../src/node/export/stream-capture.js';
import { ExportError, writeCapture } from '../../../src/node/export/write-capture.js';
import { fixtures, haveSharedCaptures, sharedCapture } from '../../helpers/paths.js';
import { haveTshark } from '../../helpers/tshark.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;
const out = (ext: string): string => join(dir, `out-${++serial}.${ext}`);

/** A packet as the reader gives it, but for where it sits in the file; its bytes as a digest (fast to compare). */
type Kept = Omit<CapturedPacket, 'data' | 'dataOffset' | 'interfaceId'> & { data: string };

async function packets(path: string): Promise<{ packets: Kept[]; format: string; nanosecond?: boolean }> {
  const list: Kept[] = [];
  const r = await streamCapture(path, {
    packet: ({ data, dataOffset: _o, interfaceId: _i, ...rest }) =>
      list.push({ ...rest, comments: rest.comments ? [...rest.comments] : undefined, data: createHash('sha1').update(data).digest('hex') }),
    diagnostic: () => undefined,
  });
  return { packets: list, format: r.format, nanosecond: r.info.nanosecond };
}

/** The first `n` packets with their bytes. */
async function firstPackets(path: string, n: number): Promise<CapturedPacket[]> {
  const list: CapturedPacket[] = [];
  await streamCapture(path, {
    packet: (p) => {
      if (list.length < n) list.push({ ...p, data: p.data.slice() });
    },
    diagnostic: () => undefined,
  });
  return list;
}

/** The packets as another tool reads them: frame number, epoch time with all its digits, lengths. */
function tsharkFrames(path: string): string {
  return execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.encap_type'], { encoding: 'utf8' });
}

function filesIn(folder: string): string[] {
  return readdirSync(folder).sort();
}

const tcpLoaded = join(fixtures, 'sipp-volte-tcp-loaded.pcap');

/** A message as the index has it, but for where its bytes sit in the file (a pcapng lays them out differently). */
function located(index: MessageIndex, row: number): Record<string, unknown> {
  const m = index.get(row);
  return { ...m, chunks: m.chunks.map((c) => ({ frame: c.frame, length: c.length })) };
}

describe('writeCapture: frames, timestamps, link types', () => {
  it('copies a µs pcap to pcapng and to pcap: same packets, same times (ours and tshark\'s)', async () => {
    const source = await packets(tcpLoaded);
    for (const format of ['pcapng', 'pcap'] as const) {
      const dest = out(format);
      const r = await writeCapture({ source: tcpLoaded, dest, format });
      expect(r).toEqual({ path: dest, frames: 428, notes: 0, notesLeftOut: 0 });
      const back = await packets(dest);
      expect(back.format).toBe(format);
      expect(back.packets).toEqual(source.packets);
      if (format === 'pcap') expect(back.nanosecond).toBe(false);
      if (haveTshark) expect(tsharkFrames(dest)).toBe(tsharkFrames(tcpLoaded));
    }
  });

  it.runIf(haveSharedCaptures).each([
    ['nanosecond timestamps (sipnab_sipp-branch-scenario.pcapng)', 'sipnab_sipp-branch-scenario.pcapng'],
    ['comments and directions of a gzip-compressed pcapng (nokia_51_esp_sip.pcapng.gz)', 'nokia_51_esp_sip.pcapng.gz'],
  ])('keeps the %s', async (_what, name) => {
    const file = sharedCapture(name);
    const source = await packets(file);
    if (name.startsWith('sipnab')) expect(source.packets.some((p) => p.tsNsec % 1000 !== 0)).toBe(true);
    else expect(source.packets.every((p) => p.comments?.length === 1)).toBe(true);
    for (const format of ['pcapng', 'pcap'] as const) {
      const dest = out(format);
      await writeCapture({ source: file, dest, format });
      const back = await packets(dest);
      // pcap has no comments nor direction flags; everything else is the same.
      const expected = format === 'pcapng' ? source.packets : source.packets.map(({ comments: _c, direction: _d, ...p }) => p);
      expect(back.packets).toEqual(expected);
      if (format === 'pcap') expect(back.nanosecond).toBe(true);
      if (haveTshark) expect(tsharkFrames(dest)).toBe(tsharkFrames(file));
    }
  });

  it('refuses pcap for frames of several link types, naming them, and leaves nothing behind; pcapng keeps both', async () => {
    const ethernet = await firstPackets(tcpLoaded, 3);
    const sll2 = await firstPackets(join(fixtures, 'sipp-volte-udp-sll2.pcap'), 3);
    const mixed = join(dir, 'mixed.pcapng');
    writeFileSync(
      mixed,
      concatBytes([
        encodeSectionHeader(),
        encodeInterfaceDescription({ linkType: 1 }),
        encodeInterfaceDescription({ linkType: 276 }),
        ...ethernet.flatMap((p, i) => [
          encodeEnhancedPacket({ interfaceId: 0, tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.data }),
          encodeEnhancedPacket({ interfaceId: 1, tsSec: sll2[i].tsSec, tsNsec: sll2[i].tsNsec, data: sll2[i].data }),
        ]),
      ]),
    );
    const before = filesIn(dir);
    const dest = join(dir, 'mixed-out.pcap');
    await expect(writeCapture({ source: mixed, dest, format: 'pcap' })).rejects.toThrow(
      new ExportError('link-types', `Not writing "${dest}": a pcap file holds one link type, but frame 1 is Ethernet (link type 1) and frame 2 is Linux cooked v2 (SLL2) (link type 276). Export as pcapng, which keeps each frame's link type.`),
    );
    expect(filesIn(dir)).toEqual(before);
    // One link type among the frames chosen: fine.
    await writeCapture({ source: mixed, dest, format: 'pcap', frames: new Set([2, 4, 6]) });
    const sll2Only = await firstPackets(dest, 3);
    expect(sll2Only.map((p) => [p.linkType, p.data])).toEqual(sll2.map((p) => [276, p.data]));
    const both = out('pcapng');
    await writeCapture({ source: mixed, dest: both, format: 'pcapng' });
    expect((await firstPackets(both, 6)).map((p) => [p.linkType, p.data])).toEqual(ethernet.flatMap((p, i) => [[1, p.data], [276, sll2[i].data]]));
    if (haveTshark) expect(execFileSync('tshark', ['-r', both, '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code'], { encoding: 'utf8' })).toBe(execFileSync('tshark', ['-r', mixed, '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code'], { encoding: 'utf8' }));
  });
});

describe('writeCapture: annotations in pcapng', () => {
  let index: MessageIndex;
  let annotations: Annotations;
  /** Rows annotated: two messages sharing a frame, and others. */
  let rows: number[];
  beforeAll(async () => {
    index = (await analyzeFile(tcpLoaded)).engine.index;
    let shared = -1;
    for (let row = 1; row < index.count && shared < 0; row++) if (index.frameOf(row) === index.frameOf(row - 1)) shared = row;
    rows = [3, shared - 1, shared, 250, index.count - 1];
    annotations = emptyAnnotations();
    const tags = ['root cause', null, 'expected', null, 'vendor bug'];
    rows.forEach((row, i) => annotations.messages.push({ ...noteKeyOfRow(index, row), note: `note ${i}: ${index.methodOf(row) ?? index.statusOf(row)} — ünïcödé`, tag: tags[i] }));
    annotations.calls.push({ callId: index.callIdOf(3), note: 'the call that fails', tag: 'root cause' }, { callId: index.callIdOf(250), note: 'a good one', tag: null });
    annotations.hosts['127.0.0.1:5060'] = 'P-CSCF';
    annotations.hosts['127.0.0.1:5070'] = 'S-CSCF';
  });

  it('saves every note and reopens to it, on the right message; tshark shows the message notes on their frames', async () => {
    const dest = out('pcapng');
    const r = await writeCapture({ source: tcpLoaded, dest, format: 'pcapng', annotations });
    expect(r.notes).toBe(rows.length);
    const back = (await analyzeFile(dest)).engine.index;
    const loaded = await loadAnnotations(dest, { index: back });
    expect(loaded.origin).toBe('block');
    expect(loaded.problems).toEqual([]);
    expect(loaded.annotations).toEqual(annotations);
    for (const [i, n] of (loaded.annotations as Annotations).messages.entries()) {
      const row = rowOfNote(back, n);
      expect(row).not.toBeNull();
      expect(located(back, row as number)).toEqual(located(index, rows[i]));
    }
    if (haveTshark) {
      const shown = execFileSync('tshark', ['-r', dest, '-Y', 'frame.comment', '-T', 'fields', '-E', 'aggregator=|', '-e', 'frame.number', '-e', 'frame.comment'], { encoding: 'utf8' });
      const expected = [...frameComments(annotations)].sort((a, b) => a[0] - b[0]).map(([frame, comments]) => `${frame}\t${comments.join('|')}\n`).join('');
      expect(shown).toBe(expected);
      expect(shown).toContain('CSeq '); // the frame with two annotated messages names each
    }
  });

  it('exports some calls with their notes renumbered to the new frames', async () => {
    const callIds = new Set([index.callIdOf(3), index.callIdOf(250)]);
    const callRows: number[] = [];
    for (let row = 0; row < index.count; row++) if (callIds.has(index.callIdOf(row))) callRows.push(row);
    const frames = framesOfRows(index, callRows);
    const dest = out('pcapng');
    const r = await writeCapture({ source: tcpLoaded, dest, format: 'pcapng', frames, annotations });
    const kept = annotations.messages.filter((m) => frames.has(m.frame));
    expect(r).toMatchObject({ frames: frames.size, notes: kept.length, notesLeftOut: annotations.messages.length - kept.length });
    const back = (await analyzeFile(dest)).engine.index;
    const loaded = (await loadAnnotations(dest, { index: back })).annotations as Annotations;
    const sorted = [...frames].sort((a, b) => a - b);
    expect(loaded.messages.map((m) => sorted[m.frame - 1])).toEqual(kept.map((m) => m.frame));
    for (const n of loaded.messages) {
      const original = annotations.messages.find((m) => m.note === n.note);
      const row = rowOfNote(back, n) as number;
      const before = rowOfNote(index, original as Annotations['messages'][number]) as number;
      expect({ ...located(back, row), index: 0, frame: 0, firstFrame: 0, chunks: [] }).toEqual({ ...located(index, before), index: 0, frame: 0, firstFrame: 0, chunks: [] });
    }
  });

  it('leaves notes out of pcap and says how many', async () => {
    const r = await writeCapture({ source: tcpLoaded, dest: out('pcap'), format: 'pcap', annotations });
    expect(r).toMatchObject({ notes: 0, notesLeftOut: rows.length });
  });

  it.runIf(haveTshark)('imports the frame comments editcap wrote (no sipscope block) onto the first message of each frame', async () => {
    const dest = out('pcapng');
    const a = index.frameOf(3);
    const b = index.frameOf(rows[2]); // a frame with two messages: the comment goes to its first
    execFileSync('editcap', ['-F', 'pcapng', '-a', `${a}:[root cause] 180 missing`, '-a', `${b}:look at this one`, '-a', '1:a frame without SIP', tcpLoaded, dest]);
    const back = (await analyzeFile(dest)).engine.index;
    const loaded = await loadAnnotations(dest, { index: back });
    expect(loaded.origin).toBe('comments');
    const first = (frame: number): number => {
      for (const row of back.frameOrder()) if (back.frameOf(row) === frame) return row;
      throw new Error(`no message in frame ${frame}`);
    };
    expect(loaded.annotations?.messages).toEqual([
      { ...noteKeyOfRow(back, first(a)), note: '180 missing', tag: 'root cause' },
      { ...noteKeyOfRow(back, first(b)), note: 'look at this one', tag: null },
    ]);
    // Saved again by sipscope: now carried by the block, and the comments are the notes'.
    const saved = out('pcapng');
    await writeCapture({ source: dest, dest: saved, format: 'pcapng', annotations: loaded.annotations as Annotations });
    expect((await loadAnnotations(saved)).annotations).toEqual(loaded.annotations);
  });
});

describe('writeCapture: hostile annotation blocks', () => {
  const prefix = 'sipscope-annotations/1\n';
  const block = (json: string): Uint8Array => {
    const data = new TextEncoder().encode(prefix + json);
    const padded = new Uint8Array((data.length + 3) & ~3);
    padded.set(data);
    const body = concatBytes([Uint8Array.of(0xd9, 0x7e, 0, 0), padded]); // PEN 32473, little-endian
    const total = 12 + body.length;
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, 0xbad, true);
    dv.setUint32(4, total, true);
    out.set(body, 8);
    dv.setUint32(total - 4, total, true);
    return out;
  };
  let base: Uint8Array;
  let messages: number;
  beforeAll(async () => {
    const dest = out('pcapng');
    await writeCapture({ source: join(fixtures, 'sipp-volte-ipv6.pcap'), dest, format: 'pcapng' });
    base = new Uint8Array(readFileSync(dest));
    messages = (await analyzeFile(dest)).engine.index.count;
  });

  it.each([
    ['wrong types', '{"version":1,"messages":[{"frame":"1","callId":1,"cseq":"1","kind":"INVITE","note":"x","tag":null}],"calls":[],"hosts":{}}', 'annotations: messages[0].frame is text, expected a frame number (1 to 4294967295)'],
    ['a prototype key', '{"version":1,"messages":[],"calls":[],"hosts":{"__proto__":{"polluted":true}}}', 'annotations: hosts["__proto__"] is not a host address'],
    ['not JSON', '<script>alert(1)</script>', /^annotations: not valid JSON/],
    ['too many notes', `{"version":1,"messages":[${Array.from({ length: 100_001 }, () => '{}').join(',')}],"calls":[],"hosts":{}}`, 'annotations: messages has 100001 entries, more than the 100000 allowed'],
  ])('refuses %s with a message; the capture still opens', async (_what, json, message) => {
    const dest = out('pcapng');
    writeFileSync(dest, concatBytes([base, block(json)]));
    const loaded = await loadAnnotations(dest);
    expect(loaded.annotations).toBeNull();
    expect(loaded.problems).toHaveLength(1);
    if (typeof message === 'string') expect(loaded.problems[0]).toBe(message);
    else expect(loaded.problems[0]).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await analyzeFile(dest)).engine.index.count).toBe(messages);
  });

  it('skips a huge block with a message instead of reading it', async () => {
    const dest = out('pcapng');
    writeFileSync(dest, concatBytes([base, block(`{"x":"${'a'.repeat(17 * 1024 * 1024)}"}`)]));
    const loaded = await loadAnnotations(dest);
    expect(loaded.annotations).toBeNull();
    expect(loaded.problems).toEqual([expect.stringMatching(/^skipped the Custom Block at offset \d+: \d+ bytes, more than the \d+ sipscope reads$/)]);
    expect((await analyzeFile(dest)).engine.index.count).toBe(messages);
  });
});

describe('writeCapture: safety', () => {
  it('refuses to replace an existing file without force, and replaces it with force', async () => {
    const dest = out('pcapng');
    writeFileSync(dest, 'precious');
    await expect(writeCapture({ source: tcpLoaded, dest, format: 'pcapng' })).rejects.toThrow(
      `Not writing "${dest}": the file already exists. Choose another name, or confirm replacing it (--force on the command line).`,
    );
    expect(readFileSync(dest, 'utf8')).toBe('precious');
    await writeCapture({ source: tcpLoaded, dest, format: 'pcapng', force: true });
    expect((await packets(dest)).packets).toHaveLength(428);
  });

  it('saves over its own source with force (save in place)', async () => {
    const copy = join(dir, 'in-place.pcap');
    copyFileSync(tcpLoaded, copy);
    await expect(writeCapture({ source: copy, dest: copy, format: 'pcapng' })).rejects.toMatchObject({ code: 'exists' });
    await writeCapture({ source: copy, dest: copy, format: 'pcapng', force: true });
    expect((await packets(copy)).packets).toEqual((await packets(tcpLoaded)).packets);
  });

  it('fails cleanly into a folder that does not exist or is a file', async () => {
    const before = filesIn(dir);
    await expect(writeCapture({ source: tcpLoaded, dest: join(dir, 'no-such-folder', 'x.pcapng'), format: 'pcapng' })).rejects.toThrow(
      `Cannot write "${join(dir, 'no-such-folder', 'x.pcapng')}": the folder does not exist.`,
    );
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(writeCapture({ source: tcpLoaded, dest: join(file, 'x.pcapng'), format: 'pcapng' })).rejects.toThrow(
      `Cannot write "${join(file, 'x.pcapng')}": a part of the path is not a folder.`,
    );
    expect(filesIn(dir)).toEqual([...before, 'a-file'].sort());
    unlinkSync(file);
  });

  it('leaves no partial file when the source is cut short or removed mid-way, or the export is cancelled', async () => {
    const folder = join(dir, 'midway');
    mkdirSync(folder);
    for (const what of ['truncate', 'remove', 'abort'] as const) {
      const source = join(dir, `source-${what}.pcap`);
      copyFileSync(tcpLoaded, source);
      const dest = join(folder, `out-${what}.pcapng`);
      const controller = new AbortController();
      let calls = 0;
      const promise = writeCapture({
        source,
        dest,
        format: 'pcapng',
        chunkSize: 64 * 1024,
        signal: controller.signal,
        onProgress: () => {
          if (++calls !== 1) return;
          if (what === 'truncate') truncateSync(source, 200_000);
          else if (what === 'remove') unlinkSync(source);
          else controller.abort(new Error('cancelled by the user'));
        },
      });
      if (what === 'abort') await expect(promise).rejects.toThrow('cancelled by the user');
      else {
        await expect(promise).rejects.toThrow(
          `Not writing "${dest}": the source "${source}" ${what === 'remove' ? 'disappeared' : 'changed'} while it was being read, so the export could be incomplete. Nothing was written; try again once the file is stable.`,
        );
      }
      expect(filesIn(folder)).toEqual([]);
    }
    expect(existsSync(join(dir, 'source-remove.pcap'))).toBe(false);
  });

  it('refuses frames the source does not have', async () => {
    const dest = out('pcapng');
    await expect(writeCapture({ source: tcpLoaded, dest, format: 'pcapng', frames: new Set([1, 2, 5000]) })).rejects.toMatchObject({ code: 'frames-missing' });
    expect(existsSync(dest)).toBe(false);
  });
});

describe('writeCapture: notes that could not be read back are not written', () => {
  it('refuses notes that break the format, before writing anything', async () => {
    const a = emptyAnnotations();
    a.messages.push({ frame: 1, callId: 'x', cseq: '1', kind: 'INVITE', note: 'x'.repeat(70_000), tag: null });
    const dest = out('pcapng');
    await expect(writeCapture({ source: tcpLoaded, dest, format: 'pcapng', annotations: a })).rejects.toThrow(
      `Not writing "${dest}": the notes cannot be saved as they are (messages[0].note is 70000 characters long, more than the 20000 allowed).`,
    );
    expect(existsSync(dest)).toBe(false);
  });
});
