import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePcapFile } from '../../src/core/capture/pcap-writer.js';
import type { CapturedPacket } from '../../src/core/capture/types.js';
import { CaptureFileError, fileSystemError, openCaptureFile, readPacketData } from '../../src/node/capture-file.js';
import type { CaptureFileSummary, OpenCaptureFileOptions } from '../../src/node/capture-file.js';
import {
  corpusCaptures,
  epochText,
  fingerprint,
  formatTimestamp,
  haveTshark,
  LINKTYPE_BY_WTAP_NAME,
  parseCapinfos,
  sameBytes,
  tsharkFields,
} from '../core/capture/support.js';
import type { FileDiagnostic, KeptPacket } from '../core/capture/support.js';
import { sharedCapture } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-capture-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function temp(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

interface Opened {
  summary: CaptureFileSummary;
  packets: KeptPacket[];
  diagnostics: FileDiagnostic[];
}

async function openFile(path: string, options?: OpenCaptureFileOptions): Promise<Opened> {
  const packets: KeptPacket[] = [];
  const diagnostics: FileDiagnostic[] = [];
  const summary = await openCaptureFile(
    path,
    {
      packet: (p: CapturedPacket) => {
        const kept: KeptPacket = { ...p, data: p.data.slice() };
        if (p.comments === undefined) delete kept.comments;
        packets.push(kept);
      },
      diagnostic: (d) => diagnostics.push(d),
    },
    options,
  );
  return { summary, packets, diagnostics };
}

async function openError(path: string): Promise<CaptureFileError> {
  try {
    await openFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(CaptureFileError);
    return error as CaptureFileError;
  }
  throw new Error(`expected ${path} to fail`);
}

/**
 * capinfos 4.0 compares timestamps with nstime_cmp(), which returns `(int)(a->secs - b->secs)`: for packets
 * more than 2^31 s apart the sign flips. heplify_sip_ipv6_udp.pcap spans 2012..2092, so capinfos prints
 * the 2092 packet as both first and last. The true earliest/latest (tshark -T fields -e frame.time_epoch:
 * 1328589362.251758000 ... 3867576602.251758000) are what we check there.
 */
const CAPINFOS_TIME_OVERRIDES: Record<string, { first: string; last: string }> = {
  'heplify_sip_ipv6_udp.pcap': { first: '2012-02-07 04:36:02.251758', last: '2092-07-22 14:50:02.251758' },
};

describe('every capture in the shared corpus, against its capinfos output', () => {
  for (const name of corpusCaptures()) {
    it(name, async () => {
      const info = parseCapinfos(readFileSync(sharedCapture(`${name}.capinfos.txt`), 'utf8'));
      if (info.fileType.startsWith('Microsoft NetMon')) {
        const error = await openError(sharedCapture(name));
        expect(error.code).toBe('netmon');
        expect(error.path).toBe(sharedCapture(name));
        expect(error.message).toBe(
          `Cannot open "${sharedCapture(name)}": not a pcap or pcapng capture (starts with 47 4d 42 55 'GMBU': a Microsoft Network Monitor 2.x file — convert it with \`editcap -F pcapng "${sharedCapture(name)}" "${sharedCapture('sipnab_c07-sip-r2.pcapng')}"\`).`,
        );
        return;
      }
      const { summary, packets, diagnostics } = await openFile(sharedCapture(name));
      expect(diagnostics).toEqual([]);
      expect(summary.complete).toBe(true);
      expect(summary.format).toBe(info.fileType.includes('pcapng') ? 'pcapng' : 'pcap');
      expect(summary.compressed).toBe(info.fileType.includes('gzip compressed'));
      expect(summary.bytesRead).toBe(summary.fileSize);
      expect(summary.packets).toBe(info.packets);
      expect(packets).toHaveLength(info.packets);

      // Link types per interface (capinfos names wiretap encapsulations; map them to LINKTYPE values).
      expect(summary.info.interfaces).toHaveLength(info.encapsulations.length);
      summary.info.interfaces.forEach((iface, i) => {
        expect(LINKTYPE_BY_WTAP_NAME[info.encapsulations[i]], `interface ${i}: ${info.encapsulations[i]}`).toContain(iface.linkType);
      });
      // Packets per interface.
      const perInterface = summary.info.interfaces.map((iface) => packets.filter((p) => p.interfaceId === iface.id).length);
      expect(perInterface).toEqual(info.interfacePackets);

      // Earliest and latest timestamps, to the precision capinfos prints.
      const digits = /\((\d+)\)/.exec(info.fields.get('File timestamp precision') ?? '')?.[1];
      const byTime = [...packets].sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec);
      const first = formatTimestamp(byTime[0].tsSec, byTime[0].tsNsec, Number(digits));
      const last = formatTimestamp(byTime[byTime.length - 1].tsSec, byTime[byTime.length - 1].tsNsec, Number(digits));
      expect({ first, last }).toEqual(CAPINFOS_TIME_OVERRIDES[name] ?? { first: info.first, last: info.last });

      // pcapng section header and interface details capinfos prints.
      if (summary.format === 'pcapng') {
        expect(summary.info.hardware).toBe(info.fields.get('Capture hardware'));
        expect(summary.info.os).toBe(info.fields.get('Capture oper-sys'));
        expect(summary.info.application).toBe(info.fields.get('Capture application'));
        expect(summary.info.interfaces[0].name).toBe(info.fields.get('Name'));
        expect(summary.info.interfaces[0].os).toBe(info.fields.get('Operating system'));
        expect(summary.info.interfaces[0].timestampUnitsPerSecond).toBe(Number(info.fields.get('Time ticks per second')));
        const statEntries = summary.info.interfaces.map((iface) => (summary.info.interfaceStatistics.has(iface.id) ? 1 : 0));
        expect(statEntries).toEqual(info.statEntries.map((n) => Math.min(n, 1)));
      }
    });
  }
});

