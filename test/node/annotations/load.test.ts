import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyAnnotations, rowOfNote, type Annotations } from '../../../src/core/annotations/annotations.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { AnnotationsError, autosavePath, clearAutosave, loadAnnotations, readAnnotations, readAutosave, writeAutosave } from '../../../src/node/annotations/load.js';
import { writeCapture } from '../../../src/node/export/write-capture.js';
import { fixtures, haveSharedCaptures, sharedCapture } from '../../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-notes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = join(fixtures, 'sipp-volte-ipv6.pcap');

function sample(): Annotations {
  const a = emptyAnnotations();
  a.messages.push({ frame: 1, callId: 'x@y', cseq: '1', kind: 'INVITE', note: 'first\nsecond line', tag: 'expected' });
  a.calls.push({ callId: 'x@y', note: 'call note', tag: null });
  a.hosts['[2001:db8::1]:5060'] = 'UE';
  return a;
}

describe('readAnnotations', () => {
  it('is null for a capture without annotations and gives back what writeCapture saved', async () => {
    expect(await readAnnotations(source)).toBeNull();
    const saved = join(dir, 'saved.pcapng');
    const { engine } = await analyzeFile(source);
    const a = emptyAnnotations();
    a.messages.push({ frame: engine.index.frameOf(2), callId: engine.index.callIdOf(2), cseq: String(engine.index.cseqOf(2)), kind: engine.index.methodOf(2) ?? String(engine.index.statusOf(2)), note: 'n', tag: null });
    a.hosts['[::1]:5060'] = 'P-CSCF';
    await writeCapture({ source, dest: saved, format: 'pcapng', annotations: a });
    expect(await readAnnotations(saved)).toEqual(a);
  });

  it('rejects with the reason when the block is refused', async () => {
    const saved = join(dir, 'hostile.pcapng');
    await writeCapture({ source, dest: saved, format: 'pcapng' });
    const json = new TextEncoder().encode('sipscope-annotations/1\n{"version":1,"messages":[],"calls":[],"hosts":{"constructor":"x"}}');
    const body = new Uint8Array(4 + ((json.length + 3) & ~3));
    new DataView(body.buffer).setUint32(0, 32473, true);
    body.set(json, 4);
    const block = new Uint8Array(12 + body.length);
    const dv = new DataView(block.buffer);
    dv.setUint32(0, 0xbad, true);
    dv.setUint32(4, block.length, true);
    block.set(body, 8);
    dv.setUint32(block.length - 4, block.length, true);
    appendFileSync(saved, block);
    await expect(readAnnotations(saved)).rejects.toThrow(new AnnotationsError(saved, `The annotations in "${saved}" were not loaded: hosts["constructor"] is not a host address.`));
  });

  it.runIf(haveSharedCaptures)('imports the comments of a capture commented elsewhere (nokia_51_esp_sip.pcapng.gz: every frame has one)', async () => {
    const file = sharedCapture('nokia_51_esp_sip.pcapng.gz');
    const index = (await analyzeFile(file)).engine.index;
    const loaded = await loadAnnotations(file, { index });
    expect(loaded.origin).toBe('comments');
    const frames = new Set<number>();
    for (let row = 0; row < index.count; row++) frames.add(index.frameOf(row));
    const notes = loaded.annotations?.messages ?? [];
    // One note per frame that carries a message, on that frame's first message; none for the other frames.
    expect(notes.length).toBe(frames.size);
    for (const n of notes) {
      expect(n.callId).not.toBe('');
      expect(index.frameOf(rowOfNote(index, n) as number)).toBe(n.frame);
    }
  });
});

describe('autosave', () => {
  it('lives beside the trace and round-trips; says when the trace changed since', async () => {
    const trace = join(dir, 'trace.pcap');
    copyFileSync(source, trace);
    expect(autosavePath(trace)).toBe(`${trace}.sipscope-notes.json`);
    expect(await readAutosave(trace)).toBeNull();
    expect(await writeAutosave(trace, sample())).toBe(autosavePath(trace));
    const back = await readAutosave(trace);
    expect(back).toMatchObject({ annotations: sample(), traceChanged: false });
    expect(Date.parse(back?.savedAt ?? '')).not.toBeNaN();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    appendFileSync(trace, Buffer.alloc(16));
    expect((await readAutosave(trace))?.traceChanged).toBe(true);
    await clearAutosave(trace);
    expect(await readAutosave(trace)).toBeNull();
    await clearAutosave(trace); // nothing to remove: fine
  });

  it.each([
    ['damaged JSON', '{"sipscopeAutosave":1,', (p: string) => `The autosaved notes "${p}" are damaged (not valid JSON); not loaded.`],
    ['another file', '{"hello":"world"}', (p: string) => `"${p}" is not a sipscope autosave file; not loaded.`],
    [
      'hostile annotations',
      '{"sipscopeAutosave":1,"trace":{"name":"t","size":1,"mtimeMs":1},"savedAt":"2026-01-01T00:00:00Z","annotations":{"version":1,"messages":[{"frame":-1}],"calls":[],"hosts":{}}}',
      (p: string) => `The autosaved notes "${p}" were not loaded: messages[0].frame is -1, expected a frame number (1 to 4294967295).`,
    ],
  ])('refuses %s with a message', async (_what, text, message) => {
    const trace = join(dir, `t-${Math.random().toString(36).slice(2)}.pcap`);
    copyFileSync(source, trace);
    writeFileSync(autosavePath(trace), text);
    await expect(readAutosave(trace)).rejects.toThrow(message(autosavePath(trace)));
  });
});
