// The Statistics view: the KPIs of the calls in the current view (`sipscope stats`), their timing
// distributions, and response codes, methods, procedures and findings as small SVG charts and tables whose
// bars and cells apply the matching display filter.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SipscopeApi, TraceStatistics, ViewId } from '../../../shared/api.js';
import { RefTerm } from '../reference/RefTerm.js';
import {
  DEFAULT_BAR_LAYOUT,
  findingsFilter,
  formatMs,
  kpiCards,
  largestResponseCount,
  layoutBars,
  methodBars,
  procedureFilter,
  procedureTable,
  responseGroups,
  timingLabel,
  timingMarks,
  type BarLayoutOptions,
} from './stats-model.js';
import './stats.css';

export interface StatsViewProps {
  api: SipscopeApi;
  view: ViewId;
  /** Changes whenever a trace is (re)opened, so the view reloads. */
  traceKey: string;
  /** Bumped while a live capture grows (each analysis): the statistics are fetched again, without a loading state. */
  revision?: number;
  /** Applies a display filter (clicking a bar: `sip.Status-Code == 486`). */
  onShowInTrace(filter: string): void;
}

type Status = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

export function StatsView({ api, view, traceKey, revision = 0, onShowInTrace }: StatsViewProps) {
  const [stats, setStats] = useState<TraceStatistics | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  /** The view and trace last asked for: a live refresh of the same keeps the charts on screen meanwhile. */
  const loaded = useRef<string | null>(null);

  useEffect(() => {
    // Only the latest request may fill the view: a slower answer for an older view or trace is dropped.
    let live = true;
    const refresh = loaded.current === `${view}\u0000${traceKey}`;
    if (!refresh) setStatus({ kind: 'loading' });
    loaded.current = `${view}\u0000${traceKey}`;
    api.getStatistics(view).then(
      (value) => {
        if (!live) return;
        setStats(value);
        setStatus({ kind: 'ready' });
      },
      (err: unknown) => {
        if (live) setStatus({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [api, view, traceKey, revision]);

  return (
    <section data-testid="stats-view" className="stats-view" aria-busy={status.kind === 'loading'}>
      {status.kind === 'loading' && (
        <p className="stats-status" data-testid="stats-loading">
          Computing statistics…
        </p>
      )}
      {status.kind === 'error' && (
        <p className="stats-status stats-error" role="alert" data-testid="stats-error">
          Cannot compute statistics: {status.message}
        </p>
      )}
      {stats && status.kind !== 'error' && <StatsReport stats={stats} stale={status.kind === 'loading'} onShowInTrace={onShowInTrace} />}
    </section>
  );
}

/** The statistics themselves, once loaded (dimmed while newer ones load). */
export function StatsReport({ stats, stale, onShowInTrace }: { stats: TraceStatistics; stale: boolean; onShowInTrace(filter: string): void }) {
  const groups = useMemo(() => responseGroups(stats.responseCodes), [stats]);
  const methods = useMemo(() => methodBars(stats.methods), [stats]);
  const procedures = useMemo(() => procedureTable(stats.procedures), [stats]);
  const responseMax = largestResponseCount(groups);

  return (
    <div className={stale ? 'stats-body stats-stale' : 'stats-body'}>
      <div className="stats-kpis">
        {kpiCards(stats).map((card) => (
          <div key={card.id} className="stats-kpi" data-testid="stats-kpi" data-kpi={card.id}>
            <div className="stats-kpi-label">{card.label}</div>
            <div className="stats-kpi-value">{card.value}</div>
            <div className="stats-kpi-detail">{card.detail}</div>
          </div>
        ))}
      </div>

      <div className="stats-grid">
        <section className="stats-panel">
          <h3>Timings</h3>
          <TimingsTable timings={stats.timings} />
        </section>

        <section className="stats-panel">
          <h3>Findings</h3>
          <div className="stats-findings">
            {(['error', 'warning', 'note'] as const).map((severity) => (
              <button
                key={severity}
                type="button"
                className={`stats-finding severity-${severity}`}
                data-testid="stats-finding"
                data-severity={severity}
                disabled={stats.findings[severity] === 0}
                title={`Show the messages with ${severity}s`}
                onClick={() => onShowInTrace(findingsFilter(severity))}
              >
                <span className="stats-finding-count">{stats.findings[severity]}</span> {severity}
                {stats.findings[severity] === 1 ? '' : 's'}
              </button>
            ))}
          </div>
        </section>

        <section className="stats-panel stats-wide">
          <h3>Responses per method</h3>
          {groups.length === 0 && <p className="stats-empty">No responses.</p>}
          <div className="stats-response-groups">
            {groups.map((group) => (
              <div key={group.method} className="stats-response-group" data-method={group.method}>
                <h4>
                  <RefTerm kind="method" term={group.method} /> <span className="stats-muted">{group.total} responses</span>
                </h4>
                <BarChart
                  items={group.bars}
                  max={responseMax}
                  value={(bar) => bar.count}
                  keyOf={(bar) => bar.code}
                  label={(bar) => bar.code}
                  refTerm={(bar) => ['response', bar.code]}
                  barClass={(bar) => `cls-${bar.cls}`}
                  describe={(bar) => `${bar.count} × ${bar.code} to ${bar.method}: show in trace`}
                  filter={(bar) => bar.filter}
                  onShowInTrace={onShowInTrace}
                />
              </div>
            ))}
          </div>
        </section>

        <section className="stats-panel">
          <h3>Requests per method</h3>
          {methods.length === 0 && <p className="stats-empty">No requests.</p>}
          <BarChart
            items={methods}
            value={(bar) => bar.count}
            keyOf={(bar) => bar.method}
            label={(bar) => bar.method}
            refTerm={(bar) => ['method', bar.method]}
            barClass={() => 'cls-request'}
            describe={(bar) => `${bar.count} ${bar.method} requests: show in trace`}
            filter={(bar) => bar.filter}
            onShowInTrace={onShowInTrace}
          />
        </section>

        <section className="stats-panel">
          <h3>Procedures</h3>
          {procedures.rows.length === 0 ? (
            <p className="stats-empty">No procedures.</p>
          ) : (
            <table className="stats-table" data-testid="stats-procedures">
              <thead>
                <tr>
                  <th scope="col">Procedure</th>
                  {procedures.outcomes.map((outcome) => (
                    <th key={outcome} scope="col" className={`outcome-${outcome}`}>
                      {outcome}
                    </th>
                  ))}
                  <th scope="col">total</th>
                </tr>
              </thead>
              <tbody>
                {procedures.rows.map((row) => (
                  <tr key={row.procedure}>
                    <th scope="row">
                      <RefTerm kind="procedure" term={row.procedure} />
                    </th>
                    {row.counts.map((count, i) => {
                      const filter = count > 0 ? procedureFilter(row.procedure, procedures.outcomes[i]) : null;
                      return (
                        <td key={procedures.outcomes[i]} className={count > 0 ? `outcome-${procedures.outcomes[i]}` : 'stats-zero'}>
                          {filter !== null ? (
                            <button type="button" className="stats-cell-link" data-filter={filter} onClick={() => onShowInTrace(filter)}>
                              {count}
                            </button>
                          ) : (
                            count
                          )}
                        </td>
                      );
                    })}
                    <td>
                      <button type="button" className="stats-cell-link" onClick={() => onShowInTrace(procedureFilter(row.procedure))}>
                        {row.total}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}

function TimingsTable({ timings }: { timings: TraceStatistics['timings'] }) {
  const measured = timings.filter((t) => t.count > 0);
  if (measured.length === 0) return <p className="stats-empty">Nothing measured.</p>;
  return (
    <table className="stats-table stats-timings" data-testid="stats-timings">
      <thead>
        <tr>
          <th scope="col">Timing</th>
          <th scope="col">count</th>
          <th scope="col">mean</th>
          <th scope="col">median</th>
          <th scope="col">max</th>
          <th scope="col" aria-label="distribution" />
        </tr>
      </thead>
      <tbody>
        {measured.map((timing) => {
          const { label, hint } = timingLabel(timing.name);
          const marks = timingMarks(timing);
          return (
            <tr key={timing.name} data-timing={timing.name}>
              <th scope="row" title={hint}>
                {label}
                <span className="stats-hint">{hint}</span>
              </th>
              <td>{timing.count}</td>
              <td>{formatMs(timing.mean)}</td>
              <td>{formatMs(timing.median)}</td>
              <td>{formatMs(timing.max)}</td>
              <td>
                {/* 0 → max, with the median (solid) and mean (dashed) marked. */}
                <svg className="stats-spark" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                  <rect className="stats-spark-range" x={0} y={3} width={100} height={4} />
                  <line className="stats-spark-median" x1={marks.median * 100} x2={marks.median * 100} y1={0} y2={10} />
                  <line className="stats-spark-mean" x1={marks.mean * 100} x2={marks.mean * 100} y1={0} y2={10} />
                </svg>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

interface BarChartProps<T> {
  items: readonly T[];
  value(item: T): number;
  keyOf(item: T): string;
  label(item: T): string;
  /** The label's reference term (hover shows its entry). */
  refTerm(item: T): [kind: string, term: string];
  barClass(item: T): string;
  /** Accessible name of a bar. */
  describe(item: T): string;
  filter(item: T): string;
  onShowInTrace(filter: string): void;
  /** A shared axis maximum (charts side by side compare). */
  max?: number;
  layout?: Partial<BarLayoutOptions>;
}

/** Horizontal bars: label, bar, count; each bar is a button that applies its filter. */
function BarChart<T>({ items, value, keyOf, label, refTerm, barClass, describe, filter, onShowInTrace, max, layout }: BarChartProps<T>) {
  const o = { ...DEFAULT_BAR_LAYOUT, ...layout };
  const chart = layoutBars(items, value, { ...o, max });
  if (items.length === 0) return null;
  const activate = (item: T) => onShowInTrace(filter(item));
  const onKey = (event: KeyboardEvent<SVGGElement>, item: T) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      activate(item);
    }
  };
  const axisY = chart.height - o.axisHeight;
  return (
    <svg className="stats-chart" viewBox={`0 0 ${o.width} ${chart.height}`} width={o.width} height={chart.height} role="group">
      {chart.ticks.map((tick) => (
        <g key={tick.value} className="stats-tick">
          <line x1={o.labelWidth + tick.x} x2={o.labelWidth + tick.x} y1={0} y2={axisY} />
          <text x={o.labelWidth + tick.x} y={axisY + 13} textAnchor="middle">
            {tick.value}
          </text>
        </g>
      ))}
      {chart.bars.map((bar) => {
        const [kind, term] = refTerm(bar.item);
        const middle = bar.y + o.barHeight / 2;
        return (
          <g
            key={keyOf(bar.item)}
            className={`stats-bar ${barClass(bar.item)}`}
            role="button"
            tabIndex={0}
            aria-label={describe(bar.item)}
            data-testid="stats-bar"
            data-filter={filter(bar.item)}
            onClick={() => activate(bar.item)}
            onKeyDown={(event) => onKey(event, bar.item)}
          >
            <text className="stats-bar-label ref-term" x={o.labelWidth - 8} y={middle} dominantBaseline="central" textAnchor="end" data-ref-kind={kind} data-ref-term={term}>
              {label(bar.item)}
            </text>
            {/* A full-width hit area, so short bars are as easy to click as long ones. */}
            <rect className="stats-bar-hit" x={0} y={bar.y - o.gap / 2} width={o.width} height={o.barHeight + o.gap} />
            <rect className="stats-bar-rect" x={o.labelWidth} y={bar.y} width={Math.max(bar.length, 1)} height={o.barHeight} rx={2} />
            <text className="stats-bar-value" x={o.labelWidth + bar.length + 6} y={middle} dominantBaseline="central">
              {value(bar.item)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
