import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, fakeEvent, resetFakeElectron } from './fake-electron.js';
import { appPaths, appUrlMatcher, createMainWindow, rendererTarget } from '../../src/main/window.js';

vi.mock('electron', () => import('./fake-electron.js'));

const outDir = resolve('/opt/sipscope/out');
const html = join(outDir, 'renderer/index.html');
const preload = join(outDir, 'preload/index.cjs');
const appUrl = pathToFileURL(html).href;

function openWindow(target = rendererTarget(html, undefined)): BrowserWindow {
  createMainWindow({ preloadPath: preload, target });
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
