// One handler per request channel of the contract (src/shared/api.ts). Each handler, before doing anything:
//  1. checks the request comes from one of the app's own pages (the sender frame's URL), so a page that got
//     into the window some other way cannot use the bridge;
//  2. checks the number and the type of every argument (./validate.ts).
// Results travel as `IpcResult` values: `{ ok: true, value }` or `{ ok: false, error }` with a message for
// the user. Nothing is thrown across IPC; the preload turns `ok: false` back into a rejected promise.
import { app, BrowserWindow, type IpcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  EventChannels,
  InvokeChannels,
  type EventName,
  type EventPayloads,
  type InvokeArgs,
  type InvokeOperation,
  type InvokeResult,
  type IpcResult,
  type CaptureStatus,
} from '../shared/api.js';
import { captureSources, copyCaptureFiles } from '../node/capture/capture-sources.js';
import { interfacePacketCounters } from '../node/capture/interface-counters.js';
import { exportPdf } from './export-pdf.js';
import { chooseExportPath, chooseAnnotatedSavePath, chooseCaptureFolderPath, chooseCaptureSavePath, chooseTracePath } from './dialogs.js';
import type { TraceService } from './trace-service.js';
import { parseArguments } from './validate.js';

export interface IpcDeps {
  /** True for the URL of one of the app's own pages (see `appUrlMatcher` in ./window.ts). */
  isAppUrl(url: string): boolean;
  /**
   * The trace service of a window (one per window: each window shows its own trace). Called with the
   * requesting page's WebContents; src/main/index.ts creates one per window and disposes it when the window closes.
   */
  traceServiceFor(contents: WebContents): TraceService;
  /**
   * The trace the requesting page should open first, or null. Per window (each window shows its own trace:
   * src/main/trace-windows.ts `launchTraceFor`): the trace the window was made for, then the one it opened
   * last (so a reload shows it again). Already absolute.
   */
  launchTrace(contents: WebContents): string | null;
  /** Where live-capture files go unless the user chooses another folder. */
  captureFolder: string;
}

/** The part of `ipcMain` we use, so tests can pass a recorder. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;

interface Handler<K extends InvokeOperation> {
  run(event: IpcMainInvokeEvent, ...args: InvokeArgs<K>): Promise<InvokeResult<K>>;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whether a page is gone (WebContents has `isDestroyed`; test doubles may not). */
function isDestroyed(contents: WebContents): boolean {
  return typeof contents.isDestroyed === 'function' && contents.isDestroyed();
}

function checkSender(event: IpcMainInvokeEvent, isAppUrl: (url: string) => boolean): void {
  // senderFrame is null when the frame navigated away or was destroyed after sending.
  const frame = event.senderFrame;
  if (!frame) throw new Error('request refused: the sending page is gone');
  if (!isAppUrl(frame.url)) throw new Error(`request refused: ${frame.url || 'this page'} is not a sipscope page`);
}

