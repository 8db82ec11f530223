import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeUnknownFormat, detectCaptureFormat } from '../../../src/core/capture/detect.js';
import { sharedCapture } from '../../helpers/paths.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('detectCaptureFormat', () => {
  it.each([
    ['pcap µs little-endian', [0xd4, 0xc3, 0xb2, 0xa1], 'pcap'],
    ['pcap µs big-endian', [0xa1, 0xb2, 0xc3, 0xd4], 'pcap'],
    ['pcap ns little-endian', [0x4d, 0x3c, 0xb2, 0xa1], 'pcap'],
    ['pcap ns big-endian', [0xa1, 0xb2, 0x3c, 0x4d], 'pcap'],
    ['pcapng', [0x0a, 0x0d, 0x0d, 0x0a], 'pcapng'],
    ['gzip', [0x1f, 0x8b, 0x08, 0x00], 'gzip'],
    ['NetMon 2.x', [0x47, 0x4d, 0x42, 0x55], 'netmon'],
    ['NetMon 1.x', [0x52, 0x54, 0x53, 0x53], 'netmon'],
    ['modified pcap', [0xa1, 0xb2, 0xcd, 0x34], 'unknown'],
    ['text', [0x49, 0x4e, 0x56, 0x49], 'unknown'],
    ['too short', [0xd4, 0xc3], 'unknown'],
    ['empty', [], 'unknown'],
  ])('%s', (_name, magic, format) => {
    expect(detectCaptureFormat(Uint8Array.from(magic))).toBe(format);
  });

  it('goes by content, not by name: the corpus .pcap that is really pcapng, the .cap that is pcap', () => {
    expect(detectCaptureFormat(readFileSync(sharedCapture('ndpi_http_on_sip_port.pcap')))).toBe('pcapng');
    expect(detectCaptureFormat(readFileSync(sharedCapture('sipnab_SIP_DTMF2.cap')))).toBe('pcap');
    expect(detectCaptureFormat(readFileSync(sharedCapture('sipnab_c07-sip-r2.cap')))).toBe('netmon');
    expect(detectCaptureFormat(readFileSync(sharedCapture('nokia_51_esp_sip.pcapng.gz')))).toBe('gzip');
  });
});

describe('describeUnknownFormat', () => {
  it('names NetMon and says how to convert it', () => {
    const head = new Uint8Array(readFileSync(sharedCapture('sipnab_c07-sip-r2.cap')).subarray(0, 64));
    expect(describeUnknownFormat(head)).toBe(
      "not a pcap or pcapng capture (starts with 47 4d 42 55 'GMBU': a Microsoft Network Monitor 2.x file — convert it with `editcap -F pcapng IN OUT`)",
    );
  });

  it('says a text file looks like text and quotes its first line', () => {
    const text = new TextEncoder().encode('INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n');
    expect(describeUnknownFormat(text)).toBe(
      'not a pcap or pcapng capture: it looks like a text file (first line: "INVITE sip:bob@example.com SIP/2.0"); open the binary capture (.pcap, .pcapng) instead — a tshark/Wireshark text export cannot be read back',
    );
  });

  it('says empty for an empty file and too short for a 2-byte one', () => {
    expect(describeUnknownFormat(new Uint8Array(0))).toBe('the file is empty (0 bytes): there are no packets in it');
    expect(describeUnknownFormat(bytes(0xd4, 0xc3))).toBe("too short to be a capture (2 byte(s): d4 c3); a pcap file has a 24-byte header");
  });

  it('names compressors and other capture formats', () => {
    expect(describeUnknownFormat(bytes(0x42, 0x5a, 0x68, 0x39, 0x31))).toContain('bzip2-compressed data — decompress it first (`bunzip2 FILE`)');
    expect(describeUnknownFormat(bytes(0x73, 0x6e, 0x6f, 0x6f, 0x70, 0, 0, 0))).toContain('a Sun snoop file');
    expect(describeUnknownFormat(bytes(0x34, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0))).toContain('"modified" (Kuznetzov) pcap');
  });

  it('shows the first bytes of an unrecognised binary file', () => {
    expect(describeUnknownFormat(bytes(0x00, 0x01, 0x02, 0x03, 0xff, 0xfe))).toBe(
      "not a pcap or pcapng capture (starts with 00 01 02 03 '....': not a capture format sipscope recognises; if Wireshark can open it, save it as pcapng with `editcap -F pcapng IN OUT`)",
    );
  });
});
