// The Markdown report: what an engineer pastes into an issue tracker. A text ladder in a code block (fixed
// width, so it reads the same in GitLab, GitHub, Jira's Markdown and a terminal), the notes beside their arrows
// and listed after it, the calls, findings and KPIs as tables. Prose goes through escapeMarkdown (no HTML, no
// link or image can come out of a capture), the ladder through markdownCodeBlock (no fence can be closed early).
import { escapeMarkdown, markdownCodeBlock, visibleText } from './escape.js';
import { arrowText, noteText, sdpText } from './ladder-svg.js';
import { formatMs, formatRatio, formatTime, hostName, type Report } from './report-input.js';

const GUTTER = 13;

function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, Math.max(0, width)).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

/** Writes `text` into `line` (an array of single characters) from column `at`. */
function put(line: string[], at: number, text: string): void {
  [...text].forEach((c, i) => {
    if (at + i >= 0 && at + i < line.length) line[at + i] = c;
  });
}

function centred(line: string[], centre: number, text: string): void {
  put(line, Math.round(centre - [...text].length / 2), text);
}

/**
 * The ladder as text: a column per host (alias over address), one line per message with an arrow between the
 * lifelines and its label on it, seconds since the first message on the left, and on the right the frame
 * number, the SDP role and the note.
 */
export function textLadder(report: Report): string {
  const ladder = report.ladder;
  let width = 18;
  for (const host of report.hosts) width = Math.max(width, [...visibleText(host.address)].length + 2, [...visibleText(host.alias ?? '')].length + 2);
  for (const arrow of ladder.arrows) {
    const span = Math.abs(arrow.to - arrow.from);
    // Room for the label with a space each side and two characters of shaft at each end (head included).
    if (span > 0) width = Math.max(width, Math.min(32, Math.ceil(([...visibleText(arrowText(arrow))].length + 8) / span)));
  }
  const centre = (host: number) => GUTTER + Math.floor(width / 2) + host * width;
  const total = GUTTER + width * Math.max(1, report.hosts.length);
  const blank = () => {
    const line = new Array<string>(total).fill(' ');
    report.hosts.forEach((_, i) => (line[centre(i)] = '|'));
    return line;
  };
  const lines: string[] = [];
  const names = new Array<string>(total).fill(' ');
  const addresses = new Array<string>(total).fill(' ');
  report.hosts.forEach((host, i) => {
    centred(names, centre(i), fit(visibleText(host.alias ?? ''), width - 1));
    centred(addresses, centre(i), fit(visibleText(host.address), width - 1));
  });
  if (report.hosts.some((h) => h.alias !== null)) lines.push(names.join('').trimEnd());
  lines.push(addresses.join('').trimEnd());
  lines.push(blank().join('').trimEnd());
  const notes = new Map<number, string[]>();
  for (const note of report.notes.messages) notes.set(note.arrow, [...(notes.get(note.arrow) ?? []), visibleText(noteText(note)).replace(/\s*[\r\n]+\s*/g, ' ')]);
  const first = ladder.arrows[0]?.time ?? 0;
  ladder.arrows.forEach((arrow, i) => {
    if (i > 0 && arrow.time - ladder.arrows[i - 1].time >= 1) {
      const gap = blank();
      put(gap, 0, fit(`  ⋯ ${(arrow.time - ladder.arrows[i - 1].time).toFixed(1)} s`, GUTTER - 1));
      lines.push(gap.join('').trimEnd());
    }
    const line = blank();
    put(line, 0, (arrow.time - first).toFixed(6).padStart(GUTTER - 2));
    const label = visibleText(arrowText(arrow));
    const a = centre(arrow.from);
    const b = centre(arrow.to);
    if (a === b) {
      // A message a host sends itself: a loop out of its lifeline, label after it.
      put(line, a, `|<-' ${label}`);
    } else {
      const left = Math.min(a, b);
      const right = Math.max(a, b);
      for (let x = left + 1; x < right; x++) line[x] = arrow.retransmission ? '=' : '-';
      if (b > a) line[right - 1] = '>';
      else line[left + 1] = '<';
      const room = right - left - 7;
      const shown = fit(label, room);
      centred(line, (left + right) / 2, ` ${shown} `);
    }
    let tail = `  #${arrow.frame}`;
    const sdp = sdpText(arrow);
    if (sdp) tail += ` (${arrow.sdp?.role === 'offer' ? 'SDP offer' : arrow.sdp?.role === 'answer' ? 'SDP answer' : 'SDP'})`;
    if (arrow.severity === 'error' || arrow.severity === 'warning') tail += ` !${arrow.severity}`;
    for (const note of notes.get(i) ?? []) tail += `  <-- ${note}`;
    const body = line.join('').trimEnd();
    lines.push(`${body}${' '.repeat(Math.max(0, total - body.length))}${tail}`.trimEnd());
  });
  lines.push(blank().join('').trimEnd());
  return lines.join('\n');
}

