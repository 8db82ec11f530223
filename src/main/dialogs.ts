// Native dialogs, shared by the IPC handlers and the application menu.
import { dialog, type BrowserWindow, type MessageBoxOptions, type OpenDialogOptions } from 'electron';

const openTraceOptions: OpenDialogOptions = {
  title: 'Open trace',
  properties: ['openFile'],
  filters: [
    // The same names a dropped file is accepted by (./window.ts `looksLikeCapture`); gz covers .pcap.gz and .pcapng.gz.
    { name: 'Packet captures', extensions: ['pcap', 'pcapng', 'cap', 'dmp', 'ntar', 'gz'] },
    { name: 'All files', extensions: ['*'] },
  ],
};

/** Asks the user for a trace file; resolves to its absolute path, or null when cancelled. */
export async function chooseTracePath(owner: BrowserWindow | null): Promise<string | null> {
  const result = owner
    ? await dialog.showOpenDialog(owner, openTraceOptions)
    : await dialog.showOpenDialog(openTraceOptions);
  if (result.canceled || result.filePaths.length === 0) return null;
  return result.filePaths[0] ?? null;
}

/** A warning box (a recent file that is gone, a missing sample), attached to `owner` when there is one. */
export async function showWarning(owner: BrowserWindow | null, message: string, detail: string): Promise<void> {
  const options: MessageBoxOptions = { type: 'warning', title: 'sipscope', message, detail, buttons: ['OK'] };
  if (owner) await dialog.showMessageBox(owner, options);
  else await dialog.showMessageBox(options);
}
