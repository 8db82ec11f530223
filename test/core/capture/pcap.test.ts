import { describe, expect, it } from 'vitest';
import { PcapReader } from '../../../src/core/capture/pcap.js';
import { concatBytes, encodePcapFile, encodePcapHeader, encodePcapRecord } from '../../../src/core/capture/pcap-writer.js';
import { seededRandom } from '../../helpers/random.js';
import { corpusBytes, fingerprint, readBytes, sameBytes, pushInChunks } from './support.js';

const payload = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('PcapReader on real files', () => {
  it('reads sngrep_aaa.pcap: header fields, first packet, offsets (tcpdump -r agrees)', () => {
    const bytes = corpusBytes('sngrep_aaa.pcap');
    const { packets, diagnostics, info } = readBytes('pcap', bytes);
    expect(diagnostics).toEqual([]);
    expect(info).toMatchObject({ format: 'pcap', littleEndian: true, nanosecond: false, versionMajor: 2, versionMinor: 4, sections: 1 });
    expect(info.interfaces).toEqual([{ id: 0, section: 0, linkType: 1, snapLength: 65535, timestampUnitsPerSecond: 1e6 }]);
    expect(packets).toHaveLength(691);
    // tshark -o frame.show_file_off:TRUE: frame 1 time_epoch 1120469540.839312000, 92 bytes, frame.file_off 24.
    expect(packets[0]).toMatchObject({ frame: 1, interfaceId: 0, linkType: 1, tsSec: 1120469540, tsNsec: 839312000, capturedLength: 92, dataOffset: 40 });
    // Each record's data sits right after its 16-byte header, records back to back.
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i].dataOffset).toBe(packets[i - 1].dataOffset + packets[i - 1].capturedLength + 16);
    }
    const last = packets[packets.length - 1];
    expect(last.dataOffset + last.capturedLength).toBe(bytes.length);
    // The data handed over is the file's bytes at dataOffset.
    expect(packets[5].data).toEqual(bytes.subarray(packets[5].dataOffset, packets[5].dataOffset + packets[5].capturedLength));
  });

  it('reads the big-endian ndpi_fuzz pcap', () => {
    const { packets, diagnostics, info } = readBytes('pcap', corpusBytes('ndpi_fuzz-2006-06-26-2594.pcap'));
    expect(diagnostics).toEqual([]);
    expect(info.littleEndian).toBe(false);
    expect(packets).toHaveLength(691);
    // Same packets as the little-endian sngrep_aaa.pcap (the fuzzed copy keeps headers and timestamps).
    const le = readBytes('pcap', corpusBytes('sngrep_aaa.pcap')).packets;
    expect(packets.map((p) => [p.tsSec, p.tsNsec, p.capturedLength])).toEqual(le.map((p) => [p.tsSec, p.tsNsec, p.capturedLength]));
  });

  it.each(['gprshome_sip.pcap', 'ndpi_fuzz-2006-06-26-2594.pcap', 'heplify_sip_ipv4_tcp_retrans.pcap'])(
    'gives identical packets fed 1 byte, 7 bytes, 64 KiB and irregular pieces at a time: %s',
    (name) => {
      const bytes = corpusBytes(name);
      const whole = readBytes('pcap', bytes);
      expect(whole.diagnostics).toEqual([]);
      const expected = fingerprint(whole.packets);
      for (const chunk of [1, 7, 65536, [1, 15, 16, 17, 23, 24, 25, 4093, 3]]) {
        const pieces = readBytes('pcap', bytes, chunk);
        expect(pieces.diagnostics).toEqual([]);
        expect(fingerprint(pieces.packets)).toEqual(expected);
        expect(pieces.reader.bytesConsumed).toBe(bytes.length);
      }
    },
  );
});

