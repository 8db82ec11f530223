import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, FakeIpcMain, dialog, resetFakeElectron } from './fake-electron.js';
import { registerIpcHandlers, sendEvent, type IpcDeps } from '../../src/main/ipc.js';
import { MAX_FILTER_LENGTH, MAX_PATH_LENGTH } from '../../src/main/validate.js';
import { appUrlMatcher } from '../../src/main/window.js';
import { captureStatus } from '../helpers/capture-status.js';
import type { TraceService } from '../../src/main/trace-service.js';
import { DEFAULT_CAPTURE_FILTER } from '../../src/node/capture/capture-client.js';
import { capInstalled } from '../helpers/capture.js';
import {
  EventChannels,
  InvokeChannels,
  type CaptureSettings,
  type CaptureStatus,
  type FilterFieldInfo,
  type FilterOutcome,
  type MessageDetail,
  type RowsPage,
  type TraceProgress,
  type TraceStatistics,
  type TraceSummary,
} from '../../src/shared/api.js';
import type { WebContents } from 'electron';

vi.mock('electron', () => import('./fake-electron.js'));

const html = resolve('/opt/sipscope/out/renderer/index.html');
const appUrl = pathToFileURL(html).href;
const trace = resolve('/captures/ims-register.pcapng');

let ipc: FakeIpcMain;
let open: ReturnType<typeof vi.fn<TraceService['open']>>;
let setDecodeAs: ReturnType<typeof vi.fn<(rules: readonly string[]) => string[]>>;
let applyFilter: ReturnType<typeof vi.fn<(text: string) => Promise<FilterOutcome>>>;
let filterFields: ReturnType<typeof vi.fn<() => FilterFieldInfo[]>>;
let service: TraceService;
let servedTo: unknown[];
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
const summary = (path: string): TraceSummary => ({
  path,
  messages: 42,
  calls: 3,
  packets: 50,
  firstTime: 1700000000,
  lastTime: 1700000060,
  errors: 0,
  warnings: 1,
  fileProblems: [],
  complete: true,
  elapsedMs: 12,
});
const page: RowsPage = { view: 0, total: 0, start: 0, rows: [] };
const progress: TraceProgress = { path: trace, bytesRead: 100, totalBytes: 200, messages: 7, phase: 'reading' };

