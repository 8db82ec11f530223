/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The functions passed to page.evaluate run in Chromium: they see the DOM.)
// Shared by the export tests: reports of real captures, tshark's view of one call (the independent reference), a
// hostile capture built byte by byte, and Chromium to load what the exports produce.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { emptyAnnotations, noteKeyOfRow, type Annotations } from '../../../src/core/annotations/annotations.js';
import { encodePcapFile } from '../../../src/core/capture/pcap-writer.js';
import { buildReport, type Report } from '../../../src/core/export/report-input.js';
import type { TraceViewSource } from '../../../src/core/view/trace-view.js';
import { ethernet, ipv4, udp } from '../../helpers/packet-builder.js';
import { repoRoot } from '../../helpers/paths.js';

/** Where the export tests leave files for people to look at (gitignored). */
export const exportResults = join(repoRoot, 'test-results', 'export');

export function saveResult(name: string, content: string): string {
  mkdirSync(exportResults, { recursive: true });
  const path = join(exportResults, name);
  writeFileSync(path, content);
  return path;
}

export function reportOf(source: TraceViewSource, calls: number[], annotations: Annotations = emptyAnnotations(), rows?: number[]): Report {
  return buildReport(source, { calls, rows, annotations, title: 'Export test', file: 'capture.pcap', generatedAt: '2026-11-24T12:00:00.000Z' });
}

/** Annotations with a note on some rows (text derived from the row) and a call note on each call given. */
export function annotate(source: TraceViewSource, rows: number[], callIds: string[] = [], hosts: Record<string, string> = {}): Annotations {
  const a = emptyAnnotations();
  for (const row of rows) a.messages.push({ ...noteKeyOfRow(source.engine.index, row), note: `note on row ${row}: check the Via here`, tag: row % 2 === 0 ? 'root cause' : null });
  for (const callId of callIds) a.calls.push({ callId, note: `call note of ${callId}`, tag: 'expected' });
  Object.assign(a.hosts, hosts);
  return a;
}

/** One SIP message of a call as tshark sees it. */
export interface TsharkMessage {
  frame: number;
  source: string;
  destination: string;
}

/**
 * `tshark -Y 'sip.Call-ID == "ID"'`: the messages of one call, a frame carrying several SIP messages (a TCP
 * segment) counted once per message of that call. Endpoints as the ladder names hosts (`ip:port`, IPv6 in
 * brackets); plain UDP/TCP over IPv4/IPv6 captures only (no tunnels).
 */
