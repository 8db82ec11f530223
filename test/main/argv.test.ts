import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchDirectory, launchTraceFromArgv, traceFromInstanceData } from '../../src/main/argv.js';

const cwd = resolve('/home/ops/captures');

describe('launchTraceFromArgv', () => {
  it.each([
    ['`electron . FILE` with a relative path', ['/usr/bin/electron', '.', 'reg.pcap'], true, resolve(cwd, 'reg.pcap')],
    ['`electron . FILE` with an absolute path', ['/usr/bin/electron', '.', '/tmp/a.pcapng'], true, resolve('/tmp/a.pcapng')],
    ['a packaged app', ['/opt/sipscope/sipscope', 'reg.pcap'], false, resolve(cwd, 'reg.pcap')],
    ['switches before the file', ['/usr/bin/electron', '.', '--inspect=9229', '--no-sandbox', 'reg.pcap'], true, resolve(cwd, 'reg.pcap')],
    ['a file after --', ['/usr/bin/electron', '.', '--', '-odd-name.pcap'], true, resolve(cwd, '-odd-name.pcap')],
    ['two files (the first wins)', ['/usr/bin/electron', '.', 'a.pcap', 'b.pcap'], true, resolve(cwd, 'a.pcap')],
    ['no file', ['/usr/bin/electron', '.'], true, null],
    ['only switches', ['/opt/sipscope/sipscope', '--enable-logging'], false, null],
  ])('%s', (_name, argv, defaultApp, expected) => {
    expect(launchTraceFromArgv(argv, defaultApp, cwd)).toBe(expected);
  });

  it('does not mistake the app path of `electron .` for a trace', () => {
    expect(launchTraceFromArgv(['/usr/bin/electron', '/opt/sipscope'], true, cwd)).toBeNull();
  });

  it('refuses a path that cannot name a file', () => {
    expect(() => launchTraceFromArgv(['/usr/bin/electron', '.', 'a\0b'], true, cwd)).toThrow(/NUL/);
  });
});

describe('launchDirectory', () => {
  const home = resolve('/home/ops/captures');
  const app = resolve('/opt/sipscope');
  it('is the folder `npm start -- FILE` was typed in (INIT_CWD), not the package folder npm runs from', () => {
    expect(launchDirectory({ INIT_CWD: home }, app, false)).toBe(home);
    expect(launchTraceFromArgv(['/usr/bin/electron', '.', 'reg.pcap'], true, launchDirectory({ INIT_CWD: home }, app, false))).toBe(resolve(home, 'reg.pcap'));
  });
  it('is the working directory without npm, and always for a packaged app', () => {
    expect(launchDirectory({}, app, false)).toBe(app);
    expect(launchDirectory({ INIT_CWD: '' }, app, false)).toBe(app);
    expect(launchDirectory({ INIT_CWD: home }, app, true)).toBe(app);
  });
});

describe('traceFromInstanceData', () => {
  it('reads the trace a second instance hands over', () => {
    expect(traceFromInstanceData({ trace: resolve('/tmp/a.pcap') })).toBe(resolve('/tmp/a.pcap'));
  });
  it.each([
    ['no trace', { trace: null }],
    ['nothing', undefined],
    ['a relative path', { trace: 'a.pcap' }],
    ['a number', { trace: 7 }],
    ['a NUL', { trace: '/tmp/a\0.pcap' }],
    ['a string', '/tmp/a.pcap'],
  ])('gives null for %s', (_name, data) => {
    expect(traceFromInstanceData(data)).toBeNull();
  });
});
