// Escaping for every export. SIP text is hostile (anyone can put `<script>`, `</svg>`, `]]>`, NUL or a bidi
// override in a display name, a header or an SDP line), so every export goes through these functions, and no
// export builds markup from captured text any other way.
//
// Two jobs, in this order:
// 1. `visibleText`: characters that cannot be shown faithfully become visible placeholders. XML 1.0 §2.2 cannot
//    carry C0 controls other than TAB, LF and CR at all (not even as character references), so a NUL in a header
//    would make the SVG not well-formed; bidi controls would reorder what is displayed (the "Trojan Source"
//    problem, CVE-2021-42574), so a reader could see a header that is not the one on the wire. Each becomes a
//    placeholder that says what was there: U+2400..U+241F control pictures for C0, `⟦U+202E⟧` for the rest.
// 2. Markup escaping, so text stays text whatever it contains.

/** Bidirectional formatting characters (Unicode UAX #9 §2): embeddings, overrides, isolates and marks. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** U+2400 + c: the control picture of a C0 control; DEL has its own at U+2421. */
function controlPicture(code: number): string {
  return code === 0x7f ? '\u2421' : String.fromCharCode(0x2400 + code);
}

function codePoint(code: number): string {
  return `\u27e6U+${code.toString(16).toUpperCase().padStart(4, '0')}\u27e7`;
}

/**
 * The text with every character that cannot be displayed as itself replaced by a visible placeholder: C0
 * controls except TAB / LF / CR and DEL as control pictures (NUL → ␀), C1 controls, bidi controls,
 * non-characters U+FFFE / U+FFFF and lone surrogates as `⟦U+XXXX⟧`. Plain text passes unchanged (and fast).
 */
export function visibleText(text: string): string {
  // The common case: printable text, nothing to replace.
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20) {
      out += code === 0x09 || code === 0x0a || code === 0x0d ? text[i] : controlPicture(code);
    } else if (code === 0x7f) {
      out += controlPicture(code);
    } else if (code >= 0x80 && code <= 0x9f) {
      out += codePoint(code);
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
      } else out += codePoint(code);
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += codePoint(code);
    } else if (code === 0xfffe || code === 0xffff || BIDI.test(text[i])) {
      out += codePoint(code);
    } else out += text[i];
  }
  return out;
}

/** Text as XML / HTML character data: `visibleText`, then `& < > " '` as references (safe in any element). */
export function escapeXml(text: string): string {
  return visibleText(text).replace(/[&<>"']/g, (c) => ENTITY[c]);
}

/**
 * Text as a quoted XML / HTML attribute value. Besides `escapeXml`, TAB, LF and CR become character references:
 * attribute-value normalisation (XML 1.0 §3.3.3) would otherwise turn them into spaces.
 */
export function escapeAttribute(text: string): string {
  return escapeXml(text).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for Markdown prose (a note, a call's From): `visibleText`, HTML's special characters as entities (most
 * Markdown renderers pass raw HTML through, so `<script>` must not reach them as a tag), Markdown's punctuation
 * backslash-escaped (CommonMark §2.4) so a note cannot turn into a link, an image, emphasis, a table cell or (at its
 * start) a heading or a list item, and line breaks
 * as spaces (the text stays on its list item).
 */
export function escapeMarkdown(text: string): string {
  return visibleText(text)
    .replace(/\r\n|[\r\n\t]/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[&<>"]/g, (c) => ENTITY[c])
    // Block markers count only at the start of a line: a heading (`#`), a list item (`-`, `+`, `1.`), a quote (`>` is an entity by now).
    .replace(/^(\s*)([#+-]|\d+[.)])(?=[\s-]|$)/, (_, space: string, marker: string) => `${space}${marker.replace(/[#+\-.)]/, (c) => `\\${c}`)}`);
}

/**
 * A fenced code block (CommonMark §4.5) holding `text` verbatim: the fence is one backtick longer than the
 * longest run of backticks inside, so nothing in the text can close it early.
 */
export function markdownCodeBlock(text: string, info = ''): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${visibleText(text)}\n${fence}`;
}