beforeEach(() => {
  resetFakeElectron();
  win = new BrowserWindow({});
  ipc = new FakeIpcMain();
  open = vi.fn(async (path: string, onProgress?: (p: TraceProgress) => void) => {
    onProgress?.(progress);
    return summary(path);
  });
  setDecodeAs = vi.fn((rules: readonly string[]) => rules.map((r) => r.trim()));
  applyFilter = vi.fn(
    async (text: string): Promise<FilterOutcome> => ({ ok: true, text, messages: 42, matching: 2, calls: 3, matchingCalls: 1, firstFrames: [7, 9], view: 4, elapsedMs: 1 }),
  );
  filterFields = vi.fn(() => fields);
  service = {
    open,
    cancelOpen: vi.fn(async () => undefined),
    getRows: vi.fn(async () => page),
    getMessage: vi.fn(async () => ({}) as MessageDetail),
    getCalls: vi.fn(async () => []),
    getLadder: vi.fn(async (calls: number[]) => ({ calls, hosts: [], arrows: [], bands: [] })),
    getStatistics: vi.fn(async () => ({}) as TraceStatistics),
    dispose: vi.fn(),
    decodeAs: () => ['tcp.port==6060,sip'],
    setDecodeAs,
    applyFilter,
    filterFields,
    startCapture: vi.fn(async () => {
      throw new Error('not used here');
    }),
    stopCapture: vi.fn(async () => {
      throw new Error('not used here');
    }),
    getAnnotations: vi.fn(async () => ({ messageNotes: 0, callNotes: 0, aliases: 0, unsaved: false, origin: null, problems: [] })),
    setMessageNote: vi.fn(async () => ({ messageNotes: 1, callNotes: 0, aliases: 0, unsaved: true, origin: null, problems: [] })),
    setCallNote: vi.fn(async () => ({ messageNotes: 0, callNotes: 1, aliases: 0, unsaved: true, origin: null, problems: [] })),
    setHostAlias: vi.fn(async () => ({ messageNotes: 0, callNotes: 0, aliases: 1, unsaved: true, origin: null, problems: [] })),
    saveAnnotated: vi.fn(async (dest: string) => dest),
    exportCalls: vi.fn(async (dest: string) => [dest]),
    flushNotes: vi.fn(async () => undefined),
  };
  servedTo = [];
  const deps: IpcDeps = {
    isAppUrl: appUrlMatcher({ kind: 'file', file: html }),
    traceServiceFor: (contents) => {
      servedTo.push(contents);
      return service;
    },
    launchTrace: () => trace,
    captureFolder: '/home/lab/sipscope-captures',
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
      value: { ok: true, text: 'sip.Method == "INVITE"', messages: 42, matching: 2, calls: 3, matchingCalls: 1, firstFrames: [7, 9], view: 4, elapsedMs: 1 },
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

/** A valid argument of every one-argument operation. */
/** Operations taking two arguments, with good ones. */
const twoArguments = {
  setMessageNote: [3, { note: 'checked', tag: null }],
  setCallNote: [1, null],
  setHostAlias: ['10.0.0.1:5060', 'P-CSCF'],
} as const;

const oneArgument = {
  openTrace: trace,
  setDecodeAs: [],
  applyFilter: 'sip',
  getRows: { view: 0, start: 0, count: 10 },
  getMessage: 3,
  getCalls: 0,
  getLadder: [0, 1],
  getStatistics: 2,
  startCapture: { source: { kind: 'interfaces', interfaces: ['lo'], filter: '' }, folder: null, ring: null },
  exportCalls: { calls: [0], format: 'html', anonymize: false },
} as const;

describe('the trace operations', () => {
  it('pass their validated arguments to the service and return its answer', async () => {
    const query = { view: 2, start: 100, count: 50, sort: { column: 'header:P-Asserted-Identity', descending: true }, headers: ['User-Agent', 'Via'] };
    await expect(ipc.invoke(InvokeChannels.getRows, fromApp(), query)).resolves.toEqual({ ok: true, value: page });
    expect(service.getRows).toHaveBeenCalledExactlyOnceWith(query);
    await ipc.invoke(InvokeChannels.getMessage, fromApp(), 12);
    expect(service.getMessage).toHaveBeenCalledExactlyOnceWith(12);
    await ipc.invoke(InvokeChannels.getCalls, fromApp(), 0);
    expect(service.getCalls).toHaveBeenCalledExactlyOnceWith(0);
    await expect(ipc.invoke(InvokeChannels.getLadder, fromApp(), [4, 7])).resolves.toEqual({ ok: true, value: { calls: [4, 7], hosts: [], arrows: [], bands: [] } });
    await ipc.invoke(InvokeChannels.getStatistics, fromApp(), 5);
    expect(service.getStatistics).toHaveBeenCalledExactlyOnceWith(5);
    await expect(ipc.invoke(InvokeChannels.cancelOpen, fromApp())).resolves.toEqual({ ok: true, value: undefined });
    expect(service.cancelOpen).toHaveBeenCalledOnce();
  });

  it('hands the service a fresh query holding only the known fields', async () => {
    await ipc.invoke(InvokeChannels.getRows, fromApp(), { view: 0, start: 0, count: 1, sort: { column: 'time', descending: false } });
    const passed = vi.mocked(service.getRows).mock.calls[0]![0];
    expect(passed).toEqual({ view: 0, start: 0, count: 1, sort: { column: 'time', descending: false } });
    expect(Object.getPrototypeOf(passed)).toBe(Object.prototype);
  });

  it("passes the service's refusal (a gone view) back as an error value", async () => {
    vi.mocked(service.getRows).mockRejectedValueOnce(new Error('this filter result is gone; apply the filter again'));
    await expect(ipc.invoke(InvokeChannels.getRows, fromApp(), { view: 3, start: 0, count: 1 })).resolves.toEqual({
      ok: false,
      error: 'this filter result is gone; apply the filter again',
    });
  });

  it.each([
    ['not an object', 'rows', /^rows query must be an object, got a string$/],
    ['an array', [0, 0, 10], /^rows query must be an object, got an array$/],
    ['no view', { start: 0, count: 1 }, /^view must be an integer, got undefined$/],
    ['a negative view', { view: -1, start: 0, count: 1 }, /^view must be between 0 and \d+, got -1$/],
    ['a fractional start', { view: 0, start: 1.5, count: 1 }, /^start must be an integer, got 1\.5$/],
    ['a string count', { view: 0, start: 0, count: '10' }, /^count must be an integer, got a string$/],
    ['NaN', { view: 0, start: NaN, count: 1 }, /^start must be an integer, got NaN$/],
    ['Infinity', { view: 0, start: 0, count: Infinity }, /^count must be an integer, got Infinity$/],
    ['too many rows', { view: 0, start: 0, count: 1001 }, /^count must be between 0 and 1000, got 1001$/],
    ['an unknown field', { view: 0, start: 0, count: 1, filter: 'sip' }, /^rows query has an unknown field "filter"$/],
    ['an unknown sort column', { view: 0, start: 0, count: 1, sort: { column: 'password', descending: false } }, /^unknown sort column "password"$/],
    ['a sort without direction', { view: 0, start: 0, count: 1, sort: { column: 'time' } }, /^sort descending must be a boolean, got undefined$/],
    ['a sort header with a space', { view: 0, start: 0, count: 1, sort: { column: 'header:Call ID', descending: false } }, /^sort header is not a SIP header name: "Call ID"$/],
    ['an empty sort header', { view: 0, start: 0, count: 1, sort: { column: 'header:', descending: false } }, /^sort header must be 1 to 64 characters long, got 0$/],
    ['a long sort header', { view: 0, start: 0, count: 1, sort: { column: `header:${'X'.repeat(65)}`, descending: false } }, /^sort header must be 1 to 64 characters long, got 65$/],
    ['headers not an array', { view: 0, start: 0, count: 1, headers: 'Via' }, /^headers must be an array of header names, got a string$/],
    ['17 headers', { view: 0, start: 0, count: 1, headers: Array.from({ length: 17 }, () => 'Via') }, /^too many header columns \(17; the limit is 16\)$/],
    ['a header with a colon', { view: 0, start: 0, count: 1, headers: ['Via', 'To: x'] }, /^header 2 is not a SIP header name: "To: x"$/],
    ['a header that is not a string', { view: 0, start: 0, count: 1, headers: [7] }, /^header 1 must be a string, got a number$/],
  ])('getRows refuses %s without touching the service', async (_name, query, message) => {
    const reply = (await ipc.invoke(InvokeChannels.getRows, fromApp(), query)) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(message);
    expect(service.getRows).not.toHaveBeenCalled();
  });

  it.each([
    ['getMessage', InvokeChannels.getMessage, -1, /^message row must be between 0 and 4294967295, got -1$/],
    ['getMessage', InvokeChannels.getMessage, '3', /^message row must be an integer, got a string$/],
    ['getMessage', InvokeChannels.getMessage, 2 ** 32, /^message row must be between 0 and 4294967295, got 4294967296$/],
    ['getCalls', InvokeChannels.getCalls, 0.5, /^view must be an integer, got 0\.5$/],
    ['getStatistics', InvokeChannels.getStatistics, null, /^view must be an integer, got null$/],
    ['getLadder', InvokeChannels.getLadder, 3, /^calls must be an array of call indexes, got a number$/],
    ['getLadder', InvokeChannels.getLadder, [1, -2], /^call 2 must be between 0 and 4294967295, got -2$/],
    ['getLadder', InvokeChannels.getLadder, [1, '2'], /^call 2 must be an integer, got a string$/],
    ['getLadder', InvokeChannels.getLadder, Array.from({ length: 65 }, (_, i) => i), /^too many calls for one ladder diagram \(65; the limit is 64\)$/],
  ])('%s refuses %j', async (operation, channel, arg, message) => {
    const reply = (await ipc.invoke(channel, fromApp(), arg)) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(message);
    expect(service[operation as 'getMessage' | 'getCalls' | 'getStatistics' | 'getLadder']).not.toHaveBeenCalled();
  });

  it('accepts the limits: 1000 rows, 16 headers of 64 characters, 64 calls', async () => {
    const headers = Array.from({ length: 16 }, (_, i) => `X-${String(i).padStart(62, '0')}`);
    await expect(ipc.invoke(InvokeChannels.getRows, fromApp(), { view: 0, start: 0, count: 1000, headers })).resolves.toMatchObject({ ok: true });
    await expect(ipc.invoke(InvokeChannels.getLadder, fromApp(), Array.from({ length: 64 }, (_, i) => i))).resolves.toMatchObject({ ok: true });
  });
});

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per request channel of the contract, and removes them', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(InvokeChannels).sort());
    dispose();
    expect(ipc.handlers.size).toBe(0);
  });

  it("opens a trace through the sending window's TraceService, relaying its progress to that window", async () => {
    await expect(ipc.invoke(InvokeChannels.openTrace, fromApp(), trace)).resolves.toEqual({ ok: true, value: summary(trace) });
    expect(open).toHaveBeenCalledExactlyOnceWith(trace, expect.any(Function));
    expect(servedTo).toEqual([win.webContents]);
    expect(win.webContents.sent).toEqual([[EventChannels.traceProgress, progress]]);
  });

  it('sends no progress to a window destroyed while its trace is read', async () => {
    const contents = win.webContents as unknown as { isDestroyed?: () => boolean };
    contents.isDestroyed = () => true;
    await expect(ipc.invoke(InvokeChannels.openTrace, fromApp(), trace)).resolves.toMatchObject({ ok: true });
    expect(win.webContents.sent).toEqual([]);
  });

  it('hands the service a normalised path', async () => {
    await ipc.invoke(InvokeChannels.openTrace, fromApp(), join('/captures', 'x', '..', 'a.pcap'));
    expect(open).toHaveBeenCalledExactlyOnceWith(resolve('/captures/a.pcap'), expect.any(Function));
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
      if (operation in twoArguments) {
        await expect(ipc.invoke(channel, fromApp(), 1)).resolves.toEqual({ ok: false, error: `${operation} expects 2 arguments, got 1` });
        continue;
      }
      if (operation in oneArgument) {
        await expect(ipc.invoke(channel, fromApp())).resolves.toEqual({ ok: false, error: `${operation} expects 1 argument, got 0` });
        continue;
      }
      await expect(ipc.invoke(channel, fromApp(), 'extra')).resolves.toEqual({
        ok: false,
        error: `${operation} expects 0 arguments, got 1`,
      });
    }
    expect(open).not.toHaveBeenCalled();
    expect(applyFilter).not.toHaveBeenCalled();
    expect(filterFields).not.toHaveBeenCalled();
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(service.startCapture).not.toHaveBeenCalled();
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
      const args =
        operation in twoArguments
          ? [...twoArguments[operation as keyof typeof twoArguments]]
          : operation in oneArgument
            ? [oneArgument[operation as keyof typeof oneArgument]]
            : [];
      const reply = (await ipc.invoke(channel, eventFrom(url), ...args)) as { ok: boolean; error: string };
      expect(reply.ok).toBe(false);
      expect(reply.error).toMatch(/^request refused: /);
      expect(open).not.toHaveBeenCalled();
      expect(applyFilter).not.toHaveBeenCalled();
      expect(filterFields).not.toHaveBeenCalled();
      expect(dialog.showOpenDialog).not.toHaveBeenCalled();
      expect(dialog.showSaveDialog).not.toHaveBeenCalled();
      expect(service.startCapture).not.toHaveBeenCalled();
      expect(servedTo).toEqual([]);
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

describe('live capture', () => {
  const work = mkdtempSync(join(tmpdir(), 'sipscope-ipc-capture-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let caseNumber = 0;

  const lo: CaptureSettings = { source: { kind: 'interfaces', interfaces: ['lo'], filter: 'udp port 5060' }, folder: null, ring: null };
  const status = (changes: Partial<CaptureStatus>): CaptureStatus => captureStatus(changes);
  /** Capture files with real bytes, in a folder of their own. */
  function captureFiles(...names: string[]): { folder: string; files: string[]; bytes: Buffer[] } {
    const folder = join(work, `case-${++caseNumber}`);
    mkdirSync(folder);
    const files = names.map((name) => join(folder, name));
    // A pcapng Section Header Block start (0x0a0d0d0a) followed by bytes that differ per file.
    const bytes = files.map((_, i) => Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), Buffer.alloc(64 + i, i + 1)]));
    files.forEach((file, i) => writeFileSync(file, bytes[i]!));
    return { folder, files, bytes };
  }
  /** The status handler the service was given by the last startCapture. */
  const serviceOnStatus = () => vi.mocked(service.startCapture).mock.calls.at(-1)![1];

  it('startCapture hands the service validated settings with the default folder, and returns its status', async () => {
    const started = status({ files: ['/home/lab/sipscope-captures/sipscope_lo_20261124-130501.pcapng'] });
    vi.mocked(service.startCapture).mockResolvedValueOnce(started);
    await expect(ipc.invoke(InvokeChannels.startCapture, fromApp(), { ...lo, source: { ...lo.source } })).resolves.toEqual({ ok: true, value: started });
    expect(service.startCapture).toHaveBeenCalledExactlyOnceWith({ ...lo, folder: '/home/lab/sipscope-captures' }, expect.any(Function));
    expect(servedTo).toEqual([win.webContents]);
  });

  it("startCapture keeps the page's folder (normalised), and passes a ring and a HEP source as given", async () => {
    vi.mocked(service.startCapture).mockResolvedValue(status({}));
    const ring = { files: 4, megabytes: null, seconds: 60 };
    await ipc.invoke(InvokeChannels.startCapture, fromApp(), { ...lo, folder: '/srv/x/../captures', ring });
    expect(vi.mocked(service.startCapture).mock.calls[0]![0]).toEqual({ ...lo, folder: '/srv/captures', ring });
    const hep = { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: 9060 } as const;
    await ipc.invoke(InvokeChannels.startCapture, fromApp(), { source: hep, folder: null, ring: null });
    expect(vi.mocked(service.startCapture).mock.calls[1]![0]).toEqual({ source: hep, folder: '/home/lab/sipscope-captures', ring: null });
  });

  it.each([
    ['an unknown field', { ...lo, snaplen: 96 }, 'capture settings has an unknown field "snaplen"'],
    ['a relative folder', { ...lo, folder: 'captures' }, 'capture folder must be absolute, got "captures"'],
    ['no interface', { ...lo, source: { kind: 'interfaces', interfaces: [], filter: '' } }, 'capture needs at least one interface'],
    ['a ring with HEP', { source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: 9060 }, folder: null, ring: { files: 2, megabytes: 1, seconds: null } }, 'a HEP listener writes one file: the ring buffer applies to interface captures'],
  ])('startCapture refuses %s without touching the service', async (_name, settings, error) => {
    await expect(ipc.invoke(InvokeChannels.startCapture, fromApp(), settings)).resolves.toEqual({ ok: false, error });
    expect(service.startCapture).not.toHaveBeenCalled();
  });

  it("passes the service's refusal back as an error value", async () => {
    vi.mocked(service.startCapture).mockRejectedValueOnce(new Error("No interface named 'no-such0' (No such device exists); 'sipscope interfaces' lists them."));
    await expect(ipc.invoke(InvokeChannels.startCapture, fromApp(), lo)).resolves.toEqual({
      ok: false,
      error: "No interface named 'no-such0' (No such device exists); 'sipscope interfaces' lists them.",
    });
  });

  it("relays the service's status updates to the window that started the capture, as captureStatus events", async () => {
    const other = new BrowserWindow({});
    vi.mocked(service.startCapture).mockImplementationOnce(async (_settings, onStatus) => {
      // An update may come before startCapture resolves (the first batch of a busy link).
      onStatus(status({ packets: 1 }));
      return status({});
    });
    await ipc.invoke(InvokeChannels.startCapture, fromApp(), lo);
    serviceOnStatus()(status({ packets: 9, elapsedMs: 500 }));
    serviceOnStatus()(status({ state: 'stopped', packets: 9, elapsedMs: 700 }));
    expect(win.webContents.sent).toEqual([
      [EventChannels.captureStatus, status({ packets: 1 })],
      [EventChannels.captureStatus, status({ packets: 9, elapsedMs: 500 })],
      [EventChannels.captureStatus, status({ state: 'stopped', packets: 9, elapsedMs: 700 })],
    ]);
    expect(other.webContents.sent).toEqual([]);
  });

  it('sends no status to a window destroyed while it captures', async () => {
    vi.mocked(service.startCapture).mockResolvedValueOnce(status({}));
    await ipc.invoke(InvokeChannels.startCapture, fromApp(), lo);
    serviceOnStatus()(status({ packets: 3 }));
    (win.webContents as unknown as { isDestroyed?: () => boolean }).isDestroyed = () => true;
    serviceOnStatus()(status({ packets: 4 }));
    expect(win.webContents.sent).toEqual([[EventChannels.captureStatus, status({ packets: 3 })]]);
  });

  it("stopCapture returns the service's final status, and its refusal as an error value", async () => {
    const final = status({ state: 'stopped', packets: 18, messages: 18, calls: 4 });
    vi.mocked(service.stopCapture).mockResolvedValueOnce(final);
    await expect(ipc.invoke(InvokeChannels.stopCapture, fromApp())).resolves.toEqual({ ok: true, value: final });
    vi.mocked(service.stopCapture).mockRejectedValueOnce(new Error('no capture is running in this window'));
    await expect(ipc.invoke(InvokeChannels.stopCapture, fromApp())).resolves.toEqual({ ok: false, error: 'no capture is running in this window' });
  });

  it('saveCaptureAs refuses when this window has no capture', async () => {
    await expect(ipc.invoke(InvokeChannels.saveCaptureAs, fromApp())).resolves.toEqual({ ok: false, error: 'there is no capture in this window to save' });
    // Another window's capture is not this window's.
    const { files } = captureFiles('sipscope_lo_20261124-130501.pcapng');
    const other = new BrowserWindow({});
    vi.mocked(service.startCapture).mockResolvedValueOnce(status({ files }));
    await ipc.invoke(InvokeChannels.startCapture, eventFrom(appUrl, other.webContents), lo);
    await expect(ipc.invoke(InvokeChannels.saveCaptureAs, fromApp())).resolves.toEqual({ ok: false, error: 'there is no capture in this window to save' });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });

  it("saveCaptureAs copies the capture's one file to the path chosen in the save dialog", async () => {
    const { folder, files, bytes } = captureFiles('sipscope_lo_20261124-130501.pcapng');
    vi.mocked(service.startCapture).mockResolvedValueOnce(status({ files }));
    await ipc.invoke(InvokeChannels.startCapture, fromApp(), lo);
    const target = join(folder, 'register-failure.pcapng');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
    await expect(ipc.invoke(InvokeChannels.saveCaptureAs, fromApp())).resolves.toEqual({ ok: true, value: target });
    expect(dialog.showSaveDialog).toHaveBeenCalledOnce();
    const [owner, options] = dialog.showSaveDialog.mock.calls[0]! as [unknown, { defaultPath: string }];
    expect(owner).toBe(win);
    expect(options.defaultPath).toBe(files[0]);
    expect(readFileSync(target)).toEqual(bytes[0]);
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });

  it('saveCaptureAs writes nothing and resolves to null when the dialog is cancelled', async () => {
    const { folder, files } = captureFiles('sipscope_lo_20261124-130501.pcapng');
    vi.mocked(service.startCapture).mockResolvedValueOnce(status({ files }));
    await ipc.invoke(InvokeChannels.startCapture, fromApp(), lo);
    await expect(ipc.invoke(InvokeChannels.saveCaptureAs, fromApp())).resolves.toEqual({ ok: true, value: null });
    expect(readdirSync(folder)).toEqual(['sipscope_lo_20261124-130501.pcapng']);
  });

  it('saveCaptureAs copies every file of the latest status (a ring that grew) into the folder chosen, keeping their names', async () => {
    const { folder, files, bytes } = captureFiles('sipscope_lo_00001_20261124130501.pcapng', 'sipscope_lo_00002_20261124130601.pcapng', 'sipscope_any_20261124-130501.pcapng');
    vi.mocked(service.startCapture).mockResolvedValueOnce(status({ files: files.slice(0, 1) }));
    await ipc.invoke(InvokeChannels.startCapture, fromApp(), lo);
    serviceOnStatus()(status({ files }));
    const into = join(folder, 'saved');
    mkdirSync(into);
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [into] });
    await expect(ipc.invoke(InvokeChannels.saveCaptureAs, fromApp())).resolves.toEqual({ ok: true, value: into });
    const [owner, options] = dialog.showOpenDialog.mock.calls[0]! as [unknown, { properties: string[] }];
    expect(owner).toBe(win);
    expect(options.properties).toContain('openDirectory');
    expect(readdirSync(into).sort()).toEqual(['sipscope_any_20261124-130501.pcapng', 'sipscope_lo_00001_20261124130501.pcapng', 'sipscope_lo_00002_20261124130601.pcapng']);
    files.forEach((file, i) => expect(readFileSync(join(into, file.slice(folder.length + 1)))).toEqual(bytes[i]));
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
  });

  it('saveCaptureAs saves the files of the stopped capture, and reports a file that is gone', async () => {
    const { folder, files } = captureFiles('sipscope_lo_20261124-130501.pcapng');
    vi.mocked(service.stopCapture).mockResolvedValueOnce(status({ state: 'stopped', files }));
    await ipc.invoke(InvokeChannels.stopCapture, fromApp());
    rmSync(files[0]!);
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: join(folder, 'copy.pcapng') });
    const reply = (await ipc.invoke(InvokeChannels.saveCaptureAs, fromApp())) as { ok: boolean; error: string };
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatch(/ENOENT.*sipscope_lo_20261124-130501\.pcapng/);
    expect(existsSync(join(folder, 'copy.pcapng'))).toBe(false);
  });

  it('chooseCaptureFolder shows a folder dialog starting at the default folder, and returns the choice or null', async () => {
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/srv/captures'] });
    await expect(ipc.invoke(InvokeChannels.chooseCaptureFolder, fromApp())).resolves.toEqual({ ok: true, value: '/srv/captures' });
    const [owner, options] = dialog.showOpenDialog.mock.calls[0]! as [unknown, { defaultPath: string; properties: string[] }];
    expect(owner).toBe(win);
    expect(options.defaultPath).toBe('/home/lab/sipscope-captures');
    expect(options.properties).toEqual(['openDirectory', 'createDirectory']);
    await expect(ipc.invoke(InvokeChannels.chooseCaptureFolder, fromApp())).resolves.toEqual({ ok: true, value: null });
  });

  it('getInterfaceCounters answers from the kernel: lo with a packet count', async () => {
    const reply = (await ipc.invoke(InvokeChannels.getInterfaceCounters, fromApp())) as { ok: boolean; value: Record<string, number> };
    expect(reply.ok).toBe(true);
    expect(Number.isInteger(reply.value['lo'])).toBe(true);
  });

  it('listCaptureSources lists the interfaces through the helper with the default folder, or says how to enable capture', async () => {
    const reply = (await ipc.invoke(InvokeChannels.listCaptureSources, fromApp())) as { ok: boolean; value: Record<string, unknown> & { interfaces: { name: string }[] } };
    expect(reply.ok).toBe(true);
    expect(reply.value).toMatchObject({ defaultFilter: DEFAULT_CAPTURE_FILTER, defaultFolder: '/home/lab/sipscope-captures', folderChoosable: true });
    if (capInstalled) expect(reply.value.interfaces.map((i) => i.name)).toContain('lo');
    else expect(reply.value).toMatchObject({ available: false, problem: expect.stringMatching(/^Live capture is not enabled/), interfaces: [] });
  }, 30_000);
});
