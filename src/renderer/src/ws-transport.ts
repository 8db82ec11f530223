// The `SipscopeApi` contract over a WebSocket, for the page when `sipscope serve` serves it to a browser
// (src/node/serve/protocol.ts is the other end). Request: `{ id, op, args }`; reply: `{ id, ok: true, value }`
// or `{ id, ok: false, error }`, which rejects with `error` as the message, as the preload does. Events the
// server pushes come as `{ event, payload }` (no id): `traceProgress` goes to the `onTraceProgress` listeners.
// This file uses no DOM or Node type: it takes a `connect` function, so the browser passes its native
// WebSocket and the tests pass the `ws` package's.
import { requestOperations, type CaptureStatus, type InvokeArgs, type InvokeOperation, type InvokeResult, type SipscopeApi, type TraceProgress } from '../../shared/api.js';
import { captureStatusOf, traceProgressOf } from '../../shared/event-payloads.js';

/** What the transport needs of a WebSocket (a subset of the WHATWG WebSocket interface). */
export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed (WHATWG WebSocket readyState). */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** The listener's event is read defensively (MessageEvent.data, CloseEvent.code / reason). */
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: unknown) => void): void;
}

const OPEN = 1;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}


/**
 * The WebSocket URL of a page served by `sipscope serve`: same host, path `/ws`, the page's token. Null when
 * the page's URL has no token (it was not opened from the URL the server printed).
 */
export function webSocketUrl(location: { protocol: string; host: string; search: string }): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/**
 * A `SipscopeApi` whose requests travel on the socket `connect(url)` opens. Requests made before the
 * socket opens wait for it. Once it closes (server stopped, network gone), pending and later requests
 * reject with a message saying so; it does not reconnect (reloading the page does).
 */
export function createWebSocketApi(url: string, connect: (url: string) => SocketLike): SipscopeApi {
  const socket = connect(url);
  const pending = new Map<number, Pending>();
  const queued: string[] = [];
  let nextId = 1;
  let closedReason: string | null = null;
  const progressListeners = new Set<(progress: TraceProgress) => void>();
  const statusListeners = new Set<(status: CaptureStatus) => void>();

  function fail(reason: string): void {
    if (closedReason !== null) return;
    closedReason = reason;
    queued.length = 0;
    for (const request of pending.values()) request.reject(new Error(reason));
    pending.clear();
  }

  socket.addEventListener('open', () => {
    for (const text of queued) socket.send(text);
    queued.length = 0;
  });
  socket.addEventListener('message', (event) => {
    const data = isRecord(event) ? event['data'] : undefined;
    if (typeof data !== 'string') return;
    let reply: unknown;
    try {
      reply = JSON.parse(data);
    } catch {
      return;
    }
    if (isRecord(reply) && reply['event'] === 'traceProgress' && !('id' in reply)) {
      const progress = traceProgressOf(reply['payload']);
      // A listener's failure must not stop the others, nor the replies.
      if (progress) {
        for (const listener of [...progressListeners]) {
          try {
            listener(progress);
          } catch (err) {
            console.error('sipscope: a trace progress listener failed:', err);
          }
        }
      }
      return;
    }
    if (isRecord(reply) && reply['event'] === 'captureStatus' && !('id' in reply)) {
      const status = captureStatusOf(reply['payload']);
      if (status) {
        for (const listener of [...statusListeners]) {
          try {
            listener(status);
          } catch (err) {
            console.error('sipscope: a capture status listener failed:', err);
          }
        }
      }
      return;
    }
    if (!isRecord(reply) || typeof reply['id'] !== 'number') return;
    const request = pending.get(reply['id']);
    if (!request) return;
    pending.delete(reply['id']);
    if (reply['ok'] === true && 'value' in reply) request.resolve(reply['value']);
    else if (reply['ok'] === false && typeof reply['error'] === 'string') request.reject(new Error(reply['error']));
    else request.reject(new Error('malformed reply from sipscope serve'));
  });
  socket.addEventListener('close', (event) => {
    const code = isRecord(event) && typeof event['code'] === 'number' ? event['code'] : 1006;
    const reason = isRecord(event) && typeof event['reason'] === 'string' ? event['reason'] : '';
    // 1006 (closed without a close frame, RFC 6455 §7.4.1) is also what a browser reports for a refused handshake.
    const detail = code === 1006 ? 'the connection was refused or lost' : `code ${code}${reason ? `: ${reason}` : ''}`;
    fail(`the connection to sipscope serve is closed (${detail}); reload the page, or restart 'sipscope serve' and open the URL it prints`);
  });
  // An 'error' event is always followed by 'close' (WHATWG WebSockets §"fail the WebSocket connection").

  function request<K extends InvokeOperation>(op: K, ...args: InvokeArgs<K>): Promise<InvokeResult<K>> {
    if (closedReason !== null) return Promise.reject(new Error(closedReason));
    const id = nextId++;
    const text = JSON.stringify({ id, op, args });
    return new Promise<InvokeResult<K>>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (socket.readyState === OPEN) socket.send(text);
      else queued.push(text);
    });
  }

  return {
    // openTraceDialog: no native dialog in a browser, the server answers null ("cancelled").
    ...requestOperations(request),
    // Nothing outside the page asks a served page to open a trace (there is no application menu).
    onOpenTraceRequest: () => () => {},
    // Nor to start or stop a capture: a served page has no application menu; its buttons do it.
    onCaptureCommand: () => () => {},
    onSaveAnnotatedRequest: () => () => {},
    onTraceProgress(listener) {
      // Wrapped, so that subscribing the same function twice gives two independent subscriptions.
      const entry = (progress: TraceProgress): void => listener(progress);
      progressListeners.add(entry);
      return () => {
        progressListeners.delete(entry);
      };
    },
    onCaptureStatus(listener) {
      const entry = (status: CaptureStatus): void => listener(status);
      statusListeners.add(entry);
      return () => {
        statusListeners.delete(entry);
      };
    },
  };
}
