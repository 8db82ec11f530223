/**
 * Export of calls from the app's trace service (issue 8): documents and captures of the selected calls, with
 * their notes, anonymised on request; and the IPC handler's save dialog and PDF path against the faked electron.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, FakeIpcMain, dialog, resetFakeElectron } from './fake-electron.js';
import { registerIpcHandlers } from '../../src/main/ipc.js';
import { createInProcessTraceService, type TraceService } from '../../src/main/trace-service.js';
import { appUrlMatcher } from '../../src/main/window.js';
import { analyzeFile } from '../../src/node/analyze.js';
import { InvokeChannels, type CallSummary } from '../../src/shared/api.js';
import { repoRoot } from '../helpers/paths.js';
import { haveTshark } from '../helpers/tshark.js';

vi.mock('electron', () => import('./fake-electron.js'));

const work = mkdtempSync(join(tmpdir(), 'sipscope-export-service-'));
const trace = join(work, 'ims.pcap');
copyFileSync(join(repoRoot, 'resources/sample-ims.pcap'), trace);
let service: TraceService;
let call: CallSummary;

beforeAll(async () => {
  service = createInProcessTraceService();
  await service.open(trace);
  const calls = await service.getCalls(0);
  const found = calls.find((c) => c.kind === 'call-setup' && c.messages > 10);
  if (!found) throw new Error('the sample has a call set-up');
  call = found;
  const ladder = await service.getLadder([call.index]);
  await service.setMessageNote(ladder.arrows[0].row, { note: 'first message of the call', tag: 'expected' });
  await service.setCallNote(call.index, { note: 'the call under study', tag: null });
});

afterAll(() => {
  service?.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** tshark's frames of one Call-ID. */
function framesOf(file: string, callId: string): string[] {
  return spawnSync('tshark', ['-r', file, '-Y', `sip.Call-ID == "${callId}"`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).stdout.trim().split('\n');
}

describe('exportCalls in the trace service', () => {
  it('writes the HTML of the call with its notes, and an anonymised one without its addresses', async () => {
    const html = join(work, 'call.html');
    expect(await service.exportCalls(html, { calls: [call.index], format: 'html', anonymize: false })).toEqual([html]);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain(call.callId);
    expect(text).toContain('first message of the call');
    expect(text).toContain('the call under study');
    expect(text).not.toMatch(/<script/i);
    const address = (await service.getLadder([call.index])).hosts[0].address.replace(/^\[|\]?:\d+$/g, '');
    expect(text).toContain(address);
    const anonymous = join(work, 'call-anon.html');
    await service.exportCalls(anonymous, { calls: [call.index], format: 'html', anonymize: true });
    expect(readFileSync(anonymous, 'utf8')).not.toContain(address);
  });

  it('writes the pcapng of the call: its frames, the notes as comments, reopening to its messages', async () => {
    const out = join(work, 'call.pcapng');
    await service.exportCalls(out, { calls: [call.index], format: 'pcapng', anonymize: false });
    const reopened = await analyzeFile(out);
    expect(reopened.engine.index.count).toBe(call.messages);
    if (haveTshark) {
      expect(framesOf(out, call.callId)).toHaveLength(call.messages);
      const comments = spawnSync('tshark', ['-r', out, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).stdout.trim();
      expect(comments).toBe('[expected] first message of the call');
    }
    // Anonymised: the same messages, none of the call's addresses left in the file's bytes.
    const anonymous = join(work, 'anon.pcapng');
    await service.exportCalls(anonymous, { calls: [call.index], format: 'pcapng', anonymize: true });
    expect((await analyzeFile(anonymous)).engine.index.count).toBe(call.messages);
    const bytes = readFileSync(anonymous).toString('latin1');
    for (const host of (await service.getLadder([call.index])).hosts) expect(bytes).not.toContain(host.address.replace(/^\[|\]?:\d+$/g, ''));
  });

  it('writes the call list as CSV', async () => {
    const out = join(work, 'calls.csv');
    await service.exportCalls(out, { calls: [call.index], format: 'csv', anonymize: false });
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(call.callId);
  });
});

describe('the exportCalls IPC handler', () => {
  /** The app's page: requests from it are accepted. */
  const html = join(repoRoot, 'src/renderer/index.html');

  it('asks where with the save dialog, exports there, and prints the HTML to PDF with JavaScript off', async () => {
    resetFakeElectron();
    const win = new BrowserWindow({});
    const ipc = new FakeIpcMain();
    registerIpcHandlers(ipc, {
      isAppUrl: appUrlMatcher({ kind: 'file', file: html }),
      traceServiceFor: () => service,
      launchTrace: () => trace,
      captureFolder: work,
    });
    const event = { sender: win.webContents, senderFrame: { url: new URL(`file://${html}`).href } };
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' });
    expect(await ipc.invoke(InvokeChannels.exportCalls, event, { calls: [call.index], format: 'svg', anonymize: false })).toEqual({ ok: true, value: null });
    const svg = join(work, 'ladder.svg');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: svg });
    expect(await ipc.invoke(InvokeChannels.exportCalls, event, { calls: [call.index], format: 'svg', anonymize: false })).toEqual({ ok: true, value: svg });
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg|^<\?xml/);
    const [, options] = dialog.showSaveDialog.mock.calls[1] as [unknown, { defaultPath: string; filters: { extensions: string[] }[] }];
    expect(options.defaultPath).toBe(join(work, `ims-call-${call.index}.svg`));
    expect(options.filters[0].extensions).toEqual(['svg']);

    const pdf = join(work, 'call.pdf');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: pdf });
    expect(await ipc.invoke(InvokeChannels.exportCalls, event, { calls: [call.index], format: 'pdf', anonymize: false })).toEqual({ ok: true, value: pdf });
    const printer = BrowserWindow.instances.at(-1)!;
    expect(printer.options).toMatchObject({ show: false, webPreferences: { javascript: false, sandbox: true } });
    expect(printer.loaded[0].target).toMatch(/sipscope-pdf-.*export\.html$/);
    expect(printer.webContents.printToPDF).toHaveBeenCalledWith(expect.objectContaining({ landscape: true, pageSize: 'A4' }));
    expect(printer.destroy).toHaveBeenCalled();
    expect(readFileSync(pdf, 'utf8')).toBe('%PDF-1.7 fake\n');
    // The HTML it printed was the export, and is gone with its temporary folder.
    expect(existsSync(printer.loaded[0].target)).toBe(false);
  });
});
