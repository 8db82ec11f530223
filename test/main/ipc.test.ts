import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, FakeIpcMain, dialog, resetFakeElectron } from './fake-electron.js';
import { registerIpcHandlers, sendEvent, type IpcDeps } from '../../src/main/ipc.js';
import { MAX_FILTER_LENGTH, MAX_PATH_LENGTH } from '../../src/main/validate.js';
import { appUrlMatcher } from '../../src/main/window.js';
import { EventChannels, InvokeChannels, type FilterFieldInfo, type FilterOutcome, type TraceSummary } from '../../src/shared/api.js';
import type { WebContents } from 'electron';

vi.mock('electron', () => import('./fake-electron.js'));

const html = resolve('/opt/sipscope/out/renderer/index.html');
const appUrl = pathToFileURL(html).href;
const trace = resolve('/captures/ims-register.pcapng');

let ipc: FakeIpcMain;
let open: ReturnType<typeof vi.fn<(path: string) => Promise<TraceSummary>>>;
let setDecodeAs: ReturnType<typeof vi.fn<(rules: readonly string[]) => string[]>>;
let applyFilter: ReturnType<typeof vi.fn<(text: string) => Promise<FilterOutcome>>>;
let filterFields: ReturnType<typeof vi.fn<() => FilterFieldInfo[]>>;
let dispose: () => void;
let win: BrowserWindow;

function eventFrom(url: string | null, sender: unknown = win.webContents) {
  return { sender, senderFrame: url === null ? null : { url } };
}
const fromApp = () => eventFrom(appUrl);
const fields: FilterFieldInfo[] = [
  { name: 'ims.procedure', type: 'string', description: 'IMS procedure', values: ['registration', 'call-setup'] },
  { name: 'sip.Method', type: 'string', description: 'Request method' },
];

beforeEach(() => {
  resetFakeElectron();
  win = new BrowserWindow({});
  ipc = new FakeIpcMain();
  open = vi.fn(async (path: string) => ({ path, messages: 42, calls: 3 }));
  setDecodeAs = vi.fn((rules: readonly string[]) => rules.map((r) => r.trim()));
  applyFilter = vi.fn(async (text: string): Promise<FilterOutcome> => ({ ok: true, text, messages: 42, matching: 2, calls: 3, matchingCalls: 1, firstFrames: [7, 9] }));
  filterFields = vi.fn(() => fields);
  const deps: IpcDeps = {
    isAppUrl: appUrlMatcher({ kind: 'file', file: html }),
    traceService: { open, decodeAs: () => ['tcp.port==6060,sip'], setDecodeAs, applyFilter, filterFields },
    launchTrace: () => trace,
  };
  dispose = registerIpcHandlers(ipc, deps);
});

describe('decode-as settings', () => {
  it('reads and replaces the rules through the service', async () => {
    await expect(ipc.invoke(InvokeChannels.getDecodeAs, fromApp())).resolves.toEqual({ ok: true, value: ['tcp.port==6060,sip'] });
    await expect(ipc.invoke(InvokeChannels.setDecodeAs, fromApp(), [' udp.port==2153,gtpu '])).resolves.toEqual({ ok: true, value: ['udp.port==2153,gtpu'] });
    expect(setDecodeAs).toHaveBeenCalledExactlyOnceWith([' udp.port==2153,gtpu ']);
  });

  it("passes the service's refusal of a bad rule back as an error value", async () => {
    setDecodeAs.mockImplementationOnce(() => {
      throw new Error("unknown protocol 'smtp' in 'udp.port==25,smtp'");
    });
    await expect(ipc.invoke(InvokeChannels.setDecodeAs, fromApp(), ['udp.port==25,smtp'])).resolves.toEqual({ ok: false, error: "unknown protocol 'smtp' in 'udp.port==25,smtp'" });
  });

  it.each([
    ['a string', 'tcp.port==6060,sip', /^decode-as rules must be an array of strings, got a string$/],
    ['an object', { rules: [] }, /^decode-as rules must be an array of strings, got an object$/],
    ['a number in the list', ['tcp.port==6060,sip', 7], /^decode-as rule 2 must be a string, got a number$/],
    ['an oversized rule', ['x'.repeat(101)], /^decode-as rule 1 is too long \(101 characters; the limit is 100\)$/],
    ['too many rules', Array.from({ length: 65 }, () => 'tcp.port==1,sip'), /^too many decode-as rules \(65; the limit is 64\)$/],
  ])('setDecodeAs rejects %s without touching the service', async (_name, arg, message) => {
    const reply = (await ipc.invoke(InvokeChannels.setDecodeAs, fromApp(), arg)) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(message);
    expect(setDecodeAs).not.toHaveBeenCalled();
  });

  it('refuses requests from pages that are not the app', async () => {
    const reply = (await ipc.invoke(InvokeChannels.setDecodeAs, eventFrom('https://evil.example/'), [])) as { ok: boolean };
    expect(reply.ok).toBe(false);
    expect(setDecodeAs).not.toHaveBeenCalled();
  });
});

