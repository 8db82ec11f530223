import { resolve } from 'node:path';
import type { BrowserWindow as ElectronWindow, WebContents } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, resetFakeElectron } from './fake-electron.js';
import type { TraceService } from '../../src/main/trace-service.js';
import { createTraceWindows, windowTitle, type TraceWindows } from '../../src/main/trace-windows.js';
import { EventChannels, type CaptureStatus, type TraceSummary } from '../../src/shared/api.js';

vi.mock('electron', () => import('./fake-electron.js'));

const sample = resolve('/opt/sipscope/resources/sample-ims.pcap');
const reg = resolve('/captures/ims-register.pcapng');
const call = resolve('/captures/volte call.pcap.gz');

let windows: TraceWindows;
let dropHandlers: ((path: string) => void)[];
let existing: Set<string>;
const rememberTrace = vi.fn();
const forgetTrace = vi.fn();
const warn = vi.fn();

beforeEach(() => {
  resetFakeElectron();
  rememberTrace.mockReset();
  forgetTrace.mockReset();
  warn.mockReset();
  dropHandlers = [];
  existing = new Set([sample, reg, call]);
  windows = createTraceWindows({
    createWindow({ title, onTraceDropped }) {
      dropHandlers.push(onTraceDropped);
      return new BrowserWindow({ title }) as unknown as ElectronWindow;
    },
    rememberTrace,
    forgetTrace,
    fileExists: (path) => existing.has(path),
    warn,
    sampleTrace: sample,
  });
});

const fake = (win: ElectronWindow) => win as unknown as BrowserWindow;
const contentsOf = (win: ElectronWindow) => win.webContents as unknown as WebContents;
const openRequests = (win: ElectronWindow) => fake(win).webContents.sent.filter(([channel]) => channel === EventChannels.openTraceRequest).map(([, payload]) => payload);

/** A trace service whose opens the test settles by hand. */
function manualService() {
  const pending: { path: string; resolve: (s: TraceSummary) => void; reject: (e: Error) => void }[] = [];
  const service = {
    open: (path: string) => new Promise<TraceSummary>((resolve, reject) => pending.push({ path, resolve, reject })),
    startCapture: async (settings: { folder: string }) => ({ state: 'capturing', source: 'lo (ethernet) — capture filter: udp port 5060', files: [`${settings.folder}/sipscope_lo_20261124-130000.pcapng`] }) as CaptureStatus,
  } as unknown as TraceService;
  return { service, pending };
}

describe('windowTitle', () => {
  it('is the file name of the trace, or the app name', () => {
    expect(windowTitle(call)).toBe('volte call.pcap.gz');
    expect(windowTitle(null)).toBe('sipscope');
  });
});

describe('a window per trace', () => {
  it('gives each window its own launch trace, and nothing to a page it did not make', () => {
    const first = windows.openWindow(sample);
    const second = windows.openWindow(reg);
    expect(fake(first).title).toBe('sample-ims.pcap');
    expect(fake(second).title).toBe('ims-register.pcapng');
    expect(windows.launchTraceFor(contentsOf(first))).toBe(sample);
    expect(windows.launchTraceFor(contentsOf(second))).toBe(reg);
    expect(windows.launchTraceFor(new BrowserWindow({}).webContents as unknown as WebContents)).toBeNull();
  });

  it('opens a new window for a trace picked in a window that already shows one', () => {
    const first = windows.openWindow(sample);
    windows.launchTraceFor(contentsOf(first));
    const opened = windows.open(reg, first);
    expect(opened).not.toBe(first);
    expect(BrowserWindow.instances).toHaveLength(2);
    expect(windows.launchTraceFor(contentsOf(opened))).toBe(reg);
    expect(openRequests(first)).toEqual([]);
    expect(windows.windows()).toEqual([first, opened]);
  });

  it('opens a trace in a window without one: through the page once it listens, as its launch trace before', () => {
    const early = windows.openWindow(null);
    expect(windows.open(reg, early)).toBe(early);
    expect(fake(early).title).toBe('ims-register.pcapng');
    expect(openRequests(early)).toEqual([]);
    expect(windows.launchTraceFor(contentsOf(early))).toBe(reg);

    const loaded = windows.openWindow(null);
    expect(windows.launchTraceFor(contentsOf(loaded))).toBeNull();
    expect(windows.open(call, loaded)).toBe(loaded);
    expect(openRequests(loaded)).toEqual([{ path: call }]);
    expect(fake(loaded).focus).toHaveBeenCalled();
    expect(BrowserWindow.instances).toHaveLength(2);
  });

  it('brings forward the window that already shows a trace instead of opening it twice', () => {
    const first = windows.openWindow(reg);
    const second = windows.openWindow(call);
    expect(windows.open(reg, second)).toBe(first);
    expect(fake(first).focus).toHaveBeenCalledOnce();
    expect(windows.open(reg, null)).toBe(first);
    expect(BrowserWindow.instances).toHaveLength(2);
  });

  it('opens a new window when there is no window to start from (macOS, every window closed)', () => {
    const win = windows.open(reg, null);
    expect(windows.launchTraceFor(contentsOf(win))).toBe(reg);
  });

  it('forgets a closed window', () => {
    const win = windows.openWindow(reg);
    fake(win).emit('closed');
    expect(windows.windows()).toEqual([]);
    expect(windows.launchTraceFor(contentsOf(win))).toBeNull();
  });

  it('opens a capture dropped on a window like one picked there', () => {
    const empty = windows.openWindow(null);
    windows.launchTraceFor(contentsOf(empty));
    dropHandlers[0]!(reg);
    expect(openRequests(empty)).toEqual([{ path: reg }]);
    // Now it shows a trace: the next drop gets its own window.
    dropHandlers[0]!(call);
    expect(BrowserWindow.instances).toHaveLength(2);
    expect(windows.launchTraceFor(contentsOf(BrowserWindow.instances[1] as unknown as ElectronWindow))).toBe(call);
  });

  it('ignores a "drop" of a file that does not exist', () => {
    windows.openWindow(reg);
    dropHandlers[0]!(resolve('/captures/made-up.pcap'));
    expect(BrowserWindow.instances).toHaveLength(1);
  });
});

