import { describe, expect, it } from 'vitest';
import type { ProblemSink } from '../../../src/core/sip/scan.js';
import { parseVia, parseViaList } from '../../../src/core/sip/via.js';

const problems = (s: string) => (parseVia(s).problems ?? []).map((p) => `${p.severity}: ${p.message}`);

describe('parseVia', () => {
  it('reads sent-protocol, sent-by and the transaction parameters', () => {
    const v = parseVia('SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.101;rport=5066;maddr=224.2.0.1;ttl=16;x=y');
    expect(v).toMatchObject({
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: 'pc33.atlanta.example.com',
      hostType: 'name',
      port: 5066,
      branch: 'z9hG4bK776asdhds',
      received: '192.0.2.101',
      rport: 5066,
      maddr: '224.2.0.1',
      ttl: 16,
    });
    expect(v.params.map((p) => p.name)).toEqual(['branch', 'received', 'rport', 'maddr', 'ttl', 'x']);
    expect(v.problems).toBeUndefined();
  });

  it('reads IPv6 sent-by, a valueless rport, lower-case and unknown transports, LWS around / and :', () => {
    expect(parseVia('SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bK1;rport')).toMatchObject({ host: '2001:db8::9', hostType: 'ipv6', port: 5070, rport: true });
    expect(parseVia('SIP/2.0/ws df7jal23ls0d.invalid;branch=z9hG4bKasudf').transport).toBe('WS');
    expect(parseVia('SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en').transport).toBe('UNKNOWN');
    expect(parseVia('SIP  /   2.0 \r\n /UDP\r\n    192.0.2.2 : 5070;branch=z9hG4bK2')).toMatchObject({ transport: 'UDP', host: '192.0.2.2', port: 5070 });
  });

  it('notes what an analyser should know about the branch', () => {
    expect(problems('SIP/2.0/UDP 192.0.2.1')).toEqual(['note: no branch parameter: RFC 2543-style transaction matching (RFC 3261 §17.2.3)']);
    expect(problems('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK')).toEqual([
      'note: branch is only the magic cookie z9hG4bK: no transaction identifier (RFC 4475 §3.2.1)',
    ]);
    expect(problems('SIP/2.0/UDP 192.0.2.1;branch=abc')).toEqual([
      "note: branch 'abc' lacks the z9hG4bK magic cookie (RFC 3261 §8.1.1.7): pre-RFC 3261 sender",
    ]);
  });

  it('reports what is wrong', () => {
    expect(problems('SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw')).toEqual(['error: protocol version SIP/7.0 is not SIP/2.0']);
    expect(problems('SIP/2.0 host;branch=z9hG4bK1')[0]).toMatch(/^error: malformed sent-protocol/);
    expect(problems('SIP/2.0/UDP;branch=z9hG4bK1')).toEqual([
      'error: whitespace expected between the transport and sent-by',
      'error: Via sent-by has no host',
    ]);
    expect(problems('SIP/2.0/UDP h;branch=z9hG4bK1;rport=x')).toEqual(["error: invalid rport value 'x'"]);
  });
});

describe('parseViaList', () => {
  it('reads several via-parms, top first, and reports stray commas (RFC 4475 §3.1.2.1)', () => {
    expect(parseViaList('SIP/2.0/UDP a;branch=z9hG4bK1 , SIP/2.0/TCP b:5061;branch=z9hG4bK2').map((v) => v.host)).toEqual(['a', 'b']);
    const sink: ProblemSink = {};
    const vias = parseViaList('SIP/2.0/UDP 192.0.2.15;;,;,,', sink);
    expect(vias[0].problems?.map((p) => p.message)).toEqual([
      "empty parameter (';' with no name)",
      "empty parameter (';' with no name)",
      'no branch parameter: RFC 2543-style transaction matching (RFC 3261 §17.2.3)',
    ]);
    expect(sink.problems?.map((p) => p.message)).toEqual(["empty via-parm (stray ',')", "empty via-parm (stray ',')"]);
  });
});
