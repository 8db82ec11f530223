/**
 * Scanner tests: tokens with their spans, as wireshark-filter(4) and Wireshark 4.0's scanner.l cut a filter
 * (checked with `tshark -Y` 4.0.17: the parser tests run tshark over the whole filters).
 */
import { describe, expect, it } from 'vitest';
import { scanFilter, type Token } from '../../../src/core/filter/scanner.js';

/** `kind:text@start`, with the operator's symbol form for comparisons and the value for strings. */
function show(token: Token): string {
  const extra = token.kind === 'compare' ? `(${token.op})` : token.kind === 'string' ? `=${JSON.stringify(token.value)}` : '';
  return `${token.kind}${extra}:${token.text}@${token.start}`;
}

function tokens(text: string): string[] {
  const result = scanFilter(text);
  if (result.error !== undefined) throw new Error(`${text}: ${result.error.message}`);
  for (const token of result.tokens) expect(text.slice(token.start, token.start + token.length)).toBe(token.text);
  return result.tokens.map(show);
}

describe('scanFilter: tokens', () => {
  it.each<[string, string[]]>([
    ['sip.Method=="INVITE"', ['word:sip.Method@0', 'compare(==):==@10', 'string="INVITE":"INVITE"@12']],
    // An unquoted run is one word: field names keep their "-", addresses their ":" "/" ".".
    ['sip.Status-Code>=400', ['word:sip.Status-Code@0', 'compare(>=):>=@15', 'word:400@17']],
    ['ip.addr==::1', ['word:ip.addr@0', 'compare(==):==@7', 'word:::1@9']],
    ['fe80::1/64 2001:db8::/32 10.0.0.0/8', ['word:fe80::1/64@0', 'word:2001:db8::/32@11', 'word:10.0.0.0/8@25']],
    ['00:50:56:c0:00:08 00-50-56-c0-00-08', ['word:00:50:56:c0:00:08@0', 'word:00-50-56-c0-00-08@18']],
    ['0x1F 1.5 -3 1e-3 INVITE-x', ['word:0x1F@0', 'word:1.5@5', 'word:-3@9', 'word:1e-3@12', 'word:INVITE-x@17']],
    ['frame.time_relative', ['word:frame.time_relative@0']],
    // ".." is never inside a word: it is the range operator of sets.
    ['1..5', ['word:1@0', 'dotdot:..@1', 'word:5@3']],
    ['10.0.0.1..10.0.0.9', ['word:10.0.0.1@0', 'dotdot:..@8', 'word:10.0.0.9@10']],
    ['::1..::ff', ['word:::1@0', 'dotdot:..@3', 'word:::ff@5']],
    // Operators, longest match first: "!" before "=" is "!=", "!==" is any_ne in 4.0.17.
    ['a!=b a!==b a===b a~=b', ['word:a@0', 'compare(!=):!=@1', 'word:b@3', 'word:a@5', 'compare(~=):!==@6', 'word:b@9', 'word:a@11', 'compare(===):===@12', 'word:b@15', 'word:a@17', 'compare(~=):~=@18', 'word:b@20']],
    ['!a ! in !in', ['not:!@0', 'word:a@1', 'not:!@3', 'in:in@5', 'not:!@8', 'in:in@9']],
    ['a~"x" a<b a<=b a>b a>=b', ['word:a@0', 'compare(matches):~@1', 'string="x":"x"@2', 'word:a@6', 'compare(<):<@7', 'word:b@8', 'word:a@10', 'compare(<=):<=@11', 'word:b@13', 'word:a@15', 'compare(>):>@16', 'word:b@17', 'word:a@19', 'compare(>=):>=@20', 'word:b@22']],
    ['&& || ^^ ( ) { } ,', ['and:&&@0', 'or:||@3', 'xor:^^@6', 'lparen:(@9', 'rparen:)@11', 'lbrace:{@13', 'rbrace:}@15', 'comma:,@17']],
    // Word operators are lowercase only (tshark rejects "AND", "EQ"): other spellings are plain words.
    ['and or xor not in any all', ['and:and@0', 'or:or@4', 'xor:xor@7', 'not:not@11', 'in:in@15', 'quantifier:any@18', 'quantifier:all@22']],
    ['eq ne all_eq any_eq all_ne any_ne gt ge lt le contains matches', ['compare(==):eq@0', 'compare(!=):ne@3', 'compare(===):all_eq@6', 'compare(==):any_eq@13', 'compare(!=):all_ne@20', 'compare(~=):any_ne@27', 'compare(>):gt@34', 'compare(>=):ge@37', 'compare(<):lt@40', 'compare(<=):le@43', 'compare(contains):contains@46', 'compare(matches):matches@55']],
    ['AND Eq android notify in.x', ['word:AND@0', 'word:Eq@4', 'word:android@7', 'word:notify@15', 'word:in.x@22']],
    ['not(sip)', ['not:not@0', 'lparen:(@3', 'word:sip@4', 'rparen:)@7']],
    // Brackets: slice ranges up to "," or "]" (trimmed), or a quoted key.
    ['frame[0:2, -4:,3-5]', ['word:frame@0', 'lbracket:[@5', 'range:0:2@6', 'comma:,@9', 'range:-4:@11', 'comma:,@14', 'range:3-5@15', 'rbracket:]@18']],
    ['x[ 0 : 2 ]', ['word:x@0', 'lbracket:[@1', 'range:0 : 2@3', 'rbracket:]@9']],
    ['sip.header["X-Foo"]', ['word:sip.header@0', 'lbracket:[@10', 'string="X-Foo":"X-Foo"@11', 'rbracket:]@18']],
    ['h[ r"a]b" ]', ['word:h@0', 'lbracket:[@1', 'string="a]b":r"a]b"@3', 'rbracket:]@10']],
    // Raw strings: "r" only at the start of a token.
    ['r"a\\b" R"c" ar"d"', ['string="a\\\\b":r"a\\b"@0', 'string="c":R"c"@7', 'word:ar@12', 'string="d":"d"@14']],
    ['len(x, y)', ['word:len@0', 'lparen:(@3', 'word:x@4', 'comma:,@5', 'word:y@7', 'rparen:)@8']],
    [' \t\r\n', []],
  ])('%s', (text, expected) => {
    expect(tokens(text)).toEqual(expected);
  });
});

