// The bridge between the sandboxed page and the main process. It exposes `window.sipscope`, one named
// function per operation of the contract (src/shared/api.ts), and nothing else: no ipcRenderer, no generic
// invoke(channel), no event objects. Built as CommonJS (out/preload/index.cjs) because a sandboxed preload
// cannot be an ES module; in the sandbox, `require('electron')` is the only module it may use, so this file
// imports nothing else at run time (the contract's channel names are inlined by the bundler).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EventChannels,
  InvokeChannels,
  requestOperations,
  type EventPayloads,
  type InvokeArgs,
  type InvokeOperation,
  type InvokeResult,
  type SipscopeApi,
  type TraceProgress,
} from '../shared/api.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const PHASES: readonly string[] = ['reading', 'analysing', 'done'] satisfies TraceProgress['phase'][];

/** A `TraceProgress` copied field by field from an event payload, or null when it is not one. */
function traceProgressOf(payload: unknown): TraceProgress | null {
  if (!isRecord(payload)) return null;
  const { path, bytesRead, totalBytes, messages, phase } = payload;
  if (typeof path !== 'string' || typeof bytesRead !== 'number' || typeof totalBytes !== 'number' || typeof messages !== 'number') return null;
  if (typeof phase !== 'string' || !PHASES.includes(phase)) return null;
  return { path, bytesRead, totalBytes, messages, phase: phase as TraceProgress['phase'] };
}

/** Sends a request and unwraps the `IpcResult` reply: a value, or a rejection with the main process's message. */
async function request<K extends InvokeOperation>(operation: K, ...args: InvokeArgs<K>): Promise<InvokeResult<K>> {
  const reply: unknown = await ipcRenderer.invoke(InvokeChannels[operation], ...args);
  if (isRecord(reply) && reply['ok'] === true && 'value' in reply) return reply['value'] as InvokeResult<K>;
  if (isRecord(reply) && reply['ok'] === false && typeof reply['error'] === 'string') throw new Error(reply['error']);
  throw new Error(`${operation}: malformed reply from the main process`);
}

const api: SipscopeApi = {
  ...requestOperations(request),
  onOpenTraceRequest(listener) {
    const channel = EventChannels.openTraceRequest;
    // The page gets the path only, never the IpcRendererEvent (which carries `sender`, i.e. ipcRenderer).
    const relay = (_event: IpcRendererEvent, payload: EventPayloads['openTraceRequest']): void => {
      if (isRecord(payload) && typeof payload.path === 'string') listener(payload.path);
    };
    ipcRenderer.on(channel, relay);
    return () => {
      ipcRenderer.removeListener(channel, relay);
    };
  },
  onTraceProgress(listener) {
    const channel = EventChannels.traceProgress;
    // A fresh object with the contract's fields only: nothing else the main process attached reaches the page.
    const relay = (_event: IpcRendererEvent, payload: EventPayloads['traceProgress']): void => {
      const progress = traceProgressOf(payload);
      if (progress) listener(progress);
    };
    ipcRenderer.on(channel, relay);
    return () => {
      ipcRenderer.removeListener(channel, relay);
    };
  },
};

contextBridge.exposeInMainWorld('sipscope', api);
