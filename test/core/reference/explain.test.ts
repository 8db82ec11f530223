/**
 * Lookups in the reference base: compact forms, case, generic entries by class, and the consistency of the
 * base itself (every entry sourced, every "see also" resolvable, nothing quoted from normative RFC text).
 */
import { describe, expect, it } from 'vitest';
import { explain, lookupHeader, lookupMethod, lookupResponse, REFERENCE_ENTRIES } from '../../../src/core/reference/explain.js';
import { COMPACT_FORMS } from '../../../src/core/sip/header-names.js';

/** Compact forms: RFC 3261 §7.3.3 (i m e l c f s k t v) and the later ones in the IANA Header Fields registry. */
const COMPACT: Record<string, string> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type', f: 'From', s: 'Subject',
  k: 'Supported', t: 'To', v: 'Via',
  a: 'Accept-Contact', b: 'Referred-By', d: 'Request-Disposition', j: 'Reject-Contact', n: 'Identity-Info', o: 'Event',
  r: 'Refer-To', u: 'Allow-Events', x: 'Session-Expires', y: 'Identity',
};

describe('headers', () => {
  it.each(Object.entries(COMPACT))('compact form %s resolves to %s, in either case', (letter, name) => {
    expect(lookupHeader(letter).key).toBe(name);
    expect(lookupHeader(letter.toUpperCase()).key).toBe(name);
    expect(explain(letter).map((e) => e.key)).toContain(name);
  });

  it("agrees with the SIP parser's own compact-form table", () => {
    expect(COMPACT_FORMS).toEqual(COMPACT);
  });

  it('finds a header in any case and with a trailing colon or value', () => {
    expect(lookupHeader('p-access-network-info').key).toBe('P-Access-Network-Info');
    expect(explain('P-ACCESS-NETWORK-INFO')[0].key).toBe('P-Access-Network-Info');
    expect(explain('Require: 100rel')[0].key).toBe('Require');
    expect(explain('Call-ID:')[0].key).toBe('Call-ID');
  });

  it('covers the headers an IMS engineer meets, with an IMS source for the P-headers', () => {
    const needed = [
      'P-Access-Network-Info', 'P-Charging-Vector', 'P-Charging-Function-Addresses', 'P-Visited-Network-ID', 'P-Associated-URI',
      'P-Called-Party-ID', 'P-Preferred-Identity', 'P-Asserted-Identity', 'P-Early-Media', 'P-Preferred-Service', 'P-Asserted-Service',
      'Security-Client', 'Security-Server', 'Security-Verify', 'Path', 'Service-Route', 'RSeq', 'RAck', 'Session-Expires', 'Min-SE',
      'Reason', 'Privacy', 'Refer-To', 'Referred-By', 'Event', 'Allow-Events', 'Subscription-State', 'Accept-Contact', 'Reject-Contact',
      'Session-ID', 'Feature-Caps', 'History-Info', 'Geolocation', 'Recv-Info', 'Info-Package', 'Target-Dialog', 'Replaces', 'Identity',
      'Contribution-ID',
    ];
    for (const name of needed) expect(lookupHeader(name).generic, name).toBeUndefined();
    for (const name of ['P-Access-Network-Info', 'P-Associated-URI', 'P-Charging-Vector', 'P-Asserted-Identity', 'Path', 'Service-Route']) {
      expect(lookupHeader(name).sources.some((s) => s.spec === '3GPP TS 24.229'), name).toBe(true);
    }
    expect(lookupHeader('P-Asserted-Identity').sources[0]).toEqual({ spec: 'RFC 3325', section: '§9.1' });
  });

  it('cites RFC 3261 §20.1 to §20.44 for the core headers, in the alphabetical order RFC 3261 §20 uses', () => {
    const core = REFERENCE_ENTRIES.filter((e) => e.kind === 'header')
      .map((e) => ({ name: e.key, section: e.sources.find((s) => s.spec === 'RFC 3261' && s.section?.startsWith('§20.'))?.section }))
      .filter((e): e is { name: string; section: string } => e.section !== undefined)
      .sort((a, b) => Number(a.section.slice(4)) - Number(b.section.slice(4)));
    expect(core.map((e) => Number(e.section.slice(4)))).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
    const names = core.map((e) => e.name);
    const alphabetical = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    // The one place RFC 3261 leaves strict order: Min-Expires is §20.23, MIME-Version §20.24.
    const mime = alphabetical.indexOf('MIME-Version');
    alphabetical.splice(mime, 2, alphabetical[mime + 1], alphabetical[mime]);
    expect(alphabetical[mime]).toBe('Min-Expires');
    expect(names).toEqual(alphabetical);
    expect(names[0]).toBe('Accept');
    expect(names[43]).toBe('WWW-Authenticate');
  });

  it('gives an unknown header a generic entry, never a blank', () => {
    const entry = lookupHeader('X-Vendor-Thing');
    expect(entry).toMatchObject({ kind: 'header', key: 'X-Vendor-Thing', generic: true });
    expect(entry.summary).toMatch(/not in this reference base/);
    expect(lookupHeader('z')).toMatchObject({ generic: true, title: 'Unknown compact form z' });
    expect(explain('X-Vendor-Thing')[0].generic).toBe(true);
  });
});

