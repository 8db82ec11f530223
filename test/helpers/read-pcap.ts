import { readFileSync } from 'node:fs';
import { createCaptureReader } from '../../src/core/capture/open.js';

/** The packets of a pcap file, in file order, their data copied (the reader's view is valid only during its call). */
export function readPcap(path: string): { frame: number; linkType: number; data: Uint8Array }[] {
  const packets: { frame: number; linkType: number; data: Uint8Array }[] = [];
  const reader = createCaptureReader('pcap', { packet: (p) => packets.push({ frame: p.frame, linkType: p.linkType, data: p.data.slice() }), diagnostic: () => {} });
  reader.push(readFileSync(path));
  reader.end();
  return packets;
}
