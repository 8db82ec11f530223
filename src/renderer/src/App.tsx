import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppInfo, SipscopeApi, TraceSummary } from '../../shared/api.js';
import { DecodeAsSettings } from './DecodeAsSettings.js';
import { FilterBar } from './FilterBar.js';

type TraceState =
  | { kind: 'none' }
  | { kind: 'opening'; path: string }
  | { kind: 'open'; summary: TraceSummary }
  | { kind: 'failed'; path: string | null; message: string };

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function App({ api }: { api: SipscopeApi }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [trace, setTrace] = useState<TraceState>({ kind: 'none' });
  // Only the latest open request may update the screen; an older one finishing late is ignored.
  const latest = useRef(0);

  const openPath = useCallback(
    async (path: string) => {
      const request = ++latest.current;
      setTrace({ kind: 'opening', path });
      try {
        const summary = await api.openTrace(path);
        if (request === latest.current) setTrace({ kind: 'open', summary });
      } catch (err) {
        if (request === latest.current) setTrace({ kind: 'failed', path, message: messageOf(err) });
      }
    },
    [api],
  );

  // After the decode-as rules change, the trace on screen is read again with them.
  const reopen = useCallback(async () => {
    const path = trace.kind === 'open' ? trace.summary.path : trace.kind === 'failed' || trace.kind === 'opening' ? trace.path : null;
    if (path !== null) await openPath(path);
  }, [trace, openPath]);

  const chooseAndOpen = useCallback(async () => {
    try {
      const path = await api.openTraceDialog();
      if (path !== null) await openPath(path);
    } catch (err) {
      setTrace({ kind: 'failed', path: null, message: messageOf(err) });
    }
  }, [api, openPath]);

  useEffect(() => {
    let live = true;
    api.getAppInfo().then(
      (value) => {
        if (live) setInfo(value);
      },
      (err: unknown) => console.error('getAppInfo failed:', err),
    );
    api.getLaunchTrace().then(
      (path) => {
        if (live && path !== null) void openPath(path);
      },
      (err: unknown) => console.error('getLaunchTrace failed:', err),
    );
    const unsubscribe = api.onOpenTraceRequest((path) => void openPath(path));
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api, openPath]);

  return (
    <main className="app">
      <header className="toolbar">
        <h1>
          {info ? info.name : 'sipscope'}
          {info && <span className="version">{info.version}</span>}
        </h1>
        <button type="button" onClick={() => void chooseAndOpen()} disabled={trace.kind === 'opening'}>
          Open trace…
        </button>
      </header>
      {trace.kind === 'open' && <FilterBar api={api} trace={trace.summary} />}
      <DecodeAsSettings api={api} onApplied={() => void reopen()} />
      <TraceStatus trace={trace} />
    </main>
  );
}

function TraceStatus({ trace }: { trace: TraceState }) {
  switch (trace.kind) {
    case 'none':
      return <p className="hint">No trace open. Use “Open trace…” or File › Open….</p>;
    case 'opening':
      return <p className="hint">Opening {trace.path}…</p>;
    case 'open':
      return (
        <dl className="summary">
          <dt>Trace</dt>
          <dd>{trace.summary.path}</dd>
          <dt>SIP messages</dt>
          <dd>{trace.summary.messages}</dd>
          <dt>Calls</dt>
          <dd>{trace.summary.calls}</dd>
        </dl>
      );
    case 'failed':
      return (
        <p className="error" role="alert">
          {trace.path ? `Cannot open ${trace.path}: ` : ''}
          {trace.message}
        </p>
      );
  }
}
