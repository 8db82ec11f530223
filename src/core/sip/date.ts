/**
 * Date = "Date" HCOLON SIP-date; SIP-date = rfc1123-date (RFC 3261 §20.17, §25.1):
 *   rfc1123-date = wkday "," SP date1 SP time SP "GMT"
 *   date1 = 2DIGIT SP month SP 4DIGIT;  time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
 * Only GMT is allowed (RFC 4475 §3.1.2.12 sends EST).
 */
import { isDigit } from './chars.js';

const WKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function digits(s: string, i: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (!isDigit(s.charCodeAt(i + k))) return false;
  return true;
}

/** Returns what is wrong with a SIP Date value, or undefined when it is a valid rfc1123-date. */
export function checkSipDate(s: string): string | undefined {
  const v = s.trim();
  const lastSp = v.lastIndexOf(' ');
  const zone = lastSp >= 0 ? v.substring(lastSp + 1) : '';
  if (zone.toUpperCase() !== 'GMT') {
    return `time zone must be GMT, found '${zone}' (RFC 3261 §20.17)`;
  }
  // "Sat, 15 Oct 2005 04:44:56 GMT": fixed positions.
  const ok =
    v.length === 29 &&
    WKDAYS.includes(v.substring(0, 3)) &&
    v.charAt(3) === ',' &&
    v.charAt(4) === ' ' &&
    digits(v, 5, 2) &&
    v.charAt(7) === ' ' &&
    MONTHS.includes(v.substring(8, 11)) &&
    v.charAt(11) === ' ' &&
    digits(v, 12, 4) &&
    v.charAt(16) === ' ' &&
    digits(v, 17, 2) &&
    v.charAt(19) === ':' &&
    digits(v, 20, 2) &&
    v.charAt(22) === ':' &&
    digits(v, 23, 2);
  return ok ? undefined : `'${v}' is not an RFC 1123 date like 'Sat, 13 Nov 2010 23:29:00 GMT' (RFC 3261 §20.17)`;
}
