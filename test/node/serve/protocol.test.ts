/**
 * The live-capture operations of `sipscope serve` (src/node/serve/protocol.ts), request by request as the
 * WebSocket carries them, with a recording stand-in for the trace service: capture is refused unless the
 * server was started with --capture, a page never chooses where the server writes, status updates are pushed
 * as `captureStatus` events, and "Save capture as" names the server's files instead of copying them.
 * The capture itself (the trace service in live mode) is tested in test/main/trace-service-capture.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { TraceService } from '../../../src/main/trace-service.js';
import { DEFAULT_CAPTURE_FILTER } from '../../../src/node/capture/capture-client.js';
import { CAPTURE_NOT_SERVED, createHandlers, handleMessage } from '../../../src/node/serve/protocol.js';
import type { CaptureSettings, CaptureStatus, EventName, EventPayloads } from '../../../src/shared/api.js';
import { capInstalled } from '../../helpers/capture.js';
import { captureStatus } from '../../helpers/capture-status.js';

const folder = '/srv/sipscope-captures';
const lo: CaptureSettings = { source: { kind: 'interfaces', interfaces: ['lo'], filter: 'udp port 5060' }, folder: null, ring: null };

const status = (changes: Partial<CaptureStatus>): CaptureStatus => captureStatus({ files: [`${folder}/sipscope_lo_20261124-130501.pcapng`], ...changes });

/** A trace service that records the capture calls and answers them; every other operation is not expected here. */
function fakeService() {
  const calls: { op: 'startCapture' | 'stopCapture'; settings?: CaptureSettings & { folder: string } }[] = [];
  let onStatus: ((status: CaptureStatus) => void) | null = null;
  const unexpected = (op: string) => () => {
    throw new Error(`${op} is not used here`);
  };
  const service: TraceService = {
    open: unexpected('open'),
    cancelOpen: unexpected('cancelOpen'),
    getRows: unexpected('getRows'),
    getMessage: unexpected('getMessage'),
    getCalls: unexpected('getCalls'),
    getLadder: unexpected('getLadder'),
    getStatistics: unexpected('getStatistics'),
    dispose: () => undefined,
    decodeAs: () => [],
    setDecodeAs: unexpected('setDecodeAs'),
    applyFilter: unexpected('applyFilter'),
    filterFields: () => [],
    async startCapture(settings, listener) {
      calls.push({ op: 'startCapture', settings });
      onStatus = listener;
      listener(status({}));
      return status({});
    },
    async stopCapture() {
      calls.push({ op: 'stopCapture' });
      const final = status({ state: 'stopped', packets: 9, messages: 9 });
      onStatus?.(final);
      return final;
    },
    getAnnotations: unexpected('getAnnotations'),
    setMessageNote: unexpected('setMessageNote'),
    setCallNote: unexpected('setCallNote'),
    setHostAlias: unexpected('setHostAlias'),
    saveAnnotated: unexpected('saveAnnotated'),
    exportCalls: unexpected('exportCalls'),
    flushNotes: async () => undefined,
  };
  return { service, calls, push: (s: CaptureStatus) => onStatus?.(s) };
}

function session(capture: { folder: string } | null) {
  const fake = fakeService();
  const events: { name: EventName; payload: unknown }[] = [];
  const handlers = createHandlers({
    service: fake.service,
    launchTrace: null,
    appInfo: { name: 'sipscope', version: '0.1.0', platform: 'linux' },
    sendEvent: <K extends EventName>(name: K, payload: EventPayloads[K]) => events.push({ name, payload }),
    capture,
  });
  let id = 0;
  /** Sends one request as the page's WebSocket would, and returns the reply. */
  const request = (op: string, ...args: unknown[]) => handleMessage(handlers, JSON.stringify({ id: ++id, op, args }));
  return { ...fake, events, request };
}

