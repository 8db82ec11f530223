/**
 * The renderer's WebSocket transport (src/renderer/src/ws-transport.ts) against the real server
 * (src/node/serve/server.ts), with the `ws` package standing in for the browser's WebSocket: the same
 * `SipscopeApi` the preload gives the page in Electron, replies unwrapped, errors as rejections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../src/node/serve/server.js';
import { createWebSocketApi, webSocketUrl } from '../../src/renderer/src/ws-transport.js';
import type { SipscopeApi } from '../../src/shared/api.js';
import { haveSharedCaptures, sharedCapture } from '../helpers/paths.js';

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
