/**
 * The Capture dialog's and the live bar's pure derivations (src/renderer/src/capture/capture-model.ts): the
 * form turned into the contract's CaptureSettings (and each mistake placed on its field), a start failure
 * placed on a field, interface packet rates from two counter readings, and the bar's counters and state.
 */
import { describe, expect, it } from 'vitest';
import { validateCaptureSettings } from '../../../src/main/validate.js';
import {
  captureStateText,
  captureStatusItems,
  failureField,
  formatBytes,
  formatElapsed,
  initialCaptureForm,
  interfaceRates,
  settingsFromForm,
  type CaptureField,
  type CaptureForm,
} from '../../../src/renderer/src/capture/capture-model.js';
import type { CaptureStatus } from '../../../src/shared/api.js';

const form = (changes: Partial<CaptureForm>): CaptureForm => ({ ...initialCaptureForm('udp port 5060'), interfaces: ['lo'], ...changes });

describe('settingsFromForm', () => {
  it('turns an interface form into settings the back end accepts: trimmed filter, default folder, no ring', () => {
    const result = settingsFromForm(form({ interfaces: ['lo', 'any'], filter: '  udp port 5060 ' }));
    expect(result).toEqual({ settings: { source: { kind: 'interfaces', interfaces: ['lo', 'any'], filter: 'udp port 5060' }, folder: null, ring: null } });
    if ('settings' in result) expect(validateCaptureSettings(result.settings)).toEqual(result.settings);
  });

  it('keeps a ring of MB, of seconds, or of both, and an absolute folder (POSIX, Windows, UNC)', () => {
    expect(settingsFromForm(form({ ring: true, ringFiles: '10', ringMegabytes: '100', ringSeconds: '' }))).toMatchObject({ settings: { ring: { files: 10, megabytes: 100, seconds: null } } });
    expect(settingsFromForm(form({ ring: true, ringFiles: '3', ringMegabytes: '', ringSeconds: '60' }))).toMatchObject({ settings: { ring: { files: 3, megabytes: null, seconds: 60 } } });
    expect(settingsFromForm(form({ ring: true, ringFiles: ' 2 ', ringMegabytes: '0.5', ringSeconds: '30' }))).toMatchObject({ settings: { ring: { files: 2, megabytes: 0.5, seconds: 30 } } });
    // The ring fields count only while the ring box is ticked.
    expect(settingsFromForm(form({ ring: false, ringFiles: '1', ringMegabytes: 'x' }))).toMatchObject({ settings: { ring: null } });
    expect(settingsFromForm(form({ folder: ' /srv/captures ' }))).toMatchObject({ settings: { folder: '/srv/captures' } });
    expect(settingsFromForm(form({ folder: 'D:\\captures' }))).toMatchObject({ settings: { folder: 'D:\\captures' } });
    expect(settingsFromForm(form({ folder: '\\\\lab\\share' }))).toMatchObject({ settings: { folder: '\\\\lab\\share' } });
    const ring = settingsFromForm(form({ ring: true, ringFiles: '5', ringMegabytes: '', ringSeconds: '600', folder: '/srv/captures' }));
    if ('settings' in ring) expect(validateCaptureSettings(ring.settings)).toEqual(ring.settings);
    else expect.fail(ring.message);
  });

  it('turns a HEP form into settings with the trimmed host and no ring, whatever the ring fields say', () => {
    const result = settingsFromForm(form({ source: 'hep', hepTransport: 'tcp', hepHost: ' 127.0.0.1 ', hepPort: '9061', ring: true, ringFiles: '1' }));
    expect(result).toEqual({ settings: { source: { kind: 'hep', transport: 'tcp', host: '127.0.0.1', port: 9061 }, folder: null, ring: null } });
    if ('settings' in result) expect(validateCaptureSettings(result.settings)).toEqual(result.settings);
  });

  it.each([
    ['a relative folder', { folder: 'captures' }, 'folder', 'The folder must be an absolute path.'],
    ['a drive-relative folder', { folder: 'C:captures' }, 'folder', 'The folder must be an absolute path.'],
    ['no interface', { interfaces: [] }, 'interfaces', 'Choose at least one interface.'],
    ['HEP port 0', { source: 'hep', hepPort: '0' }, 'hep', 'The HEP port must be a number from 1 to 65535.'],
    ['HEP port 65536', { source: 'hep', hepPort: '65536' }, 'hep', 'The HEP port must be a number from 1 to 65535.'],
    ['an empty HEP port', { source: 'hep', hepPort: ' ' }, 'hep', 'The HEP port must be a number from 1 to 65535.'],
    ['a fractional HEP port', { source: 'hep', hepPort: '9060.5' }, 'hep', 'The HEP port must be a number from 1 to 65535.'],
    ['a HEP port with letters', { source: 'hep', hepPort: '90x' }, 'hep', 'The HEP port must be a number from 1 to 65535.'],
    ['no HEP address', { source: 'hep', hepHost: '  ' }, 'hep', 'Give the address to listen on (0.0.0.0 for every IPv4 address, :: for IPv6 too).'],
    ['a ring of 1 file', { ring: true, ringFiles: '1' }, 'ring', 'A ring buffer keeps at least 2 files.'],
    ['a ring without a number of files', { ring: true, ringFiles: '' }, 'ring', 'A ring buffer keeps at least 2 files.'],
    ['a ring of 2.5 files', { ring: true, ringFiles: '2.5' }, 'ring', 'A ring buffer keeps at least 2 files.'],
    ['a ring of 0 MB', { ring: true, ringMegabytes: '0' }, 'ring', 'The file size must be a number of megabytes above 0.'],
    ['a ring of "lots" MB', { ring: true, ringMegabytes: 'lots' }, 'ring', 'The file size must be a number of megabytes above 0.'],
    ['a ring of -5 seconds', { ring: true, ringMegabytes: '', ringSeconds: '-5' }, 'ring', 'The file duration must be a number of seconds above 0.'],
    ['a ring without size or duration', { ring: true, ringMegabytes: '', ringSeconds: '' }, 'ring', 'Give a file size (MB) or a file duration (seconds): the ring moves to the next file when it is reached.'],
  ] satisfies [string, Partial<CaptureForm>, CaptureField, string][])('places %s on its field', (_name, changes, field, message) => {
    expect(settingsFromForm(form(changes))).toEqual({ field, message });
  });
});