describe('display filter', () => {
  it('applies the filter text through the service and returns its outcome', async () => {
    await expect(ipc.invoke(InvokeChannels.applyFilter, fromApp(), 'sip.Method == "INVITE"')).resolves.toEqual({
      ok: true,
      value: { ok: true, text: 'sip.Method == "INVITE"', messages: 42, matching: 2, calls: 3, matchingCalls: 1, firstFrames: [7, 9] },
    });
    expect(applyFilter).toHaveBeenCalledExactlyOnceWith('sip.Method == "INVITE"');
  });

  it('passes a filter that does not compile back as a value, not as a refused request', async () => {
    const bad: FilterOutcome = { ok: false, error: { message: 'Unknown field "sip.Mehtod": did you mean sip.Method?', start: 0, length: 10 } };
    applyFilter.mockResolvedValueOnce(bad);
    await expect(ipc.invoke(InvokeChannels.applyFilter, fromApp(), 'sip.Mehtod == "INVITE"')).resolves.toEqual({ ok: true, value: bad });
  });

  it("reports the service's refusal (no trace open) as an error value", async () => {
    applyFilter.mockRejectedValueOnce(new Error('no trace is open: open a trace before applying a display filter'));
    await expect(ipc.invoke(InvokeChannels.applyFilter, fromApp(), 'sip')).resolves.toEqual({
      ok: false,
      error: 'no trace is open: open a trace before applying a display filter',
    });
  });

  it('accepts an empty filter and one of exactly the maximum length', async () => {
    await expect(ipc.invoke(InvokeChannels.applyFilter, fromApp(), '')).resolves.toMatchObject({ ok: true });
    await expect(ipc.invoke(InvokeChannels.applyFilter, fromApp(), 's'.repeat(MAX_FILTER_LENGTH))).resolves.toMatchObject({ ok: true });
    expect(applyFilter).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a number', 42, /^display filter must be a string, got a number$/],
    ['null', null, /^display filter must be a string, got null$/],
    ['undefined', undefined, /^display filter must be a string, got undefined$/],
    ['an object', { text: 'sip' }, /^display filter must be a string, got an object$/],
    ['an array', ['sip'], /^display filter must be a string, got an array$/],
    ['an oversized filter', 's'.repeat(MAX_FILTER_LENGTH + 1), /^display filter is too long \(65537 characters; the limit is 65536\)$/],
  ])('applyFilter rejects %s without touching the service', async (_name, arg, message) => {
    const reply = (await ipc.invoke(InvokeChannels.applyFilter, fromApp(), arg)) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(message);
    expect(applyFilter).not.toHaveBeenCalled();
  });

  it('lists the fields from the service', async () => {
    await expect(ipc.invoke(InvokeChannels.getFilterFields, fromApp())).resolves.toEqual({ ok: true, value: fields });
    expect(filterFields).toHaveBeenCalledOnce();
  });

  it('refuses filter requests from pages that are not the app', async () => {
    const reply = (await ipc.invoke(InvokeChannels.applyFilter, eventFrom('https://evil.example/'), 'sip')) as { ok: boolean };
    expect(reply.ok).toBe(false);
    expect(applyFilter).not.toHaveBeenCalled();
    expect(((await ipc.invoke(InvokeChannels.getFilterFields, eventFrom('https://evil.example/'))) as { ok: boolean }).ok).toBe(false);
    expect(filterFields).not.toHaveBeenCalled();
  });
});

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per request channel of the contract, and removes them', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(InvokeChannels).sort());
    dispose();
    expect(ipc.handlers.size).toBe(0);
  });

  it('opens a trace through the injected TraceService', async () => {
    await expect(ipc.invoke(InvokeChannels.openTrace, fromApp(), trace)).resolves.toEqual({
      ok: true,
      value: { path: trace, messages: 42, calls: 3 },
    });
    expect(open).toHaveBeenCalledExactlyOnceWith(trace);
  });

  it('hands the service a normalised path', async () => {
    await ipc.invoke(InvokeChannels.openTrace, fromApp(), join('/captures', 'x', '..', 'a.pcap'));
    expect(open).toHaveBeenCalledExactlyOnceWith(resolve('/captures/a.pcap'));
  });

  it("reports the service's failure as an error value", async () => {
    open.mockRejectedValueOnce(new Error('no such file: /captures/gone.pcap'));
    await expect(ipc.invoke(InvokeChannels.openTrace, fromApp(), '/captures/gone.pcap')).resolves.toEqual({
      ok: false,
      error: 'no such file: /captures/gone.pcap',
    });
  });

  it.each([
    ['a relative path', 'captures/x.pcap', /^trace path must be absolute, got "captures\/x\.pcap"$/],
    ['a dot path', './x.pcap', /must be absolute/],
    ['an empty string', '', /^trace path is empty$/],
    ['a number', 42, /^trace path must be a string, got a number$/],
    ['null', null, /^trace path must be a string, got null$/],
    ['undefined', undefined, /^trace path must be a string, got undefined$/],
    ['an object', { path: '/x.pcap' }, /^trace path must be a string, got an object$/],
    ['an array', ['/x.pcap'], /^trace path must be a string, got an array$/],
    ['a NUL byte', '/captures/x.pcap\0.txt', /^trace path contains a NUL character$/],
    ['an oversized path', '/' + 'a'.repeat(MAX_PATH_LENGTH), /^trace path is too long \(4096 characters; the limit is 4095\)$/],
  ])('openTrace rejects %s without touching the service', async (_name, arg, message) => {
    const reply = (await ipc.invoke(InvokeChannels.openTrace, fromApp(), arg)) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(message);
    expect(open).not.toHaveBeenCalled();
  });

  it('accepts a path of exactly the maximum length', async () => {
    const longest = '/' + 'a'.repeat(MAX_PATH_LENGTH - 1);
    await expect(ipc.invoke(InvokeChannels.openTrace, fromApp(), longest)).resolves.toMatchObject({ ok: true });
  });

  it('rejects a wrong number of arguments on every channel', async () => {
    await expect(ipc.invoke(InvokeChannels.openTrace, fromApp())).resolves.toEqual({
      ok: false,
      error: 'openTrace expects 1 argument, got 0',
    });
    await expect(ipc.invoke(InvokeChannels.openTrace, fromApp(), trace, trace)).resolves.toEqual({
      ok: false,
      error: 'openTrace expects 1 argument, got 2',
    });
    await expect(ipc.invoke(InvokeChannels.setDecodeAs, fromApp())).resolves.toEqual({ ok: false, error: 'setDecodeAs expects 1 argument, got 0' });
    await expect(ipc.invoke(InvokeChannels.applyFilter, fromApp())).resolves.toEqual({ ok: false, error: 'applyFilter expects 1 argument, got 0' });
    await expect(ipc.invoke(InvokeChannels.applyFilter, fromApp(), 'sip', 'sdp')).resolves.toEqual({ ok: false, error: 'applyFilter expects 1 argument, got 2' });
    for (const [operation, channel] of Object.entries(InvokeChannels)) {
      if (operation === 'openTrace' || operation === 'setDecodeAs' || operation === 'applyFilter') continue;
      await expect(ipc.invoke(channel, fromApp(), 'extra')).resolves.toEqual({
        ok: false,
        error: `${operation} expects 0 arguments, got 1`,
      });
    }
    expect(open).not.toHaveBeenCalled();
    expect(applyFilter).not.toHaveBeenCalled();
    expect(filterFields).not.toHaveBeenCalled();
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });

  describe.each([
    ['a remote page', 'https://attacker.example/index.html'],
    ['another local file', pathToFileURL('/tmp/evil.html').href],
    ['a data: URL', 'data:text/html,<script>1</script>'],
    ['an about:blank frame', 'about:blank'],
    ['an empty URL', ''],
    ['a destroyed frame', null],
  ])('refuses requests from %s', (_name, url) => {
    it.each(Object.entries(InvokeChannels))('on %s', async (operation, channel) => {
      const args = operation === 'openTrace' ? [trace] : operation === 'applyFilter' ? ['sip'] : operation === 'setDecodeAs' ? [[]] : [];
      const reply = (await ipc.invoke(channel, eventFrom(url), ...args)) as { ok: boolean; error: string };
      expect(reply.ok).toBe(false);
      expect(reply.error).toMatch(/^request refused: /);
      expect(open).not.toHaveBeenCalled();
      expect(applyFilter).not.toHaveBeenCalled();
      expect(filterFields).not.toHaveBeenCalled();
      expect(dialog.showOpenDialog).not.toHaveBeenCalled();
    });
  });

  it('answers getAppInfo from the app', async () => {
    await expect(ipc.invoke(InvokeChannels.getAppInfo, fromApp())).resolves.toEqual({
      ok: true,
      value: { name: 'sipscope', version: '0.1.0-test', electron: process.versions.electron, platform: process.platform },
    });
  });

  it('answers getLaunchTrace from the injected value', async () => {
    await expect(ipc.invoke(InvokeChannels.getLaunchTrace, fromApp())).resolves.toEqual({ ok: true, value: trace });
  });

  it('shows the open dialog attached to the sending window and returns the chosen path', async () => {
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [trace] });
    await expect(ipc.invoke(InvokeChannels.openTraceDialog, fromApp())).resolves.toEqual({ ok: true, value: trace });
    expect(dialog.showOpenDialog).toHaveBeenCalledOnce();
    expect(dialog.showOpenDialog.mock.calls[0]![0]).toBe(win);
  });

  it('returns null when the dialog is cancelled', async () => {
    await expect(ipc.invoke(InvokeChannels.openTraceDialog, fromApp())).resolves.toEqual({ ok: true, value: null });
  });
});

describe('sendEvent', () => {
  it("sends the payload on the event's own channel", () => {
    sendEvent(win.webContents as unknown as WebContents, 'openTraceRequest', { path: trace });
    expect(win.webContents.sent).toEqual([[EventChannels.openTraceRequest, { path: trace }]]);
  });
});
