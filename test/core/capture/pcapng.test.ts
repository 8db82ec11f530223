import { describe, expect, it } from 'vitest';
import { PcapngReader } from '../../../src/core/capture/pcapng.js';
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
import { seededRandom } from '../../helpers/random.js';
import { corpusBytes, fingerprint, readBytes, pushInChunks, BIN20, NS, payload } from './support.js';


/** A small valid file: SHB, one Ethernet IDB (µs), two EPBs. */
function simpleFile(littleEndian = true): Uint8Array {
  return concatBytes([
    encodeSectionHeader({ littleEndian, application: 'sipscope test' }),
    encodeInterfaceDescription({ littleEndian, linkType: 1, snapLength: 65535, name: 'eth0' }),
    encodeEnhancedPacket({ littleEndian, interfaceId: 0, tsSec: 1_700_000_000, tsNsec: 1_000, data: payload(60) }),
    encodeEnhancedPacket({ littleEndian, interfaceId: 0, tsSec: 1_700_000_001, tsNsec: 2_000, data: payload(61) }),
  ]);
}

describe('PcapngReader on real files', () => {
  it('reads nokia_51_esp_sip.pcapng (gunzipped): SHB options, ns interface, packet comments', () => {
    const { packets, diagnostics, info } = readBytes('pcapng', corpusBytes('nokia_51_esp_sip.pcapng.gz'));
    expect(diagnostics).toEqual([]);
    // capinfos: "Capture oper-sys: 64-bit Windows 10 (21H2), build 19044", "Capture application: Mergecap ...",
    // one Ethernet interface, Time resolution 0x09.
    expect(info).toMatchObject({
      format: 'pcapng',
      littleEndian: true,
      versionMajor: 1,
      versionMinor: 0,
      sections: 1,
      os: '64-bit Windows 10 (21H2), build 19044',
      application: 'Mergecap (Wireshark) 4.0.4 (v4.0.4-0-gea14d468d9ca)',
    });
    expect(info.interfaces).toHaveLength(1);
    expect(info.interfaces[0]).toMatchObject({ id: 0, section: 0, linkType: 1, timestampUnitsPerSecond: 1e9 });
    expect(packets).toHaveLength(447);
    // tshark -o frame.show_file_off:TRUE -T fields -e frame.time_epoch -e frame.len -e frame.file_off -e frame.comment:
    //   1  1678900501.040831000  1054  164   1101
    //   4  ...                         ...   2101
    expect(packets[0]).toMatchObject({ frame: 1, tsSec: 1678900501, tsNsec: 40831000, capturedLength: 1054, dataOffset: 164 + 28, comments: ['1101'] });
    expect(packets[3].comments).toEqual(['2101']);
    expect(packets.every((p) => p.comments?.length === 1)).toBe(true);
  });

  it('reads the Interface Statistics Block of heplify_erspan_sip_ipv4_udp.pcapng (capinfos: 1 stat entry)', () => {
    const { info, diagnostics } = readBytes('pcapng', corpusBytes('heplify_erspan_sip_ipv4_udp.pcapng'));
    expect(diagnostics).toEqual([]);
    expect(info.interfaces[0]).toMatchObject({ name: '\\Device\\NPF_{AC970A13-06EB-4C2B-9D6B-04EA10752FF6}', os: '64-bit Windows 10, build 16299' });
    expect(info.hardware).toBe('Intel(R) Core(TM) i5-6200U CPU @ 2.30GHz (with SSE4.2)');
    expect(info.interfaceStatistics.size).toBe(1);
    const stats = info.interfaceStatistics.get(0);
    expect(typeof stats?.received).toBe('bigint');
    expect(stats?.tsSec).toBeGreaterThan(1_500_000_000);
  });

  it.each(['nokia_51_esp_sip.pcapng.gz', 'heplify_erspan_sip_ipv4_udp.pcapng', 'ndpi_gre.pcapng'])(
    'gives identical packets fed 1 byte, 7 bytes, 64 KiB and irregular pieces at a time: %s',
    (name) => {
      const bytes = corpusBytes(name);
      const whole = readBytes('pcapng', bytes);
      expect(whole.diagnostics).toEqual([]);
      const expected = fingerprint(whole.packets);
      for (const chunk of [1, 7, 65536, [3, 8, 11, 12, 13, 27, 28, 29, 1021]]) {
        const pieces = readBytes('pcapng', bytes, chunk);
        expect(pieces.diagnostics).toEqual([]);
        expect(fingerprint(pieces.packets)).toEqual(expected);
        expect(pieces.info).toEqual(whole.info);
      }
    },
  );
});

