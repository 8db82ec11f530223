/**
 * The 12 messages of one call of the SIPp VoLTE scenario (see bench/volte-messages.mjs, shared with the
 * parser benchmark so that tests and benchmark use the same bytes).
 */
// @ts-expect-error -- a plain ES module shared with the benchmark scripts; its shape is declared below.
import { benchDir as sharedBenchDir, volteCall as render } from '../../../bench/volte-messages.mjs';

export interface VolteMessage {
  name: string;
  text: string;
}

export const benchDir: string = sharedBenchDir;

export function volteCall(callNumber = 1): VolteMessage[] {
  return (render as (n: number) => VolteMessage[])(callNumber);
}