describe('a server started without --capture', () => {
  it('lists no source, saying how to enable capture, and shows no interface counters', async () => {
    const { request } = session(null);
    expect(await request('listCaptureSources')).toEqual({
      id: 1,
      ok: true,
      value: { available: false, problem: CAPTURE_NOT_SERVED, interfaces: [], defaultFilter: DEFAULT_CAPTURE_FILTER, defaultFolder: '', folderChoosable: false },
    });
    expect(CAPTURE_NOT_SERVED).toContain("'sipscope serve --capture'");
    expect(await request('getInterfaceCounters')).toEqual({ id: 2, ok: true, value: {} });
    expect(await request('chooseCaptureFolder')).toEqual({ id: 3, ok: true, value: null });
  });

  it('refuses startCapture and stopCapture without touching the service, and has nothing to save', async () => {
    const { request, calls, events } = session(null);
    expect(await request('startCapture', lo)).toEqual({ id: 1, ok: false, error: CAPTURE_NOT_SERVED });
    expect(await request('stopCapture')).toEqual({ id: 2, ok: false, error: CAPTURE_NOT_SERVED });
    expect(await request('saveCaptureAs')).toEqual({ id: 3, ok: false, error: 'there is no capture in this page to save' });
    expect(calls).toEqual([]);
    expect(events).toEqual([]);
  });

  it('still checks the arguments first (the same validators as IPC)', async () => {
    const { request } = session(null);
    expect(await request('startCapture')).toEqual({ id: 1, ok: false, error: 'startCapture expects 1 argument, got 0' });
    expect(await request('startCapture', { ...lo, folder: 'x' })).toEqual({ id: 2, ok: false, error: 'capture folder must be absolute, got "x"' });
    expect(await request('listCaptureSources', 'x')).toEqual({ id: 3, ok: false, error: 'listCaptureSources expects 0 arguments, got 1' });
  });
});

describe('a server started with --capture', () => {
  it("starts a capture in the server's folder and pushes its status updates as captureStatus events", async () => {
    const { request, calls, events, push } = session({ folder });
    expect(await request('startCapture', lo)).toEqual({ id: 1, ok: true, value: status({}) });
    expect(calls).toEqual([{ op: 'startCapture', settings: { ...lo, folder } }]);
    push(status({ packets: 4, elapsedMs: 500 }));
    expect(await request('stopCapture')).toEqual({ id: 2, ok: true, value: status({ state: 'stopped', packets: 9, messages: 9 }) });
    expect(events).toEqual([
      { name: 'captureStatus', payload: status({}) },
      { name: 'captureStatus', payload: status({ packets: 4, elapsedMs: 500 }) },
      { name: 'captureStatus', payload: status({ state: 'stopped', packets: 9, messages: 9 }) },
    ]);
  });

  it('refuses a folder chosen by the page, naming where the files go', async () => {
    const { request, calls } = session({ folder });
    expect(await request('startCapture', { ...lo, folder: '/etc' })).toEqual({
      id: 1,
      ok: false,
      error: `a served page cannot choose where the server writes: capture files go to ${folder} (sipscope serve --capture-dir)`,
    });
    expect(calls).toEqual([]);
    // No folder dialog either.
    expect(await request('chooseCaptureFolder')).toEqual({ id: 2, ok: true, value: null });
  });

  it("refuses saveCaptureAs with the server's file names, the latest ones once the capture moved on", async () => {
    const { request, push } = session({ folder });
    expect(await request('saveCaptureAs')).toEqual({ id: 1, ok: false, error: 'there is no capture in this page to save' });
    await request('startCapture', lo);
    expect(await request('saveCaptureAs')).toEqual({
      id: 3,
      ok: false,
      error: `a browser cannot save files of the server: the capture is on the server in ${folder}/sipscope_lo_20261124-130501.pcapng`,
    });
    push(status({ files: [`${folder}/sipscope_lo_00001_20261124130501.pcapng`, `${folder}/sipscope_lo_00002_20261124130601.pcapng`] }));
    expect(await request('saveCaptureAs')).toEqual({
      id: 4,
      ok: false,
      error: `a browser cannot save files of the server: the capture is on the server in ${folder}/sipscope_lo_00001_20261124130501.pcapng, ${folder}/sipscope_lo_00002_20261124130601.pcapng`,
    });
  });

  it("shows the kernel's interface counters (lo among them)", async () => {
    const { request } = session({ folder });
    const reply = (await request('getInterfaceCounters')) as { ok: boolean; value: Record<string, number> };
    expect(reply.ok).toBe(true);
    expect(Number.isInteger(reply.value['lo'])).toBe(true);
  });

  it("lists the server's interfaces with its folder, not choosable", async () => {
    const { request } = session({ folder });
    const reply = (await request('listCaptureSources')) as { ok: boolean; value: Record<string, unknown> & { interfaces: { name: string }[] } };
    expect(reply.ok).toBe(true);
    expect(reply.value).toMatchObject({ defaultFilter: DEFAULT_CAPTURE_FILTER, defaultFolder: folder, folderChoosable: false });
    if (capInstalled) expect(reply.value.interfaces.map((i) => i.name)).toContain('lo');
    else expect(reply.value).toMatchObject({ available: false, problem: expect.stringMatching(/^Live capture is not enabled/) });
  }, 30_000);
});
