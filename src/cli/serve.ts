// `sipscope serve [FILE] [--host H] [--port N]`: the app's window in any browser (src/node/serve/server.ts).
import { stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { defaultCaptureFolder } from '../node/capture/capture-sources.js';
import { isLoopbackHost } from '../node/serve/auth.js';
import { RendererMissingError, startServer, type RunningServer } from '../node/serve/server.js';
import { parseArgs, UsageError } from './args.js';

export const serveUsage = `Usage: sipscope serve [FILE] [--host 127.0.0.1] [--port N] [--capture [--capture-dir DIR]]

Serves the sipscope window to a web browser, for machines without a display (lab servers): open the URL
it prints (first line of the output). The URL carries a random access token; every request needs it, so
keep it private. FILE opens first; the page may also open the other captures in FILE's folder, and no
other file of the machine. There is no file dialog in the browser.
  --host H   address to listen on (default 127.0.0.1, this machine only). Any other address lets other
             machines connect: anyone who can reach the port and learns the token can read the traces.
             From elsewhere, prefer an SSH tunnel: ssh -L 8080:127.0.0.1:8080 lab, then --port 8080.
  --port N   port to listen on (default 0: any free port).
  --capture  let the page start live captures on this machine's interfaces (or a HEP listener), with
             this process's capture rights; off by default.
  --capture-dir DIR  where those capture files go (default ~/sipscope-captures).
Stops on Ctrl+C (SIGINT) or SIGTERM.`;

/** Where the command writes, and what stops it (tests run it in-process). */
export interface ServeIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Stops the server when aborted; by default SIGINT and SIGTERM do. */
  signal?: AbortSignal;
  /** Called once the server listens (tests read the URL from it rather than from stdout). */
  onListening?(server: RunningServer): void;
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port takes a port number 0-65535, not '${text}'`);
  return Number(text);
}

/** The loud warning printed when the server listens on an address other machines can reach. */
export function exposedWarning(host: string, port: number): string {
  const bar = '!'.repeat(78);
  return [
    bar,
    `WARNING: sipscope serve listens on ${host}:${port}, which OTHER MACHINES can reach.`,
    'Anyone who can connect to this port and learns the access token in the URL can read the',
    'traces in the served folder. The traffic is plain HTTP: the token and the traces cross the',
    'network unencrypted. Use this only on a network you trust; prefer --host 127.0.0.1 and an SSH tunnel.',
    bar,
    '',
  ].join('\n');
}

/** Addresses of this machine others may use to reach a wildcard-bound server. */
function externalAddresses(port: number): string[] {
  const urls: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (!info.internal && info.family === 'IPv4') urls.push(`http://${info.address}:${port}/`);
    }
  }
  return urls;
}

/**
 * Runs `sipscope serve`. Resolves with the exit code once stopped: 0 after a signal, 1 when the file or
 * the built page is missing or the port is taken, (UsageError thrown → 2 in main) for bad usage.
 */
export async function serveCommand(argv: string[], io: ServeIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { positionals, options } = parseArgs(argv, {
    host: { value: true },
    port: { value: true, short: 'p' },
    capture: {},
    'capture-dir': { value: true },
    help: { short: 'h' },
  });
  if (options.has('help')) {
    io.stdout.write(`${serveUsage}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('serve takes at most one FILE');
  const host = (options.get('host') as string | undefined) ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host needs an address');
  const port = parsePort((options.get('port') as string | undefined) ?? '0');
  const captureDir = options.get('capture-dir') as string | undefined;
  if (captureDir !== undefined && !options.has('capture')) throw new UsageError('--capture-dir applies with --capture');
  const capture = options.has('capture') ? { folder: resolve(captureDir ?? defaultCaptureFolder()) } : undefined;

  let launchTrace: string | null = null;
  if (positionals[0] !== undefined) {
    launchTrace = resolve(positionals[0]);
    const info = await stat(launchTrace).catch(() => null);
    if (!info?.isFile()) {
      io.stderr.write(`sipscope: ${launchTrace}: ${info ? 'not a file' : 'no such file'}\n`);
      return 1;
    }
  }

  let server: RunningServer;
  try {
    server = await startServer({ host, port, launchTrace, ...(capture ? { capture } : {}) });
  } catch (err) {
    const message = err instanceof RendererMissingError ? err.message : `cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`;
    io.stderr.write(`sipscope: ${message}\n`);
    return 1;
  }

  // The URL first, alone on its line: scripts and tests read it there.
  io.stdout.write(`${server.url}\n`);
  if (!isLoopbackHost(server.host)) {
    io.stderr.write(exposedWarning(server.host, server.port));
    if (server.host === '0.0.0.0' || server.host === '::') {
      const others = externalAddresses(server.port);
      if (others.length > 0) io.stderr.write(`From other machines, use one of: ${others.join(' ')} with ?token=${server.token}\n`);
    }
  }
  io.stderr.write(`sipscope: serving ${launchTrace ?? 'no trace'} on ${server.url.split('?')[0]}; stop with Ctrl+C\n`);
  if (capture) io.stderr.write(`sipscope: the page may capture live on this machine; files go to ${capture.folder}\n`);
  io.onListening?.(server);

  await new Promise<void>((done) => {
    if (io.signal) {
      if (io.signal.aborted) return done();
      io.signal.addEventListener('abort', () => done(), { once: true });
    } else {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    }
  });
  await server.close();
  return 0;
}
