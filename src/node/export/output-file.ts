/**
 * What every export shares to write its files (captures in write-capture.ts, documents in write-files.ts): the
 * errors it reports, in words a user acts on, and the last step that gives a finished temporary file its name
 * without ever replacing a file nobody asked to replace.
 */
import { link, lstat, rename, unlink } from 'node:fs/promises';

export type ExportErrorCode = 'exists' | 'cannot-write' | 'link-types' | 'source-changed' | 'frames-missing' | 'bad-argument';

/** A refused or failed export, with a message for the user naming the file. Nothing was left behind. */
export class ExportError extends Error {
  constructor(
    readonly code: ExportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

/** Why writing failed, in words a user acts on. */
export function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  switch (e?.code) {
    case 'ENOENT':
      return 'the folder does not exist';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (choose a folder you can write to)';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return e?.message ?? String(error);
  }
}

/** The refusal to replace an existing file. */
export function existsError(dest: string): ExportError {
  return new ExportError('exists', `Not writing "${dest}": the file already exists. Choose another name, or confirm replacing it (--force on the command line).`);
}

export function cannotWrite(path: string, error: unknown): ExportError {
  return new ExportError('cannot-write', `Cannot write "${path}": ${errorText(error)}.`, { cause: error });
}

/** What is at `path`: nothing, a folder, or something else (a file, a link...). */
export async function kind(path: string): Promise<'none' | 'folder' | 'file'> {
  try {
    return (await lstat(path)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw cannotWrite(path, error);
  }
}

/** Gives a finished temporary file its name (see the header); the temporary file is gone either way. */
export async function place(temp: string, dest: string, force: boolean): Promise<void> {
  try {
    if (force) {
      await rename(temp, dest);
      return;
    }
    try {
      await link(temp, dest);
      await unlink(temp);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw existsError(dest);
      // File systems without hard links (FAT, some network shares): check, then rename.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw cannotWrite(dest, error);
    }
    if ((await kind(dest)) !== 'none') throw existsError(dest);
    await rename(temp, dest).catch((error: unknown) => {
      throw cannotWrite(dest, error);
    });
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error instanceof ExportError ? error : cannotWrite(dest, error);
  }
}
