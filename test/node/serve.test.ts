/**
 * `sipscope serve`'s server (src/node/serve/server.ts), started in-process: the token on every HTTP request
 * and WebSocket upgrade, the Host/Origin checks, the static files and their confinement to the renderer
 * folder, and the request/response protocol over a real WebSocket (the `ws` client) on real captures.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_SESSIONS, startServer, type RunningServer } from '../../src/node/serve/server.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../helpers/paths.js';

interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET with the path sent exactly as given (no client-side normalisation of `..`). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Upgrade = { opened: true; socket: WebSocket } | { opened: false; status: number };

/** Opens a WebSocket; resolves with the socket, or with the HTTP status the server refused the upgrade with. */
function connect(url: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.on('open', () => resolve({ opened: true, socket }));
    socket.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      res.resume();
      socket.terminate();
    });
    socket.on('error', (err) => reject(err));
  });
}

async function open(url: string): Promise<WebSocket> {
  const result = await connect(url);
  if (!result.opened) throw new Error(`upgrade refused with ${result.status}`);
  return result.socket;
}

/** Sends one raw request text and waits for the reply with the same id (or `id: null`). */
function rawCall(socket: WebSocket, text: string, id: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as Record<string, unknown>;
      if (reply['id'] === id) {
        socket.off('message', onMessage);
        resolve(reply);
      }
    };
    socket.on('message', onMessage);
    socket.send(text);
  });
}

let nextId = 1;
function call(socket: WebSocket, op: string, ...args: unknown[]): Promise<Record<string, unknown>> {
  const id = nextId++;
  return rawCall(socket, JSON.stringify({ id, op, args }), id);
}

function wsUrl(server: RunningServer, token = server.token): string {
  return `ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`;
}