export function tsharkCall(path: string, callId: string): TsharkMessage[] {
  const fields = ['frame.number', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport', 'sip.Call-ID'];
  const filter = `sip.Call-ID == "${callId.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const args = ['-r', path, '-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  const out = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`tshark failed: ${out.stderr}`);
  const messages: TsharkMessage[] = [];
  for (const line of out.stdout.split('\n')) {
    if (line === '') continue;
    const [frame, ip4s, ip4d, ip6s, ip6d, us, ud, ts, td, ids] = line.split('\t');
    const host = (v4: string, v6: string, port: string) => (v4 ? `${v4}:${port}` : `[${v6}]:${port}`);
    const source = host(ip4s, ip6s, us || ts);
    const destination = host(ip4d, ip6d, ud || td);
    for (const id of ids.split(',')) if (id === callId) messages.push({ frame: Number(frame), source, destination });
  }
  return messages;
}

/** The ladder's host columns as tshark's messages give them: every endpoint in order of first appearance. */
export function hostsInOrder(messages: readonly TsharkMessage[]): string[] {
  const hosts: string[] = [];
  for (const m of messages) for (const h of [m.source, m.destination]) if (!hosts.includes(h)) hosts.push(h);
  return hosts;
}

// ---------------------------------------------------------------------------------------------------------
// The hostile capture

/** Payloads that record themselves in `window.__pwned` (or open a dialog) if they ever run. */
export const HOSTILE = {
  script: '<script>window.__pwned="script"</script>',
  closeSvg: '</svg><script>window.__pwned="svg"</script>',
  javascriptUri: 'javascript:window.__pwned="uri"',
  attribute: `"'><img src=x onerror="window.__pwned='img'">`,
  cdata: ']]><script>window.__pwned="cdata"</script><![CDATA[',
  controls: 'a\u0000b\u0007c\u001b[31mred\u007f',
  bidi: 'user\u202Egnp.exe\u202C',
  svgOnload: '<svg onload="alert(1)">',
} as const;

const crlf = (lines: string[]) => lines.join('\r\n');

function sip(start: string, headers: string[], body = ''): string {
  const length = new TextEncoder().encode(body).length;
  return `${crlf([start, ...headers, `Content-Length: ${length}`])}\r\n\r\n${body}`;
}

/** A Call-ID made only of RFC 3261 `word` characters (§25.1 allows `<`, `>`, `"`, `'`, `/` in it). */
export const HOSTILE_CALL_ID = `<script>window.__pwned="callid"</script>@"evil'`;
/** Calls whose Call-ID a spreadsheet would take for a formula. */
export const FORMULA_CALL_IDS = ['=1+2@h', '+1-2@h', '-3+4@h', '@SUM(A1)@h'];

/**
 * A call whose every field an attacker controls: display names, headers, the reason phrase and the SDP carry
 * script tags, `</svg>`, `javascript:` URIs, quotes, `]]>`, NUL and control characters and bidi overrides; then
 * OPTIONS calls with formula-like Call-IDs. UDP between 10.66.0.1:5060 and 10.66.0.2:5060.
 */
export function hostileMessages(): { text: string; from: 'a' | 'b' }[] {
  const h = HOSTILE;
  const common = (cseq: string, toTag = '') => [
    'Via: SIP/2.0/UDP 10.66.0.1:5060;branch=z9hG4bK-hostile-1',
    `From: "${h.script.replace(/"/g, "'")}" <sip:alice@evil.example>;tag=${encodeURIComponent(h.attribute)}`,
    `To: "${h.bidi}" <sip:bob@evil.example>${toTag}`,
    `Call-ID: ${HOSTILE_CALL_ID}`,
    `CSeq: ${cseq}`,
  ];
  const sdp = (port: number) =>
    crlf([
      'v=0',
      'o=- 1 1 IN IP4 10.66.0.1',
      `s=${h.script}`,
      `i=${h.closeSvg}`,
      `u=${h.javascriptUri}`,
      'c=IN IP4 10.66.0.1',
      't=0 0',
      `m=audio ${port} RTP/AVP 0`,
      `a=tool:${h.cdata}`,
      `a=x-bidi:${h.bidi}`,
      '',
    ]);
  const invite = sip(
    'INVITE sip:bob@evil.example SIP/2.0',
    [
      ...common('1 INVITE'),
      'Max-Forwards: 70',
      `Contact: <${h.javascriptUri}>`,
      `Subject: ${h.closeSvg}`,
      `User-Agent: ${h.attribute}`,
      `X-Cdata: ${h.cdata}`,
      `X-Controls: ${h.controls}`,
      `X-Bidi: ${h.bidi}`,
      `X-Svg: ${h.svgOnload}`,
      'Content-Type: application/sdp',
    ],
    sdp(49170),
  );
  const ringing = sip(`SIP/2.0 180 Ringing ${h.attribute}`, [...common('1 INVITE', ';tag=b1'), `Contact: <${h.javascriptUri}>`]);
  const ok = sip('SIP/2.0 200 OK', [...common('1 INVITE', ';tag=b1'), 'Contact: <sip:bob@10.66.0.2>', 'Content-Type: application/sdp'], sdp(40000));
  const ack = sip('ACK sip:bob@10.66.0.2 SIP/2.0', [...common('1 ACK', ';tag=b1'), 'Max-Forwards: 70']);
  const out: { text: string; from: 'a' | 'b' }[] = [
    { text: invite, from: 'a' },
    { text: ringing, from: 'b' },
    { text: ok, from: 'b' },
    { text: ack, from: 'a' },
  ];
  FORMULA_CALL_IDS.forEach((callId, i) => {
    const headers = [`Via: SIP/2.0/UDP 10.66.0.1:5060;branch=z9hG4bK-f${i}`, `From: <sip:=HYPERLINK("http://evil.example")@evil.example>;tag=f${i}`, 'To: <sip:bob@evil.example>', `Call-ID: ${callId}`, 'CSeq: 1 OPTIONS'];
    out.push({ text: sip('OPTIONS sip:bob@evil.example SIP/2.0', [...headers, 'Max-Forwards: 70']), from: 'a' });
    out.push({ text: sip('SIP/2.0 200 OK', headers), from: 'b' });
  });
  return out;
}

/** The hostile capture as a pcap file at `path` (Ethernet / IPv4 / UDP, one message per frame, 10 ms apart). */
export function writeHostileCapture(path: string): void {
  const records = hostileMessages().map((m, i) => {
    const [src, dst] = m.from === 'a' ? ['10.66.0.1', '10.66.0.2'] : ['10.66.0.2', '10.66.0.1'];
    const data = ethernet(0x0800, ipv4(udp(new TextEncoder().encode(m.text), 5060, 5060), { src, dst, id: i + 1 }));
    return { tsSec: 1_700_000_000, tsNsec: i * 10_000_000, data };
  });
  writeFileSync(path, encodePcapFile({ linkType: 1 }, records));
}

// ---------------------------------------------------------------------------------------------------------
// Chromium

export interface Loaded {
  page: Page;
  /** Dialogs (alert, confirm...) the page tried to open: a payload that ran. */
  dialogs: string[];
  /** Page errors and console messages (a payload that ran and failed shows here). */
  problems: string[];
}

/** Opens a file (an exported .html or .svg) in a new page, recording dialogs and errors; network is refused. */
export async function openFile(browser: Browser, path: string): Promise<Loaded> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => problems.push(`console ${message.type()}: ${message.text()}`));
  // Anything but the file itself is a resource the export was not supposed to reference.
  await context.route('**/*', (route) => (route.request().url() === `file://${path}` ? route.continue() : route.abort()));
  page.on('requestfailed', (request) => problems.push(`request: ${request.url()}`));
  await page.goto(`file://${path}`);
  return { page, dialogs, problems };
}

/** Parses markup as XML in the page (the browser's strict XML parser): the parser's error, or null when well-formed. */
export async function xmlError(page: Page, markup: string): Promise<string | null> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const error = doc.getElementsByTagName('parsererror')[0];
    return error ? (error.textContent ?? 'parsererror') : null;
  }, markup);
}
