// What the live-capture tests share: whether the optional `cap` module is there, and whether this process
// (which the capture helper inherits) may capture.
import { spawnSync } from 'node:child_process';
import { listInterfaces } from '../../src/node/capture/capture-client.js';
import { repoRoot } from './paths.js';

/** Checked in a separate process, so the test process never loads the native module itself. */
export const capInstalled = spawnSync(process.execPath, ['-e', "require('cap')"], { cwd: repoRoot }).status === 0;

/** Does this process (the helper inherits it) have capture rights? Opening lo answers. */
export async function canCapture(): Promise<boolean> {
  const lo = (await listInterfaces()).find((i) => i.name === 'lo');
  return lo?.link !== null && lo?.link !== undefined;
}