const tmp = mkdtempSync(join(tmpdir(), 'sipscope-serve-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CSP = "default-src 'self'; script-src 'self'; object-src 'none'";

/** A renderer folder of our own, beside a secret file and a symbolic link that points at it. */
function fakeRenderer(): string {
  const root = join(tmp, 'site', 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), `<!doctype html><meta http-equiv="Content-Security-Policy" content="${CSP}" /><title>fake</title>`);
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("app");\n');
  writeFileSync(join(tmp, 'site', 'secret.txt'), 'TOP-SECRET\n');
  symlinkSync(join(tmp, 'site', 'secret.txt'), join(root, 'assets', 'leak.txt'));
  return root;
}

describe('serve: HTTP, with a renderer folder of our own', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ rendererDir: fakeRenderer(), launchTrace: null });
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 and prints a URL with a 43-character base64url token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  });

  it('gives every server its own token', async () => {
    const other = await startServer({ rendererDir: join(tmp, 'site', 'renderer') });
    try {
      expect(other.token).not.toBe(server.token);
    } finally {
      await other.close();
    }
  });

  it('refuses requests without the token, or with a wrong one, and shows nothing of the page', async () => {
    const wrong = `${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`;
    for (const path of ['/', '/index.html', '/assets/app.js', `/?token=${wrong}`, '/?token=', `/?tok=${server.token}`]) {
      const reply = await get(server.port, path);
      expect(reply.status, path).toBe(401);
      expect(reply.body, path).not.toContain('fake');
      expect(reply.body, path).not.toContain('console.log');
      expect(reply.headers['set-cookie'], path).toBeUndefined();
    }
  });

  it('serves index.html with the token, with the page CSP, frame-ancestors and nosniff headers', async () => {
    const reply = await get(server.port, `/?token=${server.token}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(readFileSync(join(tmp, 'site', 'renderer', 'index.html'), 'utf8'));
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['content-security-policy']).toBe(`${CSP}; frame-ancestors 'none'`);
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
  });

  it('lets the page load its assets with the cookie set by the tokened request, and only with it', async () => {
    const page = await get(server.port, `/?token=${server.token}`);
    const setCookie = page.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(new RegExp(`^sipscope-assets-${server.port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`));
    const cookie = setCookie.split(';')[0];
    // The cookie is not the token (cookies are shared by every port of 127.0.0.1).
    expect(cookie.split('=')[1]).not.toBe(server.token);
    const asset = await get(server.port, '/assets/app.js', { Cookie: cookie });
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('console.log("app");\n');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    const forged = await get(server.port, '/assets/app.js', { Cookie: `sipscope-assets-${server.port}=${server.token}` });
    expect(forged.status).toBe(401);
    // The cookie does not open the WebSocket.
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws`, { headers: { Cookie: cookie } });
    expect(ws).toEqual({ opened: false, status: 401 });
  });

  it('refuses paths that leave the renderer folder, however they are spelt', async () => {
    const token = `?token=${server.token}`;
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/leak.txt', // a symbolic link inside the folder pointing out of it
      '/%00index.html',
      '/assets/',
      '/%zz',
    ];
    for (const path of attempts) {
      const reply = await get(server.port, `${path}${token}`);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).not.toContain('TOP-SECRET');
    }
    // The same folder's own files are served, even spelt with escapes.
    expect((await get(server.port, `/assets/%61pp.js${token}`)).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding), even with the token', async () => {
    const reply = await get(server.port, `/?token=${server.token}`, { Host: `attacker.example:${server.port}` });
    expect(reply.status).toBe(403);
    expect(reply.body).not.toContain('fake');
    expect((await get(server.port, `/?token=${server.token}`, { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses WebSocket upgrades without the right token, from a foreign Origin or Host, or off /ws', async () => {
    expect(await connect(`ws://127.0.0.1:${server.port}/ws`)).toEqual({ opened: false, status: 401 });
    expect(await connect(wsUrl(server, 'x'.repeat(43)))).toEqual({ opened: false, status: 401 });
    expect(await connect(wsUrl(server), { origin: 'http://attacker.example' })).toEqual({ opened: false, status: 403 });
    expect(await connect(wsUrl(server), { origin: `http://127.0.0.1:${server.port + 1}` })).toEqual({ opened: false, status: 403 });
    expect(await connect(wsUrl(server), { headers: { Host: `rebound.example:${server.port}` } })).toEqual({ opened: false, status: 403 });
    expect(await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).toEqual({ opened: false, status: 404 });
    // The page's own origin is accepted, as is a client that sends no Origin (not a browser).
    const fromPage = await connect(wsUrl(server), { origin: `http://127.0.0.1:${server.port}` });
    expect(fromPage.opened).toBe(true);
    if (fromPage.opened) fromPage.socket.close();
  });
});

describe('serve: at most MAX_SESSIONS pages at once', () => {
  it('refuses the next page with 503, and accepts one again when a page leaves', async () => {
    const server = await startServer({ rendererDir: join(tmp, 'site', 'renderer') });
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < MAX_SESSIONS; i++) sockets.push(await open(wsUrl(server)));
      expect(await connect(wsUrl(server))).toEqual({ opened: false, status: 503 });
      const leaving = sockets.pop();
      await new Promise((resolve) => {
        leaving?.once('close', resolve);
        leaving?.close();
      });
      // The server sees the close a moment after the client does.
      let again: Upgrade = { opened: false, status: 0 };
      for (let i = 0; i < 50 && !again.opened; i++) {
        again = await connect(wsUrl(server));
        if (!again.opened) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(again.opened).toBe(true);
      if (again.opened) sockets.push(again.socket);
    } finally {
      for (const s of sockets) s.terminate();
      await server.close();
    }
  });
});

describe('serve: the built renderer (out/renderer, made by `npx electron-vite build`)', () => {
  const built = join(repoRoot, 'out/renderer/index.html');
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({});
  });
  afterAll(() => server?.close());

  it('serves out/renderer/index.html and its script, with the CSP of the page as a header', async () => {
    expect(existsSync(built), 'out/renderer is missing: run `npx electron-vite build`').toBe(true);
    const page = await get(server.port, `/?token=${server.token}`);
    const html = readFileSync(built, 'utf8');
    expect(page.status).toBe(200);
    expect(page.body).toBe(html);
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toBe(`${meta}; frame-ancestors 'none'`);
    const script = /src="\.(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    expect(script).not.toBe('');
    const cookie = (page.headers['set-cookie']?.[0] ?? '').split(';')[0];
    const js = await get(server.port, script, { Cookie: cookie });
    expect(js.status).toBe(200);
    expect(js.body).toBe(readFileSync(join(repoRoot, 'out/renderer', script), 'utf8'));
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // The repository's own files are one level up: out of reach.
    const up = await get(server.port, `/../../package.json?token=${server.token}`);
    expect(up.status).toBe(404);
    expect(up.body).not.toContain('"name": "sipscope"');
  });

  it('says how to build the page when it is missing', async () => {
    await expect(startServer({ rendererDir: join(tmp, 'no-such-renderer') })).rejects.toThrow(/not built.*run 'npx electron-vite build'/);
  });
});