describe('PcapngReader on synthetic files', () => {
  it('reads a big-endian section', () => {
    const { packets, diagnostics, info } = readBytes('pcapng', simpleFile(false));
    expect(diagnostics).toEqual([]);
    expect(info).toMatchObject({ littleEndian: false, application: 'sipscope test' });
    expect(info.interfaces[0]).toMatchObject({ linkType: 1, snapLength: 65535, name: 'eth0' });
    expect(packets.map((p) => [p.tsSec, p.tsNsec, p.capturedLength])).toEqual([
      [1_700_000_000, 1_000, 60],
      [1_700_000_001, 2_000, 61],
    ]);
  });

  it('numbers interfaces globally across sections of different byte orders', () => {
    const file = concatBytes([
      encodeSectionHeader({ os: 'first' }),
      encodeInterfaceDescription({ linkType: 1, name: 'a0' }),
      encodeInterfaceDescription({ linkType: 101, name: 'a1', resolution: NS }),
      encodeEnhancedPacket({ interfaceId: 1, tsSec: 10, tsNsec: 5, resolution: NS, data: payload(20) }),
      encodeSectionHeader({ littleEndian: false, os: 'second' }),
      encodeInterfaceDescription({ littleEndian: false, linkType: 113, name: 'b0' }),
      encodeEnhancedPacket({ littleEndian: false, interfaceId: 0, tsSec: 11, data: payload(21) }),
      // Interface 1 of the second section does not exist (the first section's 1 is not visible here).
      encodeEnhancedPacket({ littleEndian: false, interfaceId: 1, tsSec: 12, data: payload(22) }),
    ]);
    const { packets, diagnostics, info } = readBytes('pcapng', file);
    expect(info.sections).toBe(2);
    expect(info.littleEndian).toBe(true);
    expect(info.os).toBe('first');
    expect(info.interfaces.map((i) => [i.id, i.section, i.linkType, i.name])).toEqual([
      [0, 0, 1, 'a0'],
      [1, 0, 101, 'a1'],
      [2, 1, 113, 'b0'],
    ]);
    expect(packets.map((p) => [p.frame, p.interfaceId, p.linkType, p.tsSec, p.tsNsec])).toEqual([
      [1, 1, 101, 10, 5],
      [2, 2, 113, 11, 0],
    ]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ kind: 'malformed', layer: 'pcapng' });
    expect(diagnostics[0].message).toMatch(/^Enhanced Packet Block at offset \d+ refers to interface 1 but its section has 1 interface\(s\) so far; block skipped$/);
  });

  it('converts µs, ns and 2^-20 interfaces, and applies if_tsoffset', () => {
    const file = concatBytes([
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 1 }),
      encodeInterfaceDescription({ linkType: 1, resolution: NS }),
      encodeInterfaceDescription({ linkType: 1, resolution: BIN20 }),
      encodeInterfaceDescription({ linkType: 1, timestampOffsetSeconds: 1_000_000_000 }),
      encodeEnhancedPacket({ interfaceId: 0, tsSec: 1_700_000_000, tsNsec: 123_456_789, data: payload(4) }),
      encodeEnhancedPacket({ interfaceId: 1, tsSec: 1_700_000_000, tsNsec: 123_456_789, resolution: NS, data: payload(4) }),
      encodeEnhancedPacket({ interfaceId: 2, tsSec: 1_700_000_000, tsNsec: 123_456_789, resolution: BIN20, data: payload(4) }),
      encodeEnhancedPacket({ interfaceId: 3, tsSec: 700_000_000, tsNsec: 5_000, data: payload(4) }),
    ]);
    const { packets, diagnostics, info } = readBytes('pcapng', file);
    expect(diagnostics).toEqual([]);
    expect(info.interfaces.map((i) => i.timestampUnitsPerSecond)).toEqual([1e6, 1e9, 1048576, 1e6]);
    expect(info.interfaces[3].timestampOffsetSeconds).toBe(1_000_000_000);
    expect(packets.map((p) => [p.tsSec, p.tsNsec])).toEqual([
      [1_700_000_000, 123_456_000],
      [1_700_000_000, 123_456_789],
      // floor(123456789e-9 * 2^20) = 129453 ticks; floor(129453 * 1e9 / 2^20) = 123456001 ns
      [1_700_000_000, 123_456_001],
      [1_700_000_000, 5_000],
    ]);
  });

  it('reads IDB if_description, if_filter, if_os and if_fcslen', () => {
    const file = concatBytes([
      encodeSectionHeader({ hardware: 'hw', os: 'Linux', application: 'app' }),
      encodeInterfaceDescription({ linkType: 1, description: 'uplink', filter: 'udp port 5060', os: 'Linux 6.1', fcsLength: 4 }),
    ]);
    const { info } = readBytes('pcapng', file);
    // if_fcslen (the last option: value, 3 padding bytes, opt_endofopt, trailer) counts bits: 4 bytes -> 32.
    expect(Array.from(file.subarray(file.length - 16, file.length - 11))).toEqual([13, 0, 1, 0, 32]);
    expect(info).toMatchObject({ hardware: 'hw', os: 'Linux', application: 'app' });
    expect(info.interfaces[0]).toMatchObject({ description: 'uplink', filter: 'udp port 5060', os: 'Linux 6.1', fcsLength: 4 });
  });

  it('reads EPB comments and direction flags', () => {
    const file = concatBytes([
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 1 }),
      encodeEnhancedPacket({ interfaceId: 0, tsSec: 1, data: payload(5), comments: ['first', 'zweite – ü'], direction: 1 }),
      encodeEnhancedPacket({ interfaceId: 0, tsSec: 2, data: payload(6), flags: 0x2 | (4 << 5) }),
      encodeEnhancedPacket({ interfaceId: 0, tsSec: 3, data: payload(7) }),
    ]);
    const { packets } = readBytes('pcapng', file);
    expect(packets[0]).toMatchObject({ comments: ['first', 'zweite – ü'], direction: 1 });
    expect(packets[1].direction).toBe(2);
    expect(packets[2].comments).toBeUndefined();
    expect(packets[2].direction).toBeUndefined();
  });

  it('reads Simple Packet Blocks: interface 0 of the section, length = min(original, snaplen, block room)', () => {
    const file = concatBytes([
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 1, snapLength: 50 }),
      encodeSimplePacket({ data: payload(40) }),
      encodeSimplePacket({ data: payload(50), originalLength: 1500 }), // snaplen cuts at 50
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 228 }), // snaplen 0 = no limit
      encodeSimplePacket({ data: payload(30), originalLength: 1000 }), // the block has room for 32 (padding)
    ]);
    const { packets, diagnostics } = readBytes('pcapng', file);
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/^frame 3: the Simple Packet Block at offset \d+ should hold min\(original length 1000, snaplen\) = 1000 bytes but has room for 32; delivered the 32 present$/),
    ]);
    expect(packets.map((p) => [p.frame, p.interfaceId, p.linkType, p.capturedLength, p.originalLength, p.timestampUnknown, p.tsSec])).toEqual([
      [1, 0, 1, 40, 40, true, 0],
      [2, 0, 1, 50, 1500, true, 0],
      [3, 1, 228, 32, 1000, true, 0],
    ]);
    expect(packets[1].data).toEqual(payload(50));
  });

  it('reads obsolete Packet Blocks (type 2) with pack_flags and comments', () => {
    const file = concatBytes([
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 1 }),
      encodeObsoletePacket({ interfaceId: 0, dropsCount: 3, tsSec: 5, tsNsec: 6000, data: payload(9), comments: ['old'], direction: 2 }),
    ]);
    const { packets, diagnostics } = readBytes('pcapng', file);
    expect(diagnostics).toEqual([]);
    expect(packets[0]).toMatchObject({ frame: 1, interfaceId: 0, tsSec: 5, tsNsec: 6000, capturedLength: 9, comments: ['old'], direction: 2 });
    expect(packets[0].data).toEqual(payload(9));
  });

  it('collects Name Resolution Block records, merging names per address', () => {
    const file = concatBytes([
      encodeSectionHeader(),
      encodeNameResolution({
        entries: [
          { address: '192.0.2.1', names: ['pcscf.ims.example', 'pcscf'] },
          { address: '2001:db8::1', names: ['scscf.ims.example'] },
          { address: '2001:db8:0:0:1:0:0:1', names: ['x'] },
        ],
      }),
      encodeNameResolution({ littleEndian: true, entries: [{ address: '192.0.2.1', names: ['pcscf', 'p1'] }] }),
    ]);
    const { info, diagnostics } = readBytes('pcapng', file);
    expect(diagnostics).toEqual([]);
    expect([...info.nameResolution]).toEqual([
      ['192.0.2.1', ['pcscf.ims.example', 'pcscf', 'p1']],
      ['2001:db8::1', ['scscf.ims.example']],
      ['2001:db8::1:0:0:1', ['x']],
    ]);
  });

  it('keeps the latest Interface Statistics Block per global interface', () => {
    const file = concatBytes([
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 1 }),
      encodeInterfaceStatistics({ interfaceId: 0, tsSec: 100, received: 10n, dropped: 1n }),
      encodeInterfaceStatistics({ interfaceId: 0, tsSec: 200, received: 2n ** 40n + 5n, dropped: 0n }),
      encodeSectionHeader({ littleEndian: false }),
      encodeInterfaceDescription({ littleEndian: false, linkType: 1, resolution: NS }),
      encodeInterfaceStatistics({ littleEndian: false, interfaceId: 0, tsSec: 300, resolution: NS, received: 7n }),
    ]);
    const { info, diagnostics } = readBytes('pcapng', file);
    expect(diagnostics).toEqual([]);
    expect([...info.interfaceStatistics]).toEqual([
      [0, { tsSec: 200, received: 2n ** 40n + 5n, dropped: 0n }],
      [1, { tsSec: 300, received: 7n }],
    ]);
  });

  it('skips custom and decryption-secrets blocks silently and unknown blocks with one note per type', () => {
    const unknown = (type: number): Uint8Array => encodeBlock(type, payload(10));
    const file = concatBytes([
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 1 }),
      encodeCustomBlock({ pen: 32473, data: payload(7) }),
      encodeCustomBlock({ pen: 32473, data: payload(7), copyable: false }),
      encodeBlock(0x0a, concatBytes([Uint8Array.of(0x4b, 0x53, 0x4c, 0x54, 4, 0, 0, 0), payload(4)])),
      unknown(0x00000204),
      encodeEnhancedPacket({ interfaceId: 0, tsSec: 1, data: payload(3) }),
      unknown(0x00000204),
      unknown(0x7fff1234),
    ]);
    const { packets, diagnostics } = readBytes('pcapng', file);
    expect(packets).toHaveLength(1);
    expect(diagnostics.map((d) => [d.kind, d.message])).toEqual([
      ['note', expect.stringMatching(/^skipped a Sysdig Event block \(type 0x00000204\) at offset \d+ \(not used by sipscope\); further blocks of this type are skipped silently$/)],
      ['note', expect.stringMatching(/^skipped a block of type 0x7fff1234 at offset \d+/)],
    ]);
  });

  it('streams past a big unknown block split across chunks without holding it, checking its trailer', () => {
    const big = encodeBlock(0x00000bad, payload(3 * 1024 * 1024));
    const file = concatBytes([simpleFile(), big, encodeEnhancedPacket({ interfaceId: 0, tsSec: 9, data: payload(8) })]);
    for (const chunk of [65536, 1 << 20, 999_999]) {
      const { packets, diagnostics } = readBytes('pcapng', file, chunk);
      expect(diagnostics).toEqual([]);
      expect(packets.map((p) => p.tsSec)).toEqual([1_700_000_000, 1_700_000_001, 9]);
    }
    const damaged = file.slice();
    const trailerAt = simpleFile().length + big.length - 4;
    damaged[trailerAt] ^= 0x01;
    const r = readBytes('pcapng', damaged, 65536);
    expect(r.packets).toHaveLength(2);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].message).toBe(
      `the Custom Block at offset ${simpleFile().length} says it is ${big.length} bytes long but its trailing length field says ${big.length ^ 1}: the file is damaged here; stopped reading, the 2 packet(s) before were read`,
    );
  });
});