describe('methods', () => {
  it('treats methods as case-sensitive on the wire (RFC 3261 §7.1) but explain() takes any case', () => {
    expect(lookupMethod('PRACK').generic).toBeUndefined();
    expect(lookupMethod('prack').generic).toBe(true);
    expect(explain('prack')[0].key).toBe('PRACK');
  });

  it('gives an extension method a generic entry pointing at 501', () => {
    const entry = lookupMethod('SERVICE');
    expect(entry).toMatchObject({ kind: 'method', key: 'SERVICE', generic: true, title: 'Extension method SERVICE' });
    expect(entry.summary).toMatch(/501/);
    expect(explain('SERVICE')).toEqual([entry]);
  });

  it('reads the method of a pasted request line', () => {
    expect(explain('INVITE sip:bob@example.com SIP/2.0')[0].key).toBe('INVITE');
  });
});

describe('responses', () => {
  it.each([
    [299, '2xx Success'], [189, '1xx Provisional'], [399, '3xx Redirection'], [450, '4xx Client Error'], [599, '5xx Server Error'],
    [699, '6xx Global Failure'],
  ])('an unregistered %i gets the generic entry of its class', (code, title) => {
    const entry = lookupResponse(code);
    expect(entry).toMatchObject({ kind: 'response', key: String(code), title, generic: true });
    expect(entry.summary).toContain(`treats it as ${String(code)[0]}00`);
    expect(explain(String(code))).toEqual([entry]);
  });

  it.each([0, 99, 700, 1000, -5, 1.5])('%d is not a status code at all', (code) => {
    expect(lookupResponse(code)).toMatchObject({ key: String(code), title: `Invalid status code ${code}`, generic: true });
  });

  it('reads class names, status lines and reason phrases', () => {
    expect(explain('4xx')).toEqual([expect.objectContaining({ key: '4xx', title: '4xx Client Error' })]);
    expect(explain('SIP/2.0 486 Busy Here')[0].key).toBe('486');
    expect(explain('Busy Here')[0].key).toBe('486');
    expect(explain('session progress')[0].key).toBe('183');
  });
});

