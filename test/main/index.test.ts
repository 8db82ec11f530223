/**
 * src/main/index.ts started against a faked Electron (the real binary is not available to tests): the
 * first window and its trace, the menu, File > Open…, Open Recent, a drop, a second `sipscope FILE`,
 * closing a window. One app for the whole file, as in a real run; the tests go in order.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, dialog, ipcMain, Menu, fakeEvent } from './fake-electron.js';
import { fakeApp } from './fake-electron-app.js';
import { InvokeChannels, type IpcResult } from '../../src/shared/api.js';
import { fixtures, repoRoot } from '../helpers/paths.js';

vi.mock('electron', async () => {
  const base = await import('./fake-electron.js');
  const { fakeApp: app } = await import('./fake-electron-app.js');
  return { ...base, app };
});

const { services } = vi.hoisted(() => ({ services: [] as { opened: string[]; dispose: ReturnType<typeof vi.fn> }[] }));
vi.mock('../../src/main/trace-service.js', () => ({
  createEngineTraceService() {
    const opened: string[] = [];
    const service = {
      opened,
      dispose: vi.fn(),
      open: async (path: string) => (opened.push(path), { path, messages: 1, calls: 0 }),
      startCapture: async () => {
        throw new Error('no capture in these tests');
      },
    };
    services.push(service);
    return service;
  },
}));

const appUrl = pathToFileURL(join(repoRoot, 'src/renderer/index.html')).href;
const commandLineTrace = join(fixtures, 'sipp-volte-udp-sll2.pcap');
const picked = join(fixtures, 'hep3-udp.pcap');
const dropped = join(fixtures, 'tls-5061.pcap');
const sampleName = existsSync(join(repoRoot, 'resources/sample-ims.pcap')) ? 'sample-ims.pcap' : 'sample-volte.pcap';
let userData: string;
const savedArgv = process.argv;

function request(win: BrowserWindow, channel: string, ...args: unknown[]): Promise<IpcResult<unknown>> {
  return ipcMain.invoke(channel, { sender: win.webContents, senderFrame: { url: appUrl } }, ...args) as Promise<IpcResult<unknown>>;
}

function currentMenu(): MenuItemConstructorOptions[] {
  const built = Menu.buildFromTemplate.mock.results.at(-1)?.value as { template: MenuItemConstructorOptions[] };
  expect(Menu.setApplicationMenu).toHaveBeenLastCalledWith(built);
  return built.template;
}

function menuItem(path: string[]): MenuItemConstructorOptions {
  let items = currentMenu();
  let found: MenuItemConstructorOptions | undefined;
  for (const label of path) {
    found = items.find((item) => item.label === label);
    if (!found) throw new Error(`no menu item ${path.join(' > ')}`);
    items = Array.isArray(found.submenu) ? found.submenu : [];
  }
  return found!;
}

function click(path: string[]): void {
  (menuItem(path).click as () => void)();
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeAll(async () => {
  userData = mkdtempSync(join(tmpdir(), 'sipscope-userdata-'));
  fakeApp.appPath = repoRoot;
  fakeApp.userData = userData;
  process.argv = ['/usr/bin/electron', '.', commandLineTrace];
  (process as { defaultApp?: boolean }).defaultApp = true;
  delete process.env['ELECTRON_RENDERER_URL'];
  await import('../../src/main/index.js');
  fakeApp.becomeReady();
  await flush();
});

afterAll(() => {
  process.argv = savedArgv;
  delete (process as { defaultApp?: boolean }).defaultApp;
  rmSync(userData, { recursive: true, force: true });
});

describe('the main process', () => {
  it('takes the single-instance lock with the command-line trace, and sandboxes every renderer', () => {
    expect(fakeApp.lockData).toEqual([{ trace: commandLineTrace }]);
    expect(fakeApp.enableSandbox).toHaveBeenCalledOnce();
  });

  it('opens one window for the command-line trace, titled with its file name', async () => {
    expect(BrowserWindow.instances).toHaveLength(1);
    const win = BrowserWindow.instances[0]!;
    expect(win.title).toBe(basename(commandLineTrace));
    expect(win.loaded).toEqual([{ kind: 'file', target: join(repoRoot, 'src/renderer/index.html') }]);
    expect(win.options['webPreferences']).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    await expect(request(win, InvokeChannels.getLaunchTrace)).resolves.toEqual({ ok: true, value: commandLineTrace });
  });

  it('installs the menu, with an empty Open Recent', () => {
    expect(currentMenu().map((item) => item.label)).toEqual(['&File', '&Capture', '&View', '&Help']);
    expect(menuItem(['&File', 'Open Recent', 'No Recent Traces']).enabled).toBe(false);
  });

  it('remembers a trace the window opened, in the JSON file, the menu and the system list', async () => {
    const win = BrowserWindow.instances[0]!;
    await expect(request(win, InvokeChannels.openTrace, commandLineTrace)).resolves.toMatchObject({ ok: true });
    expect(services).toHaveLength(1);
    expect(services[0]!.opened).toEqual([commandLineTrace]);
    expect(JSON.parse(readFileSync(join(userData, 'recent-files.json'), 'utf8')).files).toEqual([commandLineTrace]);
    expect(menuItem(['&File', 'Open Recent', commandLineTrace])).toBeDefined();
    expect(fakeApp.addRecentDocument).toHaveBeenCalledWith(commandLineTrace);
  });

  it('opens File > Open…’s choice in a new window, since the focused one shows a trace', async () => {
    const first = BrowserWindow.instances[0]!;
    BrowserWindow.focused = first;
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [picked] });
    click(['&File', 'Open…']);
    await flush();
    expect(dialog.showOpenDialog.mock.calls[0]?.[0]).toBe(first);
    expect(BrowserWindow.instances).toHaveLength(2);
    const second = BrowserWindow.instances[1]!;
    expect(second.title).toBe(basename(picked));
    await expect(request(second, InvokeChannels.getLaunchTrace)).resolves.toEqual({ ok: true, value: picked });
    // The first window still reloads its own trace.
    await expect(request(first, InvokeChannels.getLaunchTrace)).resolves.toEqual({ ok: true, value: commandLineTrace });
  });

  it('gives each window its own trace service', async () => {
    const second = BrowserWindow.instances[1]!;
    await request(second, InvokeChannels.openTrace, picked);
    expect(services).toHaveLength(2);
    expect(services[1]!.opened).toEqual([picked]);
  });

  it('opens a capture dropped on a window in a new window, without navigating', () => {
    const second = BrowserWindow.instances[1]!;
    const event = fakeEvent({ url: pathToFileURL(dropped).href });
    second.webContents.emit('will-navigate', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(BrowserWindow.instances).toHaveLength(3);
    expect(BrowserWindow.instances[2]!.title).toBe(basename(dropped));
  });

  it('drops a recent trace whose file is gone, with a message', async () => {
    const gone = join(userData, 'gone.pcap');
    // Put it in the list the way the app does: a window opened it.
    await request(BrowserWindow.instances[0]!, InvokeChannels.openTrace, gone);
    expect(menuItem(['&File', 'Open Recent', gone])).toBeDefined();
    click(['&File', 'Open Recent', gone]);
    expect(dialog.showMessageBox).toHaveBeenCalledOnce();
    expect(JSON.stringify(dialog.showMessageBox.mock.calls[0])).toContain('gone.pcap no longer exists');
    expect(() => menuItem(['&File', 'Open Recent', gone])).toThrow(/no menu item/);
    expect(BrowserWindow.instances).toHaveLength(3);
  });

  it('opens the sample from Help in a new window', () => {
    click(['&Help', 'Open Sample Trace']);
    expect(BrowserWindow.instances).toHaveLength(4);
    expect(BrowserWindow.instances[3]!.title).toBe(sampleName);
  });

  it('opens the trace of a second `sipscope FILE` in a new window of this app, or brings its window forward', () => {
    const another = join(fixtures, 'hep2-udp.pcap');
    fakeApp.emit('second-instance', {}, ['/usr/bin/electron', '.', 'ignored.pcap'], '/somewhere', { trace: another });
    expect(BrowserWindow.instances).toHaveLength(5);
    expect(BrowserWindow.instances[4]!.title).toBe(basename(another));
    const showingPicked = BrowserWindow.instances[1]!;
    showingPicked.focus.mockClear();
    fakeApp.emit('second-instance', {}, [], '/somewhere', { trace: picked });
    expect(BrowserWindow.instances).toHaveLength(5);
    expect(showingPicked.focus).toHaveBeenCalledOnce();
  });

  it('reads the command line of a second instance that handed over no trace', () => {
    const another = join(fixtures, 'hep3-ipv6-udp.pcap');
    fakeApp.emit('second-instance', {}, ['/usr/bin/electron', '.', 'hep3-ipv6-udp.pcap'], fixtures, {});
    expect(BrowserWindow.instances).toHaveLength(6);
    expect(BrowserWindow.instances[5]!.title).toBe(basename(another));
  });

  it('clears Open Recent', () => {
    click(['&File', 'Open Recent', 'Clear Recent']);
    expect(menuItem(['&File', 'Open Recent', 'No Recent Traces'])).toBeDefined();
    expect(fakeApp.clearRecentDocuments).toHaveBeenCalledOnce();
    expect(JSON.parse(readFileSync(join(userData, 'recent-files.json'), 'utf8')).files).toEqual([]);
  });

  it("frees a window's trace when the window goes", () => {
    // One trace service per window, made with it (its worker starts while the page loads).
    expect(services).toHaveLength(BrowserWindow.instances.length);
    const second = BrowserWindow.instances[1]!;
    second.emit('closed');
    second.webContents.emit('destroyed');
    expect(services[1]!.dispose).toHaveBeenCalledOnce();
    expect(services[0]!.dispose).not.toHaveBeenCalled();
  });
});