describe('PcapReader on synthetic files', () => {
  it.each([true, false])('reads nanosecond pcap (littleEndian=%s)', (littleEndian) => {
    const file = encodePcapFile({ linkType: 101, nanosecond: true, littleEndian, snapLength: 65535 }, [
      { tsSec: 1_700_000_000, tsNsec: 123_456_789, data: payload(40) },
      { tsSec: 1_700_000_001, tsNsec: 999_999_999, data: payload(60), originalLength: 1500 },
    ]);
    const { packets, diagnostics, info } = readBytes('pcap', file);
    expect(diagnostics).toEqual([]);
    expect(info).toMatchObject({ littleEndian, nanosecond: true });
    expect(info.interfaces[0]).toMatchObject({ linkType: 101, snapLength: 65535, timestampUnitsPerSecond: 1e9 });
    expect(packets.map((p) => [p.tsSec, p.tsNsec, p.capturedLength, p.originalLength])).toEqual([
      [1_700_000_000, 123_456_789, 40, 40],
      [1_700_000_001, 999_999_999, 60, 1500],
    ]);
    expect(packets[1].data).toEqual(payload(60));
  });

  it('masks the FCS bits of the link-type field and reports the FCS length', () => {
    const file = encodePcapFile({ linkType: 1, fcsLength: 4 }, [{ tsSec: 1, data: payload(64) }]);
    expect(new DataView(file.buffer).getUint32(20, true)).toBe(0x24000001); // P bit + FCS length 2 (16-bit words)
    const { packets, info } = readBytes('pcap', file);
    expect(info.interfaces[0]).toMatchObject({ linkType: 1, fcsLength: 4 });
    expect(packets[0].linkType).toBe(1);
  });

  it('delivers a record whose incl_len > orig_len, with a malformed diagnostic', () => {
    const file = encodePcapFile({ linkType: 1 }, [
      { tsSec: 1, data: payload(10) },
      { tsSec: 2, data: payload(100), originalLength: 60 },
    ]);
    const { packets, diagnostics } = readBytes('pcap', file);
    expect(packets).toHaveLength(2);
    expect(diagnostics).toEqual([
      {
        kind: 'malformed',
        severity: 'error',
        layer: 'pcap',
        message: 'record 2: captured length 100 is larger than the original length 60 (delivered anyway)',
        offset: 24 + 26,
        fileOffset: 24 + 26,
      },
    ]);
  });

  it('lists at most 20 of the same problem and then one summary note', () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ tsSec: i, data: payload(10), originalLength: 5 }));
    const { packets, diagnostics } = readBytes('pcap', encodePcapFile({ linkType: 1 }, records));
    expect(packets).toHaveLength(30);
    expect(diagnostics).toHaveLength(21);
    expect(diagnostics[20]).toMatchObject({ kind: 'note', message: '10 more "captured length > original length" problem(s) like the ones above were not listed one by one' });
  });

  it('carries a sub-second field of a second or more into the seconds', () => {
    const header = encodePcapHeader({ linkType: 1 });
    const record = encodePcapRecord({ tsSec: 10, data: payload(4) });
    new DataView(record.buffer).setUint32(4, 2_500_000, true); // 2.5 s of µs
    const { packets, diagnostics } = readBytes('pcap', concatBytes([header, record]));
    expect(packets[0]).toMatchObject({ tsSec: 12, tsNsec: 500_000_000 });
    expect(diagnostics[0].message).toBe('record 1: the sub-second field is 2500000 (µs), not below one second; carried into the seconds');
  });

  it('accepts records up to the header snaplen when it is above 256 KiB', () => {
    const big = payload(300 * 1024);
    const file = encodePcapFile({ linkType: 1, snapLength: 1024 * 1024 }, [{ tsSec: 1, data: big }]);
    for (const chunk of [file.length, 65536, 1000]) {
      const { packets, diagnostics } = readBytes('pcap', file, chunk);
      expect(diagnostics).toEqual([]);
      expect(sameBytes(packets[0].data, big)).toBe(true);
    }
  });
});

