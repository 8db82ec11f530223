// Native dialogs, shared by the IPC handlers and the application menu.
import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';

const openTraceOptions: OpenDialogOptions = {
  title: 'Open trace',
  properties: ['openFile'],
  filters: [
    { name: 'Packet captures', extensions: ['pcap', 'pcapng', 'cap', 'dmp'] },
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
