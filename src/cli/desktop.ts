// `sipscope FILE`: opens a trace in the desktop app. The CLI is plain Node, so it starts the Electron
// runtime that the `electron` package downloads into node_modules/electron/dist (on `npm install` or the
// first `npm start`), with this package's folder as the app and FILE as the trace (src/main/argv.ts reads it).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './args.js';

/**
 * The trace `sipscope COMMAND ARGS...` asks the desktop app to open, or null when COMMAND is not a file.
 * Called for a first argument that is no subcommand (a file named `calls` is still the `calls` command:
 * `sipscope ./calls` opens it). Relative paths are resolved against `cwd`. A file followed by anything
 * else is a usage error: the desktop app takes one trace.
 */
export function desktopTrace(command: string, rest: readonly string[], cwd: string, isFile: (path: string) => boolean): string | null {
  const path = resolve(cwd, command);
  if (!isFile(path)) return null;
  if (rest.length > 0) throw new UsageError(`'sipscope FILE' opens one trace in the desktop app; unexpected '${rest[0]}' after ${command}`);
  return path;
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The Electron runtime binary inside the `electron` package folder, or null when it is not there. Reads the
 * same files as the package's own index.js (`require('electron')`), without its side effect: when the
 * binary is missing, that one tries to download it, which offline means a long wait and a stack trace.
 */
export function electronBinary(packageDir: string | null, env: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): string | null {
  if (packageDir === null) return null;
  const pathFile = join(packageDir, 'path.txt');
  const executable = exists(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  // ELECTRON_OVERRIDE_DIST_PATH: a runtime installed elsewhere (honoured by the package's index.js too).
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  const binary = override ? join(override, executable || 'electron') : executable ? join(packageDir, 'dist', executable) : null;
  return binary !== null && exists(binary) ? binary : null;
}

/** The folder of the installed `electron` package, or null when it is not installed. */
export function electronPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** This package's folder: the Electron app (its package.json "main" is out/main/index.js). */
export const appDir = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export interface DesktopDeps {
  /** The Electron binary, or null when it is not downloaded. */
  electronBinary(): string | null;
  /** The app folder handed to Electron. */
  appDir: string;
  exists(path: string): boolean;
  /** Runs the binary with `args`, its output on this terminal; resolves to its exit code. */
  run(binary: string, args: string[]): Promise<number>;
  stderr: { write(text: string): unknown };
}

function runElectron(binary: string, args: string[]): Promise<number> {
  // ELECTRON_RUN_AS_NODE (set when this CLI itself runs under Electron's Node) would make the binary a plain Node.
  const env = { ...process.env };
  delete env['ELECTRON_RUN_AS_NODE'];
  return new Promise((resolvePromise) => {
    const child = spawn(binary, args, { stdio: 'inherit', env, windowsHide: false });
    child.on('error', (err) => {
      process.stderr.write(`sipscope: cannot start ${binary}: ${err.message}\n`);
      resolvePromise(1);
    });
    child.on('close', (code, signal) => {
      if (signal !== null) process.stderr.write(`sipscope: the desktop app ended on signal ${signal}\n`);
      resolvePromise(code ?? 1);
    });
  });
}

export function defaultDesktopDeps(): DesktopDeps {
  return {
    electronBinary: () => electronBinary(electronPackageDir(), process.env),
    appDir,
    exists: existsSync,
    run: runElectron,
    stderr: process.stderr,
  };
}

/** The message for a machine without the Electron binary (offline installs, build machines). */
export function missingElectronMessage(trace: string, appFolder: string): string {
  return [
    `sipscope: cannot open ${trace} in the desktop app: the Electron runtime is not installed`,
    `(the \`electron\` package downloads it on first use, which needs internet).`,
    `Run \`npm start\` once in ${appFolder} with internet access, then \`sipscope FILE\` again;`,
    `or see the trace in a web browser: sipscope serve ${trace}`,
    '',
  ].join('\n');
}

export function notBuiltMessage(trace: string, appFolder: string): string {
  return [
    `sipscope: cannot open ${trace} in the desktop app: the app is not built (no out/main/index.js in ${appFolder}).`,
    `Run \`npm start\` once there (it builds the app) or \`npx electron-vite build\`;`,
    `or see the trace in a web browser: sipscope serve ${trace}`,
    '',
  ].join('\n');
}

/** Opens `trace` (absolute) in the desktop app and waits for the app to quit. Returns the exit code. */
export async function desktopCommand(trace: string, deps: DesktopDeps = defaultDesktopDeps()): Promise<number> {
  const binary = deps.electronBinary();
  if (binary === null) {
    deps.stderr.write(missingElectronMessage(trace, deps.appDir));
    return 1;
  }
  if (!deps.exists(join(deps.appDir, 'out/main/index.js'))) {
    deps.stderr.write(notBuiltMessage(trace, deps.appDir));
    return 1;
  }
  return deps.run(binary, [deps.appDir, trace]);
}
