import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeCalls, type CallAnalysis } from '../../src/core/calls/analysis.js';
import { compileDisplayFilter, matchingRows } from '../../src/core/filter/filter.js';
import { analyzeFile, type AnalysisResult } from '../../src/node/analyze.js';
import { fixtures, haveSharedCaptures, sharedCapture } from '../helpers/paths.js';
import { haveTshark } from '../helpers/tshark.js';

// Absolute times in filters are local time (as in Wireshark): run both sides in UTC.
process.env.TZ = 'UTC';

/**
 * Display filters as Wireshark keeps its tests: (filter, capture, expected count of matching SIP
 * messages). Every count was taken from tshark 4.0 (`tshark -Y 'sip && (FILTER)'`), and where tshark is
 * installed the test runs it again and compares the matching frames one by one. A fourth column gives the
 * tshark filter to compare with when tshark 4.0 lacks the syntax (`xor`, space-separated sets) or the field
 * (`sip.header[...]`, `contains` on the body) — an equivalent written with what tshark has.
 */
const TABLE: [filter: string, capture: string, count: number, tsharkEquivalent?: string][] = [
  ['sip', 'sngrep_aaa.pcap', 81],
  ['sip.Method == "INVITE"', 'sngrep_aaa.pcap', 11],
  ['sip.Method == INVITE', 'sngrep_aaa.pcap', 11],
  ['sip.Method eq "REGISTER"', 'sngrep_aaa.pcap', 18],
  ['sip.Method != "INVITE"', 'sngrep_aaa.pcap', 36],
  ['!(sip.Method == "INVITE")', 'sngrep_aaa.pcap', 70],
  ['not sip.Method == "INVITE" and sip.CSeq.method == "INVITE"', 'sngrep_aaa.pcap', 11],
  ['sip.Status-Code >= 400', 'sngrep_aaa.pcap', 23],
  ['sip.Status-Code ge 400 && sip.CSeq.method == "INVITE"', 'sngrep_aaa.pcap', 7],
  ['sip.Status-Code in {401, 407}', 'sngrep_aaa.pcap', 17],
  ['sip.Status-Code in {100..199}', 'sngrep_aaa.pcap', 8],
  ['sip.Status-Code not in {100..199}', 'sngrep_aaa.pcap', 73],
  ['sip.Method in {"INVITE", "CANCEL"}', 'sngrep_aaa.pcap', 22],
  ['sip.CSeq.seq > 1', 'sngrep_aaa.pcap', 50],
  ['sip.User-Agent contains "Nero"', 'sngrep_aaa.pcap', 40],
  ['sip.User-Agent matches "nero sipps"', 'sngrep_aaa.pcap', 40],
  ['sip.User-Agent matches "(?-i)nero sipps"', 'sngrep_aaa.pcap', 0],
  ['sip.Method matches "^(INVITE|CANCEL)$"', 'sngrep_aaa.pcap', 22],
  ['sip.Method ~ "^reg"', 'sngrep_aaa.pcap', 18],
  ['sip.Method[0:3] == "INV"', 'sngrep_aaa.pcap', 11],
  ['sip.Method[-3:] == "ITE"', 'sngrep_aaa.pcap', 11],
  ['len(sip.Method) == 6', 'sngrep_aaa.pcap', 22],
  ['lower(sip.Method) == "cancel"', 'sngrep_aaa.pcap', 11],
  ['ip.addr == 200.68.120.81', 'sngrep_aaa.pcap', 18],
  ['ip.dst == 212.242.33.0/24', 'sngrep_aaa.pcap', 32],
  ['ip.src != 192.168.1.2', 'sngrep_aaa.pcap', 34],
  ['ip.addr == 192.168.0.0/16 && !(ip.addr == 212.242.33.35)', 'sngrep_aaa.pcap', 18],
  ['udp.port == 5060', 'sngrep_aaa.pcap', 81],
  ['udp.srcport == 5060 and udp.dstport == 5060', 'sngrep_aaa.pcap', 81],
  ['frame.number <= 20', 'sngrep_aaa.pcap', 2],
  ['frame.len > 700', 'sngrep_aaa.pcap', 21],
  ['frame.time_relative > 30', 'sngrep_aaa.pcap', 81],
  ['sip.Method == "INVITE" || sip.Method == "CANCEL" && frame.number > 40', 'sngrep_aaa.pcap', 22],
  ['(sip.Method == "INVITE" || sip.Method == "CANCEL") && frame.number > 40', 'sngrep_aaa.pcap', 22],
  ['sip.From contains "sip:"', 'sngrep_aaa.pcap', 81],
  ['sip.from.user == sip.to.user', 'sngrep_aaa.pcap', 40],
  ['sip.to.user matches "^[0-9]+$"', 'sngrep_aaa.pcap', 59],
  ['sip.r-uri.user', 'sngrep_aaa.pcap', 29],
  ['sip.r-uri contains "sip:"', 'sngrep_aaa.pcap', 47],
  ['sip.Contact', 'sngrep_aaa.pcap', 41],
  ['sip.contact.uri contains "192.168.1.2"', 'sngrep_aaa.pcap', 32],
  ['sip.Proxy-Authorization', 'sngrep_aaa.pcap', 3],
  ['sip.WWW-Authenticate || sip.Proxy-Authenticate', 'sngrep_aaa.pcap', 17],
  ['sdp.media contains "audio"', 'sngrep_aaa.pcap', 12],
  ['sdp.media.format contains "PCMU"', 'sngrep_aaa.pcap', 12],
  ['sdp.connection_info contains "IN IP4"', 'sngrep_aaa.pcap', 12],
  ['sip.msg_body', 'sngrep_aaa.pcap', 12],
  ['sip contains "Nero"', 'sngrep_aaa.pcap', 40],
  ['sip matches "^INVITE sip:"', 'sngrep_aaa.pcap', 11],
  ['sip.Call-ID contains "@"', 'sngrep_aaa.pcap', 81],
  ['sip.Via contains "rport"', 'sngrep_aaa.pcap', 81],
  ['sip.Via.branch contains "z9hG4bK"', 'sngrep_aaa.pcap', 81],
  ['sip.Expires == 0', 'sngrep_aaa.pcap', 2],
  ['sip.Max-Forwards < 70', 'sngrep_aaa.pcap', 0],
  ['sip.Method == "SUBSCRIBE"', 'gprshome_sip.pcap', 6],
  ['sip.Status-Code == 407 && ip.dst == 192.168.1.105', 'gprshome_sip.pcap', 4],
  ['sip.CSeq.method == "REGISTER" and sip.Status-Code == 200', 'gprshome_sip.pcap', 7],
  ['sip.Expires > 0', 'gprshome_sip.pcap', 27],
  ['sdp.media contains "image"', 'heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap', 4],
  ['sdp.media.format contains "t38"', 'heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap', 4],
  ['sip.Method == "OPTIONS"', 'heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap', 8],
  ['ip.addr == 10.35.0.0/16', 'heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap', 69],
  ['sip.Method == "INFO"', 'sipnab_DTMFsipinfo.pcap', 4],
  ['sip.Content-Type contains "dtmf"', 'sipnab_DTMFsipinfo.pcap', 4],
  ['sdp.media contains "video"', 'sipnab_DTMFsipinfo.pcap', 8],
  ['sip.Status-Code == 488', 'sipnab_sip-488-codec-reject.pcapng', 1],
  ['sip.Status-Code in {401, 403, 407}', 'sipnab_sip-auth-failure.pcapng', 4],
  ['ipv6.addr', 'heplify_sip_ipv6_udp.pcap', 6],
  ['ip.addr', 'heplify_sip_ipv6_udp.pcap', 0],
  ['ip.addr == 192.168.8.68', 'heplify_erspan_sip_ipv4_udp.pcapng', 140],
  ['ip.addr == 101.231.48.19 && sip.Method == "SUBSCRIBE"', 'heplify_erspan_sip_ipv4_udp.pcapng', 8],
  ['erspan', 'heplify_erspan_sip_ipv4_udp.pcapng', 0],
  ['ip.addr', 'sngrep_ipip.pcap', 4],
  ['tcp.port == 5060', 'nokia_10_tcp_volte.pcap.gz', 3],
  ['sip.Method == "REGISTER"', 'nokia_10_tcp_volte.pcap.gz', 4],
  ['sip.Security-Client', 'nokia_10_tcp_volte.pcap.gz', 0],
  ['sip.Supported contains "sec-agree"', 'nokia_10_tcp_volte.pcap.gz', 0],
  ['sip.Method == "INVITE"', 'heplify_sip_tcp_websocket.pcap', 5],
  ['sctp.port == 5060', 'heplify_sip_sctp.pcap', 4],
  ['sip.Method == "INVITE"', 'sipnab_sipp-branch-scenario.pcapng', 1334],
  ['sip.Status-Code == 180', 'sipnab_sipp-branch-scenario.pcapng', 1259],
  ['sip.Call-ID matches "^1[0-9]*-"', 'sipnab_sipp-branch-scenario.pcapng', 2731],
  ['sip.Call-ID', 'sv_sip_compact_form.pcap', 1],
  ['sip.From contains "tag"', 'sv_sip_compact_form.pcap', 1],
  ['sip.Via', 'sv_sip_header_multi_val.pcap', 1],
  ['gtp.teid == 0xa001', 'fixture:gtpu-volte.pcap', 15],
  ['gtp', 'fixture:gtpu-volte.pcap', 36],
  ['sip.P-Access-Network-Info contains "utran-cell-id-3gpp"', 'fixture:gtpu-volte.pcap', 9],
  ['sip.Require contains "precondition"', 'fixture:gtpu-volte.pcap', 3],
  ['sip.RSeq', 'fixture:gtpu-volte.pcap', 3],
  ['sip.Method == "PRACK"', 'fixture:gtpu-volte.pcap', 3],
  ['sdp.media.format contains "AMR-WB"', 'fixture:gtpu-volte.pcap', 0],
  ['ipv6.addr == ::1', 'fixture:sipp-volte-ipv6.pcap', 12],
  ['sip.Method == "INVITE" && ipv6.src == ::1', 'fixture:sipp-volte-ipv6.pcap', 1],
  ['sip.Method in {INVITE CANCEL}', 'sngrep_aaa.pcap', 22, 'sip.Method in {"INVITE", "CANCEL"}'],
  ['sip.Method == "INVITE" xor frame.number > 40', 'sngrep_aaa.pcap', 65, '(sip.Method == "INVITE" && !(frame.number > 40)) || (!(sip.Method == "INVITE") && frame.number > 40)'],
  ['sip.Method == "INVITE" ^^ sip.CSeq.method == "INVITE"', 'sngrep_aaa.pcap', 11, '(sip.Method == "INVITE" && !(sip.CSeq.method == "INVITE")) || (!(sip.Method == "INVITE") && sip.CSeq.method == "INVITE")'],
  ['sip.Method ne "INVITE" && sip.Method any_ne "REGISTER"', 'sngrep_aaa.pcap', 18, 'sip.Method != "INVITE" && sip.Method ~= "REGISTER"'],
  ['sip.header["User-Agent"] contains "Nero"', 'sngrep_aaa.pcap', 40, 'sip.User-Agent contains "Nero"'],
  ['sip.header["user-agent"] matches "sipps"', 'sngrep_aaa.pcap', 40, 'sip.User-Agent matches "sipps"'],
  ['sip.header["WWW-Authenticate"] contains "Digest"', 'sngrep_aaa.pcap', 14, 'sip.WWW-Authenticate contains "Digest"'],
  ['sip.Method === "INVITE"', 'sngrep_aaa.pcap', 11],
  ['sip.Status-Code > 100 and sip.Status-Code < 200', 'sngrep_aaa.pcap', 1],
  ['sip.CSeq.seq >= 0x2', 'sngrep_aaa.pcap', 50],
  ['upper(sip.to.user) == sip.to.user', 'sngrep_aaa.pcap', 59],
  ['sip.Method == "INVITE" && frame.time >= "2005-07-04 09:45:00Z"', 'sngrep_aaa.pcap', 4, 'sip.Method == "INVITE" && frame.time >= "2005-07-04 09:45:00"'],
  ['sip.msg_body contains "t38"', 'heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap', 12, 'sip.msg_body && sip contains "t38"'],
  ['sip.msg_body contains "Signal="', 'sipnab_DTMFsipinfo.pcap', 4, 'sip.msg_body && sip contains "Signal="'],
  ['sip.Event', 'gprshome_sip.pcap', 7],
  ['sip.User-Agent contains "miniSIPServer"', 'gprshome_sip.pcap', 29],
  ['ipv6.src == fe80::/10', 'heplify_sip_ipv6_udp.pcap', 3],
  ['ipv6.dst == fec0::216:d3ff:fe0d:22c', 'heplify_sip_ipv6_udp.pcap', 3],
  ['ip.src == 157.161.10.0/24', 'heplify_ipip0.pcap', 4],
  ['ip.addr == 10.15.196.229', 'sngrep_ipip.pcap', 2],
  ['sip.Content-Type contains "multipart"', 'heplify_sip_sctp.pcap', 1],
  ['sdp', 'heplify_sip_sctp.pcap', 1],
  ['gre', 'heplify_erspan_sip_ipv4_udp.pcapng', 140],
  ['frame.time < "Jul  4, 2005 09:45:00"', 'sngrep_aaa.pcap', 44],
  ['frame.time_relative <= 120.5', 'sngrep_aaa.pcap', 5],
  // Several occurrences of a field (two Via headers after a proxy): Wireshark 4.0's any/all semantics.
  ['count(sip.Via) >= 2', 'sipnab_sip-proxy.pcap', 4],
  ['sip.Via.branch == "z9hG4bKac751052981"', 'sipnab_sip-proxy.pcap', 8],
  ['sip.Via.branch != "z9hG4bKac751052981"', 'sipnab_sip-proxy.pcap', 3],
  ['sip.Via.branch ~= "z9hG4bKac751052981"', 'sipnab_sip-proxy.pcap', 7],
  ['sip.Via.branch === "z9hG4bKac751052981"', 'sipnab_sip-proxy.pcap', 4],
  ['sip.Via contains "5080"', 'sipnab_sip-proxy.pcap', 4],
  ['sip.Via.branch in {"z9hG4bKac49822475", "z9hG4bKac2078312208"}', 'sipnab_sip-proxy.pcap', 6],
  ['ip.addr == 10.33.6.0/24 && ip.src != 10.33.6.101', 'sipnab_sip-proxy.pcap', 8],
  ['sip.Via.sent-by.address == 10.33.6.102', 'sipnab_sip-proxy.pcap', 4],
  ['count(sip.Via.branch) == 1 && sip.Method', 'sipnab_sip-proxy.pcap', 3],
  // A set mixing a field and a range.
  ['sip.CSeq.seq in {sip.Expires, 60..70}', 'sngrep_aaa.pcap', 7, 'sip.CSeq.seq in {60..70} || sip.CSeq.seq == sip.Expires'],
];

