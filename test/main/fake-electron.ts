// A stand-in for the `electron` module in main-process tests (the Electron binary is not available to
// tests). Tests load it with `vi.mock('electron', () => import('./fake-electron.js'))` and import the same
// module to inspect what the code under test did. Only what src/main uses is here.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
type PermissionCheckHandler = (...args: unknown[]) => boolean;
type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

export class FakeSession {
  requestHandler: PermissionRequestHandler | null = null;
  checkHandler: PermissionCheckHandler | null = null;
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.checkHandler = handler;
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly session = new FakeSession();
  windowOpenHandler: WindowOpenHandler | null = null;
  readonly sent: unknown[][] = [];
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  /** Chromium's printing: here the options are recorded and a small fake PDF returned. */
  readonly printToPDF = vi.fn(async (_options: Record<string, unknown>) => Buffer.from('%PDF-1.7 fake\n'));
}

/** An Electron-style event: `preventDefault()` recorded, plus the event's details (`url`, ...). */
export function fakeEvent<T extends object>(details: T): T & { preventDefault: ReturnType<typeof vi.fn> } {
  return { ...details, preventDefault: vi.fn() };
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  static focused: BrowserWindow | null = null;
  static fromWebContents(contents: unknown): BrowserWindow | null {
    return BrowserWindow.instances.find((w) => w.webContents === contents) ?? null;
  }
  static getAllWindows(): BrowserWindow[] {
    return [...BrowserWindow.instances];
  }
  static getFocusedWindow(): BrowserWindow | null {
    return BrowserWindow.focused;
  }

  readonly webContents = new FakeWebContents();
  readonly loaded: { kind: 'file' | 'url'; target: string }[] = [];
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  readonly destroy = vi.fn();
  isMinimized(): boolean {
    return false;
  }
  title = '';
  setTitle(title: string): void {
    this.title = title;
  }
  getTitle(): string {
    return this.title;
  }

  constructor(readonly options: Record<string, unknown>) {
    super();
    if (typeof options['title'] === 'string') this.title = options['title'];
    BrowserWindow.instances.push(this);
  }
  loadFile(file: string): Promise<void> {
    this.loaded.push({ kind: 'file', target: file });
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push({ kind: 'url', target: url });
    return Promise.resolve();
  }
}

export const dialog = {
  showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePath: '' })),
  showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 0, checkboxChecked: false })),
};

export const app = {
  getName: () => 'sipscope',
  getVersion: () => '0.1.0-test',
};

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown) => ({ template })),
  setApplicationMenu: vi.fn(),
};

/** Records `ipcMain.handle` registrations so a test can call a handler the way Electron would. */
// `never` parameters: the fake accepts handlers written for any event type (Electron's IpcMainInvokeEvent).
type InvokeHandler = (event: never, ...args: never[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`); // as Electron does
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Calls the handler of `channel` as if `event`'s page had called ipcRenderer.invoke(channel, ...args). */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event as never, ...(args as never[]));
  }
}

export const ipcMain = new FakeIpcMain();

/** Forgets every window and recorded call; call from beforeEach. */
export function resetFakeElectron(): void {
  BrowserWindow.instances = [];
  BrowserWindow.focused = null;
  dialog.showOpenDialog.mockReset();
  dialog.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
  dialog.showSaveDialog.mockReset();
  dialog.showSaveDialog.mockResolvedValue({ canceled: true, filePath: '' });
  dialog.showMessageBox.mockClear();
  Menu.buildFromTemplate.mockClear();
  Menu.setApplicationMenu.mockClear();
}
