/**
 * What the Capture dialog is offered (src/node/capture/capture-sources.ts), through the real capture helper:
 * the interfaces when capture works, the instructions (never a rejection) when it cannot (cap missing, no
 * rights on any interface); and "Save capture as" copying the files byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAPTURE_FILTER, listInterfaces } from '../../../src/node/capture/capture-client.js';
import { captureSources, copyCaptureFiles, defaultCaptureFolder } from '../../../src/node/capture/capture-sources.js';
import { canCapture, capInstalled } from '../../helpers/capture.js';

const work = mkdtempSync(join(tmpdir(), 'sipscope-capture-sources-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('captureSources', () => {
  it('without `cap`, is not available and says how to enable capture', async () => {
    const sources = await captureSources({ defaultFolder: '/srv/captures', folderChoosable: true, helper: { capModule: 'sipscope-no-such-module' } });
    expect(sources).toMatchObject({ available: false, interfaces: [], defaultFilter: DEFAULT_CAPTURE_FILTER, defaultFolder: '/srv/captures', folderChoosable: true });
    expect(sources.problem).toMatch(/^Live capture is not enabled: the `cap` module \(libpcap bindings\) is not installed or did not build\./);
    expect(sources.problem).toContain('sudo apt-get install libpcap-dev build-essential python3 && npm install');
    expect(sources.problem).toMatch(/Capturing also needs rights: sudo setcap cap_net_raw,cap_net_admin=eip \//);
    expect(sources.problem).toContain("(Loading 'sipscope-no-such-module' failed:");
  }, 30_000);

  it('without the built helper, is not available and says to build it', async () => {
    const sources = await captureSources({ defaultFolder: '/srv/captures', folderChoosable: false, helper: { helperPath: join(work, 'no-helper.js') } });
    expect(sources).toEqual({
      available: false,
      problem: `The capture helper is not built (${join(work, 'no-helper.js')} is missing): run \`npm run build:cli\` in the sipscope folder.`,
      interfaces: [],
      defaultFilter: DEFAULT_CAPTURE_FILTER,
      defaultFolder: '/srv/captures',
      folderChoosable: false,
    });
  });

  it.skipIf(!capInstalled)('lists lo (loopback, its addresses) and any, available with capture rights', async (ctx) => {
    const sources = await captureSources({ defaultFolder: '/srv/captures', folderChoosable: true });
    const lo = sources.interfaces.find((i) => i.name === 'lo');
    expect(lo).toMatchObject({ name: 'lo', loopback: true });
    expect(lo?.addresses).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
    expect(sources.interfaces.find((i) => i.name === 'any')?.description).toBe('Pseudo-device that captures on all interfaces');
    if (!(await canCapture())) return ctx.skip('no capture rights here');
    expect(sources).toMatchObject({ available: true, problem: null });
  }, 30_000);

  it.skipIf(!capInstalled || process.getuid?.() !== 0)('without rights on any interface, is not available and says what to grant', async (ctx) => {
    if (spawnSync('sh', ['-c', 'command -v setpriv']).status !== 0) return ctx.skip('setpriv is not installed: rights cannot be dropped');
    const launcher = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
    const lo = (await listInterfaces({ launcher })).find((i) => i.name === 'lo');
    if (lo?.linkError?.kind !== 'permission') return ctx.skip('this Node binary has capture capabilities (setcap), so rights cannot be dropped by user');
    const sources = await captureSources({ defaultFolder: '/srv/captures', folderChoosable: true, helper: { launcher } });
    // Pseudo-devices that fail whatever the rights (Debian's libpcap lists dbus-system, bluetooth-monitor) do
    // not make capture look available. The interfaces are still listed (the dialog shows them).
    expect(sources.available).toBe(false);
    expect(sources.interfaces.map((i) => i.name)).toContain('lo');
    expect(sources.problem).toMatch(/^No permission to capture on \S+ \(socket: Operation not permitted\)\.\n/);
    expect(sources.problem).toMatch(/sudo setcap cap_net_raw,cap_net_admin=eip \/\S+ \(or run sipscope as root\)$/);
  }, 30_000);

  it('puts capture files in a folder of the home directory by default', () => {
    expect(defaultCaptureFolder()).toBe(join(homedir(), 'sipscope-captures'));
  });
});

describe('copyCaptureFiles', () => {
  let n = 0;
  function files(...names: string[]): { folder: string; paths: string[]; bytes: Buffer[] } {
    const folder = join(work, `copy-${++n}`);
    mkdirSync(folder);
    const paths = names.map((name) => join(folder, name));
    const bytes = paths.map((_, i) => Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), Buffer.alloc(100 * (i + 1), 0x41 + i)]));
    paths.forEach((path, i) => writeFileSync(path, bytes[i]!));
    return { folder, paths, bytes };
  }

  it('copies one file to the path given', async () => {
    const { folder, paths, bytes } = files('sipscope_lo_20261124-130501.pcapng');
    const target = join(folder, 'saved.pcapng');
    await expect(copyCaptureFiles(paths, target)).resolves.toBe(target);
    expect(readFileSync(target)).toEqual(bytes[0]);
  });

  it('leaves a file saved onto itself whole (the save dialog offers the capture file itself)', async () => {
    const { paths, bytes } = files('sipscope_lo_20261124-130501.pcapng');
    await copyCaptureFiles(paths, paths[0]!);
    expect(readFileSync(paths[0]!)).toEqual(bytes[0]);
  });

  it('copies several files into the folder given, keeping their names', async () => {
    const { folder, paths, bytes } = files('sipscope_lo_00001_20261124130501.pcapng', 'sipscope_lo_00002_20261124130601.pcapng');
    const into = join(folder, 'saved');
    mkdirSync(into);
    await expect(copyCaptureFiles(paths, into)).resolves.toBe(into);
    expect(readdirSync(into).sort()).toEqual(['sipscope_lo_00001_20261124130501.pcapng', 'sipscope_lo_00002_20261124130601.pcapng']);
    expect(readFileSync(join(into, 'sipscope_lo_00001_20261124130501.pcapng'))).toEqual(bytes[0]);
    expect(readFileSync(join(into, 'sipscope_lo_00002_20261124130601.pcapng'))).toEqual(bytes[1]);
  });

  it('refuses a capture without files, and rejects naming a file that is gone', async () => {
    await expect(copyCaptureFiles([], join(work, 'x.pcapng'))).rejects.toThrow('this capture has no file on disk yet');
    await expect(copyCaptureFiles([join(work, 'gone.pcapng')], join(work, 'x.pcapng'))).rejects.toThrow(/ENOENT.*gone\.pcapng/);
  });
});
