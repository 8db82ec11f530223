import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventChannels, InvokeChannels, type SipscopeApi } from '../../src/shared/api.js';

// The sandboxed preload may only use `electron`'s contextBridge and ipcRenderer; fake both and record calls.
const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
}));
vi.mock('electron', () => electron);

// Every member of the contract: `satisfies` makes this list fail to compile when SipscopeApi changes.
const contract = {
  getAppInfo: true,
  openTraceDialog: true,
  openTrace: true,
  getLaunchTrace: true,
  onOpenTraceRequest: true,
  getDecodeAs: true,
  setDecodeAs: true,
  applyFilter: true,
  getFilterFields: true,
  cancelOpen: true,
  getRows: true,
  getMessage: true,
  getCalls: true,
  getLadder: true,
  getStatistics: true,
  onTraceProgress: true,
  listCaptureSources: true,
  getInterfaceCounters: true,
  chooseCaptureFolder: true,
  startCapture: true,
  stopCapture: true,
  saveCaptureAs: true,
  onCaptureStatus: true,
  onCaptureCommand: true,
  getAnnotations: true,
  setMessageNote: true,
  setCallNote: true,
  setHostAlias: true,
  saveAnnotatedTrace: true,
  exportCalls: true,
  onSaveAnnotatedRequest: true,
} as const satisfies Record<keyof SipscopeApi, true>;

let api: SipscopeApi;

beforeAll(async () => {
  await import('../../src/preload/index.js');
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
  const [key, exposed] = electron.contextBridge.exposeInMainWorld.mock.calls[0]!;
  expect(key).toBe('sipscope');
  api = exposed as SipscopeApi;
});

beforeEach(() => {
  electron.ipcRenderer.invoke.mockReset();
  electron.ipcRenderer.on.mockReset();
  electron.ipcRenderer.removeListener.mockReset();
});

