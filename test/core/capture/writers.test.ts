/**
 * Writer round trips, and proof that the synthetic files are valid captures, not merely self-consistent:
 * each is written to a temp dir and read back with tshark / capinfos (when installed) and compared.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePcapFile, encodePcapHeader, encodePcapRecord } from '../../../src/core/capture/pcap-writer.js';
import {
  concatBytes,
  encodeBlock,
  encodeCustomBlock,
  encodeEnhancedPacket,
  encodeInterfaceDescription,
  encodeInterfaceStatistics,
  encodeNameResolution,
  encodeObsoletePacket,
  encodeSectionHeader,
  encodeSimplePacket,
} from '../../../src/core/capture/pcapng-writer.js';
import { capinfos, epochText, haveCapinfos, haveTshark, parseCapinfos, readBytes, tsharkFields, BIN20, NS, payload } from './support.js';
import type { KeptPacket } from './support.js';


const dir = mkdtempSync(join(tmpdir(), 'sipscope-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

if (!haveTshark) console.warn('tshark not installed: the synthetic files are only checked against our own reader');

/**
 * Everything the corpus lacks, in one file: three interfaces of different link types and resolutions
 * (µs, ns, 2^-20), NRB, comments and direction flags, SPB, obsolete PB, ISB, DSB, a custom block, an unknown
 * block, and a second, big-endian section with its own interface.
 */
function kitchenSink(): Uint8Array {
  return concatBytes([
    encodeSectionHeader({ os: 'Linux', application: 'sipscope tests' }),
    encodeInterfaceDescription({ linkType: 1, name: 'a0', snapLength: 65535 }),
    encodeInterfaceDescription({ linkType: 101, name: 'a1', resolution: NS }),
    encodeInterfaceDescription({ linkType: 113, name: 'a2', resolution: BIN20 }),
    encodeNameResolution({ entries: [{ address: '192.0.2.1', names: ['pcscf.ims.example'] }, { address: '2001:db8::1', names: ['scscf.ims.example'] }] }),
    encodeEnhancedPacket({ interfaceId: 0, tsSec: 1_700_000_000, tsNsec: 123_456_789, data: payload(60), comments: ['c1', 'c2'], direction: 1 }),
    encodeEnhancedPacket({ interfaceId: 1, tsSec: 1_700_000_000, tsNsec: 123_456_789, resolution: NS, data: payload(40) }),
    encodeEnhancedPacket({ interfaceId: 2, tsSec: 1_700_000_000, tsNsec: 123_456_789, resolution: BIN20, data: payload(41), direction: 2 }),
    encodeCustomBlock({ pen: 32473, data: payload(7) }),
    encodeBlock(0x80001234, payload(10)), // local-use block type nobody knows
    // Decryption Secrets Block: TLS key log ('TLSK'), 4 bytes of secrets.
    encodeBlock(0x0000000a, concatBytes([Uint8Array.of(0x4b, 0x53, 0x4c, 0x54, 4, 0, 0, 0), Uint8Array.of(65, 66, 67, 10)])),
    encodeSimplePacket({ data: payload(50) }),
    encodeObsoletePacket({ interfaceId: 0, tsSec: 1_700_000_001, data: payload(30), comments: ['old'] }),
    encodeInterfaceStatistics({ interfaceId: 0, tsSec: 1_700_000_002, received: 10n, dropped: 1n }),
    encodeSectionHeader({ littleEndian: false }),
    encodeInterfaceDescription({ littleEndian: false, linkType: 228, resolution: NS, snapLength: 64 }),
    encodeSimplePacket({ littleEndian: false, data: payload(64), originalLength: 100 }),
    encodeEnhancedPacket({ littleEndian: false, interfaceId: 0, tsSec: 1_700_000_003, tsNsec: 5, resolution: NS, data: payload(20) }),
  ]);
}

