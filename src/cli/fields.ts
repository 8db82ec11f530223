import { allFields } from '../core/filter/registry.js';
import { parseArgs, UsageError } from './args.js';
import { TextOutput } from './output.js';

export const fieldsUsage = `Usage: sipscope fields [PREFIX] [--format text|json]

Lists the display-filter fields: name, type and description (Wireshark's names where Wireshark has the
field: sip.Method, sip.Status-Code, ip.addr...; sipscope's own for IMS: call.*, ims.*, transaction.*, expert.*).
Any SIP header is also reachable as sip.header["Name"]. PREFIX keeps the fields whose name starts with it.`;

const SOURCE_NOTE: Record<string, string> = {
  index: '',
  message: 'read from the message',
  facts: 'read from the message',
  calls: 'from the call analysis',
};

export async function fieldsCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, { format: { value: true, choices: ['text', 'json'], short: 'f' }, help: { short: 'h' } });
  if (options.has('help')) {
    process.stdout.write(`${fieldsUsage}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('fields takes at most one PREFIX');
  const prefix = positionals[0] ?? '';
  const fields = allFields().filter((f) => f.name.startsWith(prefix));
  const out = new TextOutput(process.stdout);
  if (options.get('format') === 'json') {
    const list = fields.map((f) => ({ name: f.name, type: f.type, description: f.description, source: f.source, ...(f.values ? { values: f.values } : {}) }));
    await out.write(`${JSON.stringify(list, null, 1)}\n`);
  } else {
    const width = Math.min(36, Math.max(...fields.map((f) => f.name.length), 4));
    for (const f of fields) {
      const notes = [SOURCE_NOTE[f.source], f.values ? `values: ${f.values.join(', ')}` : ''].filter(Boolean).join('; ');
      await out.write(`${f.name.padEnd(width)}  ${f.type.padEnd(8)}  ${f.description}${notes ? ` (${notes})` : ''}\n`);
    }
    if (fields.length === 0) await out.write(`No field starts with "${prefix}".\n`);
  }
  await out.flush();
  return 0;
}