describe.skipIf(!haveSharedCaptures)('serve: the contract over the WebSocket, on real captures', () => {
  const aaa = sharedCapture('sngrep_aaa.pcap');
  let server: RunningServer;
  let socket: WebSocket;
  beforeAll(async () => {
    server = await startServer({ launchTrace: aaa });
    socket = await open(wsUrl(server));
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
  });

  it('getAppInfo: the package name and version, the platform, no electron field', async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
    const reply = await call(socket, 'getAppInfo');
    expect(reply).toEqual({ id: reply['id'], ok: true, value: { name: pkg.name, version: pkg.version, platform: process.platform } });
  });

  it('getLaunchTrace gives the FILE; openTraceDialog is "cancelled" (no native dialog in a browser)', async () => {
    expect(await call(socket, 'getLaunchTrace')).toMatchObject({ ok: true, value: aaa });
    expect(await call(socket, 'openTraceDialog')).toMatchObject({ ok: true, value: null });
  });

  it('openTrace on the launch file: 81 messages, 6 calls (MANIFEST.md; tshark -Y sip counts 81 frames)', async () => {
    expect(await call(socket, 'openTrace', aaa)).toMatchObject({ ok: true, value: { path: aaa, messages: 81, calls: 6 } });
  });

  it('applyFilter on the open trace: 11 INVITEs (MANIFEST.md: INVITE×11); a bad filter is an outcome, not an error', async () => {
    const reply = await call(socket, 'applyFilter', 'sip.Method == "INVITE"');
    expect(reply).toMatchObject({ ok: true, value: { ok: true, text: 'sip.Method == "INVITE"', messages: 81, matching: 11, calls: 6 } });
    const bad = await call(socket, 'applyFilter', 'sip.Mehtod == "INVITE"');
    expect(bad).toMatchObject({ ok: true, value: { ok: false, error: { start: 0, length: 10 } } });
  });

  it('getFilterFields and the decode-as rules go through the same service', async () => {
    const fields = (await call(socket, 'getFilterFields'))['value'] as { name: string }[];
    expect(fields.map((f) => f.name)).toContain('sip.Method');
    expect(await call(socket, 'getDecodeAs')).toMatchObject({ ok: true, value: [] });
    expect(await call(socket, 'setDecodeAs', [' TCP.port = 6060 , sip '])).toMatchObject({ ok: true, value: ['tcp.port==6060,sip'] });
    expect(await call(socket, 'setDecodeAs', ['tcp.port==6060,websockets'])).toMatchObject({ ok: false, error: expect.stringContaining("unknown protocol 'websockets'") });
  });

  it('refuses bad arguments with the validators of the Electron main process', async () => {
    expect(await call(socket, 'applyFilter', 42)).toMatchObject({ ok: false, error: 'display filter must be a string, got a number' });
    expect(await call(socket, 'applyFilter', 'x'.repeat(64 * 1024 + 1))).toMatchObject({ ok: false, error: expect.stringContaining('display filter is too long') });
    expect(await call(socket, 'applyFilter')).toMatchObject({ ok: false, error: 'applyFilter expects 1 argument, got 0' });
    expect(await call(socket, 'openTrace', 'sngrep_aaa.pcap')).toMatchObject({ ok: false, error: 'trace path must be absolute, got "sngrep_aaa.pcap"' });
    expect(await call(socket, 'openTrace', `${aaa}\0`)).toMatchObject({ ok: false, error: 'trace path contains a NUL character' });
    expect(await call(socket, 'setDecodeAs', 'tcp.port==6060,sip')).toMatchObject({ ok: false, error: 'decode-as rules must be an array of strings, got a string' });
    expect(await call(socket, 'getAppInfo', 1)).toMatchObject({ ok: false, error: 'getAppInfo expects 0 arguments, got 1' });
  });

  it('refuses malformed requests, unknown operations and prototype names, and stays usable', async () => {
    expect(await rawCall(socket, 'not json', null)).toEqual({ id: null, ok: false, error: 'request refused: not JSON' });
    expect(await rawCall(socket, '[1,2]', null)).toMatchObject({ id: null, ok: false });
    expect(await rawCall(socket, '{"id":{},"op":"getAppInfo"}', null)).toMatchObject({ id: null, ok: false });
    for (const op of ['invoke', '__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      expect(await rawCall(socket, JSON.stringify({ id: `x-${op}`, op, args: [] }), `x-${op}`)).toEqual({
        id: `x-${op}`,
        ok: false,
        error: `request refused: unknown operation "${op}"`,
      });
    }
    expect(await rawCall(socket, '{"id":"a","op":"getLaunchTrace","args":{}}', 'a')).toEqual({ id: 'a', ok: false, error: 'getLaunchTrace: args must be an array' });
    expect(await call(socket, 'getLaunchTrace')).toMatchObject({ ok: true, value: aaa });
  });

  it('refuses to open files outside the launch file folder, naming the rule', async () => {
    for (const path of ['/etc/passwd', `${dirname(aaa)}/../../../etc/passwd`, join(repoRoot, 'test/fixtures/hep3-udp.pcap')]) {
      const reply = await call(socket, 'openTrace', path);
      expect(reply, path).toMatchObject({ ok: false, error: expect.stringContaining('a browser may only open the trace given to') });
      expect(reply['error'], path).toContain(`under its folder ${dirname(aaa)}`);
    }
  });

  it('gives each connection its own open trace', async () => {
    const other = await open(wsUrl(server));
    try {
      expect(await call(other, 'applyFilter', 'sip')).toMatchObject({ ok: false, error: expect.stringContaining('no trace is open') });
    } finally {
      other.close();
    }
  });
});