describe('scanFilter: string escapes (wireshark-filter(4) escape table)', () => {
  it.each<[string, string]>([
    [String.raw`"\" \\ \' \a \b \f \n \r \t \v"`, '" \\ \' \x07 \b \f \n \r \t \v'],
    [String.raw`"\x41\x4a\x4 \101\7\0"`, 'AJ\x04 A\x07\x00'],
    // Escaped bytes are UTF-8 when they form valid UTF-8 (Wireshark strings are bytes), else Latin-1.
    [String.raw`"\xc3\xa9 \303\251 \xe9"`, 'é é é'],
    [String.raw`"\u00e9\U0001F600\u0024"`, 'é😀$'],
    [String.raw`"\1234"`, 'S4'], // at most three octal digits
    [String.raw`"\x414"`, 'A4'], // at most two hex digits
    [String.raw`r"\x41\"\\"`, String.raw`\x41\"\\`], // raw: backslashes kept, \" does not close
    ['"multi\nline"', 'multi\nline'],
  ])('%s', (text, value) => {
    const result = scanFilter(text);
    expect(result.error).toBeUndefined();
    expect(result.tokens).toHaveLength(1);
    expect(result.tokens[0]).toMatchObject({ kind: 'string', value, start: 0, length: text.length });
  });
});

describe('scanFilter: errors', () => {
  it.each<[string, string, number, number]>([
    ['a == "abc', 'Unterminated string: the closing " is missing', 5, 4],
    ['a == "abc\\', 'Unterminated string: the closing " is missing', 5, 5],
    ['a == r"abc\\"', 'Unterminated string: the closing " is missing', 5, 7],
    ['"\\q"', 'Invalid escape \\q in string', 1, 2],
    ['"\\8"', 'Invalid escape \\8 in string', 1, 2],
    ['"\\😀"', 'Invalid escape \\😀 in string', 1, 3],
    ['"\\\u0007"', 'Invalid escape \\ followed by U+0007 in string', 1, 2],
    ['"\\777"', 'Invalid escape \\777 in string: the value is larger than 255', 1, 4],
    ['"\\xg"', 'Invalid escape \\x in string: \\x needs one or two hex digits', 1, 2],
    ['"\\u00"', 'Invalid escape \\u00 in string: \\u needs 4 hex digits', 1, 4],
    ['"\\U0001F60"', 'Invalid escape \\U0001F60 in string: \\U needs 8 hex digits', 1, 9],
    ['"\\u0041"', 'Invalid escape \\u0041 in string: write characters below U+00A0 as \\x41', 1, 6],
    ['"\\ud800"', 'Invalid escape \\ud800 in string: not a Unicode character', 1, 6],
    ['"\\U00110000"', 'Invalid escape \\U00110000 in string: not a Unicode character', 1, 10],
    ['a $ b', 'Unexpected character "$"', 2, 1],
    ['a @b', 'Unexpected character "@"', 2, 1],
    ['a\u00a0b', 'Unexpected character U+00A0', 1, 1],
    ['😀', 'Unexpected character "😀"', 0, 2],
    ['.a', 'Unexpected character "."', 0, 1],
    ['a = b', 'Unexpected "=": did you mean "=="?', 2, 1],
    ['a ^ b', 'Unexpected "^": did you mean "^^"?', 2, 1],
    ['a => 1', 'Unexpected "=>": did you mean ">="?', 2, 2],
    ['a=<1', 'Unexpected "=<": did you mean "<="?', 1, 2],
    ['a =! 1', 'Unexpected "=!": did you mean "!="?', 2, 2],
    ['a <> 1', 'Unexpected "<>": did you mean "!="?', 2, 2],
    ['a - b', 'Unexpected "-": arithmetic is not supported', 2, 1],
    ['a * 2', 'Unexpected "*": arithmetic is not supported', 2, 1],
    ['a / 2', 'Unexpected "/": arithmetic is not supported', 2, 1],
    ['a % 2', 'Unexpected "%": arithmetic is not supported', 2, 1],
    ["a == '\\n'", `Character constants such as 'a' are not supported: write the number or a "string"`, 5, 4],
    ["a == 'x", `Character constants such as 'a' are not supported: write the number or a "string"`, 5, 2],
    ['x bitand 1', 'Unexpected "bitand": bitwise operators are not supported', 2, 6],
    ['frame[0:2', 'Unbalanced bracket: this "[" is never closed', 5, 1],
    ['h["a', 'Unterminated string: the closing " is missing', 2, 2],
  ])('%s', (text, message, start, length) => {
    expect(scanFilter(text).error).toEqual({ message, start, length });
  });

  it('returns the tokens before the problem, and none from an unclosed bracket', () => {
    expect(scanFilter('sip and "abc').tokens.map(show)).toEqual(['word:sip@0', 'and:and@4']);
    expect(scanFilter('a == b[0:2 == c').tokens.map(show)).toEqual(['word:a@0', 'compare(==):==@2', 'word:b@5']);
  });
});