describe('PcapReader on damaged input (diagnostics, never a throw)', () => {
  const good = encodePcapFile({ linkType: 1 }, [
    { tsSec: 1, data: payload(100) },
    { tsSec: 2, data: payload(200) },
    { tsSec: 3, data: payload(300) },
  ]);

  it.each([good.length, 1, 7, 64])('reports a truncated last record from end() (chunk %s)', (chunk) => {
    const cut = good.subarray(0, good.length - 50);
    const { packets, diagnostics } = readBytes('pcap', cut, chunk);
    expect(packets.map((p) => p.frame)).toEqual([1, 2]);
    expect(diagnostics).toEqual([
      {
        kind: 'truncated',
        severity: 'warning',
        layer: 'pcap',
        message:
          'the capture ends inside record 3 at offset 356: its header announces 300 captured byte(s) but only 250 are present (the file was cut short; the partial packet is not shown)',
        offset: 356,
        fileOffset: 356,
      },
    ]);
  });

  it('reports a file cut inside a record header and inside the file header', () => {
    expect(readBytes('pcap', good.subarray(0, 356 + 10)).diagnostics[0].message).toBe(
      'the capture ends inside the 16-byte header of record 3 at offset 356 (10 byte(s) present): the file was cut short',
    );
    expect(readBytes('pcap', good.subarray(0, 20)).diagnostics[0].message).toBe(
      'the capture ends inside its 24-byte pcap file header (20 byte(s) present)',
    );
    expect(readBytes('pcap', new Uint8Array(0)).diagnostics[0]).toMatchObject({
      kind: 'truncated',
      message: 'no data: the capture ends before its 24-byte pcap file header',
    });
  });

  it.each([good.length + 100, 1, 5])('stops at garbage after the header with the file offset (chunk %s)', (chunk) => {
    const garbage = concatBytes([good.subarray(0, 24 + 116), new Uint8Array(100).fill(0xff)]);
    const { packets, diagnostics, reader } = readBytes('pcap', garbage, chunk);
    expect(packets).toHaveLength(1);
    expect(reader.stopped).toBe(true);
    expect(diagnostics).toEqual([
      {
        kind: 'malformed',
        severity: 'error',
        layer: 'pcap',
        message:
          'record 2 at offset 140 claims 4294967295 captured bytes, more than the 262144-byte limit: the file is damaged here (or not what its header says); stopped reading, the 1 packet(s) before were read',
        offset: 140,
        fileOffset: 140,
      },
    ]);
  });

  it('rejects a wrong magic and a 1.x version', () => {
    const bad = good.slice();
    bad[0] = 0x00;
    expect(readBytes('pcap', bad).diagnostics[0].message).toBe(
      'not a pcap file: the magic number is 0x00c3b2a1, expected a1b2c3d4 or a1b23c4d in either byte order',
    );
    const v1 = concatBytes([encodePcapHeader({ linkType: 1, versionMajor: 1, versionMinor: 0 }), good.subarray(24)]);
    const r = readBytes('pcap', v1);
    expect(r.packets).toEqual([]);
    expect(r.diagnostics[0].message).toBe('unsupported pcap version 1.0 (only 2.x exists in the wild; this is probably not a pcap file)');
  });

  it('never throws on random bytes or on randomly damaged real files', () => {
    const rnd = seededRandom(7);
    const real = corpusBytes('sipnab_sip-proxy.pcap');
    for (let round = 0; round < 300; round++) {
      let bytes: Uint8Array;
      if (round % 3 === 0) bytes = Uint8Array.from({ length: Math.floor(rnd() * 2000) }, () => Math.floor(rnd() * 256));
      else {
        bytes = real.slice(0, Math.floor(rnd() * real.length) + 1);
        for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      }
      const chunks = [1 + Math.floor(rnd() * 5000), 1 + Math.floor(rnd() * 17)];
      expect(() => pushInChunks(new PcapReader({ packet: () => undefined, diagnostic: () => undefined }), bytes, chunks)).not.toThrow();
    }
  });
});
