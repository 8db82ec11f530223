import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { Menu, resetFakeElectron } from './fake-electron.js';
import { installMenu, menuLabel, menuTemplate, type MenuActions, type MenuState } from '../../src/main/menu.js';

vi.mock('electron', () => import('./fake-electron.js'));

beforeEach(resetFakeElectron);

function actions() {
  return { openTrace: vi.fn(), openRecent: vi.fn(), clearRecent: vi.fn(), openSample: vi.fn(), saveAnnotated: vi.fn(), captureCommand: vi.fn(), about: vi.fn() } satisfies MenuActions;
}

const linux: MenuState = { platform: 'linux', packaged: false, recent: [] };

function submenu(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const menu = template.find((item) => item.label === label);
  if (!menu || !Array.isArray(menu.submenu)) throw new Error(`no ${label} menu`);
  return menu.submenu;
}

function item(menu: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = menu.find((entry) => entry.label === label);
  if (!found) throw new Error(`no item ${label} in ${JSON.stringify(menu.map((entry) => entry.label ?? entry.role ?? entry.type))}`);
  return found;
}

function click(entry: MenuItemConstructorOptions): void {
  (entry.click as (() => void) | undefined)?.();
}

describe('menuTemplate', () => {
  it('has File > Open… (Ctrl/Cmd+O), Close Window and Quit, and Help > Open Sample Trace and About on Linux and Windows', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const act = actions();
      const template = menuTemplate(act, { ...linux, platform });
      expect(template.map((entry) => entry.label)).toEqual(['&File', '&Capture', '&View', '&Help']);
      const file = submenu(template, '&File');
      const openItem = item(file, 'Open…');
      expect(openItem.accelerator).toBe('CmdOrCtrl+O');
      click(openItem);
      expect(act.openTrace).toHaveBeenCalledOnce();
      const save = item(file, 'Save Annotated…');
      expect(save.accelerator).toBe('CmdOrCtrl+S');
      click(save);
      expect(act.saveAnnotated).toHaveBeenCalledOnce();
      expect(item(file, 'Close Window').role).toBe('close');
      expect(file.at(-1)?.role).toBe('quit');
      const help = submenu(template, '&Help');
      click(item(help, 'Open Sample Trace'));
      expect(act.openSample).toHaveBeenCalledOnce();
      click(item(help, 'About sipscope'));
      expect(act.about).toHaveBeenCalledOnce();
    }
  });

  it('has Capture > Start… (Ctrl/Cmd+K) and Stop (Ctrl/Cmd+E), each sending its command', () => {
    const act = actions();
    const capture = submenu(menuTemplate(act, linux), '&Capture');
    const start = item(capture, 'Start…');
    const stop = item(capture, 'Stop');
    expect([start.accelerator, stop.accelerator]).toEqual(['CmdOrCtrl+K', 'CmdOrCtrl+E']);
    click(start);
    click(stop);
    expect(act.captureCommand.mock.calls).toEqual([['start'], ['stop']]);
  });

  it('puts Quit in the application menu on macOS', () => {
    const template = menuTemplate(actions(), { ...linux, platform: 'darwin' });
    expect(template[0]).toEqual({ role: 'appMenu' });
    expect(submenu(template, '&File').some((entry) => entry.role === 'quit')).toBe(false);
  });

  it('lists the recent traces newest first, each opening its own path, with Clear Recent', () => {
    const act = actions();
    const recent = ['/captures/b.pcapng', '/captures/a.pcap'];
    const openRecent = submenu(submenu(menuTemplate(act, { ...linux, recent }), '&File'), 'Open Recent');
    expect(openRecent.map((entry) => entry.label ?? entry.type)).toEqual([...recent, 'separator', 'Clear Recent']);
    click(openRecent[1]!);
    expect(act.openRecent).toHaveBeenCalledExactlyOnceWith('/captures/a.pcap');
    const clear = item(openRecent, 'Clear Recent');
    expect(clear.enabled).toBe(true);
    click(clear);
    expect(act.clearRecent).toHaveBeenCalledOnce();
  });

  it('shows an empty Open Recent as a disabled line and a disabled Clear Recent', () => {
    const openRecent = submenu(submenu(menuTemplate(actions(), linux), '&File'), 'Open Recent');
    expect(item(openRecent, 'No Recent Traces').enabled).toBe(false);
    expect(item(openRecent, 'Clear Recent').enabled).toBe(false);
  });

  it('shows an & in a recent path as itself, not as a mnemonic (except on macOS, which has none)', () => {
    const recent = ['/captures/R&D/call.pcap'];
    const label = (platform: NodeJS.Platform) => submenu(submenu(menuTemplate(actions(), { ...linux, platform, recent }), '&File'), 'Open Recent')[0]?.label;
    expect(label('linux')).toBe('/captures/R&&D/call.pcap');
    expect(label('darwin')).toBe('/captures/R&D/call.pcap');
    expect(menuLabel('a&&b', 'win32')).toBe('a&&&&b');
  });

  it('offers Reload and zoom in View, and the developer tools only in an unpackaged run', () => {
    const roles = (packaged: boolean) => submenu(menuTemplate(actions(), { ...linux, packaged }), '&View').map((entry) => entry.role ?? entry.type);
    expect(roles(false)).toEqual(['reload', 'toggleDevTools', 'separator', 'resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen']);
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(true)).toContain('reload');
  });
});

describe('installMenu', () => {
  it('installs the built template as the application menu', () => {
    installMenu(actions(), { ...linux, recent: ['/captures/a.pcap'] });
    expect(Menu.setApplicationMenu).toHaveBeenCalledOnce();
    const built = Menu.buildFromTemplate.mock.results[0]?.value as { template: MenuItemConstructorOptions[] };
    expect(Menu.setApplicationMenu).toHaveBeenCalledWith(built);
    expect(submenu(submenu(built.template, '&File'), 'Open Recent')[0]?.label).toBe('/captures/a.pcap');
  });
});
