// The trace named on the command line: `electron . FILE`, `npm start -- FILE`, `sipscope FILE` (the CLI
// starts `electron APP_FOLDER /absolute/FILE`: src/cli/desktop.ts), or the packaged app's `sipscope FILE`.
// Relative paths are resolved against the folder the user started it from (`launchDirectory`).
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

/**
 * The folder a relative command-line path is relative to. `npm start -- FILE` runs Electron from the
 * package folder, whatever folder the user typed it in; npm passes that one as INIT_CWD. A packaged app
 * is started directly, so its working directory is the user's.
 */
export function launchDirectory(env: NodeJS.ProcessEnv, cwd: string, packaged: boolean): string {
  const initCwd = env['INIT_CWD'];
  return !packaged && initCwd ? initCwd : cwd;
}

/** What a second instance hands the running one (`app.requestSingleInstanceLock(data)`). */
export interface InstanceData {
  trace: string | null;
}

/**
 * The trace a second instance (`sipscope FILE` while the app runs) asks the running one to open, or null.
 * The data comes from another process, so it is checked like any outside input.
 */
export function traceFromInstanceData(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const trace = (data as { trace?: unknown }).trace;
  if (trace === null || trace === undefined) return null;
  try {
    return validateAbsolutePath(trace, 'trace path');
  } catch {
    return null;
  }
}
