/**
 * `sipscope capture` as a user runs it: the real bin script (the compiled CLI and capture helper in dist/, so
 * `npm run build:cli` must have run) on loopback, fed by a UDP socket of this test or by HEP datagrams.
 * Other processes may send SIP on lo:5060 at the same time: every check matches this test's own Call-IDs, and
 * the interface captures filter on this test's source port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../src/core/capture/open.js';
import { capInstalled } from '../helpers/capture.js';
import { fixtures, repoRoot } from '../helpers/paths.js';
import { readPcap } from '../helpers/read-pcap.js';

const bin = join(repoRoot, 'bin/sipscope.js');
const canCapture = capInstalled && process.getuid?.() === 0;
const tmp = mkdtempSync(join(tmpdir(), 'sipscope-capture-test-'));

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist/node/capture/capture-helper.js')) || !existsSync(join(repoRoot, 'dist/cli/capture.js'))) {
    throw new Error('sipscope capture runs the compiled CLI and capture helper: run `npm run build:cli` first');
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches (the "capturing on" / "listening for HEP" line). */
  waitStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  waitStdoutLines(n: number, keep: (line: string) => boolean): Promise<void>;
  exit: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const poke = () => listeners.forEach((l) => l());
  child.stdout?.setEncoding('utf8').on('data', (t: string) => ((out += t), poke()));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => ((err += t), poke()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => (poke(), resolve(code))));
  const until = <T>(test: () => T | undefined, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = test();
        if (value !== undefined) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(value);
        } else if (child.exitCode !== null) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`sipscope exited (${child.exitCode}) before ${what}; stderr:\n${err}`));
        }
      };
      const timer = setTimeout(() => (listeners.delete(check), reject(new Error(`timed out waiting for ${what}; stderr:\n${err}`))), 20_000);
      listeners.add(check);
      check();
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitStderr: (pattern) => until(() => err.match(pattern) ?? undefined, String(pattern)),
    waitStdoutLines: async (n, keep) => {
      await until(() => (out.split('\n').filter(keep).length >= n ? true : undefined), `${n} lines`);
    },
    exit,
  };
}

async function udpSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function send(socket: Socket, data: Uint8Array, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(data, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
}

/** Valid SIP requests (RFC 3261 §8.1.1 mandatory headers), each with a Call-ID unique to this run. */
function sipMessages(tag: string, n: number): { method: string; callId: string; text: string }[] {
  const methods = ['OPTIONS', 'MESSAGE', 'INVITE', 'REGISTER', 'SUBSCRIBE'];
  return Array.from({ length: n }, (_, i) => {
    const method = methods[i % methods.length];
    const callId = `sipscope-capture-${tag}-${process.pid}-${i}@127.0.0.1`;
    const text =
      `${method} sip:+33600000${i}@ims.example.net SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-${tag}-${i}\r\n` +
      `Max-Forwards: 70\r\n` +
      `From: <sip:+33611111111@ims.example.net>;tag=f${i}\r\n` +
      `To: <sip:+33600000${i}@ims.example.net>\r\n` +
      `Call-ID: ${callId}\r\n` +
      `CSeq: ${i + 1} ${method}\r\n` +
      `Contact: <sip:127.0.0.1:5070>\r\n` +
      `Content-Length: 0\r\n\r\n`;
    return { method, callId, text };
  });
}

interface PrintedMessage {
  frame: number;
  callId: string;
  method?: string;
  transport: string;
  encapsulation: string[];
}

/** Packets in a pcapng file and their link types, read by the engine's reader. */
function pcapngPackets(path: string): { packets: number; linkTypes: number[] } {
  const linkTypes = new Set<number>();
  let packets = 0;
  const reader = createCaptureReader('pcapng', {
    packet: (p) => {
      packets++;
      linkTypes.add(p.linkType);
    },
    diagnostic: () => {},
  });
  reader.push(readFileSync(path));
  reader.end();
  return { packets, linkTypes: [...linkTypes] };
}

function ndjson(stdout: string): PrintedMessage[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as PrintedMessage);
}