describe.skipIf(!haveTshark)('every capture in the shared corpus, packet by packet against tshark', () => {
  for (const name of corpusCaptures().filter((n) => n !== 'sipnab_c07-sip-r2.cap')) {
    it(name, async () => {
      const { summary, packets } = await openFile(sharedCapture(name));
      const rows = tsharkFields(
        sharedCapture(name),
        ['frame.number', 'frame.interface_id', 'frame.time_epoch', 'frame.cap_len', 'frame.len', 'frame.file_off'],
        ['-o', 'frame.show_file_off:TRUE'],
      );
      // frame.file_off is where the record/block starts: 16 bytes of pcap record header or 28 bytes of EPB
      // before the packet data (the decompressed offset for .gz files, like ours).
      const header = summary.format === 'pcap' ? 16 : 28;
      expect(rows).toEqual(
        packets.map((p) => [
          String(p.frame),
          summary.format === 'pcap' ? '' : String(p.interfaceId),
          epochText(p.tsSec, p.tsNsec),
          String(p.capturedLength),
          String(p.originalLength),
          String(p.dataOffset - header),
        ]),
      );
    });
  }

  it('nokia_51_esp_sip.pcapng.gz: packet comments equal tshark frame.comment', async () => {
    const file = sharedCapture('nokia_51_esp_sip.pcapng.gz');
    const { packets } = await openFile(file);
    const rows = tsharkFields(file, ['frame.number', 'frame.comment']);
    expect(rows).toHaveLength(447);
    expect(packets.map((p) => [String(p.frame), (p.comments ?? []).join(',')])).toEqual(rows);
  });
});

describe('packet comments pinned by hand (for machines without tshark)', () => {
  it('nokia_51_esp_sip.pcapng.gz', async () => {
    // tshark -r nokia_51_esp_sip.pcapng.gz -T fields -e frame.number -e frame.comment | head -5
    const { packets } = await openFile(sharedCapture('nokia_51_esp_sip.pcapng.gz'));
    expect(packets.slice(0, 5).map((p) => p.comments)).toEqual([['1101'], ['1101'], ['1101'], ['2101'], ['2101']]);
  });
});

