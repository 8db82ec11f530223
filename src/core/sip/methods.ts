/**
 * SIP methods (RFC 3261 §7.1 and the IANA "Methods and Response Codes" registry). Known methods are
 * interned so that parsing one costs no string allocation, and the detector uses the set to accept a
 * request line that lacks its SIP-Version (RFC 4475 test.dat).
 */

export const KNOWN_METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'REGISTER',
  'OPTIONS',
  'PRACK',
  'UPDATE',
  'INFO',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
] as const;

const byLength: string[][] = [];
const codesOf = new Map<string, Uint8Array>();
for (const m of KNOWN_METHODS) {
  (byLength[m.length] ??= []).push(m);
  codesOf.set(m, Uint8Array.from(m, (c) => c.charCodeAt(0)));
}

/** The method in bytes [start, end) as a string; a known method (exact case) returns its interned constant. */
export function internMethodBytes(src: { bytes: Uint8Array; str(start: number, end: number): string }, start: number, end: number): string {
  const candidates = byLength[end - start];
  if (candidates) {
    const b = src.bytes;
    for (const m of candidates) {
      const codes = codesOf.get(m) as Uint8Array;
      let k = 0;
      while (k < codes.length && b[start + k] === codes[k]) k++;
      if (k === codes.length) return m;
    }
  }
  return src.str(start, end);
}

/** True for a known method name, compared case-insensitively (for detection of garbled start lines). */
export function isKnownMethodBytes(bytes: Uint8Array, start: number, end: number): boolean {
  const candidates = byLength[end - start];
  if (!candidates) return false;
  for (const m of candidates) {
    let k = 0;
    while (k < m.length && (bytes[start + k] & 0xdf) === m.charCodeAt(k)) k++;
    if (k === m.length) return true;
  }
  return false;
}