describe('preload bridge', () => {
  it('exposes exactly the named functions of the contract, and nothing else', () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(contract).sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('ipcRenderer');
  });

  it('uses distinct, namespaced channels', () => {
    const channels = [...Object.values(InvokeChannels), ...Object.values(EventChannels)];
    expect(new Set(channels).size).toBe(channels.length);
    for (const channel of channels) expect(channel).toMatch(/^sipscope:/);
  });

  it.each([
    ['getAppInfo', [], { name: 'sipscope', version: '0.1.0', platform: 'linux' }],
    ['openTraceDialog', [], '/captures/a.pcap'],
    ['openTrace', ['/captures/a.pcap'], { path: '/captures/a.pcap', messages: 3, calls: 1 }],
    ['getLaunchTrace', [], null],
    ['getDecodeAs', [], ['tcp.port==6060,sip']],
    ['setDecodeAs', [['udp.port==2153,gtpu']], ['udp.port==2153,gtpu']],
    ['applyFilter', ['sip.Method == "BYE"'], { ok: true, text: 'sip.Method == "BYE"', messages: 3, matching: 1, calls: 1, matchingCalls: 1, firstFrames: [3] }],
    // A bad filter is a value: the preload must hand it over, not turn it into a rejection.
    ['applyFilter', ['sip.Mehtod'], { ok: false, error: { message: 'Unknown field "sip.Mehtod": did you mean sip.Method?', start: 0, length: 10 } }],
    ['getFilterFields', [], [{ name: 'sip.Method', type: 'string', description: 'Request method' }]],
    ['cancelOpen', [], undefined],
    ['getRows', [{ view: 0, start: 0, count: 2 }], { view: 0, total: 0, start: 0, rows: [] }],
    ['getMessage', [4], { row: 4, frame: 5 }],
    ['getCalls', [2], []],
    ['getLadder', [[0, 1]], { calls: [0, 1], hosts: [], arrows: [], bands: [] }],
    ['getStatistics', [0], { view: 0, calls: 3 }],
    ['listCaptureSources', [], { available: true, problem: null, interfaces: [], defaultFilter: '', defaultFolder: '/srv/captures', folderChoosable: true }],
    ['getInterfaceCounters', [], { lo: 12, eth0: 4000 }],
    ['chooseCaptureFolder', [], '/srv/captures'],
    ['startCapture', [{ source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: 9060 }, folder: null, ring: null }], { state: 'capturing', packets: 0 }],
    ['stopCapture', [], { state: 'stopped', packets: 4 }],
    ['saveCaptureAs', [], '/home/lab/register.pcapng'],
  ] as const)('%s invokes its own channel and resolves to the value', async (operation, args, value) => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value });
    const call = api[operation] as (...a: readonly unknown[]) => Promise<unknown>;
    await expect(call(...args)).resolves.toEqual(value);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(InvokeChannels[operation], ...args);
  });

  it("rejects with the main process's message when the reply is an error", async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: 'trace path must be absolute, got "a.pcap"' });
    await expect(api.openTrace('a.pcap')).rejects.toThrow(new Error('trace path must be absolute, got "a.pcap"'));
  });

  it.each([[undefined], [null], ['ok'], [{}], [{ ok: true }], [{ ok: false, error: 42 }]])(
    'rejects a malformed reply %j',
    async (reply) => {
      electron.ipcRenderer.invoke.mockResolvedValueOnce(reply);
      await expect(api.getAppInfo()).rejects.toThrow('getAppInfo: malformed reply from the main process');
    },
  );

  it('onOpenTraceRequest relays only the path from its own channel, and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.onOpenTraceRequest(listener);
    expect(electron.ipcRenderer.on).toHaveBeenCalledOnce();
    const [channel, relay] = electron.ipcRenderer.on.mock.calls[0]! as [string, (...a: unknown[]) => void];
    expect(channel).toBe(EventChannels.openTraceRequest);

    const ipcEvent = { sender: electron.ipcRenderer };
    relay(ipcEvent, { path: '/captures/b.pcap' });
    expect(listener).toHaveBeenCalledExactlyOnceWith('/captures/b.pcap');
    relay(ipcEvent, { path: 7 });
    relay(ipcEvent, null);
    expect(listener).toHaveBeenCalledOnce();

    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledExactlyOnceWith(channel, relay);
  });

  it('onTraceProgress relays a copy of the progress fields from its own channel, drops malformed payloads, and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.onTraceProgress(listener);
    const [channel, relay] = electron.ipcRenderer.on.mock.calls[0]! as [string, (...a: unknown[]) => void];
    expect(channel).toBe(EventChannels.traceProgress);

    const ipcEvent = { sender: electron.ipcRenderer };
    const progress = { path: '/captures/b.pcap', bytesRead: 10, totalBytes: 20, messages: 3, phase: 'reading' };
    relay(ipcEvent, { ...progress, extra: 'dropped' });
    expect(listener).toHaveBeenCalledExactlyOnceWith(progress);
    relay(ipcEvent, { ...progress, phase: 'exploding' });
    relay(ipcEvent, { ...progress, messages: '3' });
    relay(ipcEvent, null);
    expect(listener).toHaveBeenCalledOnce();

    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledExactlyOnceWith(channel, relay);
  });

  it('onCaptureStatus relays a copy of the status fields from its own channel, drops malformed payloads, and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.onCaptureStatus(listener);
    const [channel, relay] = electron.ipcRenderer.on.mock.calls[0]! as [string, (...a: unknown[]) => void];
    expect(channel).toBe(EventChannels.captureStatus);

    const ipcEvent = { sender: electron.ipcRenderer };
    const files = ['/srv/captures/sipscope_lo_20261124-130501.pcapng'];
    const status = {
      state: 'capturing',
      source: 'lo (ethernet) — capture filter: udp port 5060',
      startedAt: 1790000000,
      elapsedMs: 500,
      packets: 9,
      bytes: 4200,
      messages: 9,
      calls: 2,
      analysis: 1,
      kernelReceived: 9,
      kernelDropped: 0,
      queueDepth: 0,
      queueDropped: 0,
      files,
      problem: null,
    };
    relay(ipcEvent, { ...status, extra: 'dropped' });
    expect(listener).toHaveBeenCalledExactlyOnceWith(status);
    const relayed = listener.mock.calls[0]![0] as typeof status;
    expect(Object.getPrototypeOf(relayed)).toBe(Object.prototype);
    expect(relayed.files).not.toBe(files);
    relay(ipcEvent, { ...status, state: 'paused' });
    relay(ipcEvent, { ...status, packets: '9' });
    relay(ipcEvent, { ...status, kernelDropped: undefined });
    relay(ipcEvent, { ...status, files: [files[0], 7] });
    relay(ipcEvent, { ...status, problem: 42 });
    relay(ipcEvent, null);
    expect(listener).toHaveBeenCalledOnce();
    // Unknown kernel counts and a problem are values, not malformed payloads.
    relay(ipcEvent, { ...status, state: 'failed', kernelReceived: null, kernelDropped: null, problem: 'lo: The capture helper exited unexpectedly.' });
    expect(listener).toHaveBeenCalledTimes(2);
    expect(listener.mock.calls[1]![0]).toMatchObject({ state: 'failed', kernelReceived: null, kernelDropped: null });

    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledExactlyOnceWith(channel, relay);
  });

  it("onCaptureCommand relays only the menu's 'start' and 'stop' from its own channel, and unsubscribes", () => {
    const listener = vi.fn();
    const unsubscribe = api.onCaptureCommand(listener);
    const [channel, relay] = electron.ipcRenderer.on.mock.calls[0]! as [string, (...a: unknown[]) => void];
    expect(channel).toBe(EventChannels.captureCommand);

    const ipcEvent = { sender: electron.ipcRenderer };
    relay(ipcEvent, { command: 'start' });
    relay(ipcEvent, { command: 'stop', extra: 1 });
    relay(ipcEvent, { command: 'restart' });
    relay(ipcEvent, 'stop');
    relay(ipcEvent, null);
    expect(listener.mock.calls).toEqual([['start'], ['stop']]);

    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledExactlyOnceWith(channel, relay);
  });

  it('onSaveAnnotatedRequest calls its listener with nothing from the event (no sender reaches the page), and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.onSaveAnnotatedRequest(listener);
    const [channel, relay] = electron.ipcRenderer.on.mock.calls[0]! as [string, (...a: unknown[]) => void];
    expect(channel).toBe(EventChannels.saveAnnotatedRequest);
    relay({ sender: electron.ipcRenderer }, { anything: 1 });
    expect(listener.mock.calls).toEqual([[]]);
    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledExactlyOnceWith(channel, relay);
  });
});