describe('openCaptureFile: files it cannot open', () => {
  it('a missing file', async () => {
    const path = join(dir, 'nope.pcap');
    const error = await openError(path);
    expect(error.code).toBe('not-found');
    expect(error.path).toBe(path);
    expect(error.message).toBe(`Cannot open capture file "${path}": there is no such file (check the path and the spelling).`);
  });

  it('a directory', async () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    const error = await openError(path);
    expect(error.code).toBe('is-directory');
    expect(error.message).toBe(`Cannot open "${path}": it is a directory, not a capture file; choose a .pcap or .pcapng file inside it.`);
  });

  it('permission denied: says what to do', async () => {
    const path = temp('secret.pcap', encodePcapFile({ linkType: 1 }, []));
    chmodSync(path, 0o000);
    const runningAsRoot = process.getuid?.() === 0;
    if (!runningAsRoot) {
      const error = await openError(path);
      expect(error.code).toBe('permission-denied');
    } else {
      console.warn('running as root: permissions are not enforced, checking the message for EACCES directly');
    }
    const error = fileSystemError(path, Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
    expect(error.code).toBe('permission-denied');
    expect(error.message).toBe(
      `Cannot open capture file "${path}": permission denied. sipscope needs read access to it — captures written by tcpdump or dumpcap as root are often readable by root only: ask its owner, or run \`sudo chown $USER "${path}"\` (or copy it somewhere you can read) and open it again.`,
    );
  });

  it('an empty file', async () => {
    const path = temp('empty.pcap', new Uint8Array(0));
    const error = await openError(path);
    expect(error.code).toBe('empty');
    expect(error.message).toBe(`Cannot open capture file "${path}": the file is empty (0 bytes), there are no packets in it.`);
  });

  it('a text file', async () => {
    const path = temp('notes.pcap', 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP host\r\n');
    const error = await openError(path);
    expect(error.code).toBe('unknown-format');
    expect(error.message).toBe(
      `Cannot open "${path}": not a pcap or pcapng capture: it looks like a text file (first line: "INVITE sip:bob@example.com SIP/2.0"); open the binary capture (.pcap, .pcapng) instead — a tshark/Wireshark text export cannot be read back.`,
    );
  });

  it('random bytes', async () => {
    const path = temp('random.bin', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24 || 1));
    const error = await openError(path);
    expect(error.code).toBe('unknown-format');
    expect(error.message).toMatch(/^Cannot open ".*random\.bin": not a pcap or pcapng capture \(starts with ([0-9a-f]{2} ){3}[0-9a-f]{2} '.{4}': not a capture format sipscope recognises/);
  });

  it('a NetMon file inside gzip, a gzipped text file, a doubly gzipped capture, an empty gzip', async () => {
    const netmon = readFileSync(sharedCapture('sipnab_c07-sip-r2.cap'));
    let error = await openError(temp('netmon.cap.gz', gzipSync(netmon)));
    expect(error.code).toBe('netmon');
    expect(error.message).toContain('(after gzip decompression): not a pcap or pcapng capture (starts with 47 4d 42 55');
    error = await openError(temp('text.gz', gzipSync('hello world\n')));
    expect(error.code).toBe('unknown-format');
    expect(error.message).toContain('(after gzip decompression): not a pcap or pcapng capture: it looks like a text file');
    error = await openError(temp('twice.pcap.gz.gz', gzipSync(gzipSync(readFileSync(sharedCapture('sv_sip-tcp.pcap'))))));
    expect(error.message).toContain('it is gzip-compressed twice');
    error = await openError(temp('nothing.gz', gzipSync(new Uint8Array(0))));
    expect(error.code).toBe('empty');
    expect(error.message).toContain('it decompresses to nothing (0 bytes)');
  });

  it('gzip damaged before any packet: a CaptureFileError saying how far it got', async () => {
    const gz = readFileSync(sharedCapture('nokia_50_sip_ott.pcap.gz'));
    const path = temp('head-damaged.pcap.gz', gz.subarray(0, 40));
    const error = await openError(path);
    expect(error.code).toBe('corrupt-gzip');
    expect(error.message).toMatch(
      /^Cannot read capture file ".*head-damaged\.pcap\.gz": its gzip compression ends abruptly \(the file was cut short\) after \d+ decompressed byte\(s\), before any complete packet; there is nothing to show\. Try `gzip -t` on it, or fetch the file again\.$/,
    );
  });
});

describe('openCaptureFile: damaged files still give what they can', () => {
  it('a cut-short gzip: packets before the damage, a gzip diagnostic, complete=false', async () => {
    const gz = readFileSync(sharedCapture('nokia_51_esp_sip.pcapng.gz'));
    const { summary, packets, diagnostics } = await openFile(temp('cut.pcapng.gz', gz.subarray(0, Math.floor(gz.length / 2))));
    expect(summary.complete).toBe(false);
    expect(packets.length).toBeGreaterThan(50);
    expect(packets.length).toBeLessThan(447);
    const gzipDiag = diagnostics.find((d) => d.layer === 'gzip');
    expect(gzipDiag).toMatchObject({ kind: 'truncated', severity: 'warning', fileOffset: summary.streamBytes });
    expect(gzipDiag?.message).toBe(
      `the gzip stream ends abruptly (the file was cut short) after ${summary.streamBytes} decompressed byte(s): the ${packets.length} packet(s) before the damage were read, anything after it is lost`,
    );
    // The packets read are the real ones.
    const whole = await openFile(sharedCapture('nokia_51_esp_sip.pcapng.gz'));
    expect(fingerprint(packets)).toEqual(fingerprint(whole.packets.slice(0, packets.length)));
  });

  it('corrupt gzip data in the middle: packets before it and a malformed gzip diagnostic', async () => {
    const gz = Buffer.from(readFileSync(sharedCapture('nokia_10_tcp_volte.pcap.gz')));
    for (let i = Math.floor(gz.length * 0.6); i < Math.floor(gz.length * 0.6) + 64; i++) gz[i] ^= 0x5a;
    const { summary, packets, diagnostics } = await openFile(temp('corrupt.pcap.gz', gz));
    expect(summary.complete).toBe(false);
    expect(packets.length).toBeGreaterThan(0);
    // The flipped bytes still inflate (to wrong data), so zlib only notices at the CRC-32 in the trailer.
    const gzipDiag = diagnostics.find((d) => d.layer === 'gzip');
    expect(gzipDiag?.kind).toBe('malformed');
    expect(gzipDiag?.message).toBe(
      `the gzip stream is corrupt (incorrect data check) after ${summary.streamBytes} decompressed byte(s): the ${packets.length} packet(s) read may contain damaged bytes, and anything after that point is lost`,
    );
    expect(summary.streamBytes).toBeGreaterThanOrEqual(32 * 1024);
  });

  it('an undecodable deflate block in a big gzip: packets before it, the damage located', async () => {
    // Stored (level 0) deflate blocks: LEN, NLEN, data. Breaking the NLEN of the middle block is a
    // structural error zlib detects right there (bit flips in compressed blocks mostly just inflate to
    // wrong bytes, caught only by the trailer CRC).
    const raw = readFileSync(sharedCapture('gprshome_sip.pcap'));
    const gz = Buffer.from(gzipSync(raw, { level: 0 }));
    const blocks: { at: number; dataBefore: number }[] = [];
    for (let at = 10, dataBefore = 0; !(gz[at] & 1); ) {
      blocks.push({ at, dataBefore });
      const len = gz.readUInt16LE(at + 1);
      at += 5 + len;
      dataBefore += len;
    }
    const broken = blocks[Math.floor(blocks.length / 2)];
    gz[broken.at + 3] ^= 0xff;
    const { summary, packets, diagnostics } = await openFile(temp('broken-block.pcap.gz', gz));
    expect(summary.complete).toBe(false);
    expect(packets.length).toBeGreaterThan(1000);
    // Everything up to the broken block came out, less at most one 16 KiB output chunk.
    expect(summary.streamBytes).toBeLessThanOrEqual(broken.dataBefore);
    expect(summary.streamBytes).toBeGreaterThanOrEqual(broken.dataBefore - 16 * 1024);
    const gzipDiag = diagnostics.find((d) => d.layer === 'gzip');
    expect(gzipDiag).toMatchObject({ kind: 'malformed', fileOffset: summary.streamBytes });
    expect(gzipDiag?.message).toBe(
      `the gzip stream is corrupt (invalid stored block lengths) after ${summary.streamBytes} decompressed byte(s): the ${packets.length} packet(s) before the damage were read, anything after it is lost`,
    );
  });

  it('a pcap with garbage after the header: a malformed diagnostic, no throw, complete=false', async () => {
    const file = encodePcapFile({ linkType: 1 }, [{ tsSec: 1, data: new Uint8Array(100) }]);
    const path = temp('garbage.pcap', Buffer.concat([file, Buffer.alloc(1000, 0xff)]));
    const { summary, packets, diagnostics } = await openFile(path);
    expect(packets).toHaveLength(1);
    expect(summary.complete).toBe(false);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ kind: 'malformed', layer: 'pcap', fileOffset: 140 });
  });

  it('a pcap cut inside its last record: all earlier packets and a truncated diagnostic', async () => {
    const bytes = readFileSync(sharedCapture('sipnab_sip-proxy.pcap'));
    const { packets, diagnostics } = await openFile(temp('cut.pcap', bytes.subarray(0, bytes.length - 10)));
    expect(packets).toHaveLength(10);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ kind: 'truncated', layer: 'pcap' });
    expect(diagnostics[0].message).toMatch(/^the capture ends inside record 11 at offset \d+/);
  });
});

