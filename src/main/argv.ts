// The trace named on the command line: `electron . FILE`, `npm start -- FILE`, or `sipscope-app FILE` once
// packaged. Relative paths are resolved against the directory the app was started from.
import { resolve } from 'node:path';
import { validateAbsolutePath } from './validate.js';

/**
 * Returns the absolute path of the first positional argument, or null when there is none.
 * `defaultApp` is `process.defaultApp`: true when run as `electron <app>`, where argv[1] is the app path
 * rather than a user argument. Switches (`--inspect`, Chromium's `--no-sandbox`, ...) are skipped; after a
 * `--`, everything is positional. Throws `ArgumentError` for a path that cannot be a file name.
 */
export function launchTraceFromArgv(argv: readonly string[], defaultApp: boolean, cwd: string): string | null {
  let switchesEnded = false;
  for (const arg of argv.slice(defaultApp ? 2 : 1)) {
    if (!switchesEnded && arg === '--') {
      switchesEnded = true;
      continue;
    }
    if (!switchesEnded && arg.startsWith('-')) continue;
    return validateAbsolutePath(resolve(cwd, arg), 'trace path');
  }
  return null;
}
