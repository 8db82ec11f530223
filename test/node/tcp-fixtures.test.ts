import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/node/analyze.js';
import { fixtures } from '../helpers/paths.js';

/**
 * The fixtures made with SIPp on loopback (test/fixtures/README.md): every message tshark decodes is found,
 * in the same frame, and no other. tshark's `-T fields` output has one row per frame; a frame carrying
 * several messages lists them comma-separated, so rows are split into one entry per message.
 */
function tsharkMessages(tsv: string): { messages: string[]; framesWithSeveral: number } {
  const messages: string[] = [];
  let framesWithSeveral = 0;
  for (const row of readFileSync(tsv, 'utf8').split('\n')) {
    if (!row) continue;
    const [frame, methods = '', statuses = ''] = row.split('\t');
    const here = [...methods.split(','), ...statuses.split(',')].filter((m) => m !== '');
    if (here.length > 1) framesWithSeveral++;
    for (const m of here) messages.push(`${frame} ${m}`);
  }
  return { messages: messages.sort(), framesWithSeveral };
}

async function ours(file: string): Promise<{ messages: string[]; stacks: Set<string>; problems: string[]; multiFrame: number }> {
  const { engine } = await analyzeFile(file);
  const messages: string[] = [];
  const stacks = new Set<string>();
  const problems: string[] = [];
  let multiFrame = 0;
  for (let i = 0; i < engine.index.count; i++) {
    const m = engine.index.get(i);
    messages.push(`${m.frame} ${m.method ?? m.status}`);
    stacks.add(m.stack);
    for (const d of m.diagnostics) if (d.kind === 'truncated' || d.kind === 'malformed' || d.kind === 'decoder-bug') problems.push(`${m.frame}: ${d.message}`);
    if (m.firstFrame !== m.frame) multiFrame++;
  }
  return { messages: messages.sort(), stacks, problems, multiFrame };
}

describe('SIPp fixtures', () => {
  it('SIP over TCP under load (many messages per segment): exactly the messages tshark finds, 60 calls × 12', async () => {
    const file = join(fixtures, 'sipp-volte-tcp-loaded.pcap');
    const reference = tsharkMessages(`${file}.tshark.tsv`);
    expect(reference.messages.length).toBe(60 * 12);
    // What makes the fixture worth having: segments that carry several messages (sngrep #466).
    expect(reference.framesWithSeveral).toBeGreaterThanOrEqual(5);
    const found = await ours(file);
    expect(found.messages).toEqual(reference.messages);
    expect(found.stacks).toEqual(new Set(['eth/ipv4/tcp']));
    expect(found.problems).toEqual([]);
  });

  it('Linux cooked capture v2 (tcpdump -i any -y LINUX_SLL2): every message, encapsulation sll2/ipv4/udp, 30 calls × 12', async () => {
    const file = join(fixtures, 'sipp-volte-udp-sll2.pcap');
    const reference = tsharkMessages(`${file}.tshark.tsv`);
    expect(reference.messages.length).toBe(30 * 12);
    const found = await ours(file);
    expect(found.messages).toEqual(reference.messages);
    expect(found.stacks).toEqual(new Set(['sll2/ipv4/udp']));
    expect(found.problems).toEqual([]);
  });
});
