// The main window and the rules that keep its page on a short leash (Electron security checklist:
// https://www.electronjs.org/docs/latest/tutorial/security). The page renders text that comes from
// captured packets, i.e. from strangers: if anything in it ever runs as script, it must find a sandboxed
// renderer with no Node, no way to open windows or navigate elsewhere, and no permissions.
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BrowserWindow, type WebContents } from 'electron';

/** Where the renderer is loaded from: the built index.html, or the electron-vite dev server. */
export type RendererTarget = { kind: 'file'; file: string } | { kind: 'url'; url: string };

export interface AppPaths {
  /** The sandboxed preload, built as CommonJS (a sandboxed preload cannot be an ES module). */
  preload: string;
  rendererHtml: string;
}

/** Paths of the built app, given the folder of the built main bundle (`out/main`). */
export function appPaths(mainDir: string): AppPaths {
  return {
    preload: join(mainDir, '../preload/index.cjs'),
    rendererHtml: join(mainDir, '../renderer/index.html'),
  };
}

/**
 * The dev server URL is honoured only when given (electron-vite dev sets ELECTRON_RENDERER_URL; callers
 * pass it only for unpackaged runs), otherwise the built page is loaded from disk.
 */
export function rendererTarget(rendererHtml: string, devServerUrl: string | undefined): RendererTarget {
  return devServerUrl ? { kind: 'url', url: devServerUrl } : { kind: 'file', file: rendererHtml };
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * A predicate for "this URL is one of the app's own pages": the built index.html itself (any query or
 * fragment), or any page of the dev server's origin. Used for navigation and for IPC sender checks.
 */
export function appUrlMatcher(target: RendererTarget): (url: string) => boolean {
  if (target.kind === 'file') {
    // file: URLs have an opaque origin, so compare the exact file instead; another local file is not us.
    const expected = pathToFileURL(target.file);
    return (url) => {
      const u = parseUrl(url);
      return u !== null && u.protocol === 'file:' && u.host === expected.host && u.pathname === expected.pathname;
    };
  }
  const origin = parseUrl(target.url)?.origin;
  if (!origin || origin === 'null') throw new Error(`renderer URL has no origin: ${target.url}`);
  return (url) => parseUrl(url)?.origin === origin;
}

/**
 * File names the app takes as captures when dropped on a window: what tcpdump, Wireshark, dumpcap and
 * Windows' netsh/pktmon write (.pcap, .pcapng, .cap, .dmp), and any gzip file (.pcap.gz, .pcapng.gz:
 * the engine reads gzip-compressed captures, as Wireshark does).
 */
const captureNamePattern = /\.(?:pcap|pcapng|cap|dmp|ntar|gz)$/i;

export function looksLikeCapture(path: string): boolean {
  return captureNamePattern.test(basename(path));
}

/**
 * The trace a navigation means to open, or null. A file dropped on a page that does not handle the drop
 * makes Chromium navigate the window to the file's file: URL; such a navigation to a capture is taken as
 * "open this trace" (it is still never performed: the caller prevents it). Anything else — the app's own
 * page, other schemes, other files, a file: URL naming a remote host — is null.
 */
export function droppedTracePath(url: string, isAppUrl: (url: string) => boolean): string | null {
  if (isAppUrl(url)) return null;
  const parsed = parseUrl(url);
  if (parsed === null || parsed.protocol !== 'file:') return null;
  let path: string;
  try {
    // Throws for a host on POSIX and for encoded separators: neither is a file dropped from this machine.
    path = fileURLToPath(parsed);
  } catch {
    return null;
  }
  return looksLikeCapture(path) ? path : null;
}

/** Applies the navigation, window-opening and permission rules to a page. */
export function lockDown(contents: WebContents, isAppUrl: (url: string) => boolean, onTraceDropped?: (path: string) => void): void {
  // No pop-ups: links that want a new window go nowhere (an "open in browser" action can come later,
  // through shell.openExternal with an allow-list).
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Stay on our page: a link, a form or a dropped file must not replace the app with something else.
  // A dropped capture becomes an open request instead (the page never leaves).
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    const dropped = droppedTracePath(event.url, isAppUrl);
    if (dropped !== null) onTraceDropped?.(dropped);
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  // No <webview> (webviewTag is off already; this also refuses one attached some other way).
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // The app needs no camera, microphone, notifications, geolocation, ...: refuse every request and check.
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
}

export interface MainWindowOptions {
  preloadPath: string;
  target: RendererTarget;
  /** The window's first title (the trace's file name); later ones come from `setTitle`, never from the page. */
  title?: string;
  /** A capture file dropped on the window (see `droppedTracePath`). */
  onTraceDropped?(path: string): void;
  /** The window icon (resources/icon.png; macOS takes the app bundle's instead). */
  icon?: string;
}

export function createMainWindow({ preloadPath, target, title = 'sipscope', onTraceDropped, icon }: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    ...(icon ? { icon } : {}),
    width: 1280,
    height: 800,
    minWidth: 640,
    minHeight: 400,
    title,
    show: false,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    },
  });
  lockDown(win.webContents, appUrlMatcher(target), onTraceDropped);
  // The title names the window's trace and is set by the main process; the page's <title> must not replace it.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  const loading = target.kind === 'file' ? win.loadFile(target.file) : win.loadURL(target.url);
  loading.catch((err: unknown) => {
    console.error(`sipscope: cannot load the window: ${err instanceof Error ? err.message : String(err)}`);
  });
  return win;
}
