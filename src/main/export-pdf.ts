// PDF export (issue 8, "pdf from the app"): the calls' HTML export printed by Chromium. The HTML is written to a
// temporary folder, loaded in a hidden window with JavaScript off (the export has none; SIP content is hostile and
// stays inert), printed A4 landscape as the HTML's print CSS lays it out, and the PDF written whole or not at all.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserWindow } from 'electron';
import { writeFiles } from '../node/export/write-files.js';

/** Writes the PDF at `dest` (replacing it: the save dialog asked); `writeHtml` exports the HTML to the path it is given. */
export async function exportPdf(dest: string, writeHtml: (htmlPath: string) => Promise<unknown>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'sipscope-pdf-'));
  const win = new BrowserWindow({
    show: false,
    webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true },
  });
  try {
    const html = join(folder, 'export.html');
    await writeHtml(html);
    await win.loadFile(html);
    const pdf = await win.webContents.printToPDF({ landscape: true, pageSize: 'A4', printBackground: true });
    const [written] = await writeFiles([{ path: dest, data: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength) }], { force: true });
    return written;
  } finally {
    win.destroy();
    await rm(folder, { recursive: true, force: true });
  }
}