describe.skipIf(!canCapture)('sipscope capture -i lo', () => {
  it('prints every message sent, as ndjson, then stops at --count with the summary', async () => {
    const socket = await udpSocket();
    const port = socket.address().port;
    const messages = sipMessages('count', 10);
    const capture = start(['capture', '-i', 'lo', '-f', `udp and src port ${port}`, '--format', 'ndjson', '--count', String(messages.length)]);
    await capture.waitStderr(/capturing on lo/);
    for (const m of messages) await send(socket, Buffer.from(m.text), 5060);
    socket.close();
    expect(await capture.exit).toBe(0);
    const printed = ndjson(capture.stdout());
    expect(printed.map((p) => [p.method, p.callId])).toEqual(messages.map((m) => [m.method, m.callId]));
    expect(printed.every((p) => p.transport === 'UDP')).toBe(true);
    const err = capture.stderr();
    // lo carries each datagram once: as many packets as messages, none dropped.
    expect(err).toMatch(/^Captured: +10 packets, \d+ bytes on lo$/m);
    expect(err).toMatch(/^SIP: +10 messages$/m);
    expect(err).toMatch(/^Drops: +queue 0, kernel 0 \(of 10 received\)$/m);
    expect(err).toMatch(/^Files: +none$/m);
  });

  it('stops after --duration seconds', async () => {
    const began = Date.now();
    const capture = start(['capture', '-i', 'lo', '-f', 'udp and port 9', '--duration', '1', '--format', 'tsv']);
    expect(await capture.exit).toBe(0);
    const elapsed = Date.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(15_000);
    expect(capture.stderr()).toMatch(/^SIP: +0 messages$/m);
  });

  it('stops cleanly on SIGINT, after printing what it captured, and writes the pcapng (-w)', async () => {
    const socket = await udpSocket();
    const port = socket.address().port;
    const messages = sipMessages('sigint', 5);
    const out = join(tmp, 'sigint.pcapng');
    const capture = start(['capture', '-i', 'lo', '-f', `udp and src port ${port}`, '-w', out]);
    await capture.waitStderr(/capturing on lo/);
    for (const m of messages) await send(socket, Buffer.from(m.text), 5060);
    socket.close();
    await capture.waitStdoutLines(messages.length, (line) => line.includes(`sipscope-capture-sigint-${process.pid}-`));
    capture.child.kill('SIGINT');
    expect(await capture.exit).toBe(0);
    const lines = capture.stdout().split('\n');
    expect(lines[0]).toMatch(/^ +No\. +Time +Source +Destination +Proto +Message +CSeq +Call-ID$/);
    for (const m of messages) expect(lines.some((l) => l.includes(m.method) && l.endsWith(m.callId))).toBe(true);
    const err = capture.stderr();
    expect(err).toMatch(/^Captured: +5 packets/m);
    expect(err).toMatch(/^SIP: +5 messages$/m);
    // The file is finished on SIGINT: tshark reads the 5 packets back.
    expect(err).toContain(`Files:       ${out} (5 packets written)`);
    expect(statSync(out).size).toBeGreaterThan(0);
    const tshark = spawnSync('tshark', ['-r', out, '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
    if (tshark.status === 0) expect(tshark.stdout.trim().split('\n')).toEqual(messages.map((m) => m.callId));
  });

  it('rotates through --ring files and lists them in the summary', async () => {
    const socket = await udpSocket();
    const port = socket.address().port;
    const messages = sipMessages('ring', 12);
    const dir = mkdtempSync(join(tmp, 'ring-'));
    // 2 files of 1.5 kB: the 12 messages (~4.5 kB with their frames) need several files, the oldest go.
    const capture = start(['capture', '-i', 'lo', '-f', `udp and src port ${port}`, '-w', join(dir, 'ring.pcapng'), '--ring', '2:0.0015', '--count', '12', '--format', 'tsv']);
    await capture.waitStderr(/capturing on lo/);
    for (const m of messages) await send(socket, Buffer.from(m.text), 5060);
    socket.close();
    expect(await capture.exit).toBe(0);
    const lines = capture.stdout().trimEnd().split('\n');
    expect(lines[0].split('\t')).toEqual(['frame', 'time', 'src', 'dst', 'transport', 'method', 'status', 'reason', 'call_id', 'cseq', 'from_tag', 'to_tag', 'branch', 'diagnostics']);
    expect(lines.slice(1).map((l) => l.split('\t')[8])).toEqual(messages.map((m) => m.callId));
    const files = /^Files: +(.*) \((\d+) packets written\)$/m.exec(capture.stderr());
    expect(files?.[2]).toBe('12');
    const paths = (files?.[1] ?? '').split(', ');
    expect(paths.length).toBe(2);
    expect(paths.map((p) => existsSync(p))).toEqual([true, true]);
    expect(readdirSync(dir).sort()).toEqual(paths.map((p) => p.slice(dir.length + 1)).sort());
  });

  it('captures on several interfaces at once (-i lo -i any), one helper and one file each', async () => {
    const socket = await udpSocket();
    const port = socket.address().port;
    const messages = sipMessages('multi', 6);
    const out = join(tmp, 'multi.pcapng');
    const capture = start(['capture', '-i', 'lo', '-i', 'any', '-f', `udp and src port ${port}`, '-w', out, '--format', 'ndjson']);
    await capture.waitStderr(/capturing on any/);
    for (const m of messages) await send(socket, Buffer.from(m.text), 5060);
    socket.close();
    // `any` sees lo's traffic too: each message arrives once per interface.
    await capture.waitStdoutLines(2 * messages.length, (line) => line.includes(`sipscope-capture-multi-${process.pid}-`));
    capture.child.kill('SIGINT');
    expect(await capture.exit).toBe(0);
    const err = capture.stderr();
    const loFile = join(tmp, 'multi_lo.pcapng');
    const anyFile = join(tmp, 'multi_any.pcapng');
    expect(err).toContain(`capturing on lo (ethernet), filter: udp and src port ${port}, writing ${loFile}`);
    expect(err).toContain(`writing ${anyFile}`);
    expect(err).toMatch(/^Captured: +6 packets, \d+ bytes on lo$/m);
    expect(err).toMatch(/^Captured: +6 packets, \d+ bytes on any$/m);
    expect(err).toContain(`Files:       ${loFile}, ${anyFile} (12 packets written)`);
    // Each file holds its interface's packets: lo's as Ethernet frames (1), any's as Linux cooked captures (113).
    expect(pcapngPackets(loFile)).toEqual({ packets: 6, linkTypes: [1] });
    expect(pcapngPackets(anyFile)).toEqual({ packets: 6, linkTypes: [113] });
    // Frames are numbered across both interfaces: every message printed twice, with distinct frame numbers.
    const printed = ndjson(capture.stdout()).filter((p) => p.callId.includes(`-multi-${process.pid}-`));
    expect(new Set(printed.map((p) => p.frame)).size).toBe(12);
    expect(printed.map((p) => p.callId).sort()).toEqual([...messages, ...messages].map((m) => m.callId).sort());
  });

  it('rejects a bad capture filter (exit 1, the message, no stack)', () => {
    const r = run(['capture', '-i', 'lo', '-f', 'udp portt 5060']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sipscope: Invalid capture filter 'udp portt 5060': .*\(capture filters use BPF syntax, see 'man pcap-filter'\)\.\n$/);
  });
});

/** A way to run without capture rights: as nobody, with setpriv (root only, as here). */
const canDropRights = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe.skipIf(!canCapture || !canDropRights)('sipscope capture without capture rights', () => {
  it('says how to grant them (exit 1, no stack)', () => {
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, bin, 'capture', '-i', 'lo'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sipscope: No permission to capture on lo \(.*\)\.\nCapturing needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities/);
    expect(r.stderr).toContain('sudo setcap cap_net_raw,cap_net_admin=eip');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/** The fixture is HEP3 over UDP as heplify sends it (test/fixtures/README.md): each UDP payload is one HEP packet. */
function hepPayloads(): Uint8Array[] {
  return readPcap(join(fixtures, 'hep3-udp.pcap')).map((p) => {
    expect(p.linkType).toBe(1);
    const ip = 14;
    const udp = ip + (p.data[ip] & 0x0f) * 4;
    return p.data.subarray(udp + 8, udp + ((p.data[udp + 4] << 8) | p.data[udp + 5]));
  });
}

/** The Call-ID of the SIP message a HEP packet carries (its payload chunk is the SIP text). */
function callIdOf(hep: Uint8Array): string | undefined {
  return /\r\n(?:Call-ID|i) *: *([^\r\n]+)/i.exec(Buffer.from(hep).toString('latin1'))?.[1];
}

describe('sipscope capture --hep-listen', () => {
  it('decodes HEP v3 datagrams (the fixture replayed) as they arrive', async () => {
    const payloads = hepPayloads();
    const callIds = payloads.map(callIdOf);
    expect(callIds.every((c) => c !== undefined)).toBe(true);
    const capture = start(['capture', '--hep-listen', 'udp:127.0.0.1:0', '--format', 'ndjson', '--count', String(payloads.length)]);
    const [, port] = await capture.waitStderr(/listening for HEP on udp 127\.0\.0\.1:(\d+)/);
    const socket = await udpSocket();
    for (const p of payloads) await send(socket, p, Number(port));
    socket.close();
    expect(await capture.exit).toBe(0);
    const printed = ndjson(capture.stdout());
    expect(printed.map((p) => p.callId)).toEqual(callIds);
    // Decoded from inside HEP v3 (the engine's encapsulation list ends with the HEP layer), not as the carrying UDP.
    expect(printed.every((p) => p.encapsulation.at(-1) === 'hep3')).toBe(true);
    expect(capture.stderr()).toMatch(new RegExp(`^HEP: +${payloads.length} packets`, 'm'));
    expect(capture.stderr()).toMatch(new RegExp(`^SIP: +${payloads.length} messages$`, 'm'));
  });

  it('decodes HEP v3 over TCP and stops on SIGTERM with the summary', async () => {
    const payloads = hepPayloads();
    const capture = start(['capture', '--hep-listen', 'tcp:127.0.0.1:0', '--format', 'ndjson']);
    const [, port] = await capture.waitStderr(/listening for HEP on tcp 127\.0\.0\.1:(\d+)/);
    // One stream, the packets back to back: the listener frames them by HEP3's own length field.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(Buffer.concat(payloads), resolve));
      socket.on('error', reject);
    });
    await capture.waitStdoutLines(payloads.length, (line) => line.startsWith('{'));
    capture.child.kill('SIGTERM');
    expect(await capture.exit).toBe(0);
    expect(ndjson(capture.stdout()).map((p) => p.callId)).toEqual(payloads.map(callIdOf));
    expect(capture.stderr()).toMatch(new RegExp(`^HEP: +${payloads.length} packets, \\d+ bytes \\(0 datagrams, 1 connections`, 'm'));
  });

  it.skipIf(!canCapture)('merges an interface and a HEP feed into one listing, frames numbered across both', async () => {
    const socket = await udpSocket();
    const port = socket.address().port;
    const messages = sipMessages('merged', 3);
    const payloads = hepPayloads().slice(0, 3);
    const capture = start(['capture', '-i', 'lo', '-f', `udp and src port ${port} and dst port 5060`, '--hep-listen', 'udp:127.0.0.1:0', '--format', 'ndjson', '--count', '6']);
    const [, hepPort] = await capture.waitStderr(/listening for HEP on udp 127\.0\.0\.1:(\d+)/);
    await capture.waitStderr(/capturing on lo/);
    for (let i = 0; i < 3; i++) {
      await send(socket, Buffer.from(messages[i].text), 5060);
      await send(socket, payloads[i], Number(hepPort));
    }
    socket.close();
    expect(await capture.exit).toBe(0);
    const printed = ndjson(capture.stdout());
    expect(printed.map((p) => p.callId).sort()).toEqual([...messages.map((m) => m.callId), ...payloads.map(callIdOf)].sort());
    expect(new Set(printed.map((p) => p.frame)).size).toBe(6);
  });
});

describe('sipscope capture errors', () => {
  it('bad usage exits 2 with the message', () => {
    const cases: [string[], string][] = [
      [['capture'], 'capture needs an interface (-i IFACE) or --hep-listen'],
      [['capture', '-i', 'lo', '--bogus'], "unknown option '--bogus'"],
      [['capture', '-i', 'lo', '-w', 'x.pcapng', '--ring', '1:10'], "option '--ring' takes FILES:MB with at least 2 files and a size above 0 (e.g. 10:100), not '1:10'"],
      [['capture', '-i', 'lo', '-w', 'x.pcapng', '--ring', '10'], "option '--ring' takes FILES:MB with at least 2 files and a size above 0 (e.g. 10:100), not '10'"],
      [['capture', '-i', 'lo', '--ring', '10:100'], "option '--ring' needs -w FILE (the ring's file name)"],
      [['capture', '--hep-listen', 'sctp:0.0.0.0:9060'], "option '--hep-listen' takes udp:HOST:PORT or tcp:HOST:PORT (e.g. udp:0.0.0.0:9060), not 'sctp:0.0.0.0:9060'"],
      [['capture', '-i', 'lo', '--count', '0'], "option '--count' takes a whole number above 0, not '0'"],
      [['capture', '-i', 'lo', '--duration', 'soon'], "option '--duration' takes a number above 0, not 'soon'"],
      [['capture', '-i', 'lo', '-B', '4096'], "option '--buffer-size' takes at most 2047 MiB, not 4096"],
      [['capture', '-i', 'lo', '-B', '0.5'], "option '--buffer-size' takes a whole number above 0, not '0.5'"],
      [['capture', '--hep-listen', 'udp:127.0.0.1:9060', '-B', '64'], "option '--buffer-size' applies to an interface capture (-i)"],
      [['capture', '-i', 'lo', '--format', 'json'], "option '--format' takes one of table, tsv, ndjson, not 'json'"],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`sipscope: ${message}\nRun 'sipscope help' for usage.\n`);
    }
  });

  it('says why the HEP port cannot be opened (exit 1, no stack)', async () => {
    const taken = await udpSocket();
    const port = taken.address().port;
    const r = run(['capture', '--hep-listen', `udp:127.0.0.1:${port}`, '--duration', '1']);
    taken.close();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`sipscope: cannot listen for HEP on udp:127.0.0.1:${port}: the port is already in use (another collector or a previous run?)\n`);
  });

  it('says how to enable capture when `cap` is missing (exit 1)', () => {
    const r = run(['capture', '-i', 'lo'], { SIPSCOPE_CAP_MODULE: 'sipscope-test-no-such-cap-module' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sipscope: Live capture is not enabled: the `cap` module \(libpcap bindings\) is not installed or did not build\.\n/);
    expect(r.stderr).toContain('sudo setcap cap_net_raw,cap_net_admin=eip');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help prints the usage', () => {
    const r = run(['capture', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: sipscope capture -i IFACE/);
  });
});
