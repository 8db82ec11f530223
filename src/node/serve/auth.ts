// Who may talk to `sipscope serve`. The server reads traces on the machine it runs on, and a browser page
// from any web site can make requests to 127.0.0.1, so every request must prove it holds the secret printed
// on the terminal (the Jupyter model), and the WebSocket upgrade must come from our own page:
//  - the access token: 256 random bits, base64url, in the printed URL (`/?token=…`) and in the page's
//    WebSocket URL; compared in constant time so response timing leaks nothing about it;
//  - the Host header (DNS rebinding: a hostile site whose name is re-pointed at 127.0.0.1 becomes "same
//    origin" with us in the browser's eyes, but its requests still carry its own name in Host);
//  - the Origin header of the upgrade: browsers always send it on WebSocket handshakes (RFC 6455 §4.1 item 8,
//    §10.2), and a WebSocket is not bound by the same-origin policy, so the server must check it itself.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** A fresh access token: 32 random bytes, base64url (43 characters, URL-safe, no padding). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * True when `given` is exactly `expected`, in time that does not depend on where they differ. Both are
 * hashed first so that `timingSafeEqual` compares equal lengths and the length of the secret does not leak.
 */
export function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** True for addresses that only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./i.test(bare);
  return false;
}

/** `host:port` as it appears in a URL or a Host header (IPv6 literals in brackets, RFC 3986 §3.2.2). */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The Host header values a request may carry, or null for "any". On a loopback address the server can
 * only be reached as 127.0.0.1, localhost or ::1, so anything else is a rebinding attempt. On a
 * non-loopback address the users' names for the machine cannot be known in advance (a lab server's DNS
 * name, an IP behind NAT): the token is then the guard, and the Origin check below still applies.
 */
export function allowedHosts(boundHost: string, port: number): Set<string> | null {
  if (!isLoopbackHost(boundHost)) return null;
  return new Set(['127.0.0.1', 'localhost', '::1', boundHost].map((h) => hostPort(h, port).toLowerCase()));
}

/** Why a Host header is refused, or null when it is acceptable. */
export function checkHost(hostHeader: string | undefined, allowed: Set<string> | null): string | null {
  if (!hostHeader) return 'the request has no Host header';
  if (allowed && !allowed.has(hostHeader.toLowerCase())) return `Host "${hostHeader}" is not this server's address`;
  return null;
}

/** A Host header as `URL.host` spells it (lower case, default port 80 dropped), or '' when it is not one. */
function normalHost(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).host.toLowerCase();
  } catch {
    return '';
  }
}

/**
 * Why the Origin of a WebSocket upgrade is refused, or null. A browser always sends Origin; it must be the
 * page this server served (`http://` + the Host the request was sent to). A client that is not a browser
 * (a script using the token) sends none, and has nothing to gain from a forged one.
 */
export function checkOrigin(originHeader: string | undefined, hostHeader: string | undefined): string | null {
  if (originHeader === undefined) return null;
  let origin: URL;
  try {
    origin = new URL(originHeader);
  } catch {
    return `Origin "${originHeader}" is not a URL`;
  }
  if (origin.protocol !== 'http:' || !hostHeader || origin.host.toLowerCase() !== normalHost(hostHeader)) {
    return `Origin "${originHeader}" is not a sipscope page of this server`;
  }
  return null;
}
