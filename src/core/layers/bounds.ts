import { truncated } from '../diagnostics.js';
import type { PacketDecodeState } from './packet.js';

/**
 * The bounds check every decoder makes before reading a fixed header: true when `length` bytes are
 * captured at `offset`; otherwise records a `truncated` diagnostic for `layer` and returns false.
 */
export function captured(state: PacketDecodeState, offset: number, length: number, layer: string): boolean {
  if (offset + length <= state.end) return true;
  state.diagnose(truncated(layer, `${layer} header needs ${length} bytes, ${Math.max(0, state.end - offset)} captured`, offset));
  return false;
}

export function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 8) | bytes[offset + 1];
}

export function u32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}
