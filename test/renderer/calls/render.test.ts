// Server-side renders of the ladder and the calls list (react-dom/server: there is no DOM in these tests),
// checking the markup the Playwright suite and users rely on. The components are imported through a
// variable so that tsconfig.test.json (no JSX) does not type-check the .tsx files; tsconfig.web.json does.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { CallSummary, LadderData } from '../../../src/shared/api.js';
import { haveSharedCaptures, repoRoot, sharedCapture } from '../../helpers/paths.js';
import { haveTshark } from '../../helpers/tshark.js';
import { tsharkCalls, tsharkLadder, tsharkMessages } from './tshark-calls.js';

const ladderModule = '../../../src/renderer/src/calls/Ladder.tsx';
const listModule = '../../../src/renderer/src/calls/CallsList.tsx';

async function renderLadder(data: LadderData, selectedRow: number | null = null): Promise<string> {
  const { Ladder } = (await import(/* @vite-ignore */ ladderModule)) as { Ladder: ComponentType<Record<string, unknown>> };
  return renderToStaticMarkup(createElement(Ladder, { data, selectedRow, onSelectMessage: () => {} }));
}

async function renderList(calls: CallSummary[], selected: number[]): Promise<string> {
  const { CallsList } = (await import(/* @vite-ignore */ listModule)) as { CallsList: ComponentType<Record<string, unknown>> };
  return renderToStaticMarkup(
    createElement(CallsList, {
      calls,
      selected: new Set(selected),
      sort: { column: 'messages', descending: true },
      onSort: () => {},
      onClickCall: () => {},
      onKey: () => {},
      onSelectAll: () => {},
      focusCall: null,
    }),
  );
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

describe.skipIf(!haveTshark)('rendered ladder of the bundled sample', () => {
  const messages = tsharkMessages(join(repoRoot, 'resources/sample-volte.pcap'));
  const data = tsharkLadder(messages);

  it('draws one arrow per message and one header per host, with the test ids', async () => {
    const html = await renderLadder(data, 12);
    expect(count(html, 'data-testid="ladder"')).toBe(1);
    expect(html).toMatch(/^<div class="ladder">/);
    expect(count(html, 'data-testid="ladder-arrow"')).toBe(36);
    expect(count(html, 'data-testid="ladder-host"')).toBe(2);
    // Hosts and arrows are inside the <svg data-testid="ladder"> (the UI tests look them up in it).
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(count(svg, 'data-testid="ladder-host"')).toBe(2);
    expect(count(svg, 'data-testid="ladder-arrow"')).toBe(36);
    expect(svg).toContain('data-address="127.0.0.1:5060"');
    // Each arrow's click area is one rectangle from the gutter to its far end: a click at the middle of the
    // arrow's box (what Playwright does) lands on it.
    expect(count(svg, '<rect class="ladder-arrow-hit" x="0"')).toBe(36);
    for (let row = 0; row < 36; row++) expect(html).toContain(`data-row="${row}"`);
    // The selected message is highlighted, and only it.
    expect(count(html, 'aria-selected="true"')).toBe(1);
    expect(html).toMatch(/class="ladder-arrow [a-z- ]*selected" data-testid="ladder-arrow" data-row="12"/);
  });

  it('labels arrows with reference terms for methods and status codes, and SDP markers', async () => {
    const html = await renderLadder(data);
    expect(html).toContain('<tspan class="ref-term" data-ref-kind="method" data-ref-term="INVITE" tabindex="-1">INVITE</tspan>');
    expect(html).toContain('<tspan class="ref-term" data-ref-kind="response" data-ref-term="183" tabindex="-1">183</tspan> Session Progress (INVITE)');
    expect(count(html, 'data-ref-kind="procedure"')).toBeGreaterThan(0);
    expect(html).toContain('SDP offer');
    expect(html).toContain('+0.000253'); // frame 2's delta in the gutter
  });

  it('renders hostile SIP text as text', async () => {
    const hostile: LadderData = {
      ...data,
      hosts: data.hosts.map((h, i) => (i === 0 ? { address: '<img src=x onerror=alert(1)>:5060', alias: '<img src=y onerror=alert(2)>' } : h)),
      arrows: data.arrows.map((a, i) => (i === 0 ? { ...a, method: '<script>', label: '<script>alert(1)</script>' } : a)),
    };
    const html = await renderLadder(hostile);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=y onerror=alert(2)&gt;');
  });

  it('renders only the arrows near the viewport when there are more than 500', async () => {
    const many: LadderData = { ...data, arrows: Array.from({ length: 20 }, () => data.arrows).flat().map((a, i) => ({ ...a, row: i, frame: i + 1 })), bands: [] };
    expect(many.arrows).toHaveLength(720);
    const html = await renderLadder(many);
    const drawn = count(html, 'data-testid="ladder-arrow"');
    expect(drawn).toBeGreaterThan(20);
    expect(drawn).toBeLessThan(100);
    expect(html).toContain('data-row="0"');
    expect(html).not.toContain('data-row="719"');
  });
});

describe.skipIf(!haveTshark || !haveSharedCaptures)('rendered ladder and calls list of real multi-host captures', () => {
  it('draws self-messages as loops, and marks retransmissions', async () => {
    const selfData = tsharkLadder(tsharkMessages(sharedCapture('nokia_10_tcp_volte.pcap.gz')));
    const loops = (await renderLadder(selfData)).match(/d="M [\d.]+ [\d.]+ H [\d.]+ V [\d.]+ H [\d.]+"/g) ?? [];
    expect(loops.length).toBe(selfData.arrows.filter((a) => a.from === a.to).length);
    const aaa = tsharkLadder(tsharkMessages(sharedCapture('sngrep_aaa.pcap')));
    const html = await renderLadder(aaa);
    expect(html).toMatch(/class="ladder-arrow request retransmission" data-testid="ladder-arrow" data-row="\d+" data-frame="225"/);
  });

  it('lists calls with their index, state colour, KPIs and findings', async () => {
    const calls = tsharkCalls(tsharkMessages(sharedCapture('sngrep_aaa.pcap')));
    const html = await renderList(calls, [1, 4]);
    expect(count(html, 'data-testid="calls-list"')).toBe(1);
    expect(count(html, 'data-testid="call-row"')).toBe(6);
    expect(count(html, 'aria-selected="true"')).toBe(2);
    expect(html).toMatch(/aria-selected="true" data-testid="call-row" data-call="1"/);
    // The Call-ID is shown (people search the list for it by eye, and the UI tests by text).
    expect(html).toContain('>105090259-446faf7a@192.168.1.2</div>');
    expect(html).toContain('<span class="call-state state-failed">REJECTED</span>');
    expect(html).toContain('36.8 s');
    expect(html).toContain('aria-sort="descending"');
    expect(html).toContain('title="warning: final 408 [failure-final]\nnote: retransmitted messages [retransmission]"');
  });
});
