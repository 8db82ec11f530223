/** The display filters applied last (newest first), as the filter bar's history keeps them in localStorage. */
export const HISTORY_STORAGE_KEY = 'sipscope.filter.history.v1';
export const MAX_HISTORY = 50;

/** Puts `text` first; an earlier copy moves up instead of repeating; the empty filter is not remembered. */
export function addToHistory(history: readonly string[], text: string, max = MAX_HISTORY): string[] {
  const entry = text.trim();
  if (entry === '') return history.slice(0, max);
  return [entry, ...history.filter((h) => h !== entry)].slice(0, max);
}

export function parseHistory(text: string | null): string[] {
  if (text === null) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= 65_536).slice(0, MAX_HISTORY);
  } catch {
    return [];
  }
}

/**
 * Up/Down in the filter input walks the history like a shell: `index` -1 is the text being typed, 0 the
 * newest entry. Returns the new index (clamped), so the caller shows `history[index]` or its draft.
 */
export function stepHistory(length: number, index: number, key: 'up' | 'down'): number {
  if (length === 0) return -1;
  return key === 'up' ? Math.min(length - 1, index + 1) : Math.max(-1, index - 1);
}
