// The built renderer (out/renderer: index.html + assets/), served read-only. Only regular files inside
// that folder can be reached: the URL path is decoded once, any `.`/`..` segment, backslash or NUL is
// refused, and the resolved real path (symbolic links followed) must still be inside the folder.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

/** Content types of what Vite emits (RFC 9239 for JavaScript, RFC 8081 for fonts). */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The file a URL path names inside `root` (which must be a real path, see `realpath`), or null when there
 * is none or the path tries to leave the folder. `/` is index.html.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed %-escape
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.slice(1).split('/');
  if (segments[segments.length - 1] === '') segments[segments.length - 1] = 'index.html';
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  const lexical = join(root, ...segments);
  if (!inside(root, lexical)) return null;
  try {
    const real = await realpath(lexical);
    if (!inside(root, real)) return null; // a symbolic link pointing out of the folder
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  const path = await resolveStaticFile(root, urlPath);
  if (path === null) return null;
  try {
    return { body: await readFile(path), contentType: contentTypeOf(path) };
  } catch {
    return null;
  }
}

/**
 * The Content-Security-Policy of the page, read from its `<meta http-equiv>` so the header and the meta
 * tag cannot drift apart (src/renderer/index.html explains each directive). Null when there is none.
 */
export function pageCsp(indexHtml: string): string | null {
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(indexHtml);
  return meta ? meta[1].trim() : null;
}