function capturePath(name: string): string {
  return name.startsWith('fixture:') ? join(fixtures, name.slice('fixture:'.length)) : sharedCapture(name);
}

interface Loaded {
  result: AnalysisResult;
  calls: CallAnalysis;
}

const loaded = new Map<string, Loaded>();

async function load(name: string): Promise<Loaded> {
  let trace = loaded.get(name);
  if (!trace) {
    const result = await analyzeFile(capturePath(name), { engine: { messageFacts: true, keepMessageBytes: true } });
    const engine = result.engine;
    trace = { result, calls: analyzeCalls(engine.index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) }) };
    loaded.set(name, trace);
  }
  return trace;
}

function ourFrames(trace: Loaded, filter: string): { messages: number; frames: number[] } {
  const compiled = compileDisplayFilter(filter);
  if (compiled.error) throw new Error(`${filter}: ${compiled.error.message} at ${compiled.error.start}`);
  const engine = trace.result.engine;
  const context = { index: engine.index, messages: engine.messageBytes, facts: engine.facts, calls: trace.calls, cache: new Map() };
  const rows = matchingRows(compiled.filter.bind(context), engine.index.frameOrder());
  return { messages: rows.length, frames: [...new Set(Array.from(rows, (row) => engine.index.frameOf(row)))].sort((a, b) => a - b) };
}

