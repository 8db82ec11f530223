import { describe, expect, it } from 'vitest';
import { CUSTOM_BLOCK_MAX, PcapngReader } from '../../../src/core/capture/pcapng.js';
import { concatBytes, encodeBlock, encodeCustomBlock, encodeEnhancedPacket, encodeInterfaceDescription, encodeSectionHeader } from '../../../src/core/capture/pcapng-writer.js';
import type { FileDiagnostic } from './support.js';

/** Custom Blocks (pcapng §4.8) handed to a sink that asks for them: sipscope's annotations live in one. */
interface Seen {
  blocks: { pen: number; data: Uint8Array; copyable: boolean }[];
  packets: number[];
  diagnostics: FileDiagnostic[];
}

function read(bytes: Uint8Array, chunk = bytes.length): Seen {
  const seen: Seen = { blocks: [], packets: [], diagnostics: [] };
  const reader = new PcapngReader({
    packet: (p) => seen.packets.push(p.tsSec),
    diagnostic: (d) => seen.diagnostics.push(d),
    customBlock: (pen, data, copyable) => seen.blocks.push({ pen, data: data.slice(), copyable }),
  });
  for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, Math.min(bytes.length, at + chunk)));
  reader.end();
  return seen;
}

function pattern(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);
}

const head = (): Uint8Array => concatBytes([encodeSectionHeader(), encodeInterfaceDescription({ linkType: 1 })]);
const packet = (tsSec: number): Uint8Array => encodeEnhancedPacket({ interfaceId: 0, tsSec, data: pattern(20) });

describe('PcapngReader custom blocks', () => {
  it('hands both custom block types to the sink: PEN, data with its padding, copyable or not', () => {
    const file = concatBytes([
      head(),
      encodeCustomBlock({ pen: 32473, data: pattern(7) }),
      packet(1),
      encodeCustomBlock({ pen: 99, data: pattern(8), copyable: false }),
    ]);
    for (const chunk of [file.length, 1, 5, 64]) {
      const seen = read(file, chunk);
      expect(seen.diagnostics).toEqual([]);
      expect(seen.packets).toEqual([1]);
      expect(seen.blocks).toEqual([
        { pen: 32473, data: concatBytes([pattern(7), new Uint8Array(1)]), copyable: true },
        { pen: 99, data: pattern(8), copyable: false },
      ]);
    }
  });

  it('reads the PEN in a big-endian section', () => {
    const file = concatBytes([encodeSectionHeader({ littleEndian: false }), encodeCustomBlock({ pen: 32473, data: pattern(4), littleEndian: false })]);
    expect(read(file).blocks).toEqual([{ pen: 32473, data: pattern(4), copyable: true }]);
  });

  it('buffers a multi-megabyte custom block split across chunks instead of streaming past it', () => {
    const data = pattern(3 * 1024 * 1024 + 1);
    const file = concatBytes([head(), packet(1), encodeCustomBlock({ pen: 32473, data }), packet(2)]);
    for (const chunk of [65536, 999_999]) {
      const seen = read(file, chunk);
      expect(seen.diagnostics).toEqual([]);
      expect(seen.packets).toEqual([1, 2]);
      expect(seen.blocks).toHaveLength(1);
      expect(seen.blocks[0].data.subarray(0, data.length)).toEqual(data);
    }
  });

  it('skips a custom block over the limit with a note, whole or split, and reads on', () => {
    const big = encodeCustomBlock({ pen: 32473, data: new Uint8Array(CUSTOM_BLOCK_MAX) });
    const file = concatBytes([head(), big, packet(3)]);
    for (const chunk of [file.length, 1 << 20]) {
      const seen = read(file, chunk);
      expect(seen.blocks).toEqual([]);
      expect(seen.packets).toEqual([3]);
      expect(seen.diagnostics.map((d) => [d.kind, d.message])).toEqual([
        ['note', `skipped the Custom Block at offset ${head().length}: ${big.length} bytes, more than the ${CUSTOM_BLOCK_MAX} sipscope reads`],
      ]);
    }
  });

  it('ignores a custom block too short to hold a PEN', () => {
    const file = concatBytes([head(), encodeBlock(0x00000bad, new Uint8Array(0)), packet(4)]);
    const seen = read(file);
    expect(seen).toEqual({ blocks: [], packets: [4], diagnostics: [] });
  });
});
