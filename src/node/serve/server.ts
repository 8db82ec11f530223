// `sipscope serve`: the renderer of the desktop app, served to a browser, with the app's back end (the
// contract of src/shared/api.ts) on a WebSocket. For headless lab servers: run it where the traces are,
// open the printed URL (through an SSH tunnel, or with --host on a trusted network).
//
// Every request must carry the access token (./auth.ts):
//  - the page: `GET /?token=T`. The reply sets an HttpOnly, SameSite=Strict cookie holding a *second*
//    random value that only unlocks the static files, so the page's scripts and styles (which the browser
//    fetches without the query string) load. The cookie is not the token: cookies are shared by every
//    port of a host, so another local server could see it, and it must not grant the WebSocket;
//  - the WebSocket: `ws://HOST:PORT/ws?token=T` (the page copies T from its own URL). Without it the
//    upgrade is answered 401 and the connection closed; from a foreign Host or Origin, 403.
// Each WebSocket connection is one page, with its own trace service (as one per window in the app).
import { readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { createEngineTraceService, type TraceService } from '../../main/trace-service.js';
import type { AppInfo, EventName, EventPayloads } from '../../shared/api.js';
import { allowedHosts, checkHost, checkOrigin, hostPort, newToken, sameSecret } from './auth.js';
import { createHandlers, handleMessage, type WireEvent } from './protocol.js';
import { pageCsp, readStaticFile } from './static-files.js';

/** The WebSocket endpoint. */
export const WS_PATH = '/ws';
/**
 * Largest WebSocket message accepted: a display filter is at most 64 Ki UTF-16 units (src/main/validate.ts),
 * up to 6 bytes each once JSON-escaped (`\uXXXX`); anything bigger is not a request of the contract.
 */
export const MAX_MESSAGE_BYTES = 1 << 20;
/**
 * Most pages connected at once. Each holds its own open trace (hundreds of MB for the largest captures), so
 * a forgotten pile of tabs, or a token holder opening connections in a loop, must not exhaust the memory.
 */
export const MAX_SESSIONS = 16;
/** A page that answers no ping for this long is gone (network lost without a close frame): its trace is freed. */
export const HEARTBEAT_MS = 30_000;

export interface ServeOptions {
  /** Address to listen on; 127.0.0.1 unless given. */
  host?: string;
  /** Port; 0 (the default) lets the system pick a free one. */
  port?: number;
  /** The trace given on the command line (absolute), or null. */
  launchTrace?: string | null;
  /** The built renderer; out/renderer of this package by default. */
  rendererDir?: string;
  /** A trace service per connection (disposed when it closes); the engine in a worker thread by default. */
  createTraceService?: () => TraceService;
  appInfo?: AppInfo;
  /**
   * Live capture from the page (`sipscope serve --capture`): the folder its files go to. Absent, a page
   * cannot capture: capturing on a server is a privilege its operator grants, not one every token holder has.
   */
  capture?: { folder: string };
}

export interface RunningServer {
  /** The URL to open, token included: `http://127.0.0.1:PORT/?token=…`. */
  url: string;
  token: string;
  /** The address and port actually bound. */
  host: string;
  port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** out/renderer beside this package's sources (src/node/serve or dist/node/serve → ../../../out/renderer). */
export function defaultRendererDir(): string {
  return fileURLToPath(new URL('../../../out/renderer/', import.meta.url));
}

/** This package's name and version, read from its package.json. */
export function packageAppInfo(): AppInfo {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version, platform: process.platform };
}

/** Thrown when the renderer is not built (the message says how to build it). */
export class RendererMissingError extends Error {
  override name = 'RendererMissingError';
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Answers an upgrade that is refused, on the raw socket: status line, no body, then closes it. */
function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404 | 503, reason: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status];
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const launchTrace = options.launchTrace ?? null;
  const makeService = options.createTraceService ?? createEngineTraceService;
  const appInfo = options.appInfo ?? packageAppInfo();

  let root: string;
  let indexHtml: string;
  try {
    root = await realpath(options.rendererDir ?? defaultRendererDir());
    indexHtml = readFileSync(join(root, 'index.html'), 'utf8');
  } catch {
    throw new RendererMissingError(
      `the web page is not built (no ${join(options.rendererDir ?? defaultRendererDir(), 'index.html')}); run 'npx electron-vite build' in the sipscope folder`,
    );
  }
  const csp = pageCsp(indexHtml);
  if (csp === null) throw new RendererMissingError(`${join(root, 'index.html')} has no Content-Security-Policy meta tag; refusing to serve it`);

  const token = newToken();
  const assetKey = newToken();
  let cookieName = '';
  let allowed: Set<string> | null = null;

  // Sent with every HTTP answer, refusals included. The CSP is the page's own, plus `frame-ancestors`,
  // which only works as a header: no other site may frame the page (clickjacking).
  const commonHeaders: OutgoingHttpHeaders = {
    'Content-Security-Policy': `${csp}; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };

  function answer(res: ServerResponse, status: number, body: string | Buffer, contentType = 'text/plain; charset=utf-8', extra: OutgoingHttpHeaders = {}): void {
    res.writeHead(status, { ...commonHeaders, ...extra, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const badHost = checkHost(req.headers.host, allowed);
    if (badHost) return answer(res, 403, `403 Forbidden: ${badHost}\n`);
    const url = new URL(req.url ?? '/', 'http://sipscope.invalid');
    const withToken = sameSecret(url.searchParams.get('token'), token);
    if (!withToken && !sameSecret(cookieValue(req.headers.cookie, cookieName), assetKey)) {
      return answer(res, 401, '401 Unauthorized: open the URL printed by `sipscope serve` (it carries the access token)\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, '405 Method Not Allowed\n', undefined, { Allow: 'GET, HEAD' });
    const file = await readStaticFile(root, url.pathname);
    if (!file) return answer(res, 404, '404 Not Found\n');
    const extra: OutgoingHttpHeaders = withToken ? { 'Set-Cookie': `${cookieName}=${assetKey}; Path=/; HttpOnly; SameSite=Strict` } : {};
    answer(res, 200, file.body, file.contentType, extra);
  }

  const sessions = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const alive = new WeakSet<WebSocket>();
  /** Upgrades accepted whose handshake is not finished yet: they count towards MAX_SESSIONS. */
  let upgrading = 0;
  wss.on('connection', (ws) => {
    sessions.add(ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    // Its own trace service (a worker thread with the engine), freed when the page goes.
    const service = makeService();
    const sendEvent = <K extends EventName>(event: K, payload: EventPayloads[K]): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload } satisfies WireEvent<K>));
    };
    const handlers = createHandlers({ service, launchTrace, appInfo, sendEvent, capture: options.capture ?? null });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(JSON.stringify({ id: null, ok: false, error: 'request refused: send JSON text, not binary' }));
        return;
      }
      void handleMessage(handlers, data.toString()).then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
    ws.on('close', () => {
      sessions.delete(ws);
      service.dispose();
    });
    ws.on('error', () => ws.terminate());
  });

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) answer(res, 500, '500 Internal Server Error\n');
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const badHost = checkHost(req.headers.host, allowed);
    if (badHost) return refuseUpgrade(socket, 403, badHost);
    const badOrigin = checkOrigin(req.headers.origin, req.headers.host);
    if (badOrigin) return refuseUpgrade(socket, 403, badOrigin);
    const url = new URL(req.url ?? '/', 'http://sipscope.invalid');
    if (!sameSecret(url.searchParams.get('token'), token)) return refuseUpgrade(socket, 401, 'the access token is missing or wrong');
    if (url.pathname !== WS_PATH) return refuseUpgrade(socket, 404, `the WebSocket endpoint is ${WS_PATH}`);
    if (sessions.size + upgrading >= MAX_SESSIONS) return refuseUpgrade(socket, 503, `too many pages connected (the limit is ${MAX_SESSIONS}); close some`);
    upgrading++;
    let counted = true;
    const done = (): void => {
      if (counted) upgrading--;
      counted = false;
    };
    socket.once('close', done); // a handshake that fails half-way
    wss.handleUpgrade(req, socket, head, (ws) => {
      done();
      wss.emit('connection', ws, req);
    });
  });

  // RFC 6455 §5.5.2: a ping must be answered with a pong; a page that stops answering has gone away.
  const heartbeat = setInterval(() => {
    for (const ws of sessions) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      clearInterval(heartbeat);
      reject(err);
    };
    server.once('error', failed);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  allowed = allowedHosts(address.address, address.port);
  cookieName = `sipscope-assets-${address.port}`;
  // A wildcard address is not something a browser can open; this machine can always use loopback.
  const urlHost = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;

  return {
    url: `http://${hostPort(urlHost, address.port)}/?token=${token}`,
    token,
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const ws of sessions) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
