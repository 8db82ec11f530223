/**
 * Differential test against tshark on the shared corpus: for every UDP datagram tshark decodes as SIP
 * (FILE.tshark.tsv: frame, addresses, sip.Method, sip.Status-Code, sip.Call-ID, sip.CSeq), the parser must
 * find the same start line, Call-ID and CSeq; and datagrams tshark does not call SIP must not be detected.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dissectPacket } from '../../../src/core/layers/dissect.js';
import { PacketDecodeState, Transport } from '../../../src/core/layers/packet.js';
import { looksLikeSipStart, parseSip } from '../../../src/core/sip/parser.js';
import { openCaptureFile } from '../../../src/node/capture-file.js';
import { haveSharedCaptures, sharedCaptures } from '../../helpers/paths.js';

interface Row {
  method: string;
  status: string;
  callId: string;
  cseq: string;
}

function tsharkRows(file: string): Map<number, Row> {
  const rows = new Map<number, Row>();
  for (const line of readFileSync(join(sharedCaptures, `${file}.tshark.tsv`), 'utf8').split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    rows.set(Number(f[0]), { method: f[5], status: f[6], callId: f[7], cseq: f[8] });
  }
  return rows;
}

/** Datagrams of the file: whole UDP payloads that are not IP fragments. */
async function datagrams(file: string): Promise<{ frame: number; bytes: Uint8Array }[]> {
  const out: { frame: number; bytes: Uint8Array }[] = [];
  const state = new PacketDecodeState();
  await openCaptureFile(join(sharedCaptures, file), {
    packet(p) {
      dissectPacket(state, p.linkType, p.data, p.capturedLength);
      if (state.transport !== Transport.UDP || state.ipFragment) return;
      out.push({ frame: p.frame, bytes: state.bytes.slice(state.payloadStart, state.payloadEnd) });
    },
    diagnostic() {},
  });
  return out;
}

// UDP captures whose SIP datagrams arrive whole (fragmented, tunnelled-only or TCP files are other layers' tests).
const FILES = [
  'heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap',
  'heplify_ipip0.pcap',
  'heplify_rtp_rtcp_sip_ipv4_udp.pcap',
  'heplify_sip_ipv6_udp.pcap',
  'ndpi_fuzz-2006-06-26-2594.pcap',
  'ndpi_sip_hello.pcapng',
  'sipnab_Asterisk_ZFONE_XLITE.pcap',
  'sipnab_DTMFsipinfo.pcap',
  'sipnab_SIP_DTMF2.cap',
  'sipnab_c07-sip-r2.editcap.pcap',
  'sipnab_codec-negotiation.pcap',
  'sipnab_register-invite-reinvite-bye.pcap',
  'sipnab_sip-488-codec-reject.pcapng',
  'sipnab_sip-auth-failure.pcapng',
  'sipnab_sip-proxy.pcap',
  'sipnab_sip-rtp-g711.pcap',
  'sipnab_sipp-branch-scenario.pcapng',
  'sngrep_aaa.pcap',
  'sv_public-cloudshark-sip-s0.pcap',
  'sv_sip_compact_form.pcap',
  'sv_sip_header_multi_val.pcap',
  'zeek_invalid-content-length.pcap',
  'zeek_sip-junk-before-request.pcap',
  'zeek_sip-long-request-response-paths.pcap',
];

/**
 * Where we knowingly differ from tshark, by frame, and why we are right. ndpi_fuzz is Wireshark's aaa.pcap
 * with bits flipped (tshark flags 28 of its frames as malformed).
 */
const EXPECTED_DIFFERENCES: Record<string, Record<number, string>> = {
  'ndpi_fuzz-2006-06-26-2594.pcap': {
    108: "'SIP/2.0 401 Unauthori%s\\0': a status line with a NUL in its reason phrase is still a SIP response (we flag nothing worse than tshark's silence)",
    223: "'INVITE sip:...@voip.brujula.net SIP/a.0': known method and sip: URI; we parse it and report the version",
    274: "'SIP/2.0 40  Request Timeout': we detect it and report that '40' is not a 3-digit status code",
    348: "'SIP/2.0 403 Wrong passw%s\\0 or domain': as frame 108",
    155: "CSeq '%s': tshark shows the text, we report that it is not a number (seq NaN)",
    550: "CSeq '\\x11 INVITE': as frame 155",
    527: "CSeq '2 /EGIS\\xff...': we stop the method at the first non-token byte and report the rest",
    227: "CSeq '1 INV\\xc8TE': as frame 527",
    182: 'Call-ID containing a NUL byte: tshark cuts the string at the NUL (C string), we keep the bytes',
    247: 'as frame 182',
  },
};

describe.skipIf(!haveSharedCaptures)('parser vs tshark on the shared corpus', () => {
  it('lists only files that exist', () => {
    const present = new Set(readdirSync(sharedCaptures));
    for (const f of FILES) expect(present.has(f), f).toBe(true);
  });

  it.each(FILES)('%s', async (file) => {
    const rows = tsharkRows(file);
    const seen = new Set<number>();
    const differences = new Map<number, string>();
    for (const { frame, bytes } of await datagrams(file)) {
      const row = rows.get(frame);
      const detected = looksLikeSipStart(bytes, 0, bytes.length);
      if (!row) {
        if (detected) differences.set(frame, 'detected as SIP, tshark says not SIP');
        continue;
      }
      seen.add(frame);
      if (!detected) {
        differences.set(frame, 'tshark says SIP, not detected');
        continue;
      }
      const m = parseSip(bytes, 0, bytes.length);
      expect(m.diagnostics.some((d) => d.kind === 'decoder-bug'), `${file} frame ${frame}`).toBe(false);
      const ours: Row = {
        method: m.kind === 'request' ? m.method : '',
        status: m.kind === 'response' ? String(m.statusCode) : '',
        callId: m.callId ?? '',
        cseq: m.cseq ? `${m.cseq.seq} ${m.cseq.method}` : '',
      };
      // tshark prints the CSeq value as written; compare on the parsed pair.
      const theirs = { ...row, cseq: row.cseq.replace(/\s+/g, ' ').trim() };
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) differences.set(frame, `ours ${JSON.stringify(ours)} tshark ${JSON.stringify(theirs)}`);
    }
    const missing = [...rows.keys()].filter((f) => !seen.has(f));
    expect(missing, `${file}: frames tshark decodes as SIP that are not whole UDP datagrams here`).toEqual([]);
    const expected = Object.keys(EXPECTED_DIFFERENCES[file] ?? {}).map(Number).sort((a, b) => a - b);
    const unexpected = [...differences].filter(([f]) => !expected.includes(f)).map(([f, why]) => `frame ${f}: ${why}`);
    expect(unexpected).toEqual([]);
    expect([...differences.keys()].sort((a, b) => a - b)).toEqual(expected);
  });
});
