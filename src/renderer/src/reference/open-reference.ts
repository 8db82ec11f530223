/**
 * "Open this entry in the Reference view": the tooltip's "More…" button and see-also links ask for it from
 * anywhere in the window; the App listens and switches to the Reference tab with `focus` set.
 *
 *   useEffect(() => onOpenReference((target) => { setReferenceFocus(target); setTab('reference'); }), []);
 */

export interface ReferenceTarget {
  /** A reference kind (`method`, `response`, `header`, `option-tag`, `feature-tag`, `sdp-attribute`, `procedure`). */
  kind: string;
  /** The entry's key or any term it resolves (`183`, `i`, `a=curr`). */
  term: string;
}

const listeners = new Set<(target: ReferenceTarget) => void>();

/** Asks the App to show this entry in the Reference view (a new object each time, so asking twice re-focuses). */
export function openReference(target: ReferenceTarget): void {
  const request = { kind: target.kind, term: target.term };
  for (const listener of [...listeners]) listener(request);
}

/** Subscribes to `openReference` requests; returns the function that unsubscribes (an effect's cleanup). */
export function onOpenReference(listener: (target: ReferenceTarget) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
