/** CSeq = "CSeq" HCOLON 1*DIGIT LWS Method (RFC 3261 §20.16, §25.1). */
import { TOKEN, skipLws, trimEnd, isDigit } from './chars.js';
import { MAX_UINT32, addProblem, parseDecimal } from './scan.js';
import { internMethod } from './methods.js';
import type { CSeq } from './types.js';

/** Parses a CSeq value from s[start, end). Never throws; problems are reported on the result. */
export function parseCSeq(s: string, start = 0, end = s.length): CSeq {
  const cseq: CSeq = { seq: NaN, method: '' };
  let i = skipLws(s, start, end);
  end = trimEnd(s, i, end);
  const numStart = i;
  while (i < end && isDigit(s.charCodeAt(i))) i++;
  const seq = parseDecimal(s, numStart, i);
  if (seq < 0) {
    addProblem(cseq, 'error', `sequence number expected but found '${s.substring(numStart, end)}'`, numStart);
  } else {
    cseq.seq = seq;
    // "The sequence number MUST be expressible as a 32-bit unsigned integer" (RFC 3261 §8.1.1.5).
    if (seq > MAX_UINT32) {
      addProblem(cseq, 'error', `sequence number ${s.substring(numStart, i)} exceeds 2^32-1 (RFC 3261 §8.1.1.5)`, numStart);
    }
  }
  const methodStart = skipLws(s, i, end);
  if (seq >= 0 && methodStart === i && i < end) {
    addProblem(cseq, 'error', 'whitespace expected between the sequence number and the method', i);
  }
  let j = methodStart;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c > 0xff || TOKEN[c] === 0) break;
    j++;
  }
  cseq.method = internMethod(s, methodStart, j);
  if (j === methodStart) addProblem(cseq, 'error', 'method missing', methodStart);
  else if (j < end) addProblem(cseq, 'error', `unexpected '${s.substring(j, end)}' after the method`, j);
  return cseq;
}
