// Electron main process: app lifecycle, a window per trace (./trace-windows.ts), the IPC bridge and the menu.
// Built by electron-vite to out/main/index.js (ES module; package.json "main").
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, type WebContents } from 'electron';
import { launchDirectory, launchTraceFromArgv, traceFromInstanceData, type InstanceData } from './argv.js';
import { chooseTracePath, showWarning } from './dialogs.js';
import { registerIpcHandlers, sendEvent } from './ipc.js';
import { installMenu, type MenuActions } from './menu.js';
import { openRecentFiles, RECENT_FILES_NAME } from './recent-files.js';
import { defaultCaptureFolder } from '../node/capture/capture-sources.js';
import { createEngineTraceService, type TraceService } from './trace-service.js';
import { createTraceWindows } from './trace-windows.js';
import { appPaths, appUrlMatcher, createMainWindow, rendererTarget } from './window.js';

export interface StartOptions {
  /** Makes the trace service of a new window. Pass the engine-backed one here. */
  createTraceService(): TraceService;
}

function commandLineTrace(argv: readonly string[], cwd: string): string | null {
  try {
    return launchTraceFromArgv(argv, process.defaultApp === true, cwd);
  } catch (err) {
    console.error(`sipscope: ignoring the trace on the command line: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/**
 * The sample trace shipped in resources/ (beside the app in development, in the resources folder when
 * packaged): the IMS sample (registration, VoLTE call with preconditions, cancelled and rejected calls,
 * SMS over IP) when present, else the smaller VoLTE one.
 */
/** resources/icon.png beside the app (the window icon on Linux and Windows), if it is there. */
function windowIcon(): string | undefined {
  const path = join(app.getAppPath(), 'resources', 'icon.png');
  return existsSync(path) ? path : undefined;
}

function bundledSampleTrace(): string | null {
  // process.resourcesPath: the packaged app's resources folder (electron-builder `extraResources`).
  const folders = [join(app.getAppPath(), 'resources'), ...(process.resourcesPath ? [process.resourcesPath] : [])];
  for (const name of ['sample-ims.pcap', 'sample-volte.pcap']) {
    const found = folders.map((folder) => join(folder, name)).find((path) => existsSync(path));
    if (found) return found;
  }
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function logFailure(what: string): (err: unknown) => void {
  return (err) => console.error(`sipscope: ${what} failed:`, err);
}

export function startSipscope({ createTraceService }: StartOptions): void {
  const firstTrace = commandLineTrace(process.argv, launchDirectory(process.env, process.cwd(), app.isPackaged));

  // One app process for every window: `sipscope FILE` while the app runs opens FILE in a new window of the
  // running app (its 'second-instance' below) and this process ends.
  const instanceData: InstanceData = { trace: firstTrace };
  if (!app.requestSingleInstanceLock(instanceData)) {
    app.quit();
    return;
  }

  // Sandbox every renderer, whatever a later BrowserWindow's options say. Must run before `ready`.
  app.enableSandbox();

  const paths = appPaths(dirname(fileURLToPath(import.meta.url)));
  const target = rendererTarget(paths.rendererHtml, app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL);
  const isAppUrl = appUrlMatcher(target);
  const sampleTrace = bundledSampleTrace();
  const recent = openRecentFiles({ file: join(app.getPath('userData'), RECENT_FILES_NAME) });

  const windows = createTraceWindows({
    createWindow: ({ title, onTraceDropped }) => {
      const win = createMainWindow({ preloadPath: paths.preload, target, title, onTraceDropped, icon: windowIcon() });
      // The window's trace worker starts while the page loads (~200 ms), not when the page asks for its trace.
      traceServiceFor(win.webContents);
      return win;
    },
    rememberTrace(path) {
      recent.add(path);
      // The system's own list too (macOS Dock menu, Windows jump list).
      app.addRecentDocument(path);
    },
    forgetTrace: (path) => recent.remove(path),
    fileExists: isFile,
    warn: (owner, message, detail) => void showWarning(owner, message, detail).catch(logFailure('a message box')),
    sampleTrace,
  });

  // One trace service per window (by WebContents id), made with the window, freed when it closes.
  const services = new Map<number, TraceService>();
  function traceServiceFor(contents: WebContents): TraceService {
    let service = services.get(contents.id);
    if (!service) {
      const created = windows.watch(contents, createTraceService());
      service = created;
      services.set(contents.id, created);
      contents.once('destroyed', () => {
        services.delete(contents.id);
        created.dispose();
      });
    }
    return service;
  }

  function focusedWindow(): BrowserWindow | null {
    return BrowserWindow.getFocusedWindow() ?? windows.windows().at(-1) ?? null;
  }

  async function openTraceFromMenu(): Promise<void> {
    const owner = focusedWindow();
    const path = await chooseTracePath(owner);
    if (path !== null) windows.open(path, owner);
  }

  const menuActions: MenuActions = {
    openTrace: () => void openTraceFromMenu().catch(logFailure('File > Open…')),
    openRecent: (path) => windows.openRecent(path, focusedWindow()),
    clearRecent: () => {
      recent.clear();
      app.clearRecentDocuments();
    },
    openSample: () => windows.openSample(focusedWindow()),
    saveAnnotated: () => {
      const target = focusedWindow();
      if (target && !target.webContents.isDestroyed()) sendEvent(target.webContents, 'saveAnnotatedRequest', {});
    },
    captureCommand: (command) => {
      const target = focusedWindow();
      if (target && !target.webContents.isDestroyed()) sendEvent(target.webContents, 'captureCommand', { command });
    },
    about: () => app.showAboutPanel(),
  };
  const refreshMenu = (): void => installMenu(menuActions, { platform: process.platform, packaged: app.isPackaged, recent: recent.list() });
  recent.onChange(refreshMenu);

  // macOS: a capture opened from Finder or dropped on the Dock icon. It can arrive before `ready`.
  const pendingFiles: string[] = [];
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (app.isReady()) windows.open(path, null);
    else pendingFiles.push(path);
  });

  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    // Prefer the path the other instance resolved itself; fall back to reading its command line.
    const trace = traceFromInstanceData(additionalData) ?? commandLineTrace(argv, workingDirectory);
    if (trace !== null) {
      windows.open(trace, null);
      return;
    }
    const last = windows.windows().at(-1);
    if (last) {
      if (last.isMinimized()) last.restore();
      last.focus();
    } else {
      windows.openWindow(sampleTrace);
    }
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      app.setAboutPanelOptions({ applicationName: 'sipscope', applicationVersion: app.getVersion() });
      registerIpcHandlers(ipcMain, { isAppUrl, traceServiceFor, launchTrace: (contents) => windows.launchTraceFor(contents), captureFolder: defaultCaptureFolder() });
      refreshMenu();
      // The first window: the command-line trace, else a file handed over by macOS, else the sample.
      const initial = firstTrace !== null ? [firstTrace, ...pendingFiles] : pendingFiles.length > 0 ? pendingFiles : [sampleTrace];
      pendingFiles.length = 0;
      for (const trace of initial) windows.openWindow(trace);
      app.on('activate', () => {
        // macOS: the Dock icon clicked with every window closed.
        if (BrowserWindow.getAllWindows().length === 0) windows.openWindow(sampleTrace);
      });
    })
    .catch((err: unknown) => {
      console.error('sipscope: failed to start:', err);
      app.exit(1);
    });
}

startSipscope({ createTraceService: createEngineTraceService });