describe('openCaptureFile: reading', () => {
  it('reports progress up to the file size and gives the same packets with tiny chunks', async () => {
    const path = sharedCapture('gprshome_sip.pcap');
    const progress: [number, number][] = [];
    const small = await openFile(path, { chunkSize: 4096, onProgress: (read, total) => progress.push([read, total]) });
    const size = readFileSync(path).length;
    expect(progress.length).toBeGreaterThan(100);
    expect(progress.every(([, total]) => total === size)).toBe(true);
    expect(progress.every(([read], i) => i === 0 || read > progress[i - 1][0])).toBe(true);
    expect(progress[progress.length - 1][0]).toBe(size);
    const big = await openFile(path);
    expect(fingerprint(small.packets)).toEqual(fingerprint(big.packets));
  });

  it('reads a smaller first chunk when asked, then whole chunks, with the same packets', async () => {
    const path = sharedCapture('gprshome_sip.pcap');
    const progress: number[] = [];
    const read = await openFile(path, { chunkSize: 16384, firstChunkSize: 4096, onProgress: (bytes) => progress.push(bytes) });
    expect(progress[0]).toBe(4096);
    expect(progress[1]).toBe(4096 + 16384);
    expect(fingerprint(read.packets)).toEqual(fingerprint((await openFile(path)).packets));
  });

  it('can be cancelled', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const promise = openFile(sharedCapture('gprshome_sip.pcap'), { chunkSize: 4096, signal: controller.signal, onProgress: () => controller.abort(reason) });
    await expect(promise).rejects.toBe(reason);
  });
});

