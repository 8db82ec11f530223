/**
 * The renderer's WebSocket transport (src/renderer/src/ws-transport.ts) against the real server
 * (src/node/serve/server.ts), with the `ws` package standing in for the browser's WebSocket: the same
 * `SipscopeApi` the preload gives the page in Electron, replies unwrapped, errors as rejections.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { TraceService } from '../../src/main/trace-service.js';
import { startServer, type RunningServer } from '../../src/node/serve/server.js';
import { createWebSocketApi, webSocketUrl } from '../../src/renderer/src/ws-transport.js';
import type { CaptureStatus, SipscopeApi } from '../../src/shared/api.js';
import { haveSharedCaptures, sharedCapture } from '../helpers/paths.js';
import { captureStatus } from '../helpers/capture-status.js';

const connect = (url: string) => new WebSocket(url);

describe('webSocketUrl: the page URL the server printed → its WebSocket URL', () => {
  it('keeps the host and port, uses /ws, and carries the token', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321', search: '?token=abc-_DEF' })).toBe('ws://127.0.0.1:4321/ws?token=abc-_DEF');
    expect(webSocketUrl({ protocol: 'http:', host: '[::1]:80', search: '?x=1&token=a%2Bb' })).toBe('ws://[::1]:80/ws?token=a%2Bb');
    expect(webSocketUrl({ protocol: 'https:', host: 'lab:443', search: '?token=t' })).toBe('wss://lab:443/ws?token=t');
  });

  it('is null when the page URL has no token', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321', search: '' })).toBeNull();
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321', search: '?token=' })).toBeNull();
  });
});

describe.skipIf(!haveSharedCaptures)('createWebSocketApi against sipscope serve', () => {
  const aaa = sharedCapture('sngrep_aaa.pcap');
  let server: RunningServer;
  let api: SipscopeApi;
  beforeAll(async () => {
    server = await startServer({ launchTrace: aaa });
    const page = new URL(server.url);
    const url = webSocketUrl({ protocol: page.protocol, host: page.host, search: page.search });
    expect(url).not.toBeNull();
    // Requests made at once wait for the socket to open.
    api = createWebSocketApi(url ?? '', connect);
  });
  afterAll(() => server?.close());

  it('answers the contract: app info without electron, the launch trace, a trace and a filter', async () => {
    const [info, launch] = await Promise.all([api.getAppInfo(), api.getLaunchTrace()]);
    expect(info.name).toBe('sipscope');
    expect(info).not.toHaveProperty('electron');
    expect(launch).toBe(aaa);
    await expect(api.openTraceDialog()).resolves.toBeNull();
    await expect(api.openTrace(aaa)).resolves.toMatchObject({ path: aaa, messages: 81, calls: 6, complete: true });
    const outcome = await api.applyFilter('sip.Method == "INVITE"');
    expect(outcome.ok && outcome.matching).toBe(11);
    const unsubscribe = api.onOpenTraceRequest(() => {});
    expect(unsubscribe()).toBeUndefined();
  });

  it('rejects with the server message for bad arguments and refused paths', async () => {
    await expect(api.applyFilter(42 as unknown as string)).rejects.toThrow('display filter must be a string, got a number');
    await expect(api.openTrace('/etc/passwd')).rejects.toThrow('refused to open /etc/passwd');
  });

  it('rejects pending and later requests with a clear message once the connection closes', async () => {
    const own = await startServer({ launchTrace: aaa });
    const page = new URL(own.url);
    const client = createWebSocketApi(webSocketUrl({ protocol: page.protocol, host: page.host, search: page.search }) ?? '', connect);
    await expect(client.getLaunchTrace()).resolves.toBe(aaa);
    const pending = client.openTrace(aaa); // in flight when the server goes away
    await own.close();
    await expect(pending).rejects.toThrow(/the connection to sipscope serve is closed/);
    await expect(client.getAppInfo()).rejects.toThrow(/the connection to sipscope serve is closed.*reload the page/);
  });

  it('rejects every request when the server refuses the token', async () => {
    const client = createWebSocketApi(`ws://127.0.0.1:${server.port}/ws?token=wrong`, (url) => {
      const socket = new WebSocket(url);
      socket.on('error', () => {}); // the refused handshake; the transport sees the close that follows
      return socket;
    });
    await expect(client.getAppInfo()).rejects.toThrow(/the connection to sipscope serve is closed \(the connection was refused or lost\)/);
  });
});

describe('createWebSocketApi: live capture status pushed by sipscope serve --capture', () => {
  const folder = '/srv/sipscope-captures';
  const status = (changes: Partial<CaptureStatus>): CaptureStatus => captureStatus({ kernelReceived: 0, kernelDropped: 0, files: [`${folder}/sipscope_lo_20261124-130501.pcapng`], ...changes });
  const rendererDir = mkdtempSync(join(tmpdir(), 'sipscope-serve-capture-'));
  writeFileSync(join(rendererDir, 'index.html'), `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'" /><title>fake</title>`);
  let server: RunningServer;
  /** The status handler the server gave the stand-in trace service of the last connection. */
  let onStatus: ((status: CaptureStatus) => void) | null = null;
  const notUsed = () => {
    throw new Error('not used here');
  };

  beforeAll(async () => {
    server = await startServer({
      rendererDir,
      capture: { folder },
      createTraceService: (): TraceService => ({
        open: notUsed,
        cancelOpen: notUsed,
        getRows: notUsed,
        getMessage: notUsed,
        getCalls: notUsed,
        getLadder: notUsed,
        getStatistics: notUsed,
        dispose: () => undefined,
        decodeAs: () => [],
        setDecodeAs: notUsed,
        applyFilter: notUsed,
        filterFields: () => [],
        async startCapture(_settings, listener) {
          onStatus = listener;
          // Pushed before the reply: the listener must have it when startCapture resolves.
          listener(status({ packets: 1 }));
          return status({});
        },
        async stopCapture() {
          const final = status({ state: 'stopped', packets: 9, messages: 9, elapsedMs: 900 });
          onStatus?.(final);
          return final;
        },
        getAnnotations: notUsed,
        setMessageNote: notUsed,
        setCallNote: notUsed,
        setHostAlias: notUsed,
        saveAnnotated: notUsed,
        exportCalls: notUsed,
        flushNotes: async () => undefined,
      }),
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('dispatches captureStatus events to onCaptureStatus listeners (contract fields only, malformed ones dropped) until they unsubscribe', async () => {
    const page = new URL(server.url);
    const api = createWebSocketApi(webSocketUrl({ protocol: page.protocol, host: page.host, search: page.search }) ?? '', connect);
    const seen: CaptureStatus[] = [];
    const gone: CaptureStatus[] = [];
    api.onCaptureStatus((s) => seen.push(s));
    const unsubscribe = api.onCaptureStatus((s) => gone.push(s));
    await expect(api.startCapture({ source: { kind: 'interfaces', interfaces: ['lo'], filter: 'udp port 5060' }, folder: null, ring: null })).resolves.toEqual(status({}));
    expect(seen).toEqual([status({ packets: 1 })]);
    expect(gone).toEqual([status({ packets: 1 })]);
    unsubscribe();

    onStatus?.({ ...status({ packets: 5 }), secret: 'not in the contract' } as CaptureStatus);
    onStatus?.({ ...status({}), packets: '6' } as unknown as CaptureStatus);
    await expect(api.stopCapture()).resolves.toEqual(status({ state: 'stopped', packets: 9, messages: 9, elapsedMs: 900 }));
    expect(seen).toEqual([status({ packets: 1 }), status({ packets: 5 }), status({ state: 'stopped', packets: 9, messages: 9, elapsedMs: 900 })]);
    expect(seen[1]).not.toHaveProperty('secret');
    expect(gone).toHaveLength(1);

    // The page learns where the files are on the server, and cannot choose another folder.
    await expect(api.saveCaptureAs()).rejects.toThrow(`a browser cannot save files of the server: the capture is on the server in ${folder}/sipscope_lo_20261124-130501.pcapng`);
    await expect(api.startCapture({ source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: 9060 }, folder: '/tmp', ring: null })).rejects.toThrow(
      `a served page cannot choose where the server writes: capture files go to ${folder}`,
    );
    await expect(api.chooseCaptureFolder()).resolves.toBeNull();
  });
});
