/**
 * Loads the detail of the selected row, keeping up with a selection that moves faster than the back end answers
 * (holding ↓ in the message table). At most one request is in flight: while it runs, newer selections only
 * replace the wanted key, and when it settles its answer is shown only if it is still the wanted one; otherwise
 * the latest wanted key is fetched next. So rows skipped over are never fetched, a late answer for an old row
 * never overwrites a newer one, and the back end sees one request at a time per pane. No React, no DOM.
 */

/** What the pane shows: the key asked for, whether it is still loading, the last loaded value and any error. */
export interface LoaderState<K, T> {
  /** The key last requested (null: nothing selected). */
  key: K | null;
  /** A request for `key` is pending (or waiting for an older one to settle). */
  loading: boolean;
  /** The last value loaded; while `loading`, it may belong to an earlier key (`valueKey`), to show dimmed. */
  value: T | null;
  valueKey: K | null;
  /** Why loading `key` failed (the value is then null). */
  error: string | null;
}

export interface LatestLoader<K> {
  /** Selects `key` (null clears the pane). */
  request(key: K | null): void;
  /** Ignores every answer from now on (the component unmounted or got a new API). */
  dispose(): void;
}

export function idleState<K, T>(): LoaderState<K, T> {
  return { key: null, loading: false, value: null, valueKey: null, error: null };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'the message could not be loaded';
}

export function createLatestLoader<K, T>(fetch: (key: K) => Promise<T>, onState: (state: LoaderState<K, T>) => void): LatestLoader<K> {
  let state: LoaderState<K, T> = idleState();
  let inFlight = false;
  let disposed = false;

  const emit = (next: LoaderState<K, T>) => {
    state = next;
    if (!disposed) onState(next);
  };

  const start = (key: K) => {
    inFlight = true;
    let promise: Promise<T>;
    try {
      promise = fetch(key);
    } catch (error) {
      // A fetch that throws instead of rejecting is still one failed request, not a broken pane.
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => settle(key, { ok: true, value }),
      (error: unknown) => settle(key, { ok: false, message: messageOf(error) }),
    );
  };

  const settle = (key: K, result: { ok: true; value: T } | { ok: false; message: string }) => {
    inFlight = false;
    if (disposed) return;
    if (state.key !== key) {
      // The selection moved on while this was in flight: drop the answer and fetch what is wanted now.
      if (state.key !== null) start(state.key);
      return;
    }
    emit(
      result.ok
        ? { key, loading: false, value: result.value, valueKey: key, error: null }
        : { key, loading: false, value: null, valueKey: null, error: result.message },
    );
  };

  return {
    request(key) {
      if (disposed) return;
      if (key === null) {
        emit(idleState());
        return;
      }
      emit({ ...state, key, loading: true, error: null });
      if (!inFlight) start(key);
    },
    dispose() {
      disposed = true;
    },
  };
}
