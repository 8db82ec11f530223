/**
 * Keyboard navigation of the message table: the position (in the view) a key moves the selection to, or
 * null when the key is not a navigation key. `pageRows` is how many rows fit on screen (PageUp/PageDown
 * move by one screen less one row, so the row at the edge stays in sight, as in Wireshark).
 */
export function nextPosition(key: string, current: number | null, total: number, pageRows: number): number | null {
  if (total <= 0) return null;
  const page = Math.max(1, pageRows - 1);
  const at = current === null ? -1 : Math.min(current, total - 1);
  let next: number;
  switch (key) {
    case 'ArrowDown':
      next = at + 1;
      break;
    case 'ArrowUp':
      next = current === null ? 0 : at - 1;
      break;
    case 'PageDown':
      next = Math.max(at, 0) + page;
      break;
    case 'PageUp':
      next = Math.max(at, 0) - page;
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = total - 1;
      break;
    default:
      return null;
  }
  return Math.max(0, Math.min(total - 1, next));
}
