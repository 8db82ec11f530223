// The request/response protocol of `sipscope serve`: the contract of src/shared/api.ts (`SipscopeApi`)
// carried over a WebSocket instead of Electron IPC. One JSON text message per request and per reply:
//   → { "id": 7, "op": "applyFilter", "args": ["sip.Method == \"INVITE\""] }
//   ← { "id": 7, "ok": true, "value": { … } }   or   { "id": 7, "ok": false, "error": "message for the user" }
// `op` is the contract's operation name; `args` its arguments, in order. The page is untrusted (it shows
// text from captured packets, and anyone holding the token can send anything), so every argument goes
// through the same validators as the Electron main process (src/main/validate.ts) before it touches the
// file system or the engine. Replies may come in any order: the client matches them by `id`.
// Events (src/shared/api.ts `EventPayloads`) are pushed without an id:
//   ← { "event": "traceProgress", "payload": { "path": …, "messages": 1200, "phase": "reading", … } }
import { realpath } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import type { TraceService } from '../../main/trace-service.js';
import { parseArguments } from '../../main/validate.js';
import type { AppInfo, CaptureStatus, EventName, EventPayloads, InvokeOperation, InvokeResult, IpcResult } from '../../shared/api.js';
import { DEFAULT_CAPTURE_FILTER } from '../capture/capture-client.js';
import { captureSources } from '../capture/capture-sources.js';
import { interfacePacketCounters } from '../capture/interface-counters.js';

/** A reply on the wire: the contract's `IpcResult` plus the request's id (null when the request had none). */
export type WireReply = { id: number | string | null } & IpcResult<unknown>;

/** An event pushed to the page on the wire. */
export interface WireEvent<K extends EventName = EventName> {
  event: K;
  payload: EventPayloads[K];
}

export interface SessionDeps {
  /** This connection's trace service (one per page, as one per window in the app). */
  service: TraceService;
  /** The FILE given to `sipscope serve` (absolute, normalised), or null. */
  launchTrace: string | null;
  appInfo: AppInfo;
  /** Pushes an event to this connection's page (`WireEvent`); absent, events are dropped. */
  sendEvent?<K extends EventName>(name: K, payload: EventPayloads[K]): void;
  /** Live capture allowed (`sipscope serve --capture`), writing its files to `folder`; null when not. */
  capture?: { folder: string } | null;
}

/** Why a served page cannot capture unless the server was started for it. */
export const CAPTURE_NOT_SERVED =
  "live capture from a browser is off: start the server with 'sipscope serve --capture' (it then captures on the server's interfaces, with the server's rights)";

/** Longest request id accepted when it is a string. */
const MAX_ID_LENGTH = 64;