describe('pcap writer', () => {
  it('writes the documented header layout', () => {
    expect(Array.from(encodePcapHeader({ linkType: 1, snapLength: 65535 }))).toEqual([
      0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ]);
    expect(Array.from(encodePcapHeader({ linkType: 1, nanosecond: true, littleEndian: false }).subarray(0, 4))).toEqual([0xa1, 0xb2, 0x3c, 0x4d]);
    expect(Array.from(encodePcapRecord({ tsSec: 1, tsNsec: 2_999, data: Uint8Array.of(9) }))).toEqual([
      1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9,
    ]);
  });

  it.each([
    [true, false],
    [false, false],
    [true, true],
    [false, true],
  ])('round-trips (littleEndian=%s, nanosecond=%s), and tshark agrees', (littleEndian, nanosecond) => {
    const records = [
      { tsSec: 1_700_000_000, tsNsec: 123_456_789, data: payload(60) },
      { tsSec: 1_700_000_001, tsNsec: 1_000, data: payload(70), originalLength: 1514 },
    ];
    const file = encodePcapFile({ linkType: 1, littleEndian, nanosecond }, records);
    const { packets, diagnostics, info } = readBytes('pcap', file);
    expect(diagnostics).toEqual([]);
    expect(info).toMatchObject({ littleEndian, nanosecond });
    const expectNsec = (n: number): number => (nanosecond ? n : Math.floor(n / 1000) * 1000);
    expect(packets.map((p) => [p.tsSec, p.tsNsec, p.capturedLength, p.originalLength])).toEqual([
      [1_700_000_000, expectNsec(123_456_789), 60, 60],
      [1_700_000_001, 1_000, 70, 1514],
    ]);
    if (!haveTshark) return;
    const path = save(`rt-${littleEndian ? 'le' : 'be'}-${nanosecond ? 'ns' : 'us'}.pcap`, file);
    const rows = tsharkFields(path, ['frame.time_epoch', 'frame.cap_len', 'frame.len']);
    expect(rows).toEqual(packets.map((p) => [epochText(p.tsSec, p.tsNsec), String(p.capturedLength), String(p.originalLength)]));
    if (haveCapinfos) {
      const c = parseCapinfos(capinfos(path));
      expect(c.fileType).toBe(nanosecond ? 'Wireshark/tcpdump/... - nanosecond pcap' : 'Wireshark/tcpdump/... - pcap');
      expect(c.encapsulations).toEqual(['ether']);
    }
  });
});

