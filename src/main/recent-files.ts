// File > Open Recent: the last traces opened, newest first, kept as JSON in the app's user-data folder
// (`app.getPath('userData')/recent-files.json`) so they survive a restart. The list operations are pure;
// the store around them does the file I/O and never throws: a broken or unwritable list costs the user
// their history, not the app.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { validateAbsolutePath } from './validate.js';

/** How many traces Open Recent lists. */
export const RECENT_FILES_LIMIT = 10;

/** Name of the JSON file in the user-data folder. */
export const RECENT_FILES_NAME = 'recent-files.json';

/** What the JSON file holds. `version` lets a later format be told apart from this one. */
interface RecentFilesDocument {
  version: 1;
  files: string[];
}

/** `path` first, any older mention of it dropped, at most `limit` entries. */
export function withRecent(list: readonly string[], path: string, limit = RECENT_FILES_LIMIT): string[] {
  return [path, ...list.filter((entry) => entry !== path)].slice(0, limit);
}

/**
 * The list stored in `text`, or an empty list when it is not one. Entries that are not absolute paths
 * (a hand-edited file, a file written by something else) are skipped, as are repeats; at most `limit` are kept.
 */
export function parseRecentFiles(text: string, limit = RECENT_FILES_LIMIT): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { files?: unknown }).files)) return [];
  const files: string[] = [];
  for (const entry of (value as { files: unknown[] }).files) {
    let path: string;
    try {
      path = validateAbsolutePath(entry, 'recent file');
    } catch {
      continue;
    }
    if (!files.includes(path)) files.push(path);
    if (files.length === limit) break;
  }
  return files;
}

export function serializeRecentFiles(files: readonly string[]): string {
  const document: RecentFilesDocument = { version: 1, files: [...files] };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface RecentFiles {
  /** The traces, newest first. */
  list(): readonly string[];
  /** Puts `path` at the top (moving it if already listed) and saves. */
  add(path: string): void;
  /** Drops `path` (a file that no longer exists) and saves. */
  remove(path: string): void;
  /** Empties the list and saves. */
  clear(): void;
  /** Called after every change, with the new list (the menu is rebuilt from it). Returns an unsubscribe function. */
  onChange(listener: (files: readonly string[]) => void): () => void;
}

export interface RecentFilesOptions {
  /** The JSON file, e.g. `join(app.getPath('userData'), RECENT_FILES_NAME)`. */
  file: string;
  limit?: number;
  /** Where read and write failures are reported (default: console.error). */
  log?: (message: string) => void;
}

/** Loads the list from `file` (missing or unreadable: empty) and saves it there on every change. */
export function openRecentFiles({ file, limit = RECENT_FILES_LIMIT, log = console.error }: RecentFilesOptions): RecentFiles {
  let files: string[] = [];
  try {
    files = parseRecentFiles(readFileSync(file, 'utf8'), limit);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`sipscope: cannot read the recent files list ${file}: ${(err as Error).message}`);
  }
  const listeners = new Set<(files: readonly string[]) => void>();

  function update(next: string[]): void {
    if (next.length === files.length && next.every((path, i) => path === files[i])) return;
    files = next;
    try {
      mkdirSync(dirname(file), { recursive: true });
      // Written beside and renamed over, so a crash mid-write leaves the old list rather than half a file.
      const temporary = `${file}.tmp`;
      writeFileSync(temporary, serializeRecentFiles(files));
      renameSync(temporary, file);
    } catch (err) {
      log(`sipscope: cannot save the recent files list ${file}: ${(err as Error).message}`);
    }
    for (const listener of listeners) listener(files);
  }

  return {
    list: () => files,
    add: (path) => update(withRecent(files, path, limit)),
    remove: (path) => update(files.filter((entry) => entry !== path)),
    clear: () => update([]),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
