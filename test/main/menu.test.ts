import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { Menu } from './fake-electron.js';
import { installMenu, menuTemplate } from '../../src/main/menu.js';

vi.mock('electron', () => import('./fake-electron.js'));

function submenu(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const menu = template.find((item) => item.label === label);
  if (!menu || !Array.isArray(menu.submenu)) throw new Error(`no ${label} menu`);
  return menu.submenu;
}

function click(item: MenuItemConstructorOptions | undefined): void {
  (item?.click as (() => void) | undefined)?.();
}

describe('menuTemplate', () => {
  it('has File > Open… (Ctrl/Cmd+O), File > Quit and Help > About on Linux and Windows', () => {
    const actions = { openTrace: vi.fn(), about: vi.fn() };
    const template = menuTemplate(actions, 'linux');
    const file = submenu(template, '&File');
    const openItem = file.find((item) => item.label === 'Open…');
    expect(openItem?.accelerator).toBe('CmdOrCtrl+O');
    click(openItem);
    expect(actions.openTrace).toHaveBeenCalledOnce();
    expect(file.some((item) => item.role === 'quit')).toBe(true);
    click(submenu(template, '&Help').find((item) => item.label === 'About sipscope'));
    expect(actions.about).toHaveBeenCalledOnce();
  });

  it('puts Quit in the application menu on macOS', () => {
    const template = menuTemplate({ openTrace: vi.fn(), about: vi.fn() }, 'darwin');
    expect(template[0]).toEqual({ role: 'appMenu' });
    expect(submenu(template, '&File').some((item) => item.role === 'quit')).toBe(false);
  });

  it('installs the menu as the application menu', () => {
    installMenu({ openTrace: vi.fn(), about: vi.fn() });
    expect(Menu.setApplicationMenu).toHaveBeenCalledOnce();
  });
});