/** The frames tshark selects with `sip && (filter)`, several tshark running at once (each reads the whole capture). */
function tsharkFrames(capture: string, filter: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('tshark', ['-n', '-r', capturePath(capture), '-Y', `sip && (${filter})`, '-T', 'fields', '-e', 'frame.number'], {
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`tshark -Y '${filter}' failed: ${err}`));
      else resolve(out.split('\n').filter((line) => line !== '').map(Number));
    });
  });
}

/** Runs `task` over `items`, `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

const tsharkResults = new Map<string, number[]>();
const tsharkKey = (capture: string, filter: string) => `${capture}\u0000${filter}`;

describe.skipIf(!haveSharedCaptures)('display filters agree with tshark 4.0 on real captures', () => {
  beforeAll(async () => {
    for (const capture of new Set(TABLE.map(([, capture]) => capture))) await load(capture);
    if (haveTshark) {
      const frames = await pool(TABLE, 3, ([filter, capture, , equivalent]) => tsharkFrames(capture, equivalent ?? filter));
      TABLE.forEach(([filter, capture], i) => tsharkResults.set(tsharkKey(capture, filter), frames[i]));
    }
  }, 300_000);

  it.each(TABLE)('%s on %s: %i', async (filter, capture, count, equivalent) => {
    const trace = await load(capture);
    const ours = ourFrames(trace, filter);
    expect(ours.messages).toBe(count);
    if (haveTshark) expect(ours.frames, `tshark -Y 'sip && (${equivalent ?? filter})'`).toEqual(tsharkResults.get(tsharkKey(capture, filter)));
  });

  it.skipIf(haveTshark)('says that the frame-by-frame comparison with tshark was skipped', () => {
    console.warn('tshark is not installed: filter counts checked against the table only, not frame by frame');
  });
});
