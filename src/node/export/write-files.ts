/**
 * Writes the document exports (HTML, SVG, PNG pages, Markdown, JSON, CSV) with the same guarantees as
 * writeCapture gives captures (issue 8, "Safety"): an existing file is never replaced without `force`, and a
 * failed export leaves no file behind, not even a partial one.
 *
 * Each file is written to a temporary file in its destination's folder (same file system, so the final step is
 * a rename, atomic), flushed to disk, and only then takes its name: with link() when replacing is not allowed
 * (fails if the name appeared meanwhile, where rename would silently replace it), rename() with `force`. Several
 * files (the pages of a PNG ladder) are all written before any is named, and if naming one fails, those
 * already named by this call are removed again: the export appears whole or not at all.
 */
import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { cannotWrite, existsError, ExportError, kind, place } from './output-file.js';

export interface OutputFile {
  path: string;
  data: Uint8Array | string;
}




/** Writes `data` to a new temporary file beside `dest`, flushed; returns its path. */
async function writeTemp(dest: string, data: Uint8Array | string): Promise<string> {
  const temp = join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fh;
  try {
    fh = await open(temp, 'wx', 0o644);
  } catch (error) {
    throw cannotWrite(dest, error);
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    return temp;
  } catch (error) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw cannotWrite(dest, error);
  }
}


/**
 * Writes every file, or none (see the header). Refuses, before writing anything, a destination that is a
 * folder, or that exists without `force`. Returns the absolute paths written.
 */
export async function writeFiles(files: readonly OutputFile[], options: { force?: boolean } = {}): Promise<string[]> {
  const force = options.force === true;
  const dests = files.map((f) => resolve(f.path));
  if (new Set(dests).size !== dests.length) throw new ExportError('bad-argument', 'Cannot write the export: two of its files have the same name.');
  for (const dest of dests) {
    const found = await kind(dest);
    if (found === 'folder') throw new ExportError('cannot-write', `Cannot write "${dest}": it is a folder.`);
    if (found === 'file' && !force) throw existsError(dest);
  }
  const temps: string[] = [];
  try {
    for (let i = 0; i < files.length; i++) temps.push(await writeTemp(dests[i], files[i].data));
  } catch (error) {
    for (const temp of temps) await unlink(temp).catch(() => undefined);
    throw error;
  }
  const placed: string[] = [];
  for (let i = 0; i < files.length; i++) {
    try {
      await place(temps[i], dests[i], force);
      placed.push(dests[i]);
    } catch (error) {
      // place() removed its own temporary file; the later ones and the files already named go too.
      for (const temp of temps.slice(i + 1)) await unlink(temp).catch(() => undefined);
      for (const dest of placed) await unlink(dest).catch(() => undefined);
      throw error;
    }
  }
  return dests;
}
