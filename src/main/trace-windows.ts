// A window per trace. Each window shows one trace; it remembers which (for its title, for a reload, and
// to decide where the next trace goes): File > Open…, Open Recent, Help > Open Sample Trace, a file
// dropped on the window, `sipscope FILE` while the app runs, all come here as "open this path from that
// window". A window that shows no trace yet takes it; otherwise a new window opens for it (unless one
// already shows that very trace: that one comes to the front).
import { basename } from 'node:path';
import type { BrowserWindow, WebContents } from 'electron';
import { sendEvent } from './ipc.js';
import type { TraceService } from './trace-service.js';

/** The title of a window with no trace. */
export const EMPTY_WINDOW_TITLE = 'sipscope';

/** A window's title: the file name of its trace (the folder is in the page's trace status). */
export function windowTitle(trace: string | null): string {
  return trace === null ? EMPTY_WINDOW_TITLE : basename(trace);
}

export interface TraceWindowsDeps {
  /** Makes a window loading the app page (./window.ts `createMainWindow` with the app's paths and rules). */
  createWindow(options: { title: string; onTraceDropped(path: string): void }): BrowserWindow;
  /** Remembers a trace that opened (File > Open Recent). */
  rememberTrace(path: string): void;
  /** Forgets a recent trace whose file is gone. */
  forgetTrace(path: string): void;
  fileExists(path: string): boolean;
  /** Tells the user something went wrong (a native message box; `owner` is the window it concerns). */
  warn(owner: BrowserWindow | null, message: string, detail: string): void;
  /** The bundled sample trace, or null when the installation lacks it. It is not added to Open Recent. */
  sampleTrace: string | null;
}

interface WindowState {
  readonly win: BrowserWindow;
  readonly contents: WebContents;
  /**
   * What the page gets from `getLaunchTrace`: the trace the window was made for, then each trace it
   * starts opening, so that View > Reload shows the same trace again.
   */
  launch: string | null;
  /** True once the page asked for its launch trace: from then on a trace is sent to it as an event. */
  asked: boolean;
  /** The trace the window shows or is opening; null when none, or when the last open failed. */
  trace: string | null;
  /** Counts opens, so that only the latest one's outcome is taken (the page drops older ones too). */
  opens: number;
}

export interface TraceWindows {
  /** A new window for `trace` (null: an empty window). */
  openWindow(trace: string | null): BrowserWindow;
  /**
   * Opens `path` in `from` when that window shows no trace, else in a new window; a window that already
   * shows `path` is focused instead. Returns the window that will show it.
   */
  open(path: string, from: BrowserWindow | null): BrowserWindow;
  /** File > Open Recent: like `open`, but a file that is gone is dropped from the list, with a message. */
  openRecent(path: string, from: BrowserWindow | null): void;
  /** Help > Open Sample Trace. */
  openSample(from: BrowserWindow | null): void;
  /** The trace the page in `contents` should open first (the IPC `getLaunchTrace` request), or null. */
  launchTraceFor(contents: WebContents): string | null;
  /**
   * Makes `service` (the trace service of the window of `contents`) report its opens here: the window's
   * title follows the trace it opens, and a trace that opened goes to Open Recent. Returns `service`.
   */
  watch(contents: WebContents, service: TraceService): TraceService;
  /** The open windows, oldest first. */
  windows(): BrowserWindow[];
}

export function createTraceWindows(deps: TraceWindowsDeps): TraceWindows {
  const states = new Map<WebContents, WindowState>();

  function stateOf(win: BrowserWindow | null): WindowState | undefined {
    if (win === null) return undefined;
    for (const state of states.values()) if (state.win === win) return state;
    return undefined;
  }

  function openWindow(trace: string | null): BrowserWindow {
    const win: BrowserWindow = deps.createWindow({
      title: windowTitle(trace),
      // Called on a later drop, once `win` is set. A dropped file exists; the check keeps a page that makes up
      // file: URLs itself (it would have to be compromised) from opening a window per made-up name.
      onTraceDropped: (path) => {
        if (deps.fileExists(path)) open(path, win);
      },
    });
    // Kept rather than read from `win` later: a closed window's webContents can no longer be read.
    const contents = win.webContents;
    states.set(contents, { win, contents, launch: trace, asked: false, trace, opens: 0 });
    win.on('closed', () => states.delete(contents));
    return win;
  }

  function showIn(state: WindowState, path: string): void {
    state.trace = path;
    state.win.setTitle(windowTitle(path));
    if (state.asked) {
      sendEvent(state.contents, 'openTraceRequest', { path });
    } else {
      // The page has not loaded far enough to listen for events; it asks for its launch trace when it does.
      state.launch = path;
    }
    state.win.focus();
  }

  function open(path: string, from: BrowserWindow | null): BrowserWindow {
    // A trace already on screen is brought forward rather than read into a second window (View > Reload reads it again).
    const showing = [...states.values()].find((other) => other.trace === path);
    if (showing) {
      showing.win.focus();
      return showing.win;
    }
    const state = stateOf(from);
    if (state && state.trace === null) {
      showIn(state, path);
      return state.win;
    }
    return openWindow(path);
  }

  function openStarted(contents: WebContents, path: string): number {
    const state = states.get(contents);
    if (!state) return 0;
    state.launch = path;
    state.trace = path;
    state.win.setTitle(windowTitle(path));
    return ++state.opens;
  }

  function openEnded(contents: WebContents, path: string, open: number, opened: boolean): void {
    const state = states.get(contents);
    if (!state || state.opens !== open) return;
    if (!opened) {
      // The page shows why; the window counts as empty, so the next trace dropped on it opens there.
      state.trace = null;
      return;
    }
    if (path !== deps.sampleTrace) deps.rememberTrace(path);
  }

  return {
    openWindow,
    open,
    openRecent(path, from) {
      if (!deps.fileExists(path)) {
        deps.forgetTrace(path);
        deps.warn(from, `${basename(path)} no longer exists`, `${path} was moved or deleted; it has been removed from Open Recent.`);
        return;
      }
      open(path, from);
    },
    openSample(from) {
      if (deps.sampleTrace === null || !deps.fileExists(deps.sampleTrace)) {
        deps.warn(from, 'The sample trace is missing', 'This installation of sipscope has no sample trace in its resources folder.');
        return;
      }
      open(deps.sampleTrace, from);
    },
    launchTraceFor(contents) {
      const state = states.get(contents);
      if (!state) return null;
      state.asked = true;
      return state.launch;
    },
    watch(contents, service) {
      const openTrace = service.open.bind(service);
      service.open = async (path, onProgress) => {
        const open = openStarted(contents, path);
        try {
          const summary = await openTrace(path, onProgress);
          openEnded(contents, path, open, true);
          return summary;
        } catch (err) {
          openEnded(contents, path, open, false);
          throw err;
        }
      };
      // A capture makes the window busy (the next trace opens in another window) and titles it; its file, once
      // the capture ends, is what a reload reads.
      const startCapture = service.startCapture.bind(service);
      service.startCapture = async (settings, onStatus) => {
        const status = await startCapture(settings, onStatus);
        const state = states.get(contents);
        if (state) {
          state.trace = status.files[0] ?? settings.folder;
          state.launch = status.files.length === 1 ? status.files[0] : state.launch;
          state.opens++;
          state.win.setTitle(`Capture: ${status.source}`);
        }
        return status;
      };
      return service;
    },
    windows: () => [...states.values()].map((state) => state.win),
  };
}
