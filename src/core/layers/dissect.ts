import { decoderBug, unsupported } from '../diagnostics.js';
import { linkTypeDecoders } from './registry.js';
import type { PacketDecodeState } from './packet.js';

/**
 * Decodes the layers of one captured packet into `state` (reset first). Never throws: an exception from a
 * decoder is a decoder bug, recorded on the packet, and the packet list goes on.
 */
export function dissectPacket(state: PacketDecodeState, linkType: number, bytes: Uint8Array, length = bytes.length): void {
  state.reset(bytes, length);
  const decoder = linkTypeDecoders.get(linkType);
  if (!decoder) {
    state.diagnose(unsupported('frame', `link type ${linkType} is not decoded`));
    return;
  }
  try {
    decoder(state, 0);
  } catch (error) {
    state.diagnose(decoderBug(state.stack[state.stack.length - 1] ?? 'frame', error));
  }
}
