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
} from '../shared/api.js';
import { captureStatusOf, traceProgressOf } from '../shared/event-payloads.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
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
  onCaptureCommand(listener) {
    const channel = EventChannels.captureCommand;
    const relay = (_event: IpcRendererEvent, payload: EventPayloads['captureCommand']): void => {
      if (isRecord(payload) && (payload.command === 'start' || payload.command === 'stop')) listener(payload.command);
    };
    ipcRenderer.on(channel, relay);
    return () => {
      ipcRenderer.removeListener(channel, relay);
    };
  },
  onSaveAnnotatedRequest(listener) {
    const channel = EventChannels.saveAnnotatedRequest;
    // No payload reaches the page: the request itself is the message.
    const relay = (): void => listener();
    ipcRenderer.on(channel, relay);
    return () => {
      ipcRenderer.removeListener(channel, relay);
    };
  },
  onCaptureStatus(listener) {
    const channel = EventChannels.captureStatus;
    const relay = (_event: IpcRendererEvent, payload: EventPayloads['captureStatus']): void => {
      const status = captureStatusOf(payload);
      if (status) listener(status);
    };
    ipcRenderer.on(channel, relay);
    return () => {
      ipcRenderer.removeListener(channel, relay);
    };
  },
};

contextBridge.exposeInMainWorld('sipscope', api);
