// The bar of a live capture window: state, live counters (drops in red), and the controls: Stop, Pause /
// Resume display (the capture goes on), Follow (keep the newest message in sight), Save as….
import type { CaptureStatus } from '../../../shared/api.js';
import { captureStateText, captureStatusItems } from './capture-model.js';

export interface LiveCaptureBarProps {
  status: CaptureStatus;
  paused: boolean;
  follow: boolean;
  /** Messages the table shows (while paused, fewer than captured). */
  shownMessages: number;
  stopping: boolean;
  /** What the last "Save as…" did, or why it failed. */
  saveResult: { ok: boolean; text: string } | null;
  onStop(): void;
  onPause(paused: boolean): void;
  onFollow(follow: boolean): void;
  onSaveAs(): void;
}

export function LiveCaptureBar({ status, paused, follow, shownMessages, stopping, saveResult, onStop, onPause, onFollow, onSaveAs }: LiveCaptureBarProps) {
  const capturing = status.state === 'capturing';
  return (
    <section className={`live-capture ${status.state}`} aria-label="Live capture" data-testid="live-capture">
      <div className="live-capture-head">
        <span className="live-state" role="status" data-testid="capture-state">
          {capturing && <span className="live-dot" aria-hidden="true" />}
          {captureStateText(status, paused, shownMessages)}
        </span>
        <span className="live-source" title={status.source}>
          {status.source}
        </span>
        <span className="live-buttons">
          {capturing && (
            <>
              <button type="button" onClick={() => onPause(!paused)} aria-pressed={paused}>
                {paused ? 'Resume display' : 'Pause display'}
              </button>
              <label className="follow">
                <input type="checkbox" checked={follow} onChange={(e) => onFollow(e.target.checked)} disabled={paused} /> Follow
              </label>
              <button type="button" className="stop" onClick={onStop} disabled={stopping}>
                {stopping ? 'Stopping…' : 'Stop'}
              </button>
            </>
          )}
          <button type="button" onClick={onSaveAs} disabled={status.files.length === 0}>
            Save as…
          </button>
        </span>
      </div>
      <dl className="live-counters">
        {captureStatusItems(status).map((item) => (
          <div key={item.label} className={item.alarm ? 'alarm' : undefined} data-testid={`capture-${item.label.toLowerCase().replace(/ /g, '-')}`}>
            <dt>{item.label}</dt>
            <dd>{item.value}</dd>
          </div>
        ))}
      </dl>
      <p className="live-files" data-testid="capture-files">
        {status.files.length === 0 ? 'No file yet' : `Written to ${status.files.join(', ')}`}
      </p>
      {status.problem && (
        <p className={status.state === 'failed' ? 'error' : 'hint'} role={status.state === 'failed' ? 'alert' : undefined} data-testid="capture-status-problem">
          {status.problem}
        </p>
      )}
      {saveResult && (
        <p className={saveResult.ok ? 'hint' : 'error'} role={saveResult.ok ? 'status' : 'alert'}>
          {saveResult.text}
        </p>
      )}
    </section>
  );
}