/**
 * Registers the handlers of every request channel on `ipcMain`. Returns a function that removes them.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, deps: IpcDeps): () => void {
  const channels: string[] = [];
  /** Each window's latest capture status: its files are what "Save capture as…" copies. */
  const captureStatus = new WeakMap<WebContents, CaptureStatus>();

  function register<K extends InvokeOperation>(operation: K, handler: Handler<K>): void {
    const channel = InvokeChannels[operation];
    channels.push(channel);
    ipcMain.handle(channel, async (event, ...raw: unknown[]): Promise<IpcResult<InvokeResult<K>>> => {
      try {
        checkSender(event, deps.isAppUrl);
        const args = parseArguments[operation](raw);
        return { ok: true, value: await handler.run(event, ...args) };
      } catch (err) {
        return { ok: false, error: errorMessage(err) };
      }
    });
  }

  register('getAppInfo', {
    run: async () => ({
      name: app.getName(),
      version: app.getVersion(),
      electron: process.versions.electron,
      platform: process.platform,
    }),
  });

  register('openTraceDialog', {
    run: (event) => chooseTracePath(BrowserWindow.fromWebContents(event.sender)),
  });

  register('openTrace', {
    // Progress goes to the page that asked, while it still exists (a window closed mid-read gets nothing).
    run: (event, path) =>
      deps.traceServiceFor(event.sender).open(path, (progress) => {
        if (!isDestroyed(event.sender)) sendEvent(event.sender, 'traceProgress', progress);
      }),
  });

  register('cancelOpen', {
    run: (event) => deps.traceServiceFor(event.sender).cancelOpen(),
  });

  register('getRows', {
    run: (event, query) => deps.traceServiceFor(event.sender).getRows(query),
  });

  register('getMessage', {
    run: (event, row) => deps.traceServiceFor(event.sender).getMessage(row),
  });

  register('getCalls', {
    run: (event, view) => deps.traceServiceFor(event.sender).getCalls(view),
  });

  register('getLadder', {
    run: (event, calls) => deps.traceServiceFor(event.sender).getLadder(calls),
  });

  register('getStatistics', {
    run: (event, view) => deps.traceServiceFor(event.sender).getStatistics(view),
  });

  register('getLaunchTrace', {
    run: async (event) => deps.launchTrace(event.sender),
  });

  register('getDecodeAs', {
    run: async (event) => deps.traceServiceFor(event.sender).decodeAs(),
  });

  register('setDecodeAs', {
    run: async (event, rules) => deps.traceServiceFor(event.sender).setDecodeAs(rules),
  });

  // A filter that does not compile comes back as `{ ok: true, value: { ok: false, error } }`: the page shows
  // it under the filter bar. Only a bad argument or no open trace is an `ok: false` reply.
  register('applyFilter', {
    run: (event, text) => deps.traceServiceFor(event.sender).applyFilter(text),
  });

  register('getFilterFields', {
    run: async (event) => deps.traceServiceFor(event.sender).filterFields(),
  });

  register('getAnnotations', {
    run: (event) => deps.traceServiceFor(event.sender).getAnnotations(),
  });

  register('setMessageNote', {
    run: (event, row, note) => deps.traceServiceFor(event.sender).setMessageNote(row, note),
  });

  register('setCallNote', {
    run: (event, call, note) => deps.traceServiceFor(event.sender).setCallNote(call, note),
  });

  register('setHostAlias', {
    run: (event, address, alias) => deps.traceServiceFor(event.sender).setHostAlias(address, alias),
  });

  register('saveAnnotatedTrace', {
    run: async (event) => {
      const trace = deps.launchTrace(event.sender);
      if (trace === null) throw new Error('no trace is open: open a trace first');
      const dest = await chooseAnnotatedSavePath(BrowserWindow.fromWebContents(event.sender), trace);
      return dest === null ? null : deps.traceServiceFor(event.sender).saveAnnotated(dest);
    },
  });

  register('exportCalls', {
    run: async (event, request) => {
      const trace = deps.launchTrace(event.sender);
      if (trace === null) throw new Error('no trace is open: open a trace first');
      const name = request.calls.length === 1 ? `call-${request.calls[0]}` : `${request.calls.length}-calls`;
      const dest = await chooseExportPath(BrowserWindow.fromWebContents(event.sender), trace, request.format, name);
      if (dest === null) return null;
      const service = deps.traceServiceFor(event.sender);
      if (request.format === 'pdf') return exportPdf(dest, (html) => service.exportCalls(html, { ...request, format: 'html' }));
      return (await service.exportCalls(dest, { ...request, format: request.format }))[0] ?? null;
    },
  });

  register('listCaptureSources', {
    run: () => captureSources({ defaultFolder: deps.captureFolder, folderChoosable: true }),
  });

  register('getInterfaceCounters', {
    run: () => interfacePacketCounters(),
  });

  register('chooseCaptureFolder', {
    run: (event) => chooseCaptureFolderPath(BrowserWindow.fromWebContents(event.sender), deps.captureFolder),
  });

  register('startCapture', {
    // The counters go to the page that started the capture, while it exists.
    run: async (event, settings) => {
      const contents = event.sender;
      const onStatus = (status: CaptureStatus): void => {
        captureStatus.set(contents, status);
        if (!isDestroyed(contents)) sendEvent(contents, 'captureStatus', status);
      };
      const status = await deps.traceServiceFor(contents).startCapture({ ...settings, folder: settings.folder ?? deps.captureFolder }, onStatus);
      captureStatus.set(contents, status);
      return status;
    },
  });

  register('stopCapture', {
    run: async (event) => {
      const status = await deps.traceServiceFor(event.sender).stopCapture();
      captureStatus.set(event.sender, status);
      return status;
    },
  });

  register('saveCaptureAs', {
    run: async (event) => {
      const files = captureStatus.get(event.sender)?.files ?? [];
      if (files.length === 0) throw new Error('there is no capture in this window to save');
      const target = await chooseCaptureSavePath(BrowserWindow.fromWebContents(event.sender), files);
      return target === null ? null : copyCaptureFiles(files, target);
    },
  });

  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Pushes a contract event (src/shared/api.ts `EventPayloads`) to a page. */
export function sendEvent<K extends EventName>(contents: WebContents, name: K, payload: EventPayloads[K]): void {
  contents.send(EventChannels[name], payload);
}
