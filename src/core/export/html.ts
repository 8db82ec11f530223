// The HTML report: one self-contained file a vendor or a colleague opens in any browser, offline, without
// sipscope. Inline CSS, the ladder as inline SVG (pages of it, so a print on A4 landscape repeats the host header
// instead of cutting arrows), the notes beside their arrows and again on their messages, every message in a
// <details> with its headers, reference notes for the methods, codes and headers in the flow, KPIs and findings.
//
// No script at all, and a CSP that forbids any (`default-src 'none'`): the file carries text from the capture,
// which is hostile, so besides escaping everything (escape.ts), a mistake in escaping still could not run code
// or fetch anything. Links are same-document fragments only.
import type { HeaderDetail, MessageDetail } from '../../shared/api.js';
import { escapeAttribute, escapeXml } from './escape.js';
import { arrowText, ladderGeometry, ladderPages, ladderSvg, sdpText } from './ladder-svg.js';
import { formatMs, formatRatio, formatTime, hostName, type Report } from './report-input.js';

/** A4 landscape (297 × 210 mm) less 10 mm margins, at CSS's 96 px per inch: what one printed page holds. */
const PAGE_WIDTH_PX = Math.floor((277 / 25.4) * 96);
const PAGE_HEIGHT_PX = Math.floor((190 / 25.4) * 96);

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { color-scheme: light; --muted: #616161; --line: #d0d0d0; --note: #fff8c4; --note-line: #c9a800; --error: #c62828; --warning: #b26a00; --ok: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 16px 24px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1a1a1a; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: var(--muted); margin: 0 0 8px; overflow-wrap: anywhere; }
nav.toc a { margin-right: 14px; }
a { color: #1565c0; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.wrap { overflow-wrap: anywhere; max-width: 520px; }
.ladder-page { margin: 8px 0; overflow-x: auto; break-inside: avoid; page-break-inside: avoid; }
.ladder-page svg { display: block; max-width: 100%; height: auto; }
.note { background: var(--note); border: 1px solid var(--note-line); border-radius: 4px; padding: 4px 8px; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.tag { font-weight: 700; color: #7a5d00; }
.sev-error { color: var(--error); font-weight: 600; }
.sev-warning { color: var(--warning); font-weight: 600; }
.sev-note { color: var(--muted); }
details.message { border: 1px solid var(--line); border-radius: 4px; margin: 4px 0; }
details.message > summary { cursor: pointer; padding: 4px 8px; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
details.message[open] > summary { background: #f2f2f2; border-bottom: 1px solid var(--line); }
details.message > .body { padding: 6px 10px 10px; }
details.message:target { outline: 2px solid #1565c0; }
.has-note { background: var(--note); border: 1px solid var(--note-line); border-radius: 3px; padding: 0 4px; font-family: system-ui, sans-serif; font-size: 11px; }
.headers td:first-child { white-space: nowrap; font-weight: 600; }
.headers td { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f7; border: 1px solid var(--line); padding: 6px 8px; margin: 6px 0; }
dl.reference dt { font-weight: 600; margin-top: 8px; }
dl.reference dd { margin: 2px 0 0 16px; }
.source { color: var(--muted); font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .ladder-page { overflow: visible; }
  .ladder-page + .ladder-page { break-before: page; page-break-before: always; }
  .ladder-page svg { width: 100%; }
  details.message { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

/** Per report: Call-ID by call index and notes by arrow, so large exports stay linear. */
const lookups = new WeakMap<Report, { callId: Map<number, string>; notes: Map<number, Report['notes']['messages']> }>();

function lookup(report: Report): { callId: Map<number, string>; notes: Map<number, Report['notes']['messages']> } {
  let l = lookups.get(report);
  if (!l) {
    const notes = new Map<number, Report['notes']['messages']>();
    for (const n of report.notes.messages) notes.set(n.arrow, [...(notes.get(n.arrow) ?? []), n]);
    l = { callId: new Map(report.calls.map((c) => [c.index, c.callId])), notes };
    lookups.set(report, l);
  }
  return l;
}

/** Text as HTML character data (every capture-derived string goes through this). */
function t(text: string | number): string {
  return escapeXml(String(text));
}

function severity(s: 'error' | 'warning' | 'note'): string {
  return `<span class="sev-${s}">${t(s)}</span>`;
}

function noteHtml(note: { note: string; tag: string | null }): string {
  return `<div class="note">${note.tag ? `<span class="tag">[${t(note.tag)}]</span> ` : ''}${t(note.note)}</div>`;
}

function callsSection(report: Report): string {
  const rows = report.calls
    .map((c) => {
      const notes = report.notes.calls.filter((n) => n.call === c.index).map(noteHtml).join('');
      return (
        `<tr><td class="mono wrap">${t(c.callId)}</td><td>${t(c.state)}</td><td>${t(c.procedures.join(', '))}</td>` +
        `<td class="wrap">${t(c.from)}</td><td class="wrap">${t(c.to)}</td><td class="mono">${t(formatTime(c.start))}</td>` +
        `<td class="num">${c.messages}</td><td class="num">${t(formatMs(c.postDialDelayMs))}</td><td class="num">${t(formatMs(c.answerTimeMs))}</td>` +
        `<td class="num">${t(formatMs(c.setupTimeMs))}</td><td class="num">${t(formatMs(c.durationMs))}</td></tr>` +
        (notes ? `<tr><td colspan="11">${notes}</td></tr>` : '')
      );
    })
    .join('');
  return (
    `<section id="calls"><h2>Calls</h2><table><thead><tr><th>Call-ID</th><th>State</th><th>Procedures</th><th>From</th><th>To</th><th>Start (UTC)</th>` +
    `<th class="num">Messages</th><th class="num">Post-dial delay</th><th class="num">Answer time</th><th class="num">Setup time</th><th class="num">Duration</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></section>`
  );
}

function ladderSection(report: Report): string {
  if (report.ladder.arrows.length === 0) return '<section id="ladder"><h2>Ladder</h2><p>No messages.</p></section>';
  const geometry = ladderGeometry(report);
  const pages = ladderPages(report, PAGE_WIDTH_PX, PAGE_HEIGHT_PX, geometry);
  const svgs = pages
    .map((page, i) => `<div class="ladder-page" data-page="${i + 1}">${ladderSvg(report, { ...page, header: false, legend: i === pages.length - 1, links: true, geometry })}</div>`)
    .join('');
  return `<section id="ladder"><h2>Ladder</h2><p class="meta">${report.ladder.arrows.length} messages between ${report.hosts.length} hosts. Click an arrow for its message.</p>${svgs}</section>`;
}

function notesSection(report: Report): string {
  const { messages, elsewhere } = report.notes;
  if (messages.length === 0 && elsewhere.length === 0 && report.notes.calls.length === 0) return '<section id="notes"><h2>Notes</h2><p>None.</p></section>';
  const items = messages
    .map((note) => {
      const arrow = report.ladder.arrows[note.arrow];
      return `<li><a href="#message-${note.arrow}">#${note.arrow + 1} frame ${arrow.frame}: ${t(arrowText(arrow))}</a> ${noteHtml(note)}</li>`;
    })
    .join('');
  const calls = report.notes.calls.map((note) => `<li>Call <code>${t(note.callId)}</code> ${noteHtml(note)}</li>`).join('');
  const other = elsewhere.map((note) => `<li>Frame ${note.frame}, CSeq ${t(note.cseq)} ${t(note.kind)} (not in this report) ${noteHtml(note)}</li>`).join('');
  return `<section id="notes"><h2>Notes</h2><ul>${calls}${items}${other}</ul></section>`;
}

function findingsSection(report: Report): string {
  if (report.findings.length === 0) return '<section id="findings"><h2>Findings</h2><p>None.</p></section>';
  const rows = report.findings
    .map((f) => {
      const links = f.arrows.map((a) => `<a href="#message-${a}">#${a + 1}</a>`).join(' ');
      return `<tr><td>${severity(f.severity)}</td><td class="mono">${t(f.code)}</td><td class="wrap">${t(f.message)}</td><td class="mono wrap">${t(lookup(report).callId.get(f.call) ?? '')}</td><td>${links}</td></tr>`;
    })
    .join('');
  return `<section id="findings"><h2>Findings</h2><table><thead><tr><th>Severity</th><th>Code</th><th>Finding</th><th>Call-ID</th><th>Messages</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function kpiSection(report: Report): string {
  const s = report.statistics;
  const kv = (name: string, value: string) => `<tr><th>${t(name)}</th><td class="num">${t(value)}</td></tr>`;
  const main = [
    kv('Calls', String(s.calls)),
    kv('Call set-ups', String(s.callSetups)),
    kv('Answered', String(s.answered)),
    kv('Answer-seizure ratio (ASR)', formatRatio(s.answerSeizureRatio)),
    kv('Network effectiveness ratio (NER)', formatRatio(s.networkEffectivenessRatio)),
    kv('Registrations', String(s.registrations)),
    kv('Registration success rate', formatRatio(s.registrationSuccessRate)),
    kv('Findings (error / warning / note)', `${s.findings.error} / ${s.findings.warning} / ${s.findings.note}`),
  ].join('');
  const timings = s.timings
    .map((d) => `<tr><td>${t(d.name.replace(/Ms$/, ''))}</td><td class="num">${d.count}</td><td class="num">${t(formatMs(d.mean))}</td><td class="num">${t(formatMs(d.median))}</td><td class="num">${t(formatMs(d.max))}</td></tr>`)
    .join('');
  const procedures = report.procedures
    .map((p) => {
      const callId = lookup(report).callId.get(p.call) ?? '';
      return (
        `<tr><td>${t(p.procedure)}${p.kind ? ` (${t(p.kind)})` : ''}</td><td>${t(p.outcome)}</td><td class="num">${p.finalStatus ?? '—'}</td>` +
        `<td class="num">${t(formatMs((p.end - p.start) * 1000))}</td><td><a href="#message-${p.firstArrow}">#${p.firstArrow + 1}</a>–<a href="#message-${p.lastArrow}">#${p.lastArrow + 1}</a></td><td class="mono wrap">${t(callId)}</td></tr>`
      );
    })
    .join('');
  const codes = Object.entries(s.responseCodes)
    .map(([method, counts]) => `<tr><td>${t(method)}</td><td>${t(Object.entries(counts).map(([code, count]) => `${code}×${count}`).join(', '))}</td></tr>`)
    .join('');
  return (
    `<section id="kpis"><h2>KPIs</h2><table>${main}</table>` +
    (timings ? `<h3>Timings</h3><table><thead><tr><th>Measure</th><th class="num">Count</th><th class="num">Mean</th><th class="num">Median</th><th class="num">Max</th></tr></thead><tbody>${timings}</tbody></table>` : '') +
    (procedures ? `<h3>Procedures</h3><table><thead><tr><th>Procedure</th><th>Outcome</th><th class="num">Final</th><th class="num">Duration</th><th>Messages</th><th>Call-ID</th></tr></thead><tbody>${procedures}</tbody></table>` : '') +
    (codes ? `<h3>Responses per method</h3><table><thead><tr><th>Method</th><th>Responses</th></tr></thead><tbody>${codes}</tbody></table>` : '') +
    '</section>'
  );
}

function headersTable(headers: readonly HeaderDetail[]): string {
  if (headers.length === 0) return '';
  const rows = headers.map((h) => `<tr><td>${t(h.name)}</td><td>${t(h.value)}</td></tr>`).join('');
  return `<table class="headers"><tbody>${rows}</tbody></table>`;
}

function messageSection(report: Report, i: number, message: MessageDetail): string {
  const arrow = report.ladder.arrows[i];
  const notes = lookup(report).notes.get(i) ?? [];
  const summary =
    `#${i + 1} ${t(formatTime(arrow.time))} frame ${arrow.frame} ${t(hostName(report, arrow.from))} → ${t(hostName(report, arrow.to))} ` +
    `${t(arrow.transport)} <b>${t(arrowText(arrow))}</b>${arrow.sdp ? ` <i>${t(sdpText(arrow) ?? '')}</i>` : ''}` +
    `${notes.length > 0 ? ` <span class="has-note">note</span>` : ''}${arrow.severity ? ` ${severity(arrow.severity)}` : ''}`;
  const parts: string[] = [];
  for (const note of notes) parts.push(noteHtml(note));
  if (message.notes.length > 0) {
    parts.push(`<ul>${message.notes.map((n) => `<li>${severity(n.severity)} ${t(n.source)}${n.code ? ` <code>${t(n.code)}</code>` : ''}: ${t(n.message)}</li>`).join('')}</ul>`);
  }
  parts.push(`<p class="meta">Frames ${t(message.frames.join(', '))} · ${t(message.encapsulation.join(' / '))} · Call-ID <code>${t(lookup(report).callId.get(arrow.call) ?? '')}</code>${message.procedure ? ` · ${t(message.procedure)}` : ''}</p>`);
  parts.push(`<div class="mono"><b>${t(message.startLine)}</b></div>`);
  parts.push(headersTable(message.headers));
  if (message.bodyStart !== null) {
    parts.push(`<h3>Body${message.contentType ? ` (${t(message.contentType)})` : ''}</h3><pre>${t(message.raw.slice(message.bodyStart))}</pre>`);
  }
  return `<details class="message" id="message-${i}" data-row="${arrow.row}" data-frame="${arrow.frame}"><summary>${summary}</summary><div class="body">${parts.join('')}</div></details>`;
}

function messagesSection(report: Report): string {
  const items = report.messages.map((m, i) => messageSection(report, i, m)).join('');
  return `<section id="messages"><h2>Messages</h2><p class="meta">Open a message for its headers and body.</p>${items}</section>`;
}

function referenceSection(report: Report): string {
  if (report.reference.length === 0) return '<section id="reference"><h2>Reference</h2><p>None.</p></section>';
  const kinds: [string, string][] = [
    ['method', 'Methods'],
    ['response', 'Responses'],
    ['procedure', 'Procedures'],
    ['header', 'Headers'],
  ];
  const groups = kinds
    .map(([kind, heading]) => {
      const entries = report.reference.filter((r) => r.kind === kind);
      if (entries.length === 0) return '';
      const items = entries
        .map((r) => {
          const sources = r.sources.map((s) => `${s.spec}${s.section ? ` ${s.section}` : ''}`).join('; ');
          return `<dt>${t(r.key)} — ${t(r.title)}</dt><dd>${t(r.summary)}${r.ims ? `<br><i>IMS:</i> ${t(r.ims)}` : ''}<br><span class="source">${t(sources)}</span></dd>`;
        })
        .join('');
      return `<h3>${heading}</h3><dl class="reference">${items}</dl>`;
    })
    .join('');
  return `<section id="reference"><h2>Reference</h2>${groups}</section>`;
}

/** The whole report as one self-contained HTML document (no script, no external resource). */
export function htmlReport(report: Report): string {
  const meta = `${report.file} · ${report.calls.length} call${report.calls.length === 1 ? '' : 's'} · ${report.ladder.arrows.length} messages · generated ${report.generatedAt} by sipscope`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="sipscope">',
    `<title>${t(report.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${t(report.title)}</h1><p class="meta">${t(meta)}</p>`,
    '<nav class="toc"><a href="#calls">Calls</a><a href="#ladder">Ladder</a><a href="#notes">Notes</a><a href="#findings">Findings</a><a href="#kpis">KPIs</a><a href="#messages">Messages</a><a href="#reference">Reference</a></nav></header>',
    '<main>',
    callsSection(report),
    ladderSection(report),
    notesSection(report),
    findingsSection(report),
    kpiSection(report),
    messagesSection(report),
    referenceSection(report),
    '</main>',
    `<footer>Made with sipscope from ${t(report.file)}. Times are UTC; message text is shown as captured (control and bidirectional characters as visible placeholders).</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
