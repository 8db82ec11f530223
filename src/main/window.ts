// The main window and the rules that keep its page on a short leash (Electron security checklist:
// https://www.electronjs.org/docs/latest/tutorial/security). The page renders text that comes from
// captured packets, i.e. from strangers: if anything in it ever runs as script, it must find a sandboxed
// renderer with no Node, no way to open windows or navigate elsewhere, and no permissions.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** Applies the navigation, window-opening and permission rules to a page. */
export function lockDown(contents: WebContents, isAppUrl: (url: string) => boolean): void {
  // No pop-ups: links that want a new window go nowhere (an "open in browser" action can come later,
  // through shell.openExternal with an allow-list).
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Stay on our page: a link, a form or a dropped file must not replace the app with something else.
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
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
}

export function createMainWindow({ preloadPath, target }: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 640,
    minHeight: 400,
    title: 'sipscope',
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
  lockDown(win.webContents, appUrlMatcher(target));
  win.once('ready-to-show', () => win.show());
  const loading = target.kind === 'file' ? win.loadFile(target.file) : win.loadURL(target.url);
  loading.catch((err: unknown) => {
    console.error(`sipscope: cannot load the window: ${err instanceof Error ? err.message : String(err)}`);
  });
  return win;
}
