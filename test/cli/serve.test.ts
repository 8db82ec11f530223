/**
 * `sipscope serve` as a command: its output (the URL alone on the first stdout line), the warning for an
 * address other machines can reach, its refusals (missing FILE, bad port), and the real process started by
 * the bin script, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { UsageError } from '../../src/cli/args.js';
import { serveCommand, type ServeIo } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/node/serve/server.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';

function getStatus(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** One request over the served WebSocket, from the printed page URL. */
function wsCall(pageUrl: string, op: string, args: unknown[]): Promise<Record<string, unknown>> {
  const page = new URL(pageUrl);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${page.host}/ws${page.search}`);
    socket.on('open', () => socket.send(JSON.stringify({ id: 1, op, args })));
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      // Pushed events (`{ event, payload }`, progress while a trace is read) come before the reply.
      if ('event' in message) return;
      resolve(message);
      socket.close();
    });
    socket.on('error', reject);
  });
}

/** Runs serveCommand in this process; resolves once it listens, with what it printed and a stop function. */
async function startInProcess(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let listening: (server: RunningServer) => void = () => {};
  const ready = new Promise<RunningServer>((resolve) => (listening = resolve));
  const io: ServeIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    signal: controller.signal,
    onListening: (server) => listening(server),
  };
  const exit = serveCommand(argv, io);
  const server = await Promise.race([ready, exit.then((code) => Promise.reject(new Error(`serve exited ${code}: ${stderr}`)))]);
  return {
    server,
    output: () => ({ stdout, stderr }),
    stop: async () => {
      controller.abort();
      return exit;
    },
  };
}

describe('serveCommand (in-process)', () => {
  it('prints the URL alone on the first stdout line, listens on 127.0.0.1, and no warning', async () => {
    const run = await startInProcess([]);
    const { stdout, stderr } = run.output();
    expect(stdout).toBe(`${run.server.url}\n`);
    expect(stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}\n$/);
    expect(stderr).not.toContain('WARNING');
    expect(stderr).toContain('serving no trace');
    expect((await getStatus(stdout.trim())).status).toBe(200);
    await expect(run.stop()).resolves.toBe(0);
    // Stopped: the port no longer answers.
    await expect(getStatus(stdout.trim())).rejects.toThrow(/ECONNREFUSED/);
  });

  it('warns loudly on stderr when listening on an address other machines can reach', async () => {
    const run = await startInProcess(['--host', '0.0.0.0', '--port', '0']);
    const { stdout, stderr } = run.output();
    expect(run.server.host).toBe('0.0.0.0');
    expect(stderr).toContain(`WARNING: sipscope serve listens on 0.0.0.0:${run.server.port}, which OTHER MACHINES can reach.`);
    expect(stderr).toContain('anyone who can connect to this port and learns the access token'.replace(/^a/, 'A'));
    expect(stdout.split('\n')[0]).toBe(`http://127.0.0.1:${run.server.port}/?token=${run.server.token}`);
    // Still token-protected from every address.
    expect((await getStatus(`http://127.0.0.1:${run.server.port}/`)).status).toBe(401);
    expect((await getStatus(stdout.split('\n')[0])).status).toBe(200);
    await run.stop();
  });

  it('takes a fixed --port', async () => {
    const probe = await startInProcess([]);
    const port = probe.server.port;
    await probe.stop();
    const run = await startInProcess(['--port', String(port)]);
    expect(run.server.port).toBe(port);
    await run.stop();
  });

  it('refuses a missing FILE (exit 1) and bad usage (UsageError: exit 2 in main)', async () => {
    let stderr = '';
    const io: ServeIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } };
    await expect(serveCommand(['/nonexistent/x.pcap'], io)).resolves.toBe(1);
    expect(stderr).toBe('sipscope: /nonexistent/x.pcap: no such file\n');
    await expect(serveCommand(['--port', '70000'], io)).rejects.toThrow(UsageError);
    await expect(serveCommand(['--port', 'abc'], io)).rejects.toThrow("--port takes a port number 0-65535, not 'abc'");
    await expect(serveCommand(['a.pcap', 'b.pcap'], io)).rejects.toThrow('serve takes at most one FILE');
    await expect(serveCommand(['--bogus'], io)).rejects.toThrow("unknown option '--bogus'");
  });

  it('says when the port is taken (exit 1)', async () => {
    const run = await startInProcess([]);
    let stderr = '';
    const io: ServeIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } };
    await expect(serveCommand(['--port', String(run.server.port)], io)).resolves.toBe(1);
    expect(stderr).toContain(`cannot listen on 127.0.0.1:${run.server.port}`);
    expect(stderr).toContain('EADDRINUSE');
    await run.stop();
  });

  it.skipIf(!haveSharedCaptures)('serves a relative FILE as an absolute path', async () => {
    const cwd = process.cwd();
    process.chdir(join(repoRoot, '../shared/captures'));
    try {
      const run = await startInProcess(['sngrep_aaa.pcap']);
      // Resolved against the working directory as the process sees it (symlinks in the path already resolved).
      expect(await wsCall(run.server.url, 'getLaunchTrace', [])).toEqual({ id: 1, ok: true, value: join(process.cwd(), 'sngrep_aaa.pcap') });
      await run.stop();
    } finally {
      process.chdir(cwd);
    }
  });
});

