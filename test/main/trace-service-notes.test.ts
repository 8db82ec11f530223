/**
 * Notes in the app's trace service (issue 8): set on a message and a call, shown in the detail, the calls list and
 * the ladder, autosaved beside the trace (a new window gets them back), saved into a pcapng whose packet comments
 * tshark reads and which reopens with every note.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AUTOSAVE_DELAY_MS, createInProcessTraceService } from '../../src/main/trace-service.js';
import { autosavePath } from '../../src/node/annotations/load.js';
import { repoRoot } from '../helpers/paths.js';
import { haveTshark } from '../helpers/tshark.js';

const work = mkdtempSync(join(tmpdir(), 'sipscope-notes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('notes in the trace service', () => {
  it('are shown where the message and call appear, autosaved, and saved into a pcapng that reopens with them', async () => {
    const trace = join(work, 'ims.pcap');
    copyFileSync(join(repoRoot, 'resources/sample-ims.pcap'), trace);
    const service = createInProcessTraceService();
    await service.open(trace);
    expect(await service.getAnnotations()).toEqual({ messageNotes: 0, callNotes: 0, aliases: 0, unsaved: false, origin: null, problems: [] });

    // The first INVITE of the trace and its call.
    const rows = (await service.getRows({ view: 0, start: 0, count: 200 })).rows;
    const invite = rows.find((r) => r.method === 'INVITE');
    if (!invite) throw new Error('the sample has an INVITE');
    const calls = await service.getCalls(0);
    const call = calls.find((c) => c.callId === invite.callId);
    if (!call) throw new Error('the INVITE has a call');

    await service.setMessageNote(invite.row, { note: 'No 100rel here <b>', tag: 'vendor bug' });
    const state = await service.setCallNote(call.index, { note: 'Call set up in 2 s', tag: null });
    expect(state).toMatchObject({ messageNotes: 1, callNotes: 1, unsaved: true });
    expect((await service.getMessage(invite.row)).annotation).toEqual({ note: 'No 100rel here <b>', tag: 'vendor bug' });
    expect((await service.getCalls(0)).find((c) => c.index === call.index)?.annotation).toEqual({ note: 'Call set up in 2 s', tag: null });
    await service.setHostAlias((await service.getLadder([call.index])).hosts[0].address, 'UE');
    const ladder = await service.getLadder([call.index]);
    expect(ladder.hosts[0].alias).toBe('UE');
    expect(ladder.arrows.filter((a) => a.annotation !== null).map((a) => [a.row, a.annotation?.note])).toEqual([[invite.row, 'No 100rel here <b>']]);

    // Autosaved beside the trace once the edits pause: another window opening the trace gets them back.
    await sleep(AUTOSAVE_DELAY_MS + 500);
    expect(existsSync(autosavePath(trace))).toBe(true);
    const other = createInProcessTraceService();
    await other.open(trace);
    expect(await other.getAnnotations()).toMatchObject({ messageNotes: 1, callNotes: 1, unsaved: true, origin: 'autosave' });
    expect((await other.getMessage(invite.row)).annotation?.note).toBe('No 100rel here <b>');
    other.dispose();

    // Saved into a pcapng: Wireshark's packet comment on the INVITE's frame, and every note back on reopening.
    const saved = join(work, 'ims-annotated.pcapng');
    expect(await service.saveAnnotated(saved)).toBe(saved);
    expect(await service.getAnnotations()).toMatchObject({ unsaved: false });
    expect(existsSync(autosavePath(trace))).toBe(false);
    if (haveTshark) {
      const out = spawnSync('tshark', ['-r', saved, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment'], { encoding: 'utf8' });
      expect(out.stdout.trim().split('\n')).toEqual([`${invite.frame}\t[vendor bug] No 100rel here <b>`]);
    }
    const reopened = createInProcessTraceService();
    await reopened.open(saved);
    expect(await reopened.getAnnotations()).toEqual({ messageNotes: 1, callNotes: 1, aliases: 1, unsaved: false, origin: 'capture', problems: [] });
    expect((await reopened.getMessage(invite.row)).annotation).toEqual({ note: 'No 100rel here <b>', tag: 'vendor bug' });
    expect((await reopened.getCalls(0)).find((c) => c.callId === call.callId)?.annotation).toEqual({ note: 'Call set up in 2 s', tag: null });
    expect((await reopened.getLadder([call.index])).hosts[0].alias).toBe('UE');
    // Removing a note.
    expect(await reopened.setMessageNote(invite.row, null)).toMatchObject({ messageNotes: 0, unsaved: true });
    expect((await reopened.getMessage(invite.row)).annotation).toBeNull();
    reopened.dispose();
    service.dispose();
  }, 30_000);
});
