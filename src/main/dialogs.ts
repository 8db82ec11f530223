// Native dialogs, shared by the IPC handlers and the application menu.
import { dialog, type BrowserWindow, type MessageBoxOptions, type OpenDialogOptions, type SaveDialogOptions } from 'electron';

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

async function openDialog(owner: BrowserWindow | null, options: OpenDialogOptions): Promise<string | null> {
  const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  if (result.canceled || result.filePaths.length === 0) return null;
  return result.filePaths[0] ?? null;
}

/** Asks for the folder live-capture files go to. */
export function chooseCaptureFolderPath(owner: BrowserWindow | null, defaultPath: string): Promise<string | null> {
  return openDialog(owner, { title: 'Folder for capture files', defaultPath, properties: ['openDirectory', 'createDirectory'] });
}

/** Where to save a trace with its notes (pcapng), proposing `<name>-annotated.pcapng` beside it. */
export async function chooseAnnotatedSavePath(owner: BrowserWindow | null, trace: string): Promise<string | null> {
  const base = trace.replace(/(\.gz)?$/i, '').replace(/\.(pcapng|pcap|cap|ntar|dmp)$/i, '');
  const options: SaveDialogOptions = {
    title: 'Save the trace with its notes',
    defaultPath: `${base}-annotated.pcapng`,
    filters: [{ name: 'pcapng (notes as packet comments)', extensions: ['pcapng'] }],
  };
  const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}

/** Where to export calls in `format` (the extension is the format's), proposing a name beside the trace. */
export async function chooseExportPath(owner: BrowserWindow | null, trace: string, format: string, name: string): Promise<string | null> {
  const base = trace.replace(/(\.gz)?$/i, '').replace(/\.(pcapng|pcap|cap|ntar|dmp)$/i, '');
  const options: SaveDialogOptions = {
    title: `Export as ${format.toUpperCase()}`,
    defaultPath: `${base}-${name}.${format}`,
    filters: [{ name: format.toUpperCase(), extensions: [format] }],
  };
  const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}

/**
 * Where to save a capture: a file name for one file; a folder for several (a ring buffer, several
 * interfaces), which keep their names.
 */
export async function chooseCaptureSavePath(owner: BrowserWindow | null, files: readonly string[]): Promise<string | null> {
  if (files.length !== 1) return openDialog(owner, { title: `Save the ${files.length} capture files into`, properties: ['openDirectory', 'createDirectory'] });
  const options: SaveDialogOptions = {
    title: 'Save capture as',
    defaultPath: files[0],
    filters: [
      { name: 'pcapng', extensions: ['pcapng'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}
