/** CSeq = "CSeq" HCOLON 1*DIGIT LWS Method (RFC 3261 §20.16, §25.1). */
import { isDigit } from './chars.js';
import { MAX_UINT32, addProblem, parseDecimalBytes, scanTokenBytes, skipLwsBytes, trimEndBytes } from './scan.js';
import { internMethodBytes } from './methods.js';
import { sourceOf, type TextSource } from './source.js';
import type { CSeq } from './types.js';

/** Parses a CSeq value. Problem offsets are UTF-8 byte offsets in `text`. Never throws. */
export function parseCSeq(text: string): CSeq {
  const src = sourceOf(text);
  return parseCSeqAt(src, 0, src.bytes.length);
}

/** Parses the CSeq value in bytes [start, end) of `src`. */
export function parseCSeqAt(src: TextSource, start: number, end: number): CSeq {
  const b = src.bytes;
  const cseq: CSeq = { seq: NaN, method: '' };
  let i = skipLwsBytes(b, start, end);
  end = trimEndBytes(b, i, end);
  const numStart = i;
  while (i < end && isDigit(b[i])) i++;
  const seq = parseDecimalBytes(b, numStart, i);
  if (seq < 0) {
    addProblem(cseq, 'error', `sequence number expected but found '${src.str(numStart, end)}'`, numStart);
  } else {
    cseq.seq = seq;
    // "The sequence number MUST be expressible as a 32-bit unsigned integer" (RFC 3261 §8.1.1.5).
    if (seq > MAX_UINT32) {
      addProblem(cseq, 'error', `sequence number ${src.str(numStart, i)} exceeds 2^32-1 (RFC 3261 §8.1.1.5)`, numStart);
    }
  }
  const methodStart = skipLwsBytes(b, i, end);
  if (seq >= 0 && methodStart === i && i < end) {
    addProblem(cseq, 'error', 'whitespace expected between the sequence number and the method', i);
  }
  const j = scanTokenBytes(b, methodStart, end);
  cseq.method = internMethodBytes(src, methodStart, j);
  if (j === methodStart) addProblem(cseq, 'error', 'method missing', methodStart);
  else if (j < end) {
    const k = skipLwsBytes(b, j, end);
    addProblem(cseq, 'error', `unexpected '${src.str(k, end)}' after the method`, k);
  }
  return cseq;
}
