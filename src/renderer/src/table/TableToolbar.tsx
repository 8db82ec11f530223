import { memo, useState } from 'react';
import {
  addHeaderColumn,
  defaultColumnSettings,
  headerOfColumn,
  removeHeaderColumn,
  shiftColumn,
  toggleHidden,
  type ColumnSettings,
} from '../lib/column-settings.js';
import { COLOUR_RULES } from '../lib/row-style.js';
import { TIME_MODES, type TimeMode } from '../lib/time-format.js';
import { columnLabel } from './column-defs.js';

type Update = (update: (settings: ColumnSettings) => ColumnSettings) => void;

/**
 * Above the table: the time format, a custom header column input, the column menu (show/hide, move,
 * remove; headers can also be dragged) and the colour rules.
 */
export const TableToolbar = memo(function TableToolbar({ settings, onChange, total }: { settings: ColumnSettings; onChange: Update; total: number | null }) {
  const [header, setHeader] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const addColumn = () => {
    const result = addHeaderColumn(settings, header);
    if ('error' in result) {
      setProblem(result.error);
      return;
    }
    setProblem(null);
    setHeader('');
    onChange(() => result);
  };

  return (
    <div className="table-toolbar">
      <label>
        Time{' '}
        <select value={settings.timeMode} onChange={(e) => onChange((s) => ({ ...s, timeMode: e.target.value as TimeMode }))} aria-label="Time format">
          {TIME_MODES.map((m) => (
            <option key={m.mode} value={m.mode}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <form
        className="add-column"
        onSubmit={(e) => {
          e.preventDefault();
          addColumn();
        }}
      >
        <input
          type="text"
          value={header}
          onChange={(e) => setHeader(e.target.value)}
          placeholder="Header, e.g. P-Asserted-Identity"
          aria-label="SIP header to show as a column"
          spellCheck={false}
          aria-invalid={problem !== null}
        />
        <button type="submit" disabled={header.trim() === ''}>
          + column
        </button>
        {problem && (
          <span className="error" role="alert">
            {problem}
          </span>
        )}
      </form>
      <details className="menu">
        <summary>Columns</summary>
        <ul className="menu-list" aria-label="Columns">
          {settings.order.map((id) => {
            const custom = headerOfColumn(id);
            return (
              <li key={id}>
                <label>
                  <input type="checkbox" checked={!settings.hidden.includes(id)} onChange={() => onChange((s) => toggleHidden(s, id))} /> {columnLabel(id)}
                </label>
                <span className="menu-actions">
                  <button type="button" title="Move left" aria-label={`Move ${columnLabel(id)} left`} onClick={() => onChange((s) => ({ ...s, order: shiftColumn(s.order, s.hidden, id, -1) }))}>
                    ◀
                  </button>
                  <button type="button" title="Move right" aria-label={`Move ${columnLabel(id)} right`} onClick={() => onChange((s) => ({ ...s, order: shiftColumn(s.order, s.hidden, id, 1) }))}>
                    ▶
                  </button>
                  {custom !== null && (
                    <button type="button" title="Remove this column" aria-label={`Remove ${custom} column`} onClick={() => onChange((s) => removeHeaderColumn(s, custom))}>
                      ✕
                    </button>
                  )}
                </span>
              </li>
            );
          })}
          <li>
            <button type="button" onClick={() => onChange(() => defaultColumnSettings())}>
              Reset layout
            </button>
          </li>
        </ul>
      </details>
      <details className="menu">
        <summary>Colours</summary>
        <ul className="menu-list" aria-label="Colour rules">
          {COLOUR_RULES.map((rule) => (
            <li key={rule.id}>
              <label>
                <input
                  type="checkbox"
                  checked={!settings.rulesOff.includes(rule.id)}
                  onChange={() =>
                    onChange((s) => ({ ...s, rulesOff: s.rulesOff.includes(rule.id) ? s.rulesOff.filter((r) => r !== rule.id) : [...s.rulesOff, rule.id] }))
                  }
                />{' '}
                <span className={`swatch ${rule.className}`} aria-hidden="true" /> {rule.label}
              </label>
            </li>
          ))}
        </ul>
      </details>
      {total !== null && <span className="row-count">{total} rows</span>}
    </div>
  );
});
