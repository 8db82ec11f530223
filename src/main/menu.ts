// The application menu. `menuTemplate` is pure (a template from the actions and the app's state) so it is
// tested without Electron; `installMenu` is called again whenever the state it shows changes (Open Recent).
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** File > Open…: pick a trace (opens in a new window when the focused one already shows a trace). */
  openTrace(): void;
  /** File > Open Recent > a path. */
  openRecent(path: string): void;
  /** File > Open Recent > Clear Recent. */
  clearRecent(): void;
  /** Help > Open Sample Trace. */
  openSample(): void;
  /** File > Save Annotated…: the focused window saves its trace with its notes. */
  saveAnnotated(): void;
  /** Capture > Start… (the focused window shows its Capture dialog) and Capture > Stop. */
  captureCommand(command: 'start' | 'stop'): void;
  about(): void;
}

export interface MenuState {
  platform: NodeJS.Platform;
  /** `app.isPackaged`: the developer tools are offered only in an unpackaged (development) run. */
  packaged: boolean;
  /** Recent traces, newest first (./recent-files.ts). */
  recent: readonly string[];
}

/**
 * A path as a menu label. On Windows and Linux `&` marks the next letter as the item's keyboard mnemonic,
 * so a literal `&` (legal in file names) is doubled to show as itself.
 */
export function menuLabel(text: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? text : text.replaceAll('&', '&&');
}

function recentSubmenu(actions: MenuActions, { platform, recent }: MenuState): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = recent.map((path) => ({ label: menuLabel(path, platform), click: () => actions.openRecent(path) }));
  if (items.length === 0) items.push({ label: 'No Recent Traces', enabled: false });
  items.push({ type: 'separator' }, { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() });
  return items;
}

export function menuTemplate(actions: MenuActions, state: MenuState): MenuItemConstructorOptions[] {
  const isMac = state.platform === 'darwin';
  const file: MenuItemConstructorOptions[] = [
    { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.openTrace() },
    { label: 'Open Recent', submenu: recentSubmenu(actions, state) },
    { type: 'separator' },
    { label: 'Save Annotated…', accelerator: 'CmdOrCtrl+S', click: () => actions.saveAnnotated() },
    { type: 'separator' },
    { label: 'Close Window', role: 'close', accelerator: 'CmdOrCtrl+W' },
  ];
  // On macOS, Quit lives in the application menu (role appMenu), not in File.
  if (!isMac) file.push({ type: 'separator' }, { role: 'quit' });

  const view: MenuItemConstructorOptions[] = [{ role: 'reload' }];
  // The developer tools would let anyone at the keyboard run script with the page's bridge; a shipped app has no use for them.
  if (!state.packaged) view.push({ role: 'toggleDevTools' });
  view.push({ type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' });

  return [
    ...(isMac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    { label: '&File', submenu: file },
    {
      label: '&Capture',
      submenu: [
        // Wireshark's keys: Ctrl+K capture options, Ctrl+E stop.
        { label: 'Start…', accelerator: 'CmdOrCtrl+K', click: () => actions.captureCommand('start') },
        { label: 'Stop', accelerator: 'CmdOrCtrl+E', click: () => actions.captureCommand('stop') },
      ],
    },
    { label: '&View', submenu: view },
    {
      label: '&Help',
      role: 'help',
      submenu: [
        { label: 'Open Sample Trace', click: () => actions.openSample() },
        { type: 'separator' },
        { label: 'About sipscope', click: () => actions.about() },
      ],
    },
  ];
}

export function installMenu(actions: MenuActions, state: MenuState): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, state)));
}
