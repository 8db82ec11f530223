// The application menu. Kept to what the app does today; items are added as features land.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openTrace(): void;
  about(): void;
}

export function menuTemplate(actions: MenuActions, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const file: MenuItemConstructorOptions[] = [
    { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.openTrace() },
  ];
  // On macOS, Quit lives in the application menu (role appMenu), not in File.
  if (!isMac) file.push({ type: 'separator' }, { role: 'quit' });
  return [
    ...(isMac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    { label: '&File', submenu: file },
    { label: '&Help', role: 'help', submenu: [{ label: 'About sipscope', click: () => actions.about() }] },
  ];
}

export function installMenu(actions: MenuActions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, process.platform)));
}
