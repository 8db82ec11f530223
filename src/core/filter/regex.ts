import { RE2JS, RE2JSSyntaxException } from 're2js';

/** A compiled `matches` pattern. */
export interface FilterRegex {
  test(text: string): boolean;
}

/** Why a pattern was refused: a message, and where in the pattern (code units) when known. */
export interface FilterRegexError {
  message: string;
  offset: number;
  length: number;
}

/**
 * Compiles the pattern of a `matches` test.
 *
 * Wireshark uses PCRE2, case-insensitive by default (wireshark-filter(4), 4.0: `matches` ignores case
 * unless the pattern says `(?-i)`). We use RE2 (the `re2js` port), whose matching time is linear in the
 * text whatever the pattern: a pattern such as `(a+)+$` over a long header cannot hang the app, which a
 * backtracking engine would. The price is PCRE features that need backtracking: backreferences (`\1`)
 * and lookaround (`(?=`, `(?<=`) are refused with a message saying so. Everything else engineers write
 * (classes, alternation, anchors, counted repetition, `(?i)`/`(?-i)`, named groups) works as in PCRE.
 */
export function compileFilterRegex(pattern: string): FilterRegex | FilterRegexError {
  const unsupported = backtrackingFeature(pattern);
  if (unsupported) return unsupported;
  try {
    return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) {
      // RE2JS reports the pattern with the case flag it prepended.
      const fragment = (error.getPattern() ?? '').replace(/^\(\?i\)/, '');
      const offset = fragment ? pattern.indexOf(fragment) : -1;
      return {
        message: `Invalid regular expression: ${error.getDescription()}${fragment ? ` at "${fragment}"` : ''}`,
        offset: Math.max(0, offset),
        length: offset >= 0 ? fragment.length : pattern.length,
      };
    }
    return { message: `Invalid regular expression: ${String(error)}`, offset: 0, length: pattern.length };
  }
}

/** PCRE features that only a backtracking engine has, with a message that says why they are refused. */
function backtrackingFeature(pattern: string): FilterRegexError | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k' || next === 'g') {
        return { message: `Backreferences (\\${next}) are not supported: patterns run in linear time so that no filter can hang`, offset: i, length: 2 };
      }
      i++;
    } else if (c === '(' && pattern[i + 1] === '?') {
      const look = pattern.slice(i + 2, i + 4);
      if (look.startsWith('=') || look.startsWith('!') || look === '<=' || look === '<!') {
        const text = `(?${look.startsWith('<') ? look : look[0]}`;
        return { message: `Lookaround ${text} is not supported: patterns run in linear time so that no filter can hang`, offset: i, length: text.length };
      }
      if (look.startsWith('>')) return { message: 'Atomic groups (?> are not supported (and not needed: patterns run in linear time)', offset: i, length: 3 };
    } else if (c === '[') {
      // Skip a character class: `(` and `\1` mean nothing special inside it.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
    }
  }
  return undefined;
}