describe('pcapng writer', () => {
  it('writes the documented SHB layout (28 bytes without options)', () => {
    expect(Array.from(encodeSectionHeader())).toEqual([
      0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
    ]);
    expect(Array.from(encodeSectionHeader({ littleEndian: false }).subarray(0, 12))).toEqual([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d]);
  });

  it('round-trips the kitchen-sink file through our reader', () => {
    const { packets, diagnostics, info } = readBytes('pcapng', kitchenSink());
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/^skipped a block of type 0x80001234 at offset \d+ \(not used by sipscope\)/),
    ]);
    expect(info.sections).toBe(2);
    expect(info.interfaces.map((i) => [i.id, i.section, i.linkType, i.name, i.timestampUnitsPerSecond, i.snapLength])).toEqual([
      [0, 0, 1, 'a0', 1e6, 65535],
      [1, 0, 101, 'a1', 1e9, 0],
      [2, 0, 113, 'a2', 1048576, 0],
      [3, 1, 228, undefined, 1e9, 64],
    ]);
    expect([...info.nameResolution]).toEqual([
      ['192.0.2.1', ['pcscf.ims.example']],
      ['2001:db8::1', ['scscf.ims.example']],
    ]);
    expect([...info.interfaceStatistics]).toEqual([[0, { tsSec: 1_700_000_002, received: 10n, dropped: 1n }]]);
    expect(packets.map((p) => [p.frame, p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.capturedLength, p.originalLength, p.comments, p.direction])).toEqual([
      [1, 0, 1, 1_700_000_000, 123_456_000, 60, 60, ['c1', 'c2'], 1],
      [2, 1, 101, 1_700_000_000, 123_456_789, 40, 40, undefined, undefined],
      [3, 2, 113, 1_700_000_000, 123_456_001, 41, 41, undefined, 2],
      [4, 0, 1, 0, 0, 50, 50, undefined, undefined],
      [5, 0, 1, 1_700_000_001, 0, 30, 30, ['old'], undefined],
      [6, 3, 228, 0, 0, 64, 100, undefined, undefined],
      [7, 3, 228, 1_700_000_003, 5, 20, 20, undefined, undefined],
    ]);
    expect(packets[2].data).toEqual(payload(41));
  });

  it.skipIf(!haveTshark)('tshark reads the kitchen-sink file the same way', () => {
    const file = kitchenSink();
    const path = save('kitchen-sink.pcapng', file);
    const ours = readBytes('pcapng', file).packets;
    const rows = tsharkFields(path, [
      'frame.cb_pen',
      'frame.section_number',
      'frame.interface_id',
      'frame.time_epoch',
      'frame.cap_len',
      'frame.len',
      'frame.comment',
      'frame.packet_flags_direction',
    ]);
    // tshark 4.0 shows a custom block as a frame of its own (frame.cb_pen set); we do not count it as a
    // packet, so frame numbers differ after it. Compare everything else, packet by packet.
    const theirs = rows.filter((r) => r[0] === '').map((r) => r.slice(1));
    // tshark 4.0 prints the section-local interface id (section 2's interface is 0 there); ours is global:
    // local id + the number of interfaces of the earlier sections (3).
    const firstIdOfSection = [0, 3];
    const expected = ours.map((p: KeptPacket) => {
      const section = p.interfaceId >= 3 ? 1 : 0;
      return [
        String(section + 1),
        String(p.interfaceId - firstIdOfSection[section]),
        p.timestampUnknown ? '' : epochText(p.tsSec, p.tsNsec),
        String(p.capturedLength),
        String(p.originalLength),
        (p.comments ?? []).join(','),
        p.direction ? `0x0000000${p.direction}` : '',
      ];
    });
    expect(theirs).toEqual(expected);
  });

  it.skipIf(!haveCapinfos)('capinfos sees the same interfaces, statistics, names and secrets', () => {
    const path = save('kitchen-sink-capinfos.pcapng', kitchenSink());
    const text = capinfos(path);
    const c = parseCapinfos(text);
    expect(c.encapsulations).toEqual(['ether', 'rawip', 'linux-sll', 'rawip4']);
    expect(c.statEntries).toEqual([1, 0, 0, 0]);
    expect(text).toMatch(/Time ticks per second = 1048576\n\s+Time resolution = 0x94/);
    expect(text).toContain('Number of resolved IPv4 addresses in file: 1');
    expect(text).toContain('Number of resolved IPv6 addresses in file: 1');
    expect(text).toContain('Number of decryption secrets in file: 1');
  });

  it.skipIf(!haveTshark)('a big-endian single-section file with ns timestamps reads the same in tshark', () => {
    const file = concatBytes([
      encodeSectionHeader({ littleEndian: false }),
      encodeInterfaceDescription({ littleEndian: false, linkType: 1, resolution: NS }),
      ...[0, 1, 2].map((i) =>
        encodeEnhancedPacket({ littleEndian: false, interfaceId: 0, tsSec: 4_000_000_000 + i, tsNsec: 999_999_999 - i, resolution: NS, data: payload(64 + i), comments: [`n${i}`] }),
      ),
    ]);
    const ours = readBytes('pcapng', file).packets;
    const rows = tsharkFields(save('be-ns.pcapng', file), ['frame.time_epoch', 'frame.cap_len', 'frame.comment']);
    expect(rows).toEqual(ours.map((p) => [epochText(p.tsSec, p.tsNsec), String(p.capturedLength), (p.comments ?? []).join(',')]));
    expect(ours[2]).toMatchObject({ tsSec: 4_000_000_002, tsNsec: 999_999_997 });
  });
});
