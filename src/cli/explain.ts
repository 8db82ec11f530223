import { explain } from '../core/reference/explain.js';
import type { ReferenceEntry, ReferenceSource } from '../core/reference/types.js';
import { parseArgs, UsageError } from './args.js';
import { escapeControls, TextOutput } from './output.js';

export const explainUsage = `Usage: sipscope explain TERM... [--format text|json]

Explains a SIP method, response code, header, option tag, feature tag, SDP attribute or IMS procedure
from the built-in reference base, with its RFC / 3GPP sources. Examples:
  sipscope explain 183        sipscope explain PRACK       sipscope explain P-Access-Network-Info
  sipscope explain i          sipscope explain 100rel      sipscope explain a=curr
  sipscope explain 4xx        sipscope explain registration

  --format F   text (default) or json (an array of entries per term)
Exit status: 0 when every term was found (generic entries for unknown methods, codes and headers count),
1 when a term matched nothing, 2 on usage errors.`;

const FORMATS = ['text', 'json'] as const;
const WIDTH = 100;

function sourceText(source: ReferenceSource): string {
  return source.section ? `${source.spec} ${source.section}` : source.spec;
}

/** Word-wraps `text` to WIDTH columns, every line starting with `indent`. */
function wrap(text: string, indent: string, firstIndent = indent): string {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

const KIND_LABEL: Record<ReferenceEntry['kind'], string> = {
  method: 'SIP method',
  response: 'SIP response',
  header: 'SIP header field',
  'option-tag': 'SIP option tag',
  'feature-tag': 'feature tag',
  'sdp-attribute': 'SDP',
  procedure: 'IMS procedure',
};

export function entryText(entry: ReferenceEntry): string {
  let heading = entry.title;
  if (entry.kind === 'response' && /^\d{3}$/.test(entry.key) && !entry.generic) heading = `${entry.key} ${entry.title}`;
  else if (!entry.generic && !entry.title.toLowerCase().includes(entry.key.toLowerCase())) heading = `${entry.key} — ${entry.title}`;
  const out: string[] = [`${escapeControls(heading)}  (${KIND_LABEL[entry.kind]}${entry.generic ? ', generic entry: not in the reference base' : ''})`];
  if (entry.kind === 'header' && entry.aliases?.length) out.push(`  Compact form: ${escapeControls(entry.aliases.join(', '))}`);
  out.push(wrap(escapeControls(entry.summary), '  '));
  if (entry.ims) out.push(wrap(escapeControls(entry.ims), '    ', '  In IMS: '));
  if (entry.flow?.length) {
    out.push('  Typical flow:');
    for (const step of entry.flow) out.push(wrap(escapeControls(step), '        ', '    '));
  }
  out.push(wrap(escapeControls(entry.sources.map(sourceText).join('; ')), '    ', '  Sources: '));
  if (entry.seeAlso?.length) out.push(wrap(escapeControls(entry.seeAlso.join(', ')), '    ', '  See also: '));
  return `${out.join('\n')}\n`;
}

/** JSON text with the C1 controls escaped too (JSON.stringify leaves U+007F..U+009F raw). */
function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function explainCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, {
    format: { value: true, choices: FORMATS, short: 'f' },
    help: { short: 'h' },
  });
  if (options.has('help')) {
    process.stdout.write(`${explainUsage}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('explain needs a TERM (a method, response code, header, option tag, SDP attribute or procedure)');
  const format = (options.get('format') as (typeof FORMATS)[number] | undefined) ?? 'text';

  const out = new TextOutput(process.stdout);
  const results = positionals.map((term) => ({ term, entries: explain(term) }));
  const missing = results.filter((r) => r.entries.length === 0);
  if (format === 'json') {
    await out.write(`${jsonText(results)}\n`);
  } else {
    let first = true;
    for (const { entries } of results) {
      for (const entry of entries) {
        await out.write(`${first ? '' : '\n'}${entryText(entry)}`);
        first = false;
      }
    }
  }
  await out.flush();
  for (const { term } of missing) process.stderr.write(`sipscope: no reference entry for '${escapeControls(term)}'\n`);
  return missing.length === 0 ? 0 : 1;
}