describe('failureField', () => {
  it.each([
    // Messages the back end gives (src/node/capture/cap-module.ts, hep-listener.ts, live-capture.ts, src/main/validate.ts).
    ["Invalid capture filter 'udp prot 5060': syntax error (capture filters use BPF syntax, see 'man pcap-filter').", 'filter'],
    ['capture filter is too long (8193 characters; the limit is 8192)', 'filter'],
    ['cannot listen for HEP on udp:0.0.0.0:9060: the port is already in use (another collector or a previous run?)', 'hep'],
    ['listen EADDRINUSE: address already in use 0.0.0.0:9060', 'hep'],
    ['a ring buffer needs a file size (MB) or a file duration (seconds)', 'ring'],
    ['Cannot create the capture folder /srv/x: EACCES: permission denied', 'folder'],
    ["No interface named 'no-such0' (No such device exists); 'sipscope interfaces' lists them.", 'interfaces'],
    ['too many interfaces (17; the limit is 16)', 'interfaces'],
    ['The capture helper exited unexpectedly.', null],
    ['No permission to capture on lo (socket: Operation not permitted).', null],
  ] as const)('%s → %s', (message, field) => {
    expect(failureField(message)).toBe(field);
  });
});

describe('interfaceRates', () => {
  it('gives packets per second between two readings, for interfaces present in both', () => {
    expect(interfaceRates({ lo: 100, eth0: 5000 }, { lo: 300, eth0: 5000, eth1: 7 }, 500)).toEqual({ lo: 400, eth0: 0 });
  });

  it('gives no rate for a counter that went backwards (interface re-created), nor without an earlier reading or elapsed time', () => {
    expect(interfaceRates({ lo: 100, eth0: 900 }, { lo: 150, eth0: 10 }, 1000)).toEqual({ lo: 50 });
    expect(interfaceRates(null, { lo: 150 }, 1000)).toEqual({});
    expect(interfaceRates({ lo: 100 }, { lo: 150 }, 0)).toEqual({});
    expect(interfaceRates({ lo: 100 }, { lo: 150 }, -20)).toEqual({});
  });
});