describe.skipIf(!haveSharedCaptures)('serve: which files openTrace may open', () => {
  // A launch folder of our own: the launch file, a capture in a subfolder, and a link out of the folder.
  const folder = join(tmp, 'traces');
  const launch = join(folder, 'launch.pcap');
  const nested = join(folder, 'more', 'nested.pcap');
  const link = join(folder, 'link.pcap');
  let server: RunningServer;
  let socket: WebSocket;
  beforeAll(async () => {
    mkdirSync(join(folder, 'more'), { recursive: true });
    copyFileSync(join(repoRoot, 'test/fixtures/hep3-udp.pcap'), launch);
    copyFileSync(sharedCapture('sngrep_aaa.pcap'), nested);
    symlinkSync(sharedCapture('sngrep_aaa.pcap'), link);
    server = await startServer({ launchTrace: launch });
    socket = await open(wsUrl(server));
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
  });

  it('opens the launch file and the files under its folder', async () => {
    // hep3-udp.pcap is the HEP mirror of the bundled sample: 36 messages, 3 calls (test/main/trace-service.test.ts).
    expect(await call(socket, 'openTrace', launch)).toMatchObject({ ok: true, value: { path: launch, messages: 36, calls: 3 } });
    expect(await call(socket, 'openTrace', nested)).toMatchObject({ ok: true, value: { messages: 81, calls: 6 } });
  });

  it('refuses a symbolic link that leads out of the folder, and a sibling folder with the same prefix', async () => {
    expect(await call(socket, 'openTrace', link)).toMatchObject({ ok: false, error: expect.stringContaining(`refused to open ${link}`) });
    mkdirSync(`${folder}-evil`, { recursive: true });
    copyFileSync(launch, join(`${folder}-evil`, 'x.pcap'));
    expect(await call(socket, 'openTrace', join(`${folder}-evil`, 'x.pcap'))).toMatchObject({ ok: false, error: expect.stringContaining('refused to open') });
  });

  it('lets the trace service say when a file of the folder does not exist', async () => {
    expect(await call(socket, 'openTrace', join(folder, 'missing.pcap'))).toMatchObject({ ok: false, error: expect.stringMatching(/missing\.pcap.*no such file/) });
  });

  it('refuses every openTrace when started without a FILE', async () => {
    const bare = await startServer({});
    const s = await open(wsUrl(bare));
    try {
      expect(await call(s, 'getLaunchTrace')).toMatchObject({ ok: true, value: null });
      expect(await call(s, 'openTrace', launch)).toMatchObject({ ok: false, error: expect.stringContaining('started without a FILE') });
    } finally {
      s.close();
      await bare.close();
    }
  });
});
