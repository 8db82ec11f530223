import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dissectPacket } from '../../src/core/layers/dissect.js';
import { PacketDecodeState, Transport } from '../../src/core/layers/packet.js';
import { looksLikeSipStart } from '../../src/core/sip/parser.js';
import { openCaptureFile } from '../../src/node/capture-file.js';
import { sharedCaptures } from './paths.js';

/**
 * Every UDP payload of the shared captures that starts like a SIP message, with where it came from: the
 * corpus the parsers' contract tests run over. `files` narrows it to some captures.
 */
export async function udpSipPayloads(files?: readonly string[]): Promise<{ where: string; bytes: Uint8Array }[]> {
  const out: { where: string; bytes: Uint8Array }[] = [];
  const state = new PacketDecodeState();
  const names = files ?? readdirSync(sharedCaptures).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f) && f !== 'sipnab_c07-sip-r2.cap'); // a NetMon file, not a capture we read
  for (const file of names) {
    await openCaptureFile(join(sharedCaptures, file), {
      packet(p) {
        dissectPacket(state, p.linkType, p.data, p.capturedLength);
        if (state.transport !== Transport.UDP || !looksLikeSipStart(state.bytes, state.payloadStart, state.payloadEnd)) return;
        out.push({ where: `${file} frame ${p.frame}`, bytes: state.bytes.slice(state.payloadStart, state.payloadEnd) });
      },
      diagnostic() {},
    });
  }
  return out;
}