describe('formatBytes and formatElapsed', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 KB'],
    [1536, '1.5 KB'],
    [123_456, '123 KB'],
    [999_999, '1.0 MB'],
    [999_499, '999 KB'],
    [12_345_678, '12.3 MB'],
    [2_500_000_000, '2.5 GB'],
    [4e15, '4000 TB'],
  ])('formatBytes(%d) is %s (SI units)', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, '0:00'],
    [999, '0:00'],
    [59_999, '0:59'],
    [75_000, '1:15'],
    [3_599_000, '59:59'],
    [3_725_000, '1:02:05'],
    [90_061_000, '25:01:01'],
  ])('formatElapsed(%d) is %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

const status: CaptureStatus = {
  state: 'capturing',
  source: 'lo (ethernet) — capture filter: udp port 5060',
  startedAt: 1_790_000_000,
  elapsedMs: 75_000,
  packets: 12_345,
  bytes: 1_536_000,
  messages: 1_500,
  calls: 12,
  analysis: 4,
  kernelReceived: 12_400,
  kernelDropped: 0,
  queueDepth: 3,
  queueDropped: 0,
  files: ['/srv/captures/sipscope_lo_20261124-130501.pcapng'],
  problem: null,
};

describe('captureStatusItems', () => {
  it('lists the counters, none flagged while nothing is dropped', () => {
    expect(captureStatusItems(status)).toEqual([
      { label: 'Time', value: '1:15' },
      { label: 'Packets', value: '12,345' },
      { label: 'Bytes', value: '1.5 MB' },
      { label: 'SIP messages', value: '1,500' },
      { label: 'Calls', value: '12' },
      { label: 'Kernel drops', value: '0', alarm: false },
      { label: 'Queue', value: '3' },
      { label: 'Queue drops', value: '0', alarm: false },
    ]);
  });

  it('flags kernel and queue drops, and shows n/a (not flagged) when the kernel gives no count', () => {
    const items = captureStatusItems({ ...status, kernelDropped: 2_048, queueDropped: 7 });
    expect(items.find((i) => i.label === 'Kernel drops')).toEqual({ label: 'Kernel drops', value: '2,048', alarm: true });
    expect(items.find((i) => i.label === 'Queue drops')).toEqual({ label: 'Queue drops', value: '7', alarm: true });
    expect(captureStatusItems({ ...status, kernelDropped: null }).find((i) => i.label === 'Kernel drops')).toEqual({ label: 'Kernel drops', value: 'n/a', alarm: false });
  });
});

describe('captureStateText', () => {
  it('says whether the capture runs, and how many messages a paused display hides', () => {
    expect(captureStateText(status, false, 10)).toBe('Capturing');
    expect(captureStateText(status, true, 200)).toBe('Capturing — display paused (1,300 new messages not shown)');
    expect(captureStateText(status, true, 1_500)).toBe('Capturing — display paused');
    // More shown than counted (a status older than the rows) hides nothing rather than a negative count.
    expect(captureStateText(status, true, 1_600)).toBe('Capturing — display paused');
    expect(captureStateText({ ...status, state: 'stopped' }, true, 0)).toBe('Capture stopped');
    expect(captureStateText({ ...status, state: 'failed', problem: 'lo: The capture helper exited unexpectedly.' }, false, 0)).toBe('Capture failed');
  });
});
