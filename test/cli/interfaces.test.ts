/**
 * `sipscope interfaces` as a user runs it: the real bin script (which runs the compiled CLI in dist/, so
 * `npm run build:cli` must have run), exit codes, stdout and stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capInstalled } from '../helpers/capture.js';
import { repoRoot } from '../helpers/paths.js';

const bin = join(repoRoot, 'bin/sipscope.js');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist/node/capture/capture-helper.js'))) {
    throw new Error('sipscope interfaces runs the compiled CLI and capture helper: run `npm run build:cli` first');
  }
});

describe('sipscope interfaces', () => {
  it.skipIf(!capInstalled)('lists lo with its addresses (text)', () => {
    const r = run(['interfaces']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +LINK +ADDRESSES +DESCRIPTION$/);
    expect(lines.find((line) => line.startsWith('lo '))).toMatch(/^lo +\S+ +127\.0\.0\.1\/8, ::1\/128 +Loopback$/);
  });

  it.skipIf(!capInstalled)('--format json gives every interface with its link type and addresses', () => {
    const r = run(['interfaces', '--format', 'json']);
    expect(r.code).toBe(0);
    const { interfaces } = JSON.parse(r.stdout) as { interfaces: { name: string; loopback: boolean; linkType: number | null; addresses: { address: string }[] }[] };
    const lo = interfaces.find((i) => i.name === 'lo');
    expect(lo?.loopback).toBe(true);
    expect(lo?.addresses.map((a) => a.address)).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
    if (process.getuid?.() === 0) expect(lo?.linkType).toBe(1);
  });

  it('without `cap` exits 1 and says how to enable capture, without a stack trace', () => {
    const r = run(['interfaces'], { SIPSCOPE_CAP_MODULE: 'sipscope-test-no-such-cap-module' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sipscope: Live capture is not enabled: the `cap` module \(libpcap bindings\) is not installed or did not build\.\n/);
    expect(r.stderr).toContain('sudo apt-get install libpcap-dev build-essential python3 && npm install');
    expect(r.stderr).toContain('sudo setcap cap_net_raw,cap_net_admin=eip');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad usage exits 2', () => {
    expect(run(['interfaces', 'eth0']).code).toBe(2);
    expect(run(['interfaces', '--format', 'xml']).stderr).toContain("option '--format' takes one of text, json, not 'xml'");
    const help = run(['interfaces', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sipscope interfaces \[--format text\|json\]/);
  });
});
