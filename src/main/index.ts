// Electron main process: app lifecycle, one window, the IPC bridge and the menu.
// Built by electron-vite to out/main/index.js (ES module; package.json "main").
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain } from 'electron';
import { launchTraceFromArgv } from './argv.js';
import { chooseTracePath } from './dialogs.js';
import { registerIpcHandlers, sendEvent } from './ipc.js';
import { installMenu } from './menu.js';
import { createEngineTraceService, type TraceService } from './trace-service.js';
import { appPaths, appUrlMatcher, createMainWindow, rendererTarget } from './window.js';

export interface StartOptions {
  /** Opens traces for the window. Pass the engine-backed service here. */
  traceService: TraceService;
}

function commandLineTrace(): string | null {
  try {
    return launchTraceFromArgv(process.argv, process.defaultApp === true, process.cwd());
  } catch (err) {
    console.error(`sipscope: ignoring the trace on the command line: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** The sample trace shipped in resources/ (beside the app in development, in the resources folder when packaged). */
function bundledSampleTrace(): string | null {
  const candidates = [join(app.getAppPath(), 'resources', 'sample-volte.pcap'), join(process.resourcesPath ?? '', 'sample-volte.pcap')];
  return candidates.find((path) => existsSync(path)) ?? null;
}

export function startSipscope({ traceService }: StartOptions): void {
  // Sandbox every renderer, whatever a later BrowserWindow's options say. Must run before `ready`.
  app.enableSandbox();

  const paths = appPaths(dirname(fileURLToPath(import.meta.url)));
  const target = rendererTarget(paths.rendererHtml, app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL);
  const isAppUrl = appUrlMatcher(target);
  // What a new window opens first: the command-line trace, or a file picked from the menu with no window
  // open; with neither, the bundled sample trace (resources/sample-volte.pcap: 3 VoLTE calls over SIPp).
  let startupTrace = commandLineTrace() ?? bundledSampleTrace();
  let mainWindow: BrowserWindow | null = null;

  function openWindow(): BrowserWindow {
    const win = createMainWindow({ preloadPath: paths.preload, target });
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
    });
    mainWindow = win;
    return win;
  }

  async function openTraceFromMenu(): Promise<void> {
    const owner = BrowserWindow.getFocusedWindow() ?? mainWindow;
    const path = await chooseTracePath(owner);
    if (path === null) return;
    if (owner) {
      sendEvent(owner.webContents, 'openTraceRequest', { path });
    } else {
      // macOS keeps running with no window: open one, which asks for its startup trace.
      startupTrace = path;
      openWindow();
    }
  }

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      app.setAboutPanelOptions({ applicationName: 'sipscope', applicationVersion: app.getVersion() });
      registerIpcHandlers(ipcMain, { isAppUrl, traceService, launchTrace: () => startupTrace });
      installMenu({
        openTrace: () => {
          openTraceFromMenu().catch((err: unknown) => console.error('sipscope: File > Open failed:', err));
        },
        about: () => app.showAboutPanel(),
      });
      openWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openWindow();
      });
    })
    .catch((err: unknown) => {
      console.error('sipscope: failed to start:', err);
      app.exit(1);
    });
}

startSipscope({ traceService: createEngineTraceService() });
