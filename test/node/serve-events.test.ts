/**
 * `sipscope serve` with the trace service of the app, in a worker thread per connection (dist/main/
 * trace-worker.js, built by `npm run build:cli`): the trace operations over the WebSocket with the same
 * argument checks as IPC, progress pushed as `{ event: "traceProgress", payload }`, the renderer's transport
 * dispatching those events, and each connection's worker freed when it closes.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { TraceService } from '../../src/main/trace-service.js';
import { createWorkerTraceService } from '../../src/main/trace-worker-client.js';
import { startServer, type RunningServer } from '../../src/node/serve/server.js';
import { createWebSocketApi, webSocketUrl } from '../../src/renderer/src/ws-transport.js';
import type { TraceProgress } from '../../src/shared/api.js';
import { repoRoot } from '../helpers/paths.js';

const sample = join(repoRoot, 'resources/sample-volte.pcap');
const workerFile = join(repoRoot, 'dist/main/trace-worker.js');
const tmp = mkdtempSync(join(tmpdir(), 'sipscope-serve-events-'));

function fakeRenderer(): string {
  const root = join(tmp, 'renderer');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'index.html'), `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'self'" /><title>fake</title>`);
  return root;
}

type Message = Record<string, unknown>;

/** A socket that records every message it receives, in order. */
async function openSocket(server: RunningServer): Promise<{ socket: WebSocket; received: Message[] }> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(server.token)}`);
  const received: Message[] = [];
  socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString()) as Message));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received };
}

let nextId = 1;
function call(socket: WebSocket, received: Message[], op: string, ...args: unknown[]): Promise<Message> {
  const id = nextId++;
  socket.send(JSON.stringify({ id, op, args }));
  return new Promise((resolve) => {
    const poll = (): void => {
      const reply = received.find((m) => m['id'] === id);
      if (reply) resolve(reply);
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('serve with a worker-thread trace service per connection', () => {
  let server: RunningServer;
  const services: { service: TraceService; disposed: boolean }[] = [];
  beforeAll(async () => {
    if (!existsSync(workerFile)) throw new Error(`${workerFile} is missing: run 'npm run build:cli' before these tests`);
    server = await startServer({
      rendererDir: fakeRenderer(),
      launchTrace: sample,
      createTraceService: () => {
        const service = createWorkerTraceService({ workerFile });
        const entry = { service, disposed: false };
        services.push(entry);
        return {
          ...service,
          dispose() {
            entry.disposed = true;
            service.dispose();
          },
        };
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('pushes progress events for openTrace before its reply, ending with done', async () => {
    const { socket, received } = await openSocket(server);
    try {
      const reply = await call(socket, received, 'openTrace', sample);
      expect(reply).toMatchObject({ ok: true, value: { path: sample, messages: 36, calls: 3, packets: 36, complete: true } });
      const events = received.filter((m) => 'event' in m);
      expect(events.every((m) => m['event'] === 'traceProgress' && !('id' in m))).toBe(true);
      const payloads = events.map((m) => m['payload'] as TraceProgress);
      expect(payloads.map((p) => p.phase)).toEqual(['reading', 'analysing', 'done']);
      expect(payloads.at(-1)).toEqual({ path: sample, bytesRead: 25092, totalBytes: 25092, messages: 36, phase: 'done' });
      // Every event came before the reply.
      expect(received.indexOf(reply)).toBeGreaterThan(received.indexOf(events.at(-1) as Message));
    } finally {
      socket.close();
    }
  });

  it('answers the trace operations, and refuses bad arguments with the IPC validators', async () => {
    const { socket, received } = await openSocket(server);
    try {
      await call(socket, received, 'openTrace', sample);
      const rows = await call(socket, received, 'getRows', { view: 0, start: 10, count: 2, headers: ['CSeq'] });
      expect(rows).toMatchObject({ ok: true, value: { view: 0, total: 36, start: 10, rows: [{ frame: 11, method: 'INVITE', custom: ['1 INVITE'] }, { frame: 12 }] } });
      const filter = (await call(socket, received, 'applyFilter', 'sip.Method == "BYE"'))['value'] as { view: number; matching: number };
      expect(filter.matching).toBe(3);
      expect(await call(socket, received, 'getCalls', filter.view)).toMatchObject({ ok: true, value: { length: 3 } });
      expect(await call(socket, received, 'getStatistics', filter.view)).toMatchObject({ ok: true, value: { view: filter.view, calls: 3 } });
      expect(await call(socket, received, 'getMessage', 0)).toMatchObject({ ok: true, value: { row: 0, frame: 1, method: 'INVITE' } });
      expect(await call(socket, received, 'getLadder', [0])).toMatchObject({ ok: true, value: { calls: [0], arrows: { length: 12 } } });
      expect(await call(socket, received, 'cancelOpen')).toMatchObject({ ok: true });

      expect(await call(socket, received, 'getRows', { view: 0, start: 0, count: 5000 })).toMatchObject({ ok: false, error: 'count must be between 0 and 1000, got 5000' });
      expect(await call(socket, received, 'getRows', { view: 0, start: 0, count: 1, sort: { column: 'constructor', descending: false } })).toMatchObject({
        ok: false,
        error: 'unknown sort column "constructor"',
      });
      expect(await call(socket, received, 'getMessage', -3)).toMatchObject({ ok: false, error: 'message row must be between 0 and 4294967295, got -3' });
      expect(await call(socket, received, 'getLadder', Array(65).fill(0))).toMatchObject({ ok: false, error: expect.stringContaining('too many calls') });
      expect(await call(socket, received, 'getCalls')).toMatchObject({ ok: false, error: 'getCalls expects 1 argument, got 0' });
      // A view of an earlier filter is gone once another filter is applied.
      await call(socket, received, 'applyFilter', 'sip');
      expect(await call(socket, received, 'getRows', { view: filter.view, start: 0, count: 1 })).toMatchObject({
        ok: false,
        error: 'this filter result is gone; apply the filter again',
      });
    } finally {
      socket.close();
    }
  });

  it("disposes a connection's trace service (its worker) when the page goes", async () => {
    const before = services.length;
    const { socket, received } = await openSocket(server);
    await call(socket, received, 'getDecodeAs');
    expect(services.length).toBe(before + 1);
    const mine = services[before];
    expect(mine.disposed).toBe(false);
    socket.close();
    await expect.poll(() => mine.disposed).toBe(true);
    await expect(mine.service.getCalls(0)).rejects.toThrow('this trace service is closed');
  });

  it("dispatches the pushed events to the transport's onTraceProgress listeners, until they unsubscribe", async () => {
    const page = new URL(server.url);
    const api = createWebSocketApi(webSocketUrl({ protocol: page.protocol, host: page.host, search: page.search }) ?? '', (url) => new WebSocket(url));
    const seen: TraceProgress[] = [];
    const gone: TraceProgress[] = [];
    api.onTraceProgress((progress) => seen.push(progress));
    const unsubscribe = api.onTraceProgress((progress) => gone.push(progress));
    unsubscribe();
    await expect(api.openTrace(sample)).resolves.toMatchObject({ messages: 36 });
    expect(seen.map((p) => p.phase)).toEqual(['reading', 'analysing', 'done']);
    expect(seen.at(-1)).toMatchObject({ path: sample, messages: 36 });
    expect(gone).toEqual([]);
    await expect(api.getRows({ view: 0, start: 0, count: 1 })).resolves.toMatchObject({ total: 36, rows: [{ frame: 1 }] });
  });
});
