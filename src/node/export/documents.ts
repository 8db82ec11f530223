/**
 * The document exports of a Report as files (issue 8), shared by `sipscope export` and the app's Export…:
 * HTML, SVG, Markdown, JSON (one file each) and PNG (one file, or `OUT-1.png`, `OUT-2.png`... for a ladder taller
 * than a page). Written by writeFiles (whole or nothing, no overwrite without force).
 */
import { extname } from 'node:path';
import { htmlReport } from '../../core/export/html.js';
import { jsonReport } from '../../core/export/json.js';
import { ladderSvg } from '../../core/export/ladder-svg.js';
import { markdownReport } from '../../core/export/markdown.js';
import type { Report } from '../../core/export/report-input.js';
import { ladderPngPages } from './png.js';
import type { OutputFile } from './write-files.js';

export const DOCUMENT_FORMATS = ['html', 'svg', 'png', 'md', 'json'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** `OUT-2.png` for page 2 of `OUT.png` (`OUT-2` without an extension). */
export function pagePath(out: string, page: number): string {
  const ext = extname(out);
  return `${out.slice(0, out.length - ext.length)}-${page}${ext}`;
}

/** The files of one document export at `out`, and a few words on what they are (`png, 3 pages`). */
export async function documentFiles(format: DocumentFormat, report: Report, out: string): Promise<{ files: OutputFile[]; what: string }> {
  switch (format) {
    case 'html':
      return { files: [{ path: out, data: htmlReport(report) }], what: 'html' };
    case 'svg':
      return { files: [{ path: out, data: ladderSvg(report) }], what: 'svg' };
    case 'md':
      return { files: [{ path: out, data: markdownReport(report) }], what: 'md' };
    case 'json':
      return { files: [{ path: out, data: jsonReport(report) }], what: 'json' };
    case 'png': {
      const pages = await ladderPngPages(report);
      const files = pages.length === 1 ? [{ path: out, data: pages[0].png }] : pages.map((page, i) => ({ path: pagePath(out, i + 1), data: page.png }));
      const first = pages[0];
      return { files, what: pages.length === 1 ? `png, ${first.width}×${first.height}` : `png, ${pages.length} pages` };
    }
  }
}
