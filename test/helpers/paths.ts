import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is test/helpers/paths.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared corpus of real public captures (see its MANIFEST.md). */
export const sharedCaptures = resolve(repoRoot, '../shared/captures');
export const fixtures = join(repoRoot, 'test/fixtures');

export function sharedCapture(name: string): string {
  return join(sharedCaptures, name);
}

export const haveSharedCaptures = existsSync(sharedCaptures);