function table(head: string[], rows: string[][]): string {
  const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) out.push(`| ${row.join(' | ')} |`);
  return out.join('\n');
}

/** The report as Markdown text (a document for an issue tracker). */
export function markdownReport(report: Report): string {
  const md = escapeMarkdown;
  const out: string[] = [];
  out.push(`# ${md(report.title)}`, '');
  out.push(`${md(report.file)} · ${report.calls.length} call(s) · ${report.ladder.arrows.length} messages · generated ${md(report.generatedAt)} by sipscope`, '');
  out.push('## Calls', '');
  out.push(
    table(
      ['Call-ID', 'State', 'Procedures', 'From', 'To', 'Start (UTC)', 'Messages', 'PDD', 'Answer', 'Duration'],
      report.calls.map((c) => [
        md(c.callId),
        md(c.state),
        md(c.procedures.join(', ')),
        md(c.from),
        md(c.to),
        md(formatTime(c.start)),
        String(c.messages),
        md(formatMs(c.postDialDelayMs)),
        md(formatMs(c.answerTimeMs)),
        md(formatMs(c.durationMs)),
      ]),
    ),
    '',
  );
  for (const note of report.notes.calls) out.push(`- **Call ${md(note.callId)}**: ${note.tag ? `**\\[${md(note.tag)}\\]** ` : ''}${md(note.note)}`);
  if (report.notes.calls.length > 0) out.push('');
  out.push('## Ladder', '');
  out.push('Seconds since the first message on the left; frame number, SDP role and notes on the right; `=` marks a retransmission.', '');
  out.push(markdownCodeBlock(textLadder(report), 'text'), '');
  if (report.notes.messages.length > 0 || report.notes.elsewhere.length > 0) {
    out.push('## Notes', '');
    for (const note of report.notes.messages) {
      const arrow = report.ladder.arrows[note.arrow];
      out.push(
        `${note.arrow + 1}. Frame ${arrow.frame}, ${md(arrowText(arrow))} (${md(hostName(report, arrow.from))} → ${md(hostName(report, arrow.to))}): ${note.tag ? `**\\[${md(note.tag)}\\]** ` : ''}${md(note.note)}`,
      );
    }
    for (const note of report.notes.elsewhere) out.push(`- Frame ${note.frame}, CSeq ${md(note.cseq)} ${md(note.kind)} (not in this report): ${note.tag ? `**\\[${md(note.tag)}\\]** ` : ''}${md(note.note)}`);
    out.push('');
  }
  out.push('## Findings', '');
  if (report.findings.length === 0) out.push('None.', '');
  else {
    out.push(
      table(
        ['Severity', 'Code', 'Finding', 'Messages'],
        report.findings.map((f) => [f.severity, md(f.code), md(f.message), f.arrows.map((a) => `#${a + 1} (frame ${report.ladder.arrows[a].frame})`).join(', ')]),
      ),
      '',
    );
  }
  const s = report.statistics;
  out.push('## KPIs', '');
  out.push(
    table(
      ['KPI', 'Value'],
      [
        ['Calls', String(s.calls)],
        ['Call set-ups', String(s.callSetups)],
        ['Answered', String(s.answered)],
        ['ASR', md(formatRatio(s.answerSeizureRatio))],
        ['NER', md(formatRatio(s.networkEffectivenessRatio))],
        ['Registrations', String(s.registrations)],
        ['Registration success rate', md(formatRatio(s.registrationSuccessRate))],
        ...s.timings.map((d) => [md(d.name), md(`median ${formatMs(d.median)}, mean ${formatMs(d.mean)}, max ${formatMs(d.max)} (${d.count})`)]),
        ['Findings', `${s.findings.error} error, ${s.findings.warning} warning, ${s.findings.note} note`],
      ],
    ),
    '',
  );
  if (report.procedures.length > 0) {
    out.push('## Procedures', '');
    out.push(
      table(
        ['Procedure', 'Outcome', 'Final', 'Duration', 'Messages'],
        report.procedures.map((p) => [md(`${p.procedure}${p.kind ? ` (${p.kind})` : ''}`), md(p.outcome), p.finalStatus === null ? '—' : String(p.finalStatus), md(formatMs((p.end - p.start) * 1000)), `#${p.firstArrow + 1}–#${p.lastArrow + 1}`]),
      ),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