// The real process through bin/sipscope.js. Runs once src/cli/main.ts dispatches `serve` (its dist/ build is
// made by `npm run build:cli`, which `npm test` runs first).
const wired = readFileSync(join(repoRoot, 'src/cli/main.ts'), 'utf8').includes('serveCommand');

describe.skipIf(!wired || !haveSharedCaptures)('sipscope serve (a real process)', () => {
  const bin = join(repoRoot, 'bin/sipscope.js');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** Spawns `sipscope serve …`; resolves with the first stdout line and the process. */
  function spawnServe(args: string[]): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
    const child = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve({ url: out.slice(0, nl), child, stderr: () => err });
      });
      child.on('exit', (code) => reject(new Error(`sipscope serve exited ${code} before printing its URL: ${err}`)));
    });
  }

  function exitCode(child: ChildProcess): Promise<number | null> {
    return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  it('prints the URL, serves the page only with the token, answers the contract, stops on SIGTERM', async () => {
    const aaa = sharedCapture('sngrep_aaa.pcap');
    const { url, child, stderr } = await spawnServe([aaa, '--port', '0']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const page = new URL(url);
    expect((await getStatus(`http://${page.host}/`)).status).toBe(401);
    const served = await getStatus(url);
    expect(served.status).toBe(200);
    expect(served.body).toBe(readFileSync(join(repoRoot, 'out/renderer/index.html'), 'utf8'));
    expect(await wsCall(url, 'openTrace', [aaa])).toMatchObject({ ok: true, value: { path: aaa, messages: 81, calls: 6 } });
    expect(stderr()).not.toContain('WARNING');
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('warns on stderr for --host 0.0.0.0', async () => {
    const { child, stderr } = await spawnServe(['--host', '0.0.0.0']);
    // The warning precedes the last line ("… stop with Ctrl+C"); wait for that line to arrive.
    for (let i = 0; i < 100 && !stderr().includes('stop with Ctrl+C'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stderr()).toContain('which OTHER MACHINES can reach');
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
  });

  it('exits 1 for a missing FILE and 2 for a bad port', async () => {
    const missing = spawn(process.execPath, [bin, 'serve', '/nonexistent/x.pcap'], { stdio: 'ignore' });
    expect(await exitCode(missing)).toBe(1);
    const badPort = spawn(process.execPath, [bin, 'serve', '--port', 'x'], { stdio: 'ignore' });
    expect(await exitCode(badPort)).toBe(2);
  });
});