describe('tags, SDP and procedures', () => {
  it('has the option tags and 3GPP feature tags of VoLTE', () => {
    for (const tag of ['100rel', 'precondition', 'sec-agree', 'timer', 'gruu', 'path', 'replaces', 'norefersub', 'outbound']) {
      expect(explain(tag).some((e) => e.kind === 'option-tag' && e.key === tag), tag).toBe(true);
    }
    for (const tag of ['+g.3gpp.icsi-ref', '+g.3gpp.iari-ref', '+g.3gpp.smsip', '+sip.instance', '+g.3gpp.accesstype']) {
      expect(explain(tag)[0]).toMatchObject({ kind: 'feature-tag', key: tag });
      expect(explain(tag.slice(1))[0].key).toBe(tag);
      expect(explain(`${tag}="urn:urn-7:3gpp-service.ims.icsi.mmtel"`)[0].key).toBe(tag);
    }
  });

  it('returns every entry a word names: the Replaces header and the replaces option tag', () => {
    expect(explain('replaces').map((e) => `${e.kind}:${e.key}`)).toEqual(['header:Replaces', 'option-tag:replaces']);
    expect(explain('path').map((e) => e.kind)).toEqual(['header', 'option-tag']);
  });

  it('finds SDP attributes with or without a= and with their value', () => {
    for (const key of ['a=curr', 'a=des', 'a=conf', 'a=sendrecv', 'a=sendonly', 'a=recvonly', 'a=inactive', 'a=rtpmap', 'a=fmtp', 'a=ptime',
      'a=maxptime', 'a=rtcp-fb', 'b=AS', 'b=RS', 'b=RR', 'AMR', 'AMR-WB', 'EVS', 'telephone-event']) {
      expect(explain(key)[0]?.key, key).toBe(key);
    }
    expect(explain('a=curr:qos local sendrecv')[0].key).toBe('a=curr');
    expect(explain('des')[0].key).toBe('a=des');
    expect(explain('mode-set').map((e) => e.key)).toEqual(['AMR', 'AMR-WB']);
    expect(explain('ch-aw-recv')[0].key).toBe('EVS');
    expect(explain('octet-align=1').map((e) => e.key)).toEqual(['AMR', 'AMR-WB']);
    expect(explain('EVS')[0].sources[0]).toEqual({ spec: '3GPP TS 26.445', section: 'annex A' });
  });

  it('has one page per procedure group with a message sequence', () => {
    const groups = ['registration', 'call-setup', 'session-modification', 'call-release', 'call-cancellation', 'messaging',
      'supplementary-services', 'subscription-notification', 'capability-query'];
    expect(REFERENCE_ENTRIES.filter((e) => e.kind === 'procedure').map((e) => e.key)).toEqual(groups);
    for (const key of groups) {
      const [entry] = explain(key);
      expect(entry.flow?.length, key).toBeGreaterThanOrEqual(2);
      expect(entry.flow?.every((line) => line.includes('→')), key).toBe(true);
    }
    expect(explain('call setup')[0].key).toBe('call-setup');
    expect(explain('registration')[0].flow?.[2]).toMatch(/401/);
    expect(explain('messaging')[0].sources.map((s) => s.spec)).toContain('3GPP TS 24.341');
  });
});

describe('the base as a whole', () => {
  it('cites a named RFC or 3GPP TS for every entry, with well-formed sections', () => {
    for (const entry of REFERENCE_ENTRIES) {
      expect(entry.sources.length, entry.key).toBeGreaterThan(0);
      for (const source of entry.sources) {
        expect(source.spec, entry.key).toMatch(/^(RFC \d{3,4}|3GPP TS \d{2}\.\d{3})$/);
        if (source.section !== undefined) expect(source.section, entry.key).toMatch(/^(§\d+(\.\d+)*[A-Z]?(\.\d+)*|annex [A-Z])$/);
      }
    }
  });

  it('keys are unique within a kind', () => {
    const seen = new Set<string>();
    for (const entry of REFERENCE_ENTRIES) {
      const id = `${entry.kind}:${entry.key.toLowerCase()}`;
      expect(seen.has(id), id).toBe(false);
      seen.add(id);
    }
  });

  it('every "see also" names an entry of the base, and never the entry itself', () => {
    for (const entry of REFERENCE_ENTRIES) {
      for (const other of entry.seeAlso ?? []) {
        const found = explain(other);
        expect(found.length > 0 && found.every((e) => !e.generic), `${entry.key} → ${other}`).toBe(true);
        expect(found.some((e) => e !== entry), `${entry.key} → ${other}`).toBe(true);
      }
    }
  });

  it('is written in our own words: no normative RFC 2119 keywords copied into a summary', () => {
    for (const entry of REFERENCE_ENTRIES) {
      expect(`${entry.summary} ${entry.ims ?? ''}`, entry.key).not.toMatch(/\b(MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED)\b/);
    }
  });

  it('answers nothing for a phrase it does not know, and for an empty term', () => {
    expect(explain('')).toEqual([]);
    expect(explain('   ')).toEqual([]);
    expect(explain('hello world')).toEqual([]);
    expect(explain('Foo')).toEqual([]);
  });
});
