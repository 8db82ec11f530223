/**
 * `sipscope FILE`: which first arguments open the desktop app, what is handed to Electron, and what a
 * machine without the Electron binary (this one) is told.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { desktopCommand, desktopTrace, electronBinary, electronPackageDir, isFile, type DesktopDeps } from '../../src/cli/desktop.js';
import { main } from '../../src/cli/main.js';
import { repoRoot } from '../helpers/paths.js';

const sample = join(repoRoot, 'resources/sample-volte.pcap');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipscope-desktop-'));
  writeFileSync(join(dir, 'calls'), '');
  writeFileSync(join(dir, 'reg.pcap'), '');
  mkdirSync(join(dir, 'folder.pcap'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('desktopTrace', () => {
  it('takes an existing file as the trace, resolved against the working directory', () => {
    expect(desktopTrace('reg.pcap', [], dir, isFile)).toBe(join(dir, 'reg.pcap'));
    expect(desktopTrace(sample, [], dir, isFile)).toBe(sample);
    expect(desktopTrace('./calls', [], dir, isFile)).toBe(join(dir, 'calls'));
  });

  it('is null for a missing file or a folder', () => {
    expect(desktopTrace('nope.pcap', [], dir, isFile)).toBeNull();
    expect(desktopTrace('folder.pcap', [], dir, isFile)).toBeNull();
  });

  it('refuses anything after the file', () => {
    expect(() => desktopTrace('reg.pcap', ['--port', '80'], dir, isFile)).toThrow(UsageError);
  });
});

describe('electronBinary', () => {
  it('is null without the electron package, or without its downloaded binary', () => {
    expect(electronBinary(null, {})).toBeNull();
    const pkg = join(dir, 'electron');
    mkdirSync(pkg, { recursive: true });
    expect(electronBinary(pkg, {})).toBeNull();
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(electronBinary(pkg, {})).toBeNull();
  });

  it('is the binary named by path.txt under dist/, or under ELECTRON_OVERRIDE_DIST_PATH', () => {
    const pkg = join(dir, 'electron-ok');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'path.txt'), 'electron\n');
    writeFileSync(join(pkg, 'dist/electron'), '');
    expect(electronBinary(pkg, {})).toBe(join(pkg, 'dist/electron'));
    const elsewhere = join(dir, 'runtime');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(elsewhere, 'electron'), '');
    expect(electronBinary(pkg, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toBe(join(elsewhere, 'electron'));
  });

  it('finds the installed electron package', () => {
    expect(electronPackageDir()).toBe(join(repoRoot, 'node_modules/electron'));
  });
});

function deps(overrides: Partial<DesktopDeps>): DesktopDeps & { errors: string } {
  const result: DesktopDeps & { errors: string } = {
    errors: '',
    electronBinary: () => '/opt/electron/electron',
    appDir: '/opt/sipscope',
    exists: () => true,
    run: vi.fn(async () => 0),
    stderr: {
      write(text: string): boolean {
        result.errors += text;
        return true;
      },
    },
    ...overrides,
  };
  return result;
}

describe('desktopCommand', () => {
  it('runs Electron with the app folder and the trace, and returns its exit code', async () => {
    const run = vi.fn(async () => 3);
    const d = deps({ run });
    await expect(desktopCommand('/captures/reg.pcap', d)).resolves.toBe(3);
    expect(run).toHaveBeenCalledExactlyOnceWith('/opt/electron/electron', ['/opt/sipscope', '/captures/reg.pcap']);
    expect(d.errors).toBe('');
  });

  it('without the Electron binary: exit 1, pointing to `npm start` with internet and to `sipscope serve FILE`', async () => {
    const run = vi.fn(async () => 0);
    const d = deps({ electronBinary: () => null, run });
    await expect(desktopCommand('/captures/reg.pcap', d)).resolves.toBe(1);
    expect(run).not.toHaveBeenCalled();
    expect(d.errors).toMatch(/Electron runtime is not installed/);
    expect(d.errors).toMatch(/Run `npm start` once in \/opt\/sipscope with internet access/);
    expect(d.errors).toMatch(/sipscope serve \/captures\/reg\.pcap/);
  });

  it('without a built app: exit 1, saying how to build it', async () => {
    const d = deps({ exists: (path) => !path.endsWith('out/main/index.js') });
    await expect(desktopCommand('/captures/reg.pcap', d)).resolves.toBe(1);
    expect(d.errors).toMatch(/the app is not built/);
    expect(d.errors).toMatch(/npx electron-vite build/);
  });
});

describe('sipscope FILE through main()', () => {
  const haveElectron = electronBinary(electronPackageDir(), process.env) !== null;

  async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    try {
      return { code: await main(argv), stderr };
    } finally {
      spy.mockRestore();
    }
  }

  it.skipIf(haveElectron)('says what to do on a machine without the Electron binary, and exits 1', async () => {
    const { code, stderr } = await run([sample]);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot open ${sample} in the desktop app: the Electron runtime is not installed`);
    expect(stderr).toContain(`sipscope serve ${sample}`);
  });

  it('still treats an unknown word that is no file as a usage error', async () => {
    const { code, stderr } = await run(['analyse']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'analyse'/);
  });

  it('refuses options after FILE', async () => {
    const { code, stderr } = await run([sample, '--port', '80']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/opens one trace in the desktop app/);
  });
});