function inside(folder: string, path: string): boolean {
  return path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/**
 * The path `openTrace` may really open, or an Error for the user. A browser page must not become a way to
 * read any file of the server: only the launch FILE and the files under its folder are served, checked on
 * the path as given and again with symbolic links resolved (the real path is what gets opened, so a link
 * swapped after the check cannot redirect the read).
 */
export async function allowedTracePath(path: string, launchTrace: string | null): Promise<string> {
  if (launchTrace === null) {
    throw new Error(
      `refused to open ${path}: this server was started without a FILE, and a browser may only open the trace given to 'sipscope serve FILE' or the files in its folder`,
    );
  }
  if (path === launchTrace) return path;
  const folder = dirname(launchTrace);
  const refusal = new Error(
    `refused to open ${path}: a browser may only open the trace given to 'sipscope serve' (${launchTrace}) or the files under its folder ${folder}`,
  );
  if (!inside(folder, path)) throw refusal;
  let realFolder: string;
  let realPath: string;
  try {
    [realFolder, realPath] = await Promise.all([realpath(folder), realpath(path)]);
  } catch {
    return path; // missing or unreadable: the trace service says so, naming the file
  }
  if (!inside(realFolder, realPath)) throw refusal;
  return realPath;
}

type Handlers = { [K in InvokeOperation]: (args: readonly unknown[]) => Promise<InvokeResult<K>> };

/** One handler per operation of the contract; the mapped type makes a new operation a compile error here. */
export function createHandlers(deps: SessionDeps): Handlers {
  const capture = deps.capture ?? null;
  let lastStatus: CaptureStatus | null = null;
  const allowCapture = (): { folder: string } => {
    if (!capture) throw new Error(CAPTURE_NOT_SERVED);
    return capture;
  };
  return {
    async getAppInfo(args) {
      parseArguments.getAppInfo(args);
      return { ...deps.appInfo };
    },
    // There is no native file dialog in a browser: the page gets "cancelled", and opens traces by path
    // (the launch FILE, or a file of its folder).
    async openTraceDialog(args) {
      parseArguments.openTraceDialog(args);
      return null;
    },
    async openTrace(args) {
      const [path] = parseArguments.openTrace(args);
      return deps.service.open(await allowedTracePath(path, deps.launchTrace), (progress) => deps.sendEvent?.('traceProgress', progress));
    },
    async getLaunchTrace(args) {
      parseArguments.getLaunchTrace(args);
      return deps.launchTrace;
    },
    async getDecodeAs(args) {
      parseArguments.getDecodeAs(args);
      return deps.service.decodeAs();
    },
    async setDecodeAs(args) {
      return deps.service.setDecodeAs(...parseArguments.setDecodeAs(args));
    },
    // A filter that does not compile is `{ ok: true, value: { ok: false, error } }`, as over IPC.
    async applyFilter(args) {
      return deps.service.applyFilter(...parseArguments.applyFilter(args));
    },
    async getFilterFields(args) {
      parseArguments.getFilterFields(args);
      return deps.service.filterFields();
    },
    async cancelOpen(args) {
      parseArguments.cancelOpen(args);
      return deps.service.cancelOpen();
    },
    async getRows(args) {
      return deps.service.getRows(...parseArguments.getRows(args));
    },
    async getMessage(args) {
      return deps.service.getMessage(...parseArguments.getMessage(args));
    },
    async getCalls(args) {
      return deps.service.getCalls(...parseArguments.getCalls(args));
    },
    async getLadder(args) {
      return deps.service.getLadder(...parseArguments.getLadder(args));
    },
    async getStatistics(args) {
      return deps.service.getStatistics(...parseArguments.getStatistics(args));
    },
    async listCaptureSources(args) {
      parseArguments.listCaptureSources(args);
      if (!capture) return { available: false, problem: CAPTURE_NOT_SERVED, interfaces: [], defaultFilter: DEFAULT_CAPTURE_FILTER, defaultFolder: '', folderChoosable: false };
      return captureSources({ defaultFolder: capture.folder, folderChoosable: false });
    },
    async getInterfaceCounters(args) {
      parseArguments.getInterfaceCounters(args);
      return capture ? interfacePacketCounters() : {};
    },
    // No native dialog in a browser; and a page may not pick where the server writes.
    async chooseCaptureFolder(args) {
      parseArguments.chooseCaptureFolder(args);
      return null;
    },
    async startCapture(args) {
      const [settings] = parseArguments.startCapture(args);
      const { folder } = allowCapture();
      if (settings.folder !== null) throw new Error(`a served page cannot choose where the server writes: capture files go to ${folder} (sipscope serve --capture-dir)`);
      const onStatus = (status: CaptureStatus): void => {
        lastStatus = status;
        deps.sendEvent?.('captureStatus', status);
      };
      lastStatus = await deps.service.startCapture({ ...settings, folder }, onStatus);
      return lastStatus;
    },
    async stopCapture(args) {
      parseArguments.stopCapture(args);
      allowCapture();
      lastStatus = await deps.service.stopCapture();
      return lastStatus;
    },
    async getAnnotations(args) {
      parseArguments.getAnnotations(args);
      return deps.service.getAnnotations();
    },
    async setMessageNote(args) {
      return deps.service.setMessageNote(...parseArguments.setMessageNote(args));
    },
    async setCallNote(args) {
      return deps.service.setCallNote(...parseArguments.setCallNote(args));
    },
    async setHostAlias(args) {
      return deps.service.setHostAlias(...parseArguments.setHostAlias(args));
    },
    // The notes are autosaved beside the trace on the server; a page cannot pick a file to write there.
    async saveAnnotatedTrace(args) {
      parseArguments.saveAnnotatedTrace(args);
      throw new Error("a browser cannot choose a file on the server: the notes are autosaved beside the trace there (TRACE.sipscope-notes.json); write an annotated pcapng with 'sipscope export TRACE --format pcapng -o OUT' on the server");
    },
    async exportCalls(args) {
      const [request] = parseArguments.exportCalls(args);
      throw new Error(
        `a browser cannot choose a file on the server: export there with 'sipscope export TRACE --call CALL-ID --format ${request.format === 'pdf' ? 'html' : request.format} -o OUT'`,
      );
    },
    async saveCaptureAs(args) {
      parseArguments.saveCaptureAs(args);
      const files = lastStatus?.files ?? [];
      if (files.length === 0) throw new Error('there is no capture in this page to save');
      throw new Error(`a browser cannot save files of the server: the capture is on the server in ${files.join(', ')}`);
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The request's id when it is a usable one (a safe integer, or a short string), else null. */
function requestId(message: Record<string, unknown>): number | string | null {
  const id = message['id'];
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  if (typeof id === 'string' && id.length <= MAX_ID_LENGTH) return id;
  return null;
}

/**
 * Answers one text message. Never throws: a malformed request gets an `ok: false` reply (with `id: null`
 * when the id itself is unusable), so the page always learns why.
 */
export async function handleMessage(handlers: Handlers, text: string): Promise<WireReply> {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { id: null, ok: false, error: 'request refused: not JSON' };
  }
  if (!isRecord(message)) return { id: null, ok: false, error: 'request refused: expected an object {id, op, args}' };
  const id = requestId(message);
  if (id === null) return { id: null, ok: false, error: 'request refused: id must be an integer or a string of at most 64 characters' };
  const op = message['op'];
  // Own properties only: `op: "constructor"` or `"__proto__"` must not reach Object.prototype.
  if (typeof op !== 'string' || !Object.prototype.hasOwnProperty.call(handlers, op)) {
    return { id, ok: false, error: `request refused: unknown operation ${JSON.stringify(op) ?? 'undefined'}` };
  }
  const args = message['args'] ?? [];
  if (!Array.isArray(args)) return { id, ok: false, error: `${op}: args must be an array` };
  try {
    const value: unknown = await handlers[op as InvokeOperation](args);
    return { id, ok: true, value };
  } catch (err) {
    return { id, ok: false, error: errorMessage(err) };
  }
}
