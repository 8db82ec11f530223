/**
 * `sipscope explain` through explainCommand, with stdout and stderr captured: text and JSON output, exit
 * codes, generic entries, and control characters from the command line escaped before they reach a terminal.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { explainCommand } from '../../src/cli/explain.js';

let stdout = '';
let stderr = '';

beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sipscope explain', () => {
  it('prints a response code with its reason phrase, IMS meaning, sources and see-also', async () => {
    expect(await explainCommand(['183'])).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('183 Session Progress  (SIP response)');
    expect(stdout).toMatch(/^ {2}In IMS: In VoLTE the callee answers the INVITE with a reliable 183/m);
    expect(stdout).toContain('  Sources: RFC 3261 §21.1.5; 3GPP TS 24.229 §5.1.4\n');
    expect(stdout).toContain('  See also: PRACK, 100rel, precondition, P-Early-Media, call-setup\n');
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(stderr).toBe('');
  });

  it('prints every term given, with compact forms, and the flow of a procedure', async () => {
    expect(await explainCommand(['PRACK', 'i', 'registration'])).toBe(0);
    expect(stdout).toContain('PRACK  (SIP method)\n');
    expect(stdout).toContain('Call-ID  (SIP header field)\n  Compact form: i\n');
    expect(stdout).toContain('\nRegistration  (IMS procedure)\n');
    expect(stdout).toContain('  Typical flow:\n    UE → P-CSCF: REGISTER');
    expect(stdout.split('\n\n')).toHaveLength(3);
  });

  it('says when an entry is generic, and still exits 0', async () => {
    expect(await explainCommand(['299', 'FOO'])).toBe(0);
    expect(stdout).toContain('2xx Success  (SIP response, generic entry: not in the reference base)\n');
    expect(stdout).toContain('Extension method FOO  (SIP method, generic entry: not in the reference base)\n');
  });

  it('exits 1 and names the term when nothing matches', async () => {
    expect(await explainCommand(['183', 'hello world'])).toBe(1);
    expect(stdout).toMatch(/^183 Session Progress/);
    expect(stderr).toBe("sipscope: no reference entry for 'hello world'\n");
  });

  it('escapes control characters that come from the command line', async () => {
    expect(await explainCommand(['X-Evil\x1b[2J-Header', 'evil\x1b]0;title\x07\u009b'])).toBe(1);
    expect(stdout).toBe('');
    // eslint-disable-next-line no-control-regex
    expect(stderr.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(stderr).toBe("sipscope: no reference entry for 'X-Evil\\x1b[2J-Header'\nsipscope: no reference entry for 'evil\\x1b]0;title\\x07\\x9b'\n");
  });

  it('prints JSON: one object per term with its entries', async () => {
    expect(await explainCommand(['--format', 'json', 'replaces', '4xx', 'SERVICE\u009b', 'X-Custom'])).toBe(1);
    expect(stdout).not.toMatch(/\u009b/);
    const parsed = JSON.parse(stdout) as Array<{ term: string; entries: Array<{ kind: string; key: string; generic?: boolean; sources: unknown[] }> }>;
    expect(stdout).toContain('"term": "SERVICE\\u009b"');
    expect(parsed.map((r) => r.term)).toEqual(['replaces', '4xx', 'SERVICE\u009b', 'X-Custom']);
    expect(parsed[0].entries.map((e) => `${e.kind}:${e.key}`)).toEqual(['header:Replaces', 'option-tag:replaces']);
    expect(parsed[1].entries[0]).toMatchObject({ kind: 'response', key: '4xx', title: '4xx Client Error' });
    expect(parsed[2].entries).toEqual([]);
    expect(parsed[3].entries[0]).toMatchObject({ kind: 'header', key: 'X-Custom', generic: true });
    expect(stderr).toBe("sipscope: no reference entry for 'SERVICE\\x9b'\n");
  });

  it('rejects a missing term and unknown options as usage errors (exit 2 in main)', async () => {
    await expect(explainCommand([])).rejects.toThrow(UsageError);
    await expect(explainCommand(['183', '--verbose'])).rejects.toThrow("unknown option '--verbose'");
    await expect(explainCommand(['183', '--format', 'xml'])).rejects.toThrow(/takes one of text, json/);
  });

  it('prints its usage with --help', async () => {
    expect(await explainCommand(['--help'])).toBe(0);
    expect(stdout).toMatch(/^Usage: sipscope explain TERM\.\.\. \[--format text\|json\]/);
  });
});
