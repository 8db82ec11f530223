import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, fakeEvent, resetFakeElectron } from './fake-electron.js';
import { appPaths, appUrlMatcher, createMainWindow, droppedTracePath, looksLikeCapture, rendererTarget } from '../../src/main/window.js';
import { repoRoot } from '../helpers/paths.js';

vi.mock('electron', () => import('./fake-electron.js'));

const outDir = resolve('/opt/sipscope/out');
const html = join(outDir, 'renderer/index.html');
const preload = join(outDir, 'preload/index.cjs');
const appUrl = pathToFileURL(html).href;

function openWindow(target = rendererTarget(html, undefined), onTraceDropped?: (path: string) => void): BrowserWindow {
  createMainWindow({ preloadPath: preload, target, onTraceDropped });
  expect(BrowserWindow.instances).toHaveLength(1);
  return BrowserWindow.instances[0]!;
}

beforeEach(resetFakeElectron);

describe('appPaths', () => {
  it('points at the CommonJS preload and the built page next to out/main', () => {
    expect(appPaths(join(outDir, 'main'))).toEqual({ preload, rendererHtml: html });
  });
});

describe('createMainWindow', () => {
  it('creates a sandboxed, context-isolated window without Node, using the preload', () => {
    const win = openWindow();
    expect(win.options['webPreferences']).toMatchObject({
      preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('loads the built page from disk, or the dev server URL when given', () => {
    expect(openWindow().loaded).toEqual([{ kind: 'file', target: html }]);
    resetFakeElectron();
    expect(openWindow(rendererTarget(html, 'http://localhost:5173/')).loaded).toEqual([
      { kind: 'url', target: 'http://localhost:5173/' },
    ]);
  });

  it('shows the window once it is ready, not before', () => {
    const win = openWindow();
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledOnce();
  });

  it('denies window.open and target=_blank links', () => {
    const { webContents } = openWindow();
    expect(webContents.windowOpenHandler).not.toBeNull();
    for (const url of ['https://example.com/', appUrl, 'about:blank']) {
      expect(webContents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
  });

  it.each([
    ['https://example.com/', true],
    ['file:///etc/passwd', true],
    [pathToFileURL('/tmp/dropped.pcap').href, true],
    [pathToFileURL(join(outDir, 'renderer/other.html')).href, true],
    ['javascript:alert(1)', true],
    ['not a url', true],
    [appUrl, false],
    [`${appUrl}#/calls`, false],
    [`${appUrl}?trace=1`, false],
  ])('will-navigate / will-redirect to %s: prevented=%s', (url, prevented) => {
    const { webContents } = openWindow();
    for (const name of ['will-navigate', 'will-redirect']) {
      const event = fakeEvent({ url });
      webContents.emit(name, event);
      expect(event.preventDefault, name).toHaveBeenCalledTimes(prevented ? 1 : 0);
    }
  });

  it('keeps a dev-server window on the dev server origin', () => {
    const { webContents } = openWindow(rendererTarget(html, 'http://localhost:5173/'));
    const away = fakeEvent({ url: 'http://localhost:5174/' });
    webContents.emit('will-navigate', away);
    expect(away.preventDefault).toHaveBeenCalledOnce();
    const home = fakeEvent({ url: 'http://localhost:5173/index.html' });
    webContents.emit('will-navigate', home);
    expect(home.preventDefault).not.toHaveBeenCalled();
  });

  it('turns a dropped capture into an open request, never a navigation', () => {
    const dropped = vi.fn();
    const { webContents } = openWindow(undefined, dropped);
    const trace = resolve('/home/ops/captures/reg.pcapng');
    const event = fakeEvent({ url: pathToFileURL(trace).href });
    webContents.emit('will-navigate', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(dropped).toHaveBeenCalledExactlyOnceWith(trace);
  });

  it('neither navigates to nor opens a dropped file that is not a capture, nor a capture on the web', () => {
    const dropped = vi.fn();
    const { webContents } = openWindow(undefined, dropped);
    for (const url of [pathToFileURL('/home/ops/notes.txt').href, 'https://example.com/trace.pcap', appUrl]) {
      webContents.emit('will-navigate', fakeEvent({ url }));
    }
    expect(dropped).not.toHaveBeenCalled();
  });

  it('does not open a capture a redirect points at', () => {
    const dropped = vi.fn();
    const { webContents } = openWindow(undefined, dropped);
    const event = fakeEvent({ url: pathToFileURL('/tmp/a.pcap').href });
    webContents.emit('will-redirect', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(dropped).not.toHaveBeenCalled();
  });

  it("keeps the title it is given: the page's <title> does not replace it", () => {
    createMainWindow({ preloadPath: preload, target: rendererTarget(html, undefined), title: 'reg.pcapng' });
    const win = BrowserWindow.instances[0]!;
    expect(win.options['title']).toBe('reg.pcapng');
    const event = fakeEvent({});
    win.emit('page-title-updated', event, 'sipscope', true);
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it('refuses <webview> attachment', () => {
    const { webContents } = openWindow();
    const event = fakeEvent({});
    webContents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it('denies every permission request and check', () => {
    const { session } = openWindow().webContents;
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const callback = vi.fn();
      session.requestHandler!({}, permission, callback);
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
      expect(session.checkHandler!({}, permission, 'file://', {})).toBe(false);
    }
  });
});

describe('appUrlMatcher', () => {
  it('accepts only the built index.html for a file target', () => {
    const isApp = appUrlMatcher({ kind: 'file', file: html });
    expect(isApp(appUrl)).toBe(true);
    expect(isApp(`${appUrl}#x`)).toBe(true);
    expect(isApp(pathToFileURL(join(outDir, 'renderer/index.htm')).href)).toBe(false);
    expect(isApp(pathToFileURL(join(outDir, 'renderer')).href)).toBe(false);
    expect(isApp(`https://example.com${pathToFileURL(html).pathname}`)).toBe(false);
    expect(isApp('')).toBe(false);
  });

  it('accepts the dev server origin only, and refuses a target without an origin', () => {
    const isApp = appUrlMatcher({ kind: 'url', url: 'http://localhost:5173/' });
    expect(isApp('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(isApp('http://127.0.0.1:5173/')).toBe(false);
    expect(isApp('https://localhost:5173/')).toBe(false);
    expect(isApp(appUrl)).toBe(false);
    expect(() => appUrlMatcher({ kind: 'url', url: 'nonsense' })).toThrow(/no origin/);
  });
});

describe('looksLikeCapture', () => {
  it.each(['a.pcap', 'a.PCAP', 'a.pcapng', 'a.cap', 'a.dmp', 'a.ntar', 'a.pcap.gz', 'a.pcapng.gz', 'a.gz', '/x/y.z/reg.pcapng'])('%s is a capture', (name) => {
    expect(looksLikeCapture(name)).toBe(true);
  });
  it.each(['a.txt', 'a.pcap.txt', 'pcap', '/x/y.pcap/notes', 'a.html', 'a.pcapng.zip', ''])('%s is not', (name) => {
    expect(looksLikeCapture(name)).toBe(false);
  });
});

describe('droppedTracePath', () => {
  const isApp = appUrlMatcher({ kind: 'file', file: html });
  it('gives the path of a dropped capture, decoding the URL', () => {
    const trace = resolve('/home/ops/my captures/R&D #1/reg.pcap.gz');
    expect(droppedTracePath(pathToFileURL(trace).href, isApp)).toBe(trace);
  });
  it.each([
    ['the app page', appUrl],
    ['a file that is not a capture', pathToFileURL('/etc/passwd').href],
    ['a capture on the web', 'https://example.com/reg.pcap'],
    ['a capture on another host', 'file://fileserver/share/reg.pcap'],
    ['an encoded slash', 'file:///tmp/a%2Fb.pcap'],
    ['not a URL', 'reg.pcap'],
    ['a javascript: URL', 'javascript:alert(1)//.pcap'],
  ])('gives null for %s', (_name, url) => {
    expect(droppedTracePath(url, isApp)).toBeNull();
  });
});

describe('the page', () => {
  // The window relies on the page's own Content-Security-Policy (a file: page has no response headers).
  const page = readFileSync(join(repoRoot, 'src/renderer/index.html'), 'utf8');
  const csp = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(page)?.[1] ?? '';
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  it('has a Content-Security-Policy that allows only its own scripts', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
  });

  it('allows no remote connection, only loopback WebSockets', () => {
    for (const source of directives.get('connect-src') ?? []) expect(source).toMatch(/^('self'|ws:\/\/(127\.0\.0\.1|localhost):\*)$/);
  });

  it('has no inline script', () => {
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
