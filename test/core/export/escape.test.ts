// The escaping every export goes through: tables of input → output.
import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeMarkdown, escapeXml, markdownCodeBlock, visibleText } from '../../../src/core/export/escape.js';
import { callsCsv, csvText } from '../../../src/core/export/csv.js';
import type { CallSummary } from '../../../src/shared/api.js';

describe('visibleText', () => {
  it.each([
    ['plain text', 'plain text'],
    ['tab\tline\nreturn\r', 'tab\tline\nreturn\r'],
    ['nul\u0000bel\u0007esc\u001b', 'nul\u2400bel\u2407esc\u241b'],
    ['del\u007f', 'del\u2421'],
    ['c1\u0085', 'c1\u27e6U+0085\u27e7'],
    ['rlo\u202eolr\u202c', 'rlo\u27e6U+202E\u27e7olr\u27e6U+202C\u27e7'],
    ['isolate\u2066x\u2069', 'isolate\u27e6U+2066\u27e7x\u27e6U+2069\u27e7'],
    ['mark\u200f', 'mark\u27e6U+200F\u27e7'],
    ['lone\ud800 surrogate', 'lone\u27e6U+D800\u27e7 surrogate'],
    ['pair \ud83d\udcde ok', 'pair \ud83d\udcde ok'],
    ['noncharacter\uffff', 'noncharacter\u27e6U+FFFF\u27e7'],
    ['Ünïcödé 日本', 'Ünïcödé 日本'],
  ])('%j → %j', (input, output) => {
    expect(visibleText(input)).toBe(output);
  });
});

describe('escapeXml and escapeAttribute', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['</svg><script>', '&lt;/svg&gt;&lt;script&gt;'],
    [']]>', ']]&gt;'],
    [`"'&`, '&quot;&#39;&amp;'],
    ['&amp;', '&amp;amp;'],
    ['a\u0000b', 'a\u2400b'],
  ])('escapeXml(%j) = %j', (input, output) => {
    expect(escapeXml(input)).toBe(output);
  });

  it('keeps line breaks and tabs of attribute values as references (attribute normalisation would eat them)', () => {
    expect(escapeAttribute('a\tb\nc\rd "e"')).toBe('a&#9;b&#10;c&#13;d &quot;e&quot;');
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['plain words', 'plain words'],
    ['<script>x</script>', '&lt;script&gt;x&lt;/script&gt;'],
    ['[click](javascript:alert(1))', '\\[click\\](javascript:alert(1))'],
    ['![img](http://x/y.png)', '!\\[img\\](http://x/y.png)'],
    ['*bold* _it_ `code` a|b ~s~', '\\*bold\\* \\_it\\_ \\`code\\` a\\|b \\~s\\~'],
    ['# heading', '\\# heading'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item'],
    ['sip:+12125550101@x', 'sip:+12125550101@x'],
    ['two\nlines', 'two lines'],
    ['back\\slash', 'back\\\\slash'],
  ])('%j → %j', (input, output) => {
    expect(escapeMarkdown(input)).toBe(output);
  });

  it('fences a code block longer than any backtick run inside it', () => {
    expect(markdownCodeBlock('a ``` b', 'text')).toBe('````text\na ``` b\n````');
    expect(markdownCodeBlock('plain')).toBe('```\nplain\n```');
  });
});

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+2', "'=1+2"],
    ['+33 1 23', "'+33 1 23"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['line\nbreak', '"line\nbreak"'],
    ['nul\u0000', 'nul\u2400'],
  ])('csvText(%j) = %j', (input, output) => {
    expect(csvText(input)).toBe(output);
  });

  it('writes a header and one CRLF-ended record per call, numbers as numbers', () => {
    const call: CallSummary = {
      index: 3,
      callId: '-abc@h',
      annotation: null,
      state: 'COMPLETED',
      kind: 'call-setup',
      procedures: ['call-setup', 'call-release'],
      from: 'sip:a@x',
      to: 'tel:+1',
      start: 1_700_000_000.5,
      end: 1_700_000_010,
      messages: 12,
      session: 0,
      postDialDelayMs: 141,
      answerTimeMs: null,
      setupTimeMs: 6750.25,
      durationMs: -1,
      findings: [{ severity: 'warning', code: 'x', message: '=danger' }],
    };
    const lines = callsCsv([call]).split('\r\n');
    expect(lines[0]).toBe('index,call_id,state,kind,procedures,from,to,start_utc,end_utc,messages,post_dial_delay_ms,answer_time_ms,setup_time_ms,duration_ms,errors,warnings,findings');
    expect(lines[1]).toBe("3,'-abc@h,COMPLETED,call-setup,call-setup call-release,sip:a@x,tel:+1,2023-11-14 22:13:20.500000Z,2023-11-14 22:13:30.000000Z,12,141,,6750.25,-1,0,1,warning: =danger");
    expect(lines[2]).toBe('');
  });
});
