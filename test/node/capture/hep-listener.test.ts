import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../src/core/capture/open.js';
import type { CapturedPacket } from '../../../src/core/capture/types.js';
import { TraceEngine } from '../../../src/core/engine/trace-engine.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { judgeHepDatagram, startHepListener, type HepListener, type HepListenerOptions, type HepListenerProblem } from '../../../src/node/capture/hep-listener.js';
import { buildUdpFrame } from '../../../src/node/capture/udp-frame.js';
import { fixtures } from '../../helpers/paths.js';
import { hepPayloads } from '../../helpers/hep.js';
import { haveTshark } from '../../helpers/tshark.js';

/**
 * The HEP listener on real loopback sockets (127.0.0.1 and ::1). The HEP bytes are sngrep's, from the
 * fixtures made by test/fixtures/make-hep-fixtures.sh (Ethernet/IPv4/UDP to 9060 around each HEP packet):
 * we take each UDP payload, send it to the listener, feed what it hands over to an engine, and compare the
 * SIP messages with what the engine finds reading the fixture file itself.
 */

const work = mkdtempSync(join(tmpdir(), 'sipscope-hep-listener-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What a message is, minus where its bytes sit in a file and the outer (HEP transport) addresses. */
function messages(engine: TraceEngine) {
  const out = [];
  for (let i = 0; i < engine.index.count; i++) {
    const m = engine.index.get(i);
    const hep = m.outer.find((l) => l.layer === 'hep3' || l.layer === 'hep2');
    out.push({
      frame: m.frame,
      tsSec: m.tsSec,
      tsNsec: m.tsNsec,
      src: m.src,
      dst: m.dst,
      transport: m.transport,
      method: m.method,
      status: m.status,
      callId: m.callId,
      cseq: m.cseq,
      fromTag: m.fromTag,
      toTag: m.toTag,
      branch: m.branch,
      size: m.size,
      diagnostics: m.diagnostics,
      hep: hep ? { layer: hep.layer, version: hep['hep.version'], captureId: hep['hep.capture_id'] } : undefined,
    });
  }
  return out;
}

function engineOfFixture(name: string): TraceEngine {
  const engine = new TraceEngine();
  const reader = createCaptureReader('pcap', { packet: (p) => engine.addPacket(p), diagnostic: () => {} });
  reader.push(readFileSync(join(fixtures, name)));
  reader.end();
  engine.finish();
  return engine;
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Run {
  listener: HepListener;
  packets: CapturedPacket[];
  problems: HepListenerProblem[];
  engine: TraceEngine;
}

/** A listener feeding an engine set up with the decode-as rules the listener asks for. */
async function listen(options: Omit<HepListenerOptions, 'onPacket' | 'onError'>): Promise<Run> {
  const packets: CapturedPacket[] = [];
  const problems: HepListenerProblem[] = [];
  // The engine needs the listener's decode-as rules, known once it is bound; no packet can arrive before.
  const fed: { engine?: TraceEngine } = {};
  const listener = await startHepListener({
    ...options,
    onPacket: (p) => {
      packets.push(p);
      fed.engine?.addPacket(p);
    },
    onError: (p) => problems.push(p),
  });
  const engine = new TraceEngine({ decodeAs: listener.decodeAs });
  fed.engine = engine;
  return { listener, packets, problems, engine };
}

async function sendDatagrams(family: 'udp4' | 'udp6', host: string, port: number, datagrams: Uint8Array[]): Promise<void> {
  const socket = createSocket(family);
  for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, host, (e) => (e ? reject(e) : resolve())));
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

/** Writes `stream` over one TCP connection cut at the given sizes (then the rest), each write flushed apart. */
async function sendStream(host: string, port: number, stream: Uint8Array, cuts: number[], end = true): Promise<Socket> {
  const socket = connect({ host, port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let at = 0;
  for (const size of [...cuts, stream.length]) {
    if (at >= stream.length) break;
    const piece = stream.subarray(at, Math.min(stream.length, at + size));
    at += piece.length;
    await new Promise<void>((resolve, reject) => socket.write(piece, (e) => (e ? reject(e) : resolve())));
    // Let the piece leave as its own segment so the listener really sees the awkward boundary.
    await new Promise((r) => setTimeout(r, 2));
  }
  if (end) await new Promise<void>((resolve) => socket.end(resolve));
  return socket;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * `tshark -d udp.port==PORT,hep -Y sip` when tshark has a HEP dissector. tshark 4.0 (Debian 12) has none and
 * refuses `-d ...,hep` ("Unknown protocol"); then this minimal Lua
 * walker (HEP3 chunk 0x000f, and the v2 fixed header of Kamailio's hep.h) hands the carried SIP to tshark's
 * own SIP dissector, so tshark still independently counts the messages in the pcapng we wrote.
 */
function tsharkSipCount(file: string, port: number): number {
  const native = spawnSync('tshark', ['-r', file, '-d', `udp.port==${port},hep`, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
  if (native.status === 0) return native.stdout.split('\n').filter((l) => l !== '').length;
  if (!/Unknown protocol -- "hep"/.test(native.stderr)) throw new Error(`tshark: ${native.stderr}`);
  const lua = join(work, `hep-${port}.lua`);
  writeFileSync(
    lua,
    `local p = Proto("hepwalk", "HEP (minimal walker)")
local sip = Dissector.get("sip")
function p.dissector(tvb, pinfo, tree)
  if tvb:len() >= 6 and tvb(0,4):string() == "HEP3" then
    local total = tvb(4,2):uint(); local at = 6
    while at + 6 <= total do
      local typ = tvb(at+2,2):uint(); local len = tvb(at+4,2):uint()
      if len < 6 then break end
      if typ == 15 then sip:call(tvb(at+6, len-6):tvb(), pinfo, tree) end
      at = at + len
    end
    return tvb:len()
  elseif tvb:len() >= 8 and tvb(0,1):uint() == 2 then
    local alen = (tvb(2,1):uint() == 2) and 4 or 16
    local head = 8 + 2 * alen + 12
    sip:call(tvb(head):tvb(), pinfo, tree)
    return tvb:len()
  end
  return 0
end
DissectorTable.get("udp.port"):add(${port}, p)
`,
  );
  const run = spawnSync('tshark', ['-X', `lua_script:${lua}`, '-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tshark: ${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l !== '').length;
}

/** tshark's own verdict on our IP header and UDP checksums and lengths (it checks checksums only when asked). */
function tsharkChecksums(file: string): { good: number; bad: number } {
  const count = (filter: string): number => {
    const run = spawnSync('tshark', ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-r', file, '-Y', filter], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`tshark -Y '${filter}': ${run.stderr}`);
    return run.stdout.split('\n').filter((l) => l !== '').length;
  };
  return {
    good: count('udp.checksum.status == "Good" && (ipv6 || ip.checksum.status == "Good")'),
    bad: count('ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || _ws.expert.severity >= warning'),
  };
}

describe('HEP listener over UDP', () => {
  it('turns each HEP v3 datagram (IPv4 inside) into a frame the engine decodes as the fixture file', async () => {
    const out = join(work, 'hep3-udp.pcapng');
    const run = await listen({ transport: 'udp', host: '127.0.0.1', port: 0, pcapngPath: out });
    const { listener } = run;
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.decodeAs).toEqual([{ transport: 'udp', port: listener.port, protocol: 'hep' }]);
    const hep = hepPayloads('hep3-udp.pcap');
    const before = Date.now() / 1000;
    await sendDatagrams('udp4', '127.0.0.1', listener.port, hep);
    await until(() => listener.stats.packets === hep.length, `${hep.length} packets`);
    await listener.close();
    run.engine.finish();

    const expected = messages(engineOfFixture('hep3-udp.pcap'));
    expect(expected).toHaveLength(36);
    expect(messages(run.engine)).toEqual(expected);
    expect(run.problems).toEqual([]);
    expect(listener.stats).toMatchObject({ datagrams: 36, packets: 36, written: 36, notHep: 0, truncated: 0, oversize: 0 });

    // The packets: increasing frames, Ethernet, arrival time (not the agent's), HEP as the UDP payload.
    expect(run.packets.map((p) => p.frame)).toEqual(hep.map((_, i) => i + 1));
    for (const [i, p] of run.packets.entries()) {
      expect(p.linkType).toBe(1);
      expect(p.tsSec + p.tsNsec / 1e9).toBeGreaterThanOrEqual(before - 1);
      expect(p.data.subarray(14 + 20 + 8)).toEqual(hep[i]);
    }
    // The outer layer of the message is the HEP transport: the agent's socket to the listener's.
    const m = run.engine.index.get(0);
    expect(m.outer[0]).toMatchObject({ layer: 'ipv4', 'ip.src': '127.0.0.1', 'ip.dst': '127.0.0.1' });

    // The pcapng round-trips: our reader finds the same messages, at the offsets the packets announced.
    const again = await analyzeFile(out, { engine: { decodeAs: listener.decodeAs } });
    expect(messages(again.engine)).toEqual(expected);
    const file = readFileSync(out);
    for (const p of run.packets) expect(new Uint8Array(file.subarray(p.dataOffset, p.dataOffset + p.capturedLength))).toEqual(p.data);
    if (haveTshark) {
      expect(tsharkSipCount(out, listener.port)).toBe(36);
      expect(tsharkChecksums(out)).toEqual({ good: 36, bad: 0 });
    }
  });

  it('decodes HEP v2 on ::1, which needs the decode-as rule off port 9060', async () => {
    const out = join(work, 'hep2-udp6.pcapng');
    const run = await listen({ transport: 'udp', host: '::1', port: 0, pcapngPath: out });
    const hep = hepPayloads('hep2-udp.pcap');
    await sendDatagrams('udp6', '::1', run.listener.port, hep);
    await until(() => run.listener.stats.packets === hep.length, `${hep.length} packets`);
    await run.listener.close();
    run.engine.finish();
    expect(messages(run.engine)).toEqual(messages(engineOfFixture('hep2-udp.pcap')));
    expect(run.engine.index.get(0).outer[0]).toMatchObject({ layer: 'ipv6', 'ipv6.src': '::1', 'ipv6.dst': '::1' });

    // HEP v2 has no magic: without the rule the engine finds the SIP text behind the 28-byte HEP header
    // but takes the HEP transport's endpoints (the agent's socket) for the message's and flags the header.
    const without = new TraceEngine();
    for (const p of run.packets) without.addPacket(p);
    const wrong = without.index.get(0);
    expect(wrong.src).toMatch(/^\[::1\]:\d+$/);
    expect(wrong.src).not.toBe('127.0.0.1:5060');
    expect(wrong.dst).toBe(`[::1]:${run.listener.port}`);
    expect(wrong.diagnostics[0]).toMatchObject({ layer: 'sip', message: '28 byte(s) of non-SIP data before the start line' });
    if (haveTshark) {
      expect(tsharkSipCount(out, run.listener.port)).toBe(36);
      expect(tsharkChecksums(out)).toEqual({ good: 36, bad: 0 });
    }
  });

  it('decodes HEP v3 carrying IPv6 endpoints on ::1', async () => {
    const run = await listen({ transport: 'udp', host: '::1', port: 0 });
    const hep = hepPayloads('hep3-ipv6-udp.pcap');
    await sendDatagrams('udp6', '::1', run.listener.port, hep);
    await until(() => run.listener.stats.packets === hep.length, `${hep.length} packets`);
    await run.listener.close();
    const got = messages(run.engine);
    expect(got).toEqual(messages(engineOfFixture('hep3-ipv6-udp.pcap')));
    expect(got).toHaveLength(12);
    expect(got[0]).toMatchObject({ method: 'INVITE', src: '[::1]:5060', dst: '[::1]:5070' });
    // No file asked for: offsets still advance, so no two packets claim the same bytes.
    expect(new Set(run.packets.map((p) => p.dataOffset)).size).toBe(12);
  });

  it('counts garbage datagrams and truncated HEP, and keeps decoding what follows', async () => {
    const run = await listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
    const hep = hepPayloads('hep3-udp.pcap').slice(0, 4);
    const cut = hep[1].subarray(0, 100); // "HEP3" announcing more than the datagram holds
    const garbage = [new TextEncoder().encode('hello, not HEP'), Uint8Array.of(0x48, 0x45, 0x50, 0x33, 0x00, 0x02), new Uint8Array(0), Uint8Array.of(2, 0, 2, 17)];
    await sendDatagrams('udp4', '127.0.0.1', run.listener.port, [hep[0], ...garbage, cut, hep[1], hep[2], hep[3]]);
    await until(() => run.listener.stats.datagrams === 9, '9 datagrams');
    await run.listener.close();
    expect(run.listener.stats).toMatchObject({ datagrams: 9, packets: 5, notHep: 4, truncated: 1, oversize: 0 });
    expect(run.problems.map((p) => p.kind)).toEqual(['not-hep', 'not-hep', 'not-hep', 'not-hep', 'truncated']);
    expect(run.problems[0].diagnostic.message).toContain('not HEP');
    expect(run.problems[0].remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(run.problems[4].diagnostic.message).toBe(`HEP3 packet of ${(hep[1][4] << 8) | hep[1][5]} bytes in a datagram of 100`);
    // The four real packets decode; the cut one is a packet problem of the engine, not a message.
    expect(messages(run.engine).map((m) => m.frame)).toEqual([1, 3, 4, 5]);
    expect(run.engine.packetDiagnostics.map((d) => [d.frame, d.diagnostic.layer, d.diagnostic.kind])).toEqual([[2, 'hep3', 'malformed']]);
  });

  it('on a dual-stack :: socket, frames an IPv4 agent as IPv4 (to 0.0.0.0: a wildcard bind hides the local address)', async () => {
    const run = await listen({ transport: 'udp', host: '::', port: 0 });
    const hep = hepPayloads('hep3-udp.pcap').slice(0, 2);
    await sendDatagrams('udp4', '127.0.0.1', run.listener.port, hep);
    await until(() => run.listener.stats.packets === 2, '2 packets');
    await run.listener.close();
    expect(run.engine.index.get(0).outer[0]).toMatchObject({ layer: 'ipv4', 'ip.src': '127.0.0.1', 'ip.dst': '0.0.0.0' });
    expect(messages(run.engine)).toEqual(messages(engineOfFixture('hep3-udp.pcap')).slice(0, 2));
  });

  it('says why when the port is taken', async () => {
    const first = await startHepListener({ transport: 'udp', host: '127.0.0.1', port: 0, onPacket: () => {} });
    await expect(startHepListener({ transport: 'udp', host: '127.0.0.1', port: first.port, onPacket: () => {} })).rejects.toThrow(
      `cannot listen for HEP on udp:127.0.0.1:${first.port}: the port is already in use`,
    );
    await first.close();
  });
});

describe('HEP listener over TCP', () => {
  it('frames HEP v3 sent in awkward pieces (inside the magic, the length, a chunk header) on 127.0.0.1', async () => {
    const out = join(work, 'hep3-tcp.pcapng');
    const run = await listen({ transport: 'tcp', host: '127.0.0.1', port: 0, pcapngPath: out });
    const hep = hepPayloads('hep3-udp.pcap');
    const stream = concat(hep);
    // 1 byte, then into the length field, then inside the first chunk header, then across packet boundaries.
    const cuts = [1, 4, 3, 2, hep[0].length - 10 - 1, 2, 700, 1, 1, 1, 3000, 5];
    await sendStream('127.0.0.1', run.listener.port, stream, cuts);
    await until(() => run.listener.stats.packets === hep.length && run.listener.stats.openConnections === 0, `${hep.length} packets`);
    await run.listener.close();
    run.engine.finish();
    expect(messages(run.engine)).toEqual(messages(engineOfFixture('hep3-udp.pcap')));
    expect(run.problems).toEqual([]);
    expect(run.listener.stats).toMatchObject({ connections: 1, openConnections: 0, packets: 36, discardedBytes: 0, truncated: 0, bytesReceived: stream.length });
    // Each framed packet is its own synthetic UDP datagram from the agent's socket.
    const agentPort = (run.packets[0].data[34] << 8) | run.packets[0].data[35];
    for (const [i, p] of run.packets.entries()) {
      expect(p.data.subarray(42)).toEqual(hep[i]);
      expect((p.data[34] << 8) | p.data[35]).toBe(agentPort);
      expect((p.data[36] << 8) | p.data[37]).toBe(run.listener.port);
    }
    if (haveTshark) {
      expect(tsharkSipCount(out, run.listener.port)).toBe(36);
      expect(tsharkChecksums(out)).toEqual({ good: 36, bad: 0 });
    }
  });

  it('frames HEP v3 with IPv6 endpoints on ::1, one byte at a time at first', async () => {
    const run = await listen({ transport: 'tcp', host: '::1', port: 0 });
    const hep = hepPayloads('hep3-ipv6-udp.pcap');
    await sendStream('::1', run.listener.port, concat(hep), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2000]);
    await until(() => run.listener.stats.packets === hep.length, `${hep.length} packets`);
    await run.listener.close();
    expect(messages(run.engine)).toEqual(messages(engineOfFixture('hep3-ipv6-udp.pcap')));
    expect(run.packets[0].data[12] << 8 | run.packets[0].data[13]).toBe(0x86dd);
  });

  it('skips bytes that are not HEP, counts a packet cut by the connection end, drops what cannot fit a datagram', async () => {
    const run = await listen({ transport: 'tcp', host: '127.0.0.1', port: 0 });
    const hep = hepPayloads('hep3-udp.pcap');
    // A HEP3 packet of 65,535 bytes (one payload chunk): valid HEP, but no IPv4 UDP datagram holds it.
    const huge = new Uint8Array(65535);
    huge.set([0x48, 0x45, 0x50, 0x33, 0xff, 0xff, 0, 0, 0, 0x0f, 0xff, 0xf9]);
    const stream = concat([new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'), hep[0], hep[1], huge, hep[2], hep[3].subarray(0, 50)]);
    await sendStream('127.0.0.1', run.listener.port, stream, [10, 30, 1000]);
    await until(() => run.listener.stats.openConnections === 0 && run.listener.stats.truncated === 1, 'the connection to end');
    await run.listener.close();
    expect(run.listener.stats).toMatchObject({ packets: 3, notHep: 1, discardedBytes: 18, oversize: 1, truncated: 1 });
    expect(run.problems.map((p) => p.kind)).toEqual(['not-hep', 'oversize', 'truncated']);
    expect(run.problems[1].diagnostic.message).toBe('HEP packet dropped: 65535 bytes do not fit one IPv4 UDP datagram (at most 65507)');
    expect(messages(run.engine).map((m) => m.method ?? m.status)).toEqual(['INVITE', 100, 183]);
  });

  it('on a dual-stack :: listener, an IPv4 connection gives IPv4 frames to the address it reached', async () => {
    const run = await listen({ transport: 'tcp', host: '::', port: 0 });
    await sendStream('127.0.0.1', run.listener.port, concat(hepPayloads('hep3-udp.pcap').slice(0, 2)), [3]);
    await until(() => run.listener.stats.packets === 2, '2 packets');
    await run.listener.close();
    expect(run.engine.index.get(1).outer[0]).toMatchObject({ layer: 'ipv4', 'ip.src': '127.0.0.1', 'ip.dst': '127.0.0.1' });
    expect(run.engine.index.get(1).outer[1]).toMatchObject({ layer: 'udp', 'udp.dstport': run.listener.port });
  });

  it('closing the listener ends open connections and finishes the file', async () => {
    const out = join(work, 'hep3-tcp-open.pcapng');
    const run = await listen({ transport: 'tcp', host: '127.0.0.1', port: 0, pcapngPath: out });
    const hep = hepPayloads('hep3-udp.pcap');
    const socket = await sendStream('127.0.0.1', run.listener.port, concat(hep.slice(0, 3)), [], false);
    await until(() => run.listener.stats.packets === 3, '3 packets');
    await run.listener.close();
    socket.destroy();
    expect(run.listener.stats.openConnections).toBe(0);
    // The file is complete: its statistics block says how many packets arrived.
    const blocks: number[] = [];
    const reader = createCaptureReader('pcapng', { packet: (p) => blocks.push(p.frame), diagnostic: (d) => blocks.push(-1 - (d.offset ?? 0)) });
    reader.push(readFileSync(out));
    reader.end();
    expect(blocks).toEqual([1, 2, 3]);
    expect(reader.info.interfaces[0]).toMatchObject({ linkType: 1, name: `hep:tcp:127.0.0.1:${run.listener.port}` });
    expect(reader.info.interfaceStatistics.get(0)?.received).toBe(3n);
  });
});

describe('synthetic frame and datagram checks', () => {
  it('builds an IPv4 header whose checksum verifies and refuses what cannot fit', () => {
    const built = buildUdpFrame({ address: '::ffff:10.0.0.1', port: 5000 }, { address: '10.0.0.2', port: 9060 }, new Uint8Array(10));
    if ('error' in built) throw new Error(built.error);
    expect(built.ipVersion).toBe(4);
    const ip = built.frame.subarray(14, 34);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect(Array.from(ip.subarray(12, 20))).toEqual([10, 0, 0, 1, 10, 0, 0, 2]);
    expect(buildUdpFrame({ address: 'nowhere', port: 1 }, { address: '::1', port: 2 }, new Uint8Array(1))).toEqual({ error: 'cannot build an IP header from nowhere to ::1' });
    expect(buildUdpFrame({ address: '::1', port: 1 }, { address: '::1', port: 2 }, new Uint8Array(65528))).toEqual({ error: '65528 bytes do not fit one IPv6 UDP datagram (at most 65527)' });
  });

  it('judges datagrams by the HEP3 magic and length, or the v1/v2 header shape', () => {
    expect(judgeHepDatagram(hepPayloads('hep3-udp.pcap')[0])).toEqual({ kind: 'hep' });
    expect(judgeHepDatagram(hepPayloads('hep2-udp.pcap')[0])).toEqual({ kind: 'hep' });
    expect(judgeHepDatagram(Uint8Array.of(2, 0, 2, 17, 0, 1, 0, 2))).toEqual({ kind: 'truncated', message: 'HEP v2 header needs 28 bytes, the datagram has 8' });
    expect(judgeHepDatagram(Uint8Array.of(0x48, 0x45, 0x50))).toMatchObject({ kind: 'not-hep' });
  });
});