describe('readPacketData: re-reading packet bytes on demand', () => {
  it('plain files: positioned reads equal what the reader delivered', async () => {
    const path = sharedCapture('sipnab_sipp-branch-scenario.pcapng');
    const { summary, packets } = await openFile(path);
    expect(summary.dataPath).toBe(path);
    for (const p of [packets[0], packets[4000], packets[packets.length - 1]]) {
      expect(sameBytes(await readPacketData(summary.dataPath, p.dataOffset, p.capturedLength), p.data)).toBe(true);
    }
  });

  it('gzip with spillDecompressedTo: offsets refer to the spilled decompressed stream', async () => {
    const gz = sharedCapture('nokia_51_esp_sip.pcapng.gz');
    const spill = join(dir, 'nokia_51.pcapng');
    const { summary, packets } = await openFile(gz, { spillDecompressedTo: spill });
    expect(summary.dataPath).toBe(spill);
    expect(summary.compressed).toBe(true);
    expect(summary.streamBytes).toBe(272616); // gzip -l: uncompressed 272616
    expect(readFileSync(spill).length).toBe(272616);
    for (const p of [packets[0], packets[200], packets[446]]) {
      expect(sameBytes(await readPacketData(spill, p.dataOffset, p.capturedLength), p.data)).toBe(true);
    }
  });

  it('gzip without a spill file: readPacketData on the .gz decompresses up to the offset', async () => {
    const gz = sharedCapture('nokia_51_esp_sip.pcapng.gz');
    const { summary, packets } = await openFile(gz);
    expect(summary.dataPath).toBe(gz);
    for (const p of [packets[0], packets[446]]) {
      expect(sameBytes(await readPacketData(gz, p.dataOffset, p.capturedLength), p.data)).toBe(true);
    }
  });

  it('refuses ranges that are not there', async () => {
    const path = sharedCapture('sv_sip-tcp.pcap');
    await expect(readPacketData(path, 2000, 100)).rejects.toMatchObject({
      code: 'read-error',
      message: `Cannot read 100 byte(s) at offset 2000 of "${path}": only 18 are there. The file is shorter than when it was opened — was it changed, truncated or replaced? Open it again.`,
    });
    await expect(readPacketData(path, -1, 10)).rejects.toMatchObject({ code: 'bad-argument' });
    await expect(readPacketData(path, 0, 1.5)).rejects.toMatchObject({ code: 'bad-argument' });
    await expect(readPacketData(sharedCapture('nokia_50_sip_ott.pcap.gz'), 17_000, 1000)).rejects.toMatchObject({ code: 'read-error' });
    await expect(readPacketData(join(dir, 'missing.pcap'), 0, 1)).rejects.toMatchObject({ code: 'not-found' });
  });
});
