/**
 * Copying the raw message to the clipboard. The Clipboard API is missing outside secure contexts and refuses
 * without permission in some browsers (`sipscope serve` opened from another host); that is a message for the
 * user, never an exception in the pane.
 */

/** The part of `navigator.clipboard` used here. */
export interface ClipboardLike {
  writeText(text: string): Promise<void>;
}

export type CopyOutcome = 'copied' | 'copy failed';

export async function copyText(clipboard: ClipboardLike | undefined | null, text: string): Promise<CopyOutcome> {
  if (clipboard === undefined || clipboard === null || typeof clipboard.writeText !== 'function') return 'copy failed';
  try {
    await clipboard.writeText(text);
    return 'copied';
  } catch {
    return 'copy failed';
  }
}
