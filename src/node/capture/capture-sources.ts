/**
 * What the Capture dialog offers (the contract's `CaptureSources`), shared by the app's IPC handlers and
 * `sipscope serve`: the interfaces the capture helper lists, whether capture can start at all, and the defaults.
 */
import { copyFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { CaptureInterfaceInfo, CaptureSources } from '../../shared/api.js';
import { CaptureError, DEFAULT_CAPTURE_FILTER, listInterfaces, type HelperOptions } from './capture-client.js';

/** Where capture files go unless the user chooses: a folder of their own, not a temporary one a reboot empties. */
export function defaultCaptureFolder(): string {
  return join(homedir(), 'sipscope-captures');
}

export interface CaptureSourcesOptions {
  defaultFolder: string;
  folderChoosable: boolean;
  helper?: HelperOptions;
}

/**
 * Lists the interfaces through the capture helper. Capture that cannot work (cap missing, no rights on any
 * interface) is `available: false` with the instructions as `problem`, never a rejection: the dialog shows them.
 */
export async function captureSources(options: CaptureSourcesOptions): Promise<CaptureSources> {
  const base = { defaultFilter: DEFAULT_CAPTURE_FILTER, defaultFolder: options.defaultFolder, folderChoosable: options.folderChoosable };
  let listed;
  try {
    listed = await listInterfaces(options.helper);
  } catch (error) {
    const message = error instanceof CaptureError || error instanceof Error ? error.message : String(error);
    return { ...base, available: false, problem: message, interfaces: [] };
  }
  const interfaces: CaptureInterfaceInfo[] = listed.map((i) => ({
    name: i.name,
    description: i.description ?? null,
    addresses: i.addresses.map((a) => a.address),
    loopback: i.loopback,
  }));
  // The helper opens each interface to learn its link type: when none opens and rights are why, capture cannot
  // start. Some pseudo-devices fail for other reasons whatever the rights (Debian's libpcap lists
  // bluetooth-monitor and dbus-system, which fail without a bus), so they must not hide the missing rights.
  const refusals = listed.filter((i) => i.link === null && i.linkError?.kind === 'permission');
  if (refusals.length > 0 && listed.every((i) => i.link === null)) {
    return { ...base, available: false, problem: refusals[0].linkError?.message ?? 'No permission to capture.', interfaces };
  }
  return { ...base, available: true, problem: null, interfaces };
}

/**
 * Copies a capture's files: one file to `target` (a file path), several (a ring, several interfaces) into
 * `target` as a folder, keeping their names. Resolves to what was written.
 */
export async function copyCaptureFiles(files: readonly string[], target: string): Promise<string> {
  if (files.length === 0) throw new Error('this capture has no file on disk yet');
  if (files.length === 1) {
    await copyFile(files[0], target);
    return target;
  }
  for (const file of files) await copyFile(file, join(target, basename(file)));
  return target;
}
