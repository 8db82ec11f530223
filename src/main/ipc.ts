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
} from '../shared/api.js';
import { chooseTracePath } from './dialogs.js';
import type { TraceService } from './trace-service.js';
import { checkArity, validateAbsolutePath, validateFilterText, validateRuleList } from './validate.js';

export interface IpcDeps {
  /** True for the URL of one of the app's own pages (see `appUrlMatcher` in ./window.ts). */
  isAppUrl(url: string): boolean;
  /** Opens traces; the engine-backed implementation replaces the default one here. */
  traceService: TraceService;
  /**
   * The trace a newly opened page should open first, or null: the command-line path, or (macOS, no window
   * open) the file just picked with File > Open…. Already absolute.
   */
  launchTrace(): string | null;
}

/** The part of `ipcMain` we use, so tests can pass a recorder. */
export type IpcMainLike = Pick<IpcMain, 'handle' | 'removeHandler'>;

interface Handler<K extends InvokeOperation> {
  /** Validates the raw arguments and returns them typed, or throws an Error that names the problem. */
  parse(args: readonly unknown[]): InvokeArgs<K>;
  run(event: IpcMainInvokeEvent, ...args: InvokeArgs<K>): Promise<InvokeResult<K>>;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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

  function register<K extends InvokeOperation>(operation: K, handler: Handler<K>): void {
    const channel = InvokeChannels[operation];
    channels.push(channel);
    ipcMain.handle(channel, async (event, ...raw: unknown[]): Promise<IpcResult<InvokeResult<K>>> => {
      try {
        checkSender(event, deps.isAppUrl);
        const args = handler.parse(raw);
        return { ok: true, value: await handler.run(event, ...args) };
      } catch (err) {
        return { ok: false, error: errorMessage(err) };
      }
    });
  }

  register('getAppInfo', {
    parse(args) {
      checkArity('getAppInfo', args, 0);
      return [];
    },
    run: async () => ({
      name: app.getName(),
      version: app.getVersion(),
      electron: process.versions.electron,
      platform: process.platform,
    }),
  });

  register('openTraceDialog', {
    parse(args) {
      checkArity('openTraceDialog', args, 0);
      return [];
    },
    run: (event) => chooseTracePath(BrowserWindow.fromWebContents(event.sender)),
  });

  register('openTrace', {
    parse(args) {
      checkArity('openTrace', args, 1);
      return [validateAbsolutePath(args[0], 'trace path')];
    },
    run: (_event, path) => deps.traceService.open(path),
  });

  register('getLaunchTrace', {
    parse(args) {
      checkArity('getLaunchTrace', args, 0);
      return [];
    },
    run: async () => deps.launchTrace(),
  });

  register('getDecodeAs', {
    parse(args) {
      checkArity('getDecodeAs', args, 0);
      return [];
    },
    run: async () => deps.traceService.decodeAs(),
  });

  register('setDecodeAs', {
    parse(args) {
      checkArity('setDecodeAs', args, 1);
      return [validateRuleList(args[0])];
    },
    run: async (_event, rules) => deps.traceService.setDecodeAs(rules),
  });

  // A filter that does not compile comes back as `{ ok: true, value: { ok: false, error } }`: the page shows
  // it under the filter bar. Only a bad argument or no open trace is an `ok: false` reply.
  register('applyFilter', {
    parse(args) {
      checkArity('applyFilter', args, 1);
      return [validateFilterText(args[0])];
    },
    run: (_event, text) => deps.traceService.applyFilter(text),
  });

  register('getFilterFields', {
    parse(args) {
      checkArity('getFilterFields', args, 0);
      return [];
    },
    run: async () => deps.traceService.filterFields(),
  });

  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Pushes a contract event (src/shared/api.ts `EventPayloads`) to a page. */
export function sendEvent<K extends EventName>(contents: WebContents, name: K, payload: EventPayloads[K]): void {
  contents.send(EventChannels[name], payload);
}
