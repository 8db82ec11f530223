// Shared by the view-builder tests: a capture run through the engine and the call analysis as the app does,
// and tshark's decode of the same capture as the independent reference.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCalls } from '../../../src/core/calls/analysis.js';
import type { TraceViewSource } from '../../../src/core/view/trace-view.js';
import { analyzeFile } from '../../../src/node/analyze.js';
import { haveTshark } from '../../helpers/tshark.js';
import { fixtures, repoRoot, sharedCapture } from '../../helpers/paths.js';

export { haveTshark };

export interface Capture {
  name: string;
  path: string;
  /** Options tshark needs to see the SIP (the corpus's `.tshark.alt.opts`). */
  tshark?: string[];
}

/** Real captures with a variety of transports and encapsulations (only those present on this machine). */
export function captures(): Capture[] {
  const list: Capture[] = [
    { name: 'sample-volte', path: join(repoRoot, 'resources/sample-volte.pcap') },
    { name: 'gtpu-volte', path: join(fixtures, 'gtpu-volte.pcap') },
    { name: 'sipp-volte-tcp-loaded', path: join(fixtures, 'sipp-volte-tcp-loaded.pcap') },
    { name: 'sngrep_aaa', path: sharedCapture('sngrep_aaa.pcap') },
    { name: 'heplify_sip_ipv6_udp', path: sharedCapture('heplify_sip_ipv6_udp.pcap') },
    { name: 'nokia_50_sip_ott', path: sharedCapture('nokia_50_sip_ott.pcap.gz') },
    { name: 'sngrep_ipip', path: sharedCapture('sngrep_ipip.pcap') },
    { name: 'sipnab_DTMFsipinfo', path: sharedCapture('sipnab_DTMFsipinfo.pcap') },
    { name: 'heplify_erspan', path: sharedCapture('heplify_erspan_sip_ipv4_udp.pcapng') },
    // VoLTE inside ESP (NULL encryption), the same messages seen on two interfaces: copies.
    { name: 'nokia_51_esp_sip', path: sharedCapture('nokia_51_esp_sip.pcapng.gz'), tshark: ['-o', 'esp.enable_null_encryption_decode_heuristic:TRUE'] },
    { name: 'sv_sip_compact_form', path: sharedCapture('sv_sip_compact_form.pcap') },
    { name: 'sipnab_sip-proxy', path: sharedCapture('sipnab_sip-proxy.pcap') },
  ];
  return list.filter((c) => existsSync(c.path));
}

/** The capture read as the app reads it: facts and message bytes kept, calls analysed. */
export async function load(path: string): Promise<TraceViewSource> {
  const { engine } = await analyzeFile(path, { engine: { messageFacts: true, keepMessageBytes: true } });
  const calls = analyzeCalls(engine.index, (row) => engine.facts.get(row), { sessionKeys: (row) => engine.facts.sessionKeys(row) });
  return { engine, calls, context: undefined };
}

/** One SIP frame as tshark decodes it (innermost addresses and ports: tunnels list outer ones first). */
export interface TsharkRow {
  frame: number;
  /** Epoch seconds. */
  time: number;
  /** SIP messages in the frame (a TCP segment may carry several); the fields below are then lists joined by `,`. */
  messages: number;
  /** One per message, in order (CSeq values have no commas). */
  cseqs: string[];
  source: string;
  destination: string;
  method: string;
  status: string;
  cseq: string;
  callId: string;
  requestUri: string;
  reason: string;
  sdp: boolean;
  userAgent: string;
  fromTag: string;
  branch: string;
  contentType: string;
  /** The request or status line. */
  startLine: string;
  /** `m=` values (`audio 6000 RTP/AVP 116 0`), one per media description. */
  sdpMedia: string[];
}

const FIELDS = [
  'frame.number',
  'frame.protocols',
  'frame.time_epoch',
  'ip.src',
  'ipv6.src',
  'ip.dst',
  'ipv6.dst',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
  'sctp.srcport',
  'sctp.dstport',
  'sip.Method',
  'sip.Status-Code',
  'sip.CSeq',
  'sip.Call-ID',
  'sip.r-uri',
  'sip.Status-Line',
  'sdp.version',
  'sip.User-Agent',
  'sip.from.tag',
  'sip.Via.branch',
  'sip.Content-Type',
  'sip.Request-Line',
  'sdp.media',
] as const;

const last = (list: string): string => {
  const parts = list.split(',');
  return parts[parts.length - 1];
};

/** The endpoint as `ip:port`, IPv6 in brackets (what the contract's `source`/`destination` say). */
function endpoint(protocols: string, ipv4: string, ipv6: string, ports: string[]): string {
  // Tunnelled traffic: the innermost layers are the last in frame.protocols, their values the last listed.
  const layers = protocols.split(':');
  const transports = ['udp', 'tcp', 'sctp'];
  const innermost = transports.reduce((best, t) => (layers.lastIndexOf(t) > layers.lastIndexOf(best) ? t : best));
  const port = last(ports[transports.indexOf(innermost)]);
  const inner = layers.lastIndexOf('ipv6') > layers.lastIndexOf('ip') ? 'ipv6' : 'ip';
  return inner === 'ipv6' ? `[${last(ipv6)}]:${port}` : `${last(ipv4)}:${port}`;
}

/** `tshark -r FILE -Y sip -T fields ...`: one row per SIP frame. */
export function tsharkRows(path: string, extra: string[] = []): TsharkRow[] {
  const args = ['-r', path, ...extra, '-Y', 'sip', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of FIELDS) args.push('-e', f);
  const out = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (out.status !== 0) throw new Error(`tshark failed: ${out.stderr}`);
  const rows: TsharkRow[] = [];
  for (const line of out.stdout.split('\n')) {
    if (line === '') continue;
    const f = line.split('\t');
    const get = (name: (typeof FIELDS)[number]) => f[FIELDS.indexOf(name)] ?? '';
    // A frame without a start line is a continuation (tshark's "SIP Continuation"): not a message.
    if (get('sip.Method') === '' && get('sip.Status-Code') === '') continue;
    const statusLine = get('sip.Status-Line');
    const cseqs = get('sip.CSeq').split(',');
    rows.push({
      frame: Number(get('frame.number')),
      time: Number(get('frame.time_epoch')),
      messages: cseqs.length,
      cseqs,
      source: endpoint(get('frame.protocols'), get('ip.src'), get('ipv6.src'), [get('udp.srcport'), get('tcp.srcport'), get('sctp.srcport')]),
      destination: endpoint(get('frame.protocols'), get('ip.dst'), get('ipv6.dst'), [get('udp.dstport'), get('tcp.dstport'), get('sctp.dstport')]),
      method: get('sip.Method'),
      status: get('sip.Status-Code'),
      cseq: get('sip.CSeq'),
      callId: get('sip.Call-ID'),
      requestUri: get('sip.r-uri'),
      reason: statusLine.replace(/^SIP\/2\.0 \d{3} ?/, ''),
      sdp: get('sdp.version') !== '',
      userAgent: get('sip.User-Agent'),
      fromTag: get('sip.from.tag'),
      branch: get('sip.Via.branch'),
      contentType: get('sip.Content-Type'),
      startLine: get('sip.Request-Line') || statusLine,
      sdpMedia: get('sdp.media') === '' ? [] : get('sdp.media').split(','),
    });
  }
  return rows;
}

/** The bench capture (300k messages), when generated on this machine. */
export const benchCapture = join(repoRoot, 'bench/data/volte-25k.pcap');