describe('PcapngReader on damaged input (diagnostics, never a throw)', () => {
  const file = simpleFile();
  const secondEpb = file.length - encodeEnhancedPacket({ interfaceId: 0, tsSec: 0, data: payload(61) }).length;

  it.each([file.length, 1, 7])('stops at a block whose trailing length disagrees (chunk %s)', (chunk) => {
    const bad = file.slice();
    new DataView(bad.buffer).setUint32(bad.length - 4, 1234, true);
    const { packets, diagnostics, reader } = readBytes('pcapng', bad, chunk);
    expect(packets).toHaveLength(1);
    expect(reader.stopped).toBe(true);
    expect(diagnostics).toEqual([
      {
        kind: 'malformed',
        severity: 'error',
        layer: 'pcapng',
        message: `the Enhanced Packet Block at offset ${secondEpb} says it is ${file.length - secondEpb} bytes long but its trailing length field says 1234: the file is damaged here; stopped reading, the 1 packet(s) before were read`,
        offset: secondEpb,
        fileOffset: secondEpb,
      },
    ]);
  });

  it.each([
    [8, 'less than the 12-byte minimum'],
    [102, 'not a multiple of 4'],
  ])('stops at an impossible block length %s', (len, why) => {
    const bad = file.slice();
    new DataView(bad.buffer).setUint32(secondEpb + 4, len, true);
    const { packets, diagnostics } = readBytes('pcapng', bad);
    expect(packets).toHaveLength(1);
    expect(diagnostics[0].message).toBe(
      `the Enhanced Packet Block at offset ${secondEpb} has total length ${len}, ${why}: the file is damaged here; stopped reading, the 1 packet(s) before were read`,
    );
  });

  it('stops at an absurd block length', () => {
    const bad = file.slice();
    new DataView(bad.buffer).setUint32(secondEpb + 4, 0x7ffffff0, true);
    const { diagnostics } = readBytes('pcapng', bad);
    expect(diagnostics[0].message).toBe(
      `the Enhanced Packet Block at offset ${secondEpb} claims 2147483632 bytes, more than the 67108864-byte sanity limit: the length is probably damaged; stopped reading, the 1 packet(s) before were read`,
    );
  });

  it.each([file.length, 1, 7])('reports a truncated final block from end() (chunk %s)', (chunk) => {
    const { packets, diagnostics } = readBytes('pcapng', file.subarray(0, file.length - 10), chunk);
    expect(packets).toHaveLength(1);
    expect(diagnostics).toEqual([
      {
        kind: 'truncated',
        severity: 'warning',
        layer: 'pcapng',
        message: `the capture ends inside the Enhanced Packet Block at offset ${secondEpb} (frame 2, not shown): it announces ${file.length - secondEpb} bytes but only ${file.length - secondEpb - 10} are present (the file was cut short)`,
        offset: secondEpb,
        fileOffset: secondEpb,
      },
    ]);
  });

  it('reports an EPB whose captured length overruns its block and goes on', () => {
    const bad = file.slice();
    const firstEpb = secondEpb - (file.length - secondEpb) + 4; // the first EPB carries 60 bytes, the second 61 (+3 padding each)
    new DataView(bad.buffer).setUint32(firstEpb + 20, 5000, true);
    const { packets, diagnostics } = readBytes('pcapng', bad);
    expect(packets.map((p) => p.frame)).toEqual([1]);
    expect(packets[0].tsSec).toBe(1_700_000_001);
    expect(diagnostics[0].message).toBe(`the Enhanced Packet Block at offset ${firstEpb} announces 5000 captured bytes but has room for 60; skipped`);
  });

  it('reports an option running past the block end but still delivers the packet', () => {
    const epb = encodeEnhancedPacket({ interfaceId: 0, tsSec: 1, data: payload(4), comments: ['hello'] });
    new DataView(epb.buffer).setUint16(28 + 4 + 2, 200, true); // opt_comment length 200
    const bad = concatBytes([file.subarray(0, secondEpb), epb]);
    const { packets, diagnostics } = readBytes('pcapng', bad);
    expect(packets).toHaveLength(2);
    expect(packets[1].comments).toBeUndefined();
    expect(diagnostics[0].message).toBe(`the Enhanced Packet Block at offset ${secondEpb} has option 1 running past the block end; remaining options ignored`);
  });

  it('refuses a file that does not start with a Section Header Block, and a bad byte-order magic', () => {
    expect(readBytes('pcapng', file.subarray(28 + 20 + 12)).diagnostics[0].message).toMatch(/^not a pcapng file: the first block has type 0x00000001/);
    const bom = file.slice();
    bom[8] = 0;
    expect(readBytes('pcapng', bom).diagnostics[0].message).toBe(
      'the Section Header Block at offset 0 has byte-order magic 0x003c2b1a, not 1a2b3c4d in either order: the file is damaged',
    );
  });

  it('assumes microseconds for an if_tsresol too fine to represent (10^-20), saying so', () => {
    const file = concatBytes([
      encodeSectionHeader(),
      encodeInterfaceDescription({ linkType: 1, resolution: { base: 10, exponent: 20 } }),
      encodeEnhancedPacket({ interfaceId: 0, tsSec: 1_700_000_000, data: payload(4) }),
    ]);
    const { packets, diagnostics, info } = readBytes('pcapng', file);
    expect(info.interfaces[0].timestampUnitsPerSecond).toBe(1e6);
    expect(packets[0].tsSec).toBe(1_700_000_000);
    expect(diagnostics.map((d) => d.message)).toEqual(['interface 0: if_tsresol 0x14 is too fine to represent; assuming microseconds']);
  });

  it('refuses a pcapng major version other than 1', () => {
    const { packets, diagnostics } = readBytes('pcapng', concatBytes([encodeSectionHeader({ versionMajor: 2 }), file.subarray(52)]));
    expect(packets).toEqual([]);
    expect(diagnostics[0].message).toBe('unsupported pcapng version 2.0 in the Section Header Block at offset 0 (only 1.x exists)');
  });

  it('reports an empty stream', () => {
    expect(readBytes('pcapng', new Uint8Array(0)).diagnostics).toEqual([
      { kind: 'truncated', severity: 'warning', layer: 'pcapng', message: 'no data: the capture ends before its Section Header Block', offset: 0, fileOffset: 0 },
    ]);
  });

  it('never throws on random bytes or on randomly damaged real files', () => {
    const rnd = seededRandom(11);
    const real = corpusBytes('sipnab_sip-auth-failure.pcapng');
    for (let round = 0; round < 300; round++) {
      let bytes: Uint8Array;
      if (round % 3 === 0) {
        bytes = concatBytes([real.subarray(0, 28), Uint8Array.from({ length: Math.floor(rnd() * 2000) }, () => Math.floor(rnd() * 256))]);
      } else {
        bytes = real.slice(0, Math.floor(rnd() * real.length) + 1);
        for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      }
      const chunks = [1 + Math.floor(rnd() * 5000), 1 + Math.floor(rnd() * 17)];
      expect(() => pushInChunks(new PcapngReader({ packet: () => undefined, diagnostic: () => undefined }), bytes, chunks)).not.toThrow();
    }
  });
});
