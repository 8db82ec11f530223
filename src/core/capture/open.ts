/** Picks the reader for a detected container format (detection itself: detect.ts). */
import { PcapReader } from './pcap.js';
import { PcapngReader } from './pcapng.js';
import type { CaptureReader, CaptureSink } from './types.js';

export function createCaptureReader(format: 'pcap' | 'pcapng', sink: CaptureSink): CaptureReader {
  return format === 'pcap' ? new PcapReader(sink) : new PcapngReader(sink);
}
