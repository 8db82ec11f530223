/**
 * The argument checks of the trace operations (src/main/validate.ts), shared by the IPC handlers and
 * `sipscope serve`: what a hostile page could send, beyond the cases test/main/ipc.test.ts runs end to end.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  MAX_CAPTURE_FILTER_LENGTH,
  MAX_CAPTURE_INTERFACES,
  MAX_INTERFACE_NAME_LENGTH,
  MAX_RING_FILES,
  MAX_RING_SECONDS,
  parseArguments,
  validateCallList,
  validateCaptureSettings,
  validateHeaderName,
  validateRowId,
  validateRowsQuery,
  validateViewId,
} from '../../src/main/validate.js';

describe('validateRowsQuery', () => {
  it('keeps a full query, as a fresh object', () => {
    const raw = { view: 3, start: 40, count: 1000, sort: { column: 'header:X-Custom_1.a', descending: false }, headers: ['P-Asserted-Identity', 'i', 'v'] };
    const query = validateRowsQuery(raw);
    expect(query).toEqual(raw);
    expect(query).not.toBe(raw);
    expect(query.sort).not.toBe(raw.sort);
    expect(query.headers).not.toBe(raw.headers);
  });

  it.each(['frame', 'time', 'source', 'destination', 'transport', 'method', 'callId', 'cseq', 'procedure', 'info', 'size'])('accepts the column %s', (column) => {
    expect(validateRowsQuery({ view: 0, start: 0, count: 1, sort: { column, descending: true } }).sort).toEqual({ column, descending: true });
  });

  it('refuses prototype names as columns and as fields (JSON.parse makes "__proto__" an own key)', () => {
    for (const column of ['__proto__', 'constructor', 'toString', 'header', 'Frame']) {
      expect(() => validateRowsQuery({ view: 0, start: 0, count: 1, sort: { column, descending: true } })).toThrow(ArgumentError);
    }
    expect(() => validateRowsQuery(JSON.parse('{"view":0,"start":0,"count":1,"__proto__":{"polluted":true}}'))).toThrow('rows query has an unknown field "__proto__"');
    expect(() => validateRowsQuery({ view: 0, start: 0, count: 1, sort: { column: 'time', descending: true, extra: 1 } })).toThrow('sort has an unknown field "extra"');
  });

  it('accepts the RFC 3261 token characters in header names and nothing else', () => {
    expect(validateHeaderName("a-b.c!d%e*f_g+h`i'j~k9", 'header')).toBe("a-b.c!d%e*f_g+h`i'j~k9");
    for (const bad of ['To:', 'Call ID', 'Via\r\n', 'é', '<script>', 'a/b', '']) expect(() => validateHeaderName(bad, 'header'), bad).toThrow(ArgumentError);
  });
});

describe('ids and call lists', () => {
  it('accept non-negative integers within their range', () => {
    expect(validateViewId(0)).toBe(0);
    expect(validateViewId(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(validateRowId(0xffffffff)).toBe(0xffffffff);
    expect(validateCallList([])).toEqual([]);
    expect(validateCallList([5, 0, 5])).toEqual([5, 0, 5]);
  });

  it('refuse everything else, naming the argument', () => {
    expect(() => validateViewId(-0.5)).toThrow('view must be an integer, got -0.5');
    expect(() => validateViewId(2 ** 53)).toThrow(/^view must be between 0 and 9007199254740991/);
    expect(() => validateRowId(true)).toThrow('message row must be an integer, got a boolean');
    expect(() => validateCallList({ length: 1, 0: 1 })).toThrow('calls must be an array of call indexes, got an object');
    expect(() => validateCallList([1.5])).toThrow('call 1 must be an integer, got 1.5');
  });
});

describe('validateCaptureSettings', () => {
  const lo = { kind: 'interfaces', interfaces: ['lo'], filter: 'udp port 5060' };

  it('keeps interface settings with a ring of MB or of seconds, as fresh objects with the known fields only', () => {
    const raw = { source: { kind: 'interfaces', interfaces: ['lo', 'eth1.100', 'any'], filter: '' }, folder: '/srv/captures/../captures/lab', ring: { files: 2, megabytes: 0.5, seconds: null } };
    const settings = validateCaptureSettings(raw);
    expect(settings).toEqual({ source: { kind: 'interfaces', interfaces: ['lo', 'eth1.100', 'any'], filter: '' }, folder: '/srv/captures/lab', ring: { files: 2, megabytes: 0.5, seconds: null } });
    expect(settings.source).not.toBe(raw.source);
    expect(settings.source.kind === 'interfaces' && settings.source.interfaces).not.toBe(raw.source.interfaces);
    expect(settings.ring).not.toBe(raw.ring);
    // A missing size is null, as is a missing folder or ring.
    expect(validateCaptureSettings({ source: lo, ring: { files: MAX_RING_FILES, seconds: MAX_RING_SECONDS } })).toEqual({
      source: lo,
      folder: null,
      ring: { files: MAX_RING_FILES, megabytes: null, seconds: MAX_RING_SECONDS },
    });
    expect(validateCaptureSettings({ source: lo, folder: null, ring: null })).toEqual({ source: lo, folder: null, ring: null });
  });

  it('keeps HEP settings and the limits: 16 interfaces of 256 characters, the longest filter, port 65535', () => {
    expect(validateCaptureSettings({ source: { kind: 'hep', transport: 'tcp', host: 'fe80::1%eth0', port: 65535 }, folder: null, ring: null })).toEqual({
      source: { kind: 'hep', transport: 'tcp', host: 'fe80::1%eth0', port: 65535 },
      folder: null,
      ring: null,
    });
    expect(validateCaptureSettings({ source: { kind: 'hep', transport: 'udp', host: 'hep-collector.lab_1', port: 9060 }, folder: '/tmp', ring: null }).source).toEqual({
      kind: 'hep',
      transport: 'udp',
      host: 'hep-collector.lab_1',
      port: 9060,
    });
    const interfaces = Array.from({ length: MAX_CAPTURE_INTERFACES }, (_, i) => `${String(i).padStart(2, '0')}${'n'.repeat(MAX_INTERFACE_NAME_LENGTH - 2)}`);
    const filter = 'u'.repeat(MAX_CAPTURE_FILTER_LENGTH);
    expect(validateCaptureSettings({ source: { kind: 'interfaces', interfaces, filter }, folder: null, ring: null }).source).toEqual({ kind: 'interfaces', interfaces, filter });
  });

  it.each([
    ['not an object', 'lo', 'capture settings must be an object, got a string'],
    ['an array', [lo], 'capture settings must be an object, got an array'],
    ['an unknown key', { source: lo, folder: null, ring: null, user: 'root' }, 'capture settings has an unknown field "user"'],
    ['__proto__ as a key', JSON.parse('{"source":{"kind":"hep","transport":"udp","host":"0.0.0.0","port":9060},"__proto__":{"x":1}}'), 'capture settings has an unknown field "__proto__"'],
    ['no source', { folder: null, ring: null }, 'capture source must be an object, got undefined'],
    ['an unknown source kind', { source: { kind: 'file', path: '/etc/shadow' } }, 'capture source kind must be "interfaces" or "hep", got "file"'],
    ['a source without kind', { source: {} }, 'capture source kind must be "interfaces" or "hep", got undefined'],
    ['an unknown source key', { source: { ...lo, snaplen: 65535 } }, 'capture source has an unknown field "snaplen"'],
    ['a HEP key on interfaces', { source: { ...lo, port: 9060 } }, 'capture source has an unknown field "port"'],
    ['no interfaces', { source: { ...lo, interfaces: [] } }, 'capture needs at least one interface'],
    ['interfaces not an array', { source: { ...lo, interfaces: 'lo' } }, 'capture needs at least one interface'],
    ['17 interfaces', { source: { ...lo, interfaces: Array.from({ length: 17 }, () => 'lo') } }, 'too many interfaces (17; the limit is 16)'],
    ['an interface that is not a string', { source: { ...lo, interfaces: ['lo', 3] } }, 'interface 2 must be a string, got a number'],
    ['an empty interface name', { source: { ...lo, interfaces: [''] } }, 'interface 1 must be 1 to 256 characters long'],
    ['a 257-character interface name', { source: { ...lo, interfaces: ['e'.repeat(257)] } }, 'interface 1 must be 1 to 256 characters long'],
    ['a newline in an interface name', { source: { ...lo, interfaces: ['lo', 'eth0\nrm'] } }, 'interface 2 contains a control character'],
    ['a NUL in an interface name', { source: { ...lo, interfaces: ['lo\0'] } }, 'interface 1 contains a control character'],
    ['a DEL in an interface name', { source: { ...lo, interfaces: ['lo\x7f'] } }, 'interface 1 contains a control character'],
    ['no filter', { source: { kind: 'interfaces', interfaces: ['lo'] } }, 'capture filter must be a string, got undefined'],
    ['a filter too long', { source: { ...lo, filter: 'u'.repeat(MAX_CAPTURE_FILTER_LENGTH + 1) } }, 'capture filter is too long (8193 characters; the limit is 8192)'],
    ['a NUL in the filter', { source: { ...lo, filter: 'udp\0port 5060' } }, 'capture filter contains a NUL character'],
    ['a bad HEP transport', { source: { kind: 'hep', transport: 'sctp', host: '0.0.0.0', port: 9060 } }, 'HEP transport must be "udp" or "tcp", got "sctp"'],
    ['no HEP transport', { source: { kind: 'hep', host: '0.0.0.0', port: 9060 } }, 'HEP transport must be "udp" or "tcp", got undefined'],
    ['a HEP host with spaces', { source: { kind: 'hep', transport: 'udp', host: '0.0.0.0 -i', port: 9060 } }, 'HEP listen address must be an IP address or a host name, got "0.0.0.0 -i"'],
    ['an empty HEP host', { source: { kind: 'hep', transport: 'udp', host: '', port: 9060 } }, 'HEP listen address must be an IP address or a host name, got ""'],
    ['a HEP host that is a number', { source: { kind: 'hep', transport: 'udp', host: 127, port: 9060 } }, 'HEP listen address must be an IP address or a host name, got a number'],
    ['a HEP port above 65535', { source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: 65536 } }, 'HEP port must be between 0 and 65535, got 65536'],
    ['a negative HEP port', { source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: -1 } }, 'HEP port must be between 0 and 65535, got -1'],
    ['a HEP port as text', { source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: '9060' } }, 'HEP port must be an integer, got a string'],
    ['an unknown HEP key', { source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: 9060, filter: '' } }, 'capture source has an unknown field "filter"'],
    ['a relative folder', { source: lo, folder: 'captures/lab' }, 'capture folder must be absolute, got "captures/lab"'],
    ['a folder with a NUL', { source: lo, folder: '/tmp/x\0y' }, 'capture folder contains a NUL character'],
    ['a folder that is a number', { source: lo, folder: 7 }, 'capture folder must be a string, got a number'],
    ['a ring that is not an object', { source: lo, ring: 10 }, 'ring buffer must be an object or null, got a number'],
    ['a ring with an unknown key', { source: lo, ring: { files: 2, megabytes: 1, seconds: null, packets: 10 } }, 'ring buffer has an unknown field "packets"'],
    ['a ring of 1 file', { source: lo, ring: { files: 1, megabytes: 1, seconds: null } }, 'ring buffer files must be a whole number from 2 to 100000'],
    ['a ring of 2.5 files', { source: lo, ring: { files: 2.5, megabytes: 1, seconds: null } }, 'ring buffer files must be a whole number from 2 to 100000'],
    ['a ring of too many files', { source: lo, ring: { files: MAX_RING_FILES + 1, megabytes: 1, seconds: null } }, 'ring buffer files must be a whole number from 2 to 100000'],
    ['a ring without size and duration', { source: lo, ring: { files: 3, megabytes: null, seconds: null } }, 'a ring buffer needs a file size (MB) or a file duration (seconds)'],
    ['a ring with neither key', { source: lo, ring: { files: 3 } }, 'a ring buffer needs a file size (MB) or a file duration (seconds)'],
    ['a ring of 0 MB', { source: lo, ring: { files: 3, megabytes: 0, seconds: null } }, 'ring buffer file size (MB) must be a number above 0 and at most 1000000, or null'],
    ['a ring of NaN seconds', { source: lo, ring: { files: 3, megabytes: null, seconds: NaN } }, 'ring buffer file duration (s) must be a number above 0 and at most 2678400, or null'],
    ['a ring of too many seconds', { source: lo, ring: { files: 3, megabytes: null, seconds: MAX_RING_SECONDS + 1 } }, 'ring buffer file duration (s) must be a number above 0 and at most 2678400, or null'],
    ['a ring of MB as text', { source: lo, ring: { files: 3, megabytes: '100', seconds: null } }, 'ring buffer file size (MB) must be a number above 0 and at most 1000000, or null'],
    ['a ring with HEP', { source: { kind: 'hep', transport: 'udp', host: '0.0.0.0', port: 9060 }, ring: { files: 3, megabytes: 10, seconds: null } }, 'a HEP listener writes one file: the ring buffer applies to interface captures'],
  ])('refuses %s', (_name, value, message) => {
    let thrown: unknown;
    try {
      validateCaptureSettings(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ArgumentError);
    expect((thrown as Error).message).toBe(message);
  });

  it('is what parseArguments.startCapture applies, with the arity check of every capture operation', () => {
    expect(parseArguments.startCapture([{ source: lo, folder: null, ring: null }])).toEqual([{ source: lo, folder: null, ring: null }]);
    expect(() => parseArguments.startCapture([{ source: lo, folder: 'x' }])).toThrow('capture folder must be absolute, got "x"');
    expect(() => parseArguments.startCapture([])).toThrow('startCapture expects 1 argument, got 0');
    for (const operation of ['listCaptureSources', 'getInterfaceCounters', 'chooseCaptureFolder', 'stopCapture', 'saveCaptureAs'] as const) {
      expect(parseArguments[operation]([])).toEqual([]);
      expect(() => parseArguments[operation](['/tmp'])).toThrow(`${operation} expects 0 arguments, got 1`);
    }
  });
});
