// Server-side renders of RefTerm and the Reference view (react-dom/server: no DOM in these tests).
// Components are imported through a variable so tsconfig.test.json (no JSX) does not type-check the .tsx.
import { describe, expect, it } from 'vitest';
import { createElement, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

const refTermModule = '../../../src/renderer/src/reference/RefTerm.tsx';
const viewModule = '../../../src/renderer/src/reference/ReferenceView.tsx';

async function component(module: string, name: string): Promise<ComponentType<Record<string, unknown>>> {
  return ((await import(/* @vite-ignore */ module)) as Record<string, ComponentType<Record<string, unknown>>>)[name];
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

describe('RefTerm', () => {
  it('renders the term as a focusable span carrying its kind and term', async () => {
    const RefTerm = await component(refTermModule, 'RefTerm');
    expect(renderToStaticMarkup(createElement(RefTerm, { kind: 'response', term: '183' }))).toBe(
      '<span class="ref-term" data-ref-kind="response" data-ref-term="183" tabindex="0">183</span>',
    );
    // Children replace the text; hostile text stays text.
    const html = renderToStaticMarkup(createElement(RefTerm, { kind: 'header', term: 'X-<b>' }, '<img src=x onerror=alert(1)>'));
    expect(html).toContain('data-ref-term="X-&lt;b&gt;"');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(renderToStaticMarkup(createElement(RefTerm, { kind: 'method', term: 'ACK', focusable: false }))).toContain('tabindex="-1"');
  });

  it('the host renders nothing while no tooltip is open', async () => {
    const Host = await component(refTermModule, 'ReferenceTooltipHost');
    expect(renderToStaticMarkup(createElement(Host))).toBe('');
  });
});

describe('ReferenceView', () => {
  it('lists requests first and shows the first entry with its filter link', async () => {
    const View = await component(viewModule, 'ReferenceView');
    const html = renderToStaticMarkup(createElement(View, { onShowInTrace: () => {} }));
    expect(html).toContain('data-testid="reference-view"');
    expect(count(html, 'role="tab"')).toBe(7);
    expect(html).toMatch(/role="tab" aria-selected="true" data-ref-tab="method"/);
    expect(count(html, 'class="reference-item"')).toBe(14);
    expect(html).toContain('data-testid="reference-entry" data-ref-kind="method" data-ref-key="ACK"');
    expect(html).toContain('sip.Method == &quot;ACK&quot;');
  });

  it('opens on the focused entry: a procedure page with its flow and see-also links', async () => {
    const View = await component(viewModule, 'ReferenceView');
    const html = renderToStaticMarkup(createElement(View, { onShowInTrace: () => {}, focus: { kind: 'procedure', term: 'registration' } }));
    expect(html).toMatch(/aria-selected="true" data-ref-tab="procedure"/);
    expect(html).toContain('data-ref-kind="procedure" data-ref-key="registration"');
    expect(html).toContain('data-testid="reference-flow"');
    const flow = /<ol class="reference-flow"[^>]*>(.*?)<\/ol>/.exec(html)?.[1] ?? '';
    expect(count(flow, '<li>')).toBe(8);
    expect(flow).toContain('<li>UE → P-CSCF: REGISTER over IPsec');
    expect(html).toContain('>Security-Client</button>');
    expect(html).toContain('ims.procedure == &quot;registration&quot;');
    expect(html).toContain('3GPP TS 24.229 §5.1.1');
  });

  it('shows a generic entry asked for from a tooltip (an extension header)', async () => {
    const View = await component(viewModule, 'ReferenceView');
    const html = renderToStaticMarkup(createElement(View, { onShowInTrace: () => {}, focus: { kind: 'header', term: 'X-Vendor' } }));
    expect(html).toContain('data-ref-key="X-Vendor"');
    expect(html).toContain('Not in the reference base');
    expect(html).toContain('sip.header[&quot;X-Vendor&quot;]');
  });
});
