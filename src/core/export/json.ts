// The report as JSON, in the schema documented in docs/export-json.md: for scripts and for other tools. The
// document is the `Report` itself (plain data) under a `schema` name and version, so what the HTML shows and
// what the JSON carries cannot drift apart.
import type { Report } from './report-input.js';

export const JSON_SCHEMA_NAME = 'sipscope-report';

/**
 * The report as a JSON document (two-space indented). `<`, `>`, `&` and U+2028 / U+2029 are written as `\u`
 * escapes: the text is the same JSON for any parser, and stays inert if someone pastes it into an HTML page or
 * a `<script>` block.
 */
export function jsonReport(report: Report): string {
  const document = { schema: JSON_SCHEMA_NAME, ...report };
  return `${JSON.stringify(document, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
