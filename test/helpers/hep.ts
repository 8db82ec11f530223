import { join } from 'node:path';
import { fixtures } from './paths.js';
import { readPcap } from './read-pcap.js';

/** The HEP packets of a fixture: the UDP payload of each frame (Ethernet, IPv4 with its IHL, UDP length). */
export function hepPayloads(name: string): Uint8Array[] {
  return readPcap(join(fixtures, name)).map(({ data }) => {
    const ip = 14;
    const udp = ip + (data[ip] & 0x0f) * 4;
    const udpLength = (data[udp + 4] << 8) | data[udp + 5];
    return new Uint8Array(data.subarray(udp + 8, udp + udpLength));
  });
}
