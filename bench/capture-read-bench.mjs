#!/usr/bin/env node
// Throughput of the capture readers (src/core/capture) and of the file opener (src/node/capture-file.ts) on
// a ~200 MB capture of 600..800-byte packets (generated once with our own writers into bench/data/).
// Runs the compiled code:
//   npx tsc -p tsconfig.cli.json && node bench/capture-read-bench.mjs [rounds=15]
// Reports best and median GB/s (10^9 bytes/s of file) for:
//   - framing only: the file is in memory and pushed in 8 MiB chunks (the readers' hot loops);
//   - openCaptureFile: async positioned reads, two 8 MiB buffers, next read in flight while parsing;
//   - readSync: one 8 MiB buffer, read then parse (the alternative openCaptureFile does not use);
//   - gzip: openCaptureFile on a gzip -1 copy (zlib-bound).
// The sink only counts packets, so the numbers are the readers' cost, not the decoders'.
import { existsSync, mkdirSync, openSync, closeSync, readSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { PcapReader } = await load('core/capture/pcap.js');
const { PcapngReader } = await load('core/capture/pcapng.js');
const { encodePcapHeader, encodePcapRecord } = await load('core/capture/pcap-writer.js');
const { encodeSectionHeader, encodeInterfaceDescription, encodeEnhancedPacket } = await load('core/capture/pcapng-writer.js');
const { openCaptureFile } = await load('node/capture-file.js');

const rounds = Number(process.argv[2] ?? 15);
const CHUNK = 8 * 1024 * 1024;
const TARGET = 200_000_000;
const dataDir = join(root, 'bench/data');
const pcapPath = join(dataDir, 'capture-bench-700.pcap');
const pcapngPath = join(dataDir, 'capture-bench-700.pcapng');
const gzPath = join(dataDir, 'capture-bench-700.pcap.gz');

function generate() {
  mkdirSync(dataDir, { recursive: true });
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const payload = Uint8Array.from({ length: 2048 }, () => Math.floor(rnd() * 256));
  const pcap = openSync(pcapPath, 'w');
  const ng = openSync(pcapngPath, 'w');
  writeSync(pcap, encodePcapHeader({ linkType: 1, snapLength: 262144 }));
  writeSync(ng, encodeSectionHeader({ application: 'sipscope capture-read-bench' }));
  writeSync(ng, encodeInterfaceDescription({ linkType: 1, snapLength: 262144 }));
  let size = 24;
  let us = 0;
  for (let i = 0; size < TARGET; i++) {
    const len = 600 + Math.floor(rnd() * 201);
    us += 137;
    const data = payload.subarray(i % 1024, (i % 1024) + len);
    const tsSec = 1_700_000_000 + Math.floor(us / 1e6);
    const tsNsec = (us % 1e6) * 1000;
    const rec = encodePcapRecord({ tsSec, tsNsec, data });
    writeSync(pcap, rec);
    writeSync(ng, encodeEnhancedPacket({ interfaceId: 0, tsSec, tsNsec, data }));
    size += rec.length;
  }
  closeSync(pcap);
  closeSync(ng);
}

if (!existsSync(pcapPath) || !existsSync(pcapngPath)) generate();
if (!existsSync(gzPath)) {
  const fd = openSync(gzPath, 'w');
  writeSync(fd, gzipSync(readFileSync(pcapPath), { level: 1 }));
  closeSync(fd);
}

function sink() {
  const s = { packets: 0, packet() { s.packets++; }, diagnostic(d) { throw new Error(d.message); } };
  return s;
}

async function measure(label, bytes, run) {
  const speeds = [];
  let packets = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    packets = await run();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    speeds.push(bytes / 1e9 / s);
  }
  speeds.sort((a, b) => b - a);
  const median = speeds[Math.floor(speeds.length / 2)];
  console.log(`${label.padEnd(44)} ${packets} packets  best ${speeds[0].toFixed(2)} GB/s  median ${median.toFixed(2)} GB/s`);
}

for (const [name, path, Reader] of [['pcap', pcapPath, PcapReader], ['pcapng', pcapngPath, PcapngReader]]) {
  const bytes = new Uint8Array(readFileSync(path));
  await measure(`${name} framing, in memory, 8 MiB pushes`, bytes.length, () => {
    const s = sink();
    const reader = new Reader(s);
    for (let i = 0; i < bytes.length; i += CHUNK) reader.push(bytes.subarray(i, i + CHUNK));
    reader.end();
    return s.packets;
  });
  await measure(`${name} openCaptureFile (async, 2 x 8 MiB)`, bytes.length, async () => {
    const s = sink();
    await openCaptureFile(path, s);
    return s.packets;
  });
  await measure(`${name} readSync (1 x 8 MiB) + push`, bytes.length, () => {
    const s = sink();
    const reader = new Reader(s);
    const fd = openSync(path, 'r');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; ; ) {
      const got = readSync(fd, buf, 0, CHUNK, pos);
      if (got === 0) break;
      pos += got;
      reader.push(new Uint8Array(buf.buffer, buf.byteOffset, got));
    }
    closeSync(fd);
    reader.end();
    return s.packets;
  });
}
const pcapSize = readFileSync(pcapPath).length;
await measure('pcap.gz openCaptureFile (decompressed GB/s)', pcapSize, async () => {
  const s = sink();
  await openCaptureFile(gzPath, s);
  return s.packets;
});
