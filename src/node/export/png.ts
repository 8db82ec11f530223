/**
 * The ladder as PNG (issue 8: "svg and png of the ladder with aliases and notes"): the SVG export rasterised with
 * resvg (a Rust renderer with no browser and no network: the SVG has no external reference anyway).
 *
 * - Fonts: the system's, with DejaVu Sans / DejaVu Sans Mono for the SVG's generic `sans-serif` / `monospace`
 *   families. The SVG wraps note text at DejaVu Sans's advance (ladder-svg.ts), so with DejaVu the text fits the
 *   boxes it was laid out for; any other sans is narrower, never wider.
 * - Scale: 2 (each CSS pixel of the SVG is 2×2 image pixels), so 10-pixel labels stay readable when the image is
 *   shown at its natural size on a high-density screen or zoomed in a bug tracker. Lowered for pages so large
 *   their pixels would pass MAX_PIXELS (a ladder of very many hosts), so memory stays bounded.
 * - Long ladders: one image of a thousand arrows would be tens of thousands of pixels tall (and hundreds of MB
 *   of pixels while rendering), which no viewer shows usefully. `ladderPngPages` cuts the ladder into pages of
 *   about PAGE_HEIGHT CSS pixels with ladderPages (the HTML export's page cutter: arrows are never split, each
 *   page repeats the host columns); the header band (title, calls, call notes) is on the first page only.
 * - Memory: resvg's pixmaps live in native memory V8 does not count, so nothing prompts a garbage collection
 *   to free them: rendering 12 pages one after the other in one thread held all 12 (710 MB peak RSS for the
 *   50-call ladder of the loaded SIPp fixture). `ladderPngPages` renders each page in a short-lived worker
 *   thread, whose native memory goes with it: the peak stays that of one page (and the event loop of the
 *   caller, the app's main process too, is not blocked while it renders).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { ladderGeometry, ladderPages, ladderSvg } from '../../core/export/ladder-svg.js';
import type { Report } from '../../core/export/report-input.js';

/** Image pixels per SVG pixel. */
export const PNG_SCALE = 2;
/** Height of a page of the ladder, in SVG pixels (about 50 messages; 4,000 image pixels at PNG_SCALE). */
export const PAGE_HEIGHT = 2000;
/** Most pixels one image may have (RGBA: 4 bytes each while rendering); the scale gives way beyond it. */
export const MAX_PIXELS = 40_000_000;

export interface LadderImage {
  png: Uint8Array;
  width: number;
  height: number;
  /** Image pixels per SVG pixel actually used (PNG_SCALE unless the page was too large for it). */
  scale: number;
  /** The arrows `[first, last)` of the report's ladder drawn on it. */
  first: number;
  last: number;
}

/** The SVG's own size (its `width` and `height` attributes, which ladderSvg always writes). */
function svgSize(svg: string): { width: number; height: number } {
  const open = /^<svg\b[^>]*>/.exec(svg);
  const width = open ? /\swidth="(\d+(?:\.\d+)?)"/.exec(open[0]) : null;
  const height = open ? /\sheight="(\d+(?:\.\d+)?)"/.exec(open[0]) : null;
  if (!width || !height) throw new Error('ladderPng: the SVG has no width and height');
  return { width: Number(width[1]), height: Number(height[1]) };
}

/** The scale for an SVG of this size: PNG_SCALE, or less so the image stays within MAX_PIXELS. */
export function scaleFor(width: number, height: number): number {
  const fit = Math.sqrt(MAX_PIXELS / Math.max(1, width * height));
  return Math.min(PNG_SCALE, Math.floor(fit * 100) / 100);
}

function renderOptions(zoom: number): ResvgRenderOptions {
  return {
    fitTo: { mode: 'zoom', value: zoom },
    font: { sansSerifFamily: 'DejaVu Sans', monospaceFamily: 'DejaVu Sans Mono', loadSystemFonts: true },
    // The SVG paints its own white background; this only covers rounding at the edges.
    background: '#ffffff',
    logLevel: 'off',
  };
}

export interface RenderedPng {
  png: Uint8Array;
  width: number;
  height: number;
  scale: number;
}

/** Rasterises one SVG document (a ladder or a page of one) to PNG at `scale` (default: scaleFor its size), in this thread. */
export function ladderImage(svg: string, scale?: number): RenderedPng {
  const size = svgSize(svg);
  const zoom = scale ?? scaleFor(size.width, size.height);
  const image = new Resvg(svg, renderOptions(zoom)).render();
  const png = image.asPng();
  return { png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width: image.width, height: image.height, scale: zoom };
}

/** One SVG document as PNG bytes. */
export function ladderPng(svg: string): Uint8Array {
  return ladderImage(svg).png;
}

/**
 * The worker's code (CommonJS, as `eval` workers run): render, post the PNG, exit. Inline rather than a file of
 * its own so that it runs the same from the compiled CLI, the tests (TypeScript sources) and the app's bundle.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Resvg } = require(workerData.resvg);
const image = new Resvg(workerData.svg, workerData.options).render();
const png = image.asPng();
parentPort.postMessage({ png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width: image.width, height: image.height });
`;

/** As ladderImage, in a worker thread that ends with the render (see the header: native memory). */
export async function ladderImageInWorker(svg: string, scale?: number): Promise<RenderedPng> {
  const size = svgSize(svg);
  const zoom = scale ?? scaleFor(size.width, size.height);
  const resvg = createRequire(import.meta.url).resolve('@resvg/resvg-js');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_CODE, { eval: true, workerData: { resvg, svg, options: renderOptions(zoom) } });
    let result: RenderedPng | undefined;
    let failure: Error | undefined;
    worker.once('message', (m: { png: Uint8Array; width: number; height: number }) => {
      result = { png: m.png, width: m.width, height: m.height, scale: zoom };
    });
    worker.once('error', (error) => {
      failure = error;
    });
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`The PNG renderer failed: ${failure?.message ?? `it exited with code ${code}`}`, { cause: failure }));
    });
  });
}

/**
 * The report's ladder as PNG pages (one when it fits PAGE_HEIGHT), rendered one after the other, each in its own
 * worker. A report without messages gives one image (the header and an empty ladder).
 */
export async function ladderPngPages(report: Report): Promise<LadderImage[]> {
  const geometry = ladderGeometry(report);
  // The width given is the ladder's own: pages are cut by height only, never scaled down to a page width.
  const pages = ladderPages(report, Math.max(geometry.width, 480), PAGE_HEIGHT, geometry);
  if (pages.length === 0) pages.push({ first: 0, last: 0 });
  const images: LadderImage[] = [];
  for (const [i, page] of pages.entries()) {
    const svg = ladderSvg(report, { first: page.first, last: page.last, geometry, header: i === 0 });
    images.push({ ...(await ladderImageInWorker(svg)), first: page.first, last: page.last });
  }
  return images;
}
