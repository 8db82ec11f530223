// Server-side renders of the Statistics view (react-dom/server: there is no DOM in these tests): the markup
// the Playwright suite relies on, the bars coloured by class and carrying their filters, the loading state.
// Components are imported through a variable so tsconfig.test.json (no JSX) does not type-check the .tsx.
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { SipscopeApi, TraceStatistics } from '../../../src/shared/api.js';

const statsModule = '../../../src/renderer/src/stats/StatsView.tsx';

/** `sipscope stats --format json` of resources/sample-volte.pcap, with a rejected call added. */
const stats: TraceStatistics = {
  view: 0,
  calls: 4,
  sessions: 4,
  callSetups: 4,
  answered: 3,
  answerSeizureRatio: 0.75,
  networkEffectivenessRatio: 1,
  registrations: 0,
  registrationSuccessRate: null,
  timings: [
    { name: 'postDialDelayMs', count: 3, mean: 1.327, median: 1.288, max: 1.442 },
    { name: 'registrationTimeMs', count: 0, mean: 0, median: 0, max: 0 },
  ],
  responseCodes: { INVITE: { '100': 4, '180': 3, '183': 3, '200': 3, '486': 1 }, BYE: { '200': 3 } },
  methods: { INVITE: 4, ACK: 4, BYE: 3 },
  procedures: { 'call-setup': { success: 3, failure: 1, timeout: 0, incomplete: 0 } },
  findings: { error: 0, warning: 1, note: 0 },
};

const count = (html: string, needle: string) => html.split(needle).length - 1;

async function render(props: Record<string, unknown>, component = 'StatsReport'): Promise<string> {
  const module = (await import(/* @vite-ignore */ statsModule)) as Record<string, ComponentType<Record<string, unknown>>>;
  return renderToStaticMarkup(createElement(module[component], props));
}

describe('StatsReport', () => {
  it('shows the KPI cards', async () => {
    const html = await render({ stats, stale: false, onShowInTrace: () => {} });
    expect(count(html, 'data-testid="stats-kpi"')).toBe(6);
    expect(html).toMatch(/data-kpi="asr".*?75\.0 %/);
    expect(html).toMatch(/data-kpi="registration-success".*?—/);
  });

  it('draws one clickable bar per response code, coloured by class, with the filter it applies', async () => {
    const html = await render({ stats, stale: false, onShowInTrace: () => {} });
    // 5 INVITE codes + 1 BYE code + 3 methods.
    expect(count(html, 'data-testid="stats-bar"')).toBe(9);
    expect(html).toContain('class="stats-bar cls-4xx" role="button" tabindex="0" aria-label="1 × 486 to INVITE: show in trace"');
    expect(html).toContain('data-filter="sip.Status-Code == 486 &amp;&amp; sip.CSeq.method == &quot;INVITE&quot;"');
    expect(count(html, 'cls-1xx')).toBe(3);
    expect(html).toContain('data-filter="sip.Method == &quot;ACK&quot;"');
    // Bar labels are reference terms (hover shows the entry).
    expect(html).toContain('data-ref-kind="response" data-ref-term="486"');
    expect(html).toContain('data-ref-kind="method" data-ref-term="INVITE"');
  });

  it('lists measured timings only, and the procedures × outcome table with filter links', async () => {
    const html = await render({ stats, stale: false, onShowInTrace: () => {} });
    expect(html).toContain('data-timing="postDialDelayMs"');
    expect(html).not.toContain('data-timing="registrationTimeMs"');
    expect(html).toContain('1.33 ms');
    expect(html).toContain('data-filter="ims.procedure == &quot;call-setup&quot; &amp;&amp; ims.procedure.outcome == &quot;failure&quot;"');
    expect(html).toMatch(/data-severity="error" disabled=""/);
    expect(html).not.toMatch(/data-severity="warning" disabled/);
  });

  it('says so when a view has nothing', async () => {
    const empty: TraceStatistics = { ...stats, responseCodes: {}, methods: {}, procedures: {}, timings: [] };
    const html = await render({ stats: empty, stale: true, onShowInTrace: () => {} });
    expect(html).toContain('No responses.');
    expect(html).toContain('No requests.');
    expect(html).toContain('Nothing measured.');
    expect(html).toContain('stats-stale');
    expect(count(html, 'data-testid="stats-bar"')).toBe(0);
  });
});

describe('StatsView', () => {
  it('starts in the loading state (the request is made in an effect)', async () => {
    const api = { getStatistics: () => new Promise(() => {}) } as unknown as SipscopeApi;
    const html = await render({ api, view: 0, traceKey: 'a', onShowInTrace: () => {} }, 'StatsView');
    expect(html).toContain('data-testid="stats-view"');
    expect(html).toContain('data-testid="stats-loading"');
    expect(html).toContain('aria-busy="true"');
  });
});