describe('watching the opens of a window', () => {
  it("titles the window after the trace the page opens, remembers it once open, and reloads show it again", async () => {
    const win = windows.openWindow(sample);
    const { service, pending } = manualService();
    windows.watch(contentsOf(win), service);
    const opening = service.open(reg);
    expect(fake(win).title).toBe('ims-register.pcapng');
    expect(windows.launchTraceFor(contentsOf(win))).toBe(reg);
    expect(rememberTrace).not.toHaveBeenCalled();
    pending[0]!.resolve({ path: reg } as TraceSummary);
    await expect(opening).resolves.toEqual({ path: reg });
    expect(rememberTrace).toHaveBeenCalledExactlyOnceWith(reg);
  });

  it('titles a capturing window after its source, sends the next trace to a new window, and reloads its file', async () => {
    const win = windows.openWindow(null);
    windows.launchTraceFor(contentsOf(win));
    const { service } = manualService();
    windows.watch(contentsOf(win), service);
    const status = await service.startCapture({ source: { kind: 'interfaces', interfaces: ['lo'], filter: 'udp port 5060' }, folder: '/captures', ring: null }, () => {});
    expect(fake(win).title).toBe('Capture: lo (ethernet) — capture filter: udp port 5060');
    expect(windows.launchTraceFor(contentsOf(win))).toBe(status.files[0]);
    expect(windows.open(call, win)).not.toBe(win);
  });

  it('does not put the bundled sample in Open Recent', async () => {
    const win = windows.openWindow(sample);
    const { service, pending } = manualService();
    windows.watch(contentsOf(win), service);
    const opening = service.open(sample);
    pending[0]!.resolve({ path: sample } as TraceSummary);
    await opening;
    expect(rememberTrace).not.toHaveBeenCalled();
  });

  it('counts a window whose open failed as empty, so the next trace opens there', async () => {
    const win = windows.openWindow(reg);
    windows.launchTraceFor(contentsOf(win));
    const { service, pending } = manualService();
    windows.watch(contentsOf(win), service);
    const opening = service.open(reg);
    pending[0]!.reject(new Error('ims-register.pcapng: not a capture file'));
    await expect(opening).rejects.toThrow(/not a capture/);
    expect(rememberTrace).not.toHaveBeenCalled();
    expect(windows.open(call, win)).toBe(win);
    expect(openRequests(win)).toEqual([{ path: call }]);
  });

  it('takes only the latest open into account when two overlap', async () => {
    const win = windows.openWindow(null);
    const { service, pending } = manualService();
    windows.watch(contentsOf(win), service);
    const older = service.open(reg);
    const newer = service.open(call);
    pending[1]!.resolve({ path: call } as TraceSummary);
    await newer;
    pending[0]!.reject(new Error('cancelled'));
    await expect(older).rejects.toThrow();
    expect(rememberTrace).toHaveBeenCalledExactlyOnceWith(call);
    expect(fake(win).title).toBe('volte call.pcap.gz');
    // The late failure of the older open did not make the window count as empty.
    expect(windows.open(reg, win)).not.toBe(win);
  });
});

describe('Open Recent and Open Sample Trace', () => {
  it('opens a recent trace that still exists', () => {
    const win = windows.openWindow(sample);
    windows.openRecent(reg, win);
    expect(BrowserWindow.instances).toHaveLength(2);
    expect(windows.launchTraceFor(contentsOf(BrowserWindow.instances[1] as unknown as ElectronWindow))).toBe(reg);
    expect(forgetTrace).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it('drops a recent trace that is gone, and tells the user', () => {
    const win = windows.openWindow(sample);
    existing.delete(reg);
    windows.openRecent(reg, win);
    expect(BrowserWindow.instances).toHaveLength(1);
    expect(forgetTrace).toHaveBeenCalledExactlyOnceWith(reg);
    expect(warn).toHaveBeenCalledExactlyOnceWith(win, 'ims-register.pcapng no longer exists', expect.stringContaining('removed from Open Recent'));
  });

  it('opens the sample, or says it is missing', () => {
    const win = windows.openWindow(null);
    windows.openSample(win);
    expect(windows.launchTraceFor(contentsOf(win))).toBe(sample);
    existing.delete(sample);
    windows.openSample(win);
    expect(warn).toHaveBeenCalledExactlyOnceWith(win, 'The sample trace is missing', expect.any(String));
    expect(BrowserWindow.instances).toHaveLength(1);
  });
});
