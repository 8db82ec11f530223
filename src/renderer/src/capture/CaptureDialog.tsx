// Capture › Start…: choose interfaces (with their live packet rates) or a HEP listener, the capture filter,
// a ring buffer and the folder; Start replaces the window's trace with the live capture.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { CaptureSettings, CaptureSources, SipscopeApi } from '../../../shared/api.js';
import { failureField, initialCaptureForm, interfaceRates, settingsFromForm, type CaptureField, type CaptureForm } from './capture-model.js';

/** How often the interfaces' packet counters are read while the dialog is open. */
const COUNTER_POLL_MS = 1000;
/** The last form used, so the next capture starts from it. */
const FORM_STORAGE_KEY = 'sipscope.capture.form.v1';

function storedForm(): Partial<CaptureForm> | null {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(FORM_STORAGE_KEY) ?? 'null');
    return parsed && typeof parsed === 'object' ? (parsed as Partial<CaptureForm>) : null;
  } catch {
    return null;
  }
}

function rememberForm(form: CaptureForm): void {
  try {
    localStorage.setItem(FORM_STORAGE_KEY, JSON.stringify(form));
  } catch {
    // not remembered
  }
}

export interface CaptureDialogProps {
  api: SipscopeApi;
  /** Starts the capture; rejects with the back end's message (shown in the dialog, which stays open). */
  onStart(settings: CaptureSettings): Promise<void>;
  onClose(): void;
}

export function CaptureDialog({ api, onStart, onClose }: CaptureDialogProps) {
  const [sources, setSources] = useState<CaptureSources | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<CaptureForm | null>(null);
  const [rates, setRates] = useState<Record<string, number> | null>(null);
  const [problem, setProblem] = useState<{ field: CaptureField | null; message: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    api.listCaptureSources().then(
      (value) => {
        if (!live) return;
        setSources(value);
        const names = new Set(value.interfaces.map((i) => i.name));
        const saved = storedForm();
        const base = { ...initialCaptureForm(value.defaultFilter), ...(saved ?? {}) };
        // Interfaces that are gone since last time are dropped; with none left, the first non-loopback one with an address.
        let interfaces = (base.interfaces ?? []).filter((name) => names.has(name));
        if (interfaces.length === 0) {
          const first = value.interfaces.find((i) => !i.loopback && i.addresses.length > 0) ?? value.interfaces[0];
          interfaces = first ? [first.name] : [];
        }
        setForm({ ...base, interfaces, folder: value.folderChoosable ? base.folder : '' });
      },
      (err: unknown) => {
        if (live) setLoadError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  // Live packet rates per interface, like Wireshark's sparklines: which NIC carries the traffic.
  useEffect(() => {
    let previous: { at: number; counters: Record<string, number> } | null = null;
    let live = true;
    const read = () => {
      api.getInterfaceCounters().then(
        (counters) => {
          if (!live) return;
          const at = performance.now();
          if (previous) setRates(interfaceRates(previous.counters, counters, at - previous.at));
          previous = { at, counters };
        },
        () => {},
      );
    };
    read();
    const timer = setInterval(read, COUNTER_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api]);

  useEffect(() => {
    dialogRef.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, [form !== null]);

  const update = (patch: Partial<CaptureForm>) => setForm((f) => (f ? { ...f, ...patch } : f));

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const result = settingsFromForm(form);
    if ('field' in result) {
      setProblem({ field: result.field, message: result.message });
      return;
    }
    setProblem(null);
    setStarting(true);
    try {
      await onStart(result.settings);
      rememberForm(form);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setProblem({ field: failureField(message), message });
      setStarting(false);
    }
  };

  const chooseFolder = async () => {
    const folder = await api.chooseCaptureFolder().catch(() => null);
    if (folder !== null) update({ folder });
  };

  const fieldProblem = (field: CaptureField) =>
    problem?.field === field ? (
      <p className="error field-problem" role="alert" data-testid={`capture-problem-${field}`}>
        {problem.message}
      </p>
    ) : null;

  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="modal capture-dialog" role="dialog" aria-modal="true" aria-labelledby="capture-dialog-title" ref={dialogRef} data-testid="capture-dialog">
        <h2 id="capture-dialog-title">Start a live capture</h2>
        {loadError && (
          <p className="error" role="alert">
            {loadError}
          </p>
        )}
        {!sources && !loadError && <p className="hint">Looking for interfaces…</p>}
        {sources && !sources.available && (
          <pre className="capture-unavailable" role="alert" data-testid="capture-unavailable">
            {sources.problem}
          </pre>
        )}
        {sources && form && (
          <form onSubmit={(e) => void start(e)}>
            <fieldset className="capture-source">
              <legend>Source</legend>
              <label>
                <input type="radio" name="capture-source" checked={form.source === 'interfaces'} onChange={() => update({ source: 'interfaces' })} />
                Network interfaces
              </label>
              <label>
                <input type="radio" name="capture-source" checked={form.source === 'hep'} onChange={() => update({ source: 'hep' })} />
                HEP listener (heplify, Kamailio siptrace, OpenSIPS proto_hep)
              </label>
            </fieldset>
            {form.source === 'interfaces' ? (
              <>
                <table className="capture-interfaces" aria-label="Interfaces">
                  <thead>
                    <tr>
                      <th />
                      <th>Interface</th>
                      <th>Addresses</th>
                      <th className="number">Packets/s</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sources.interfaces.map((i) => {
                      const checked = form.interfaces.includes(i.name);
                      const rate = rates?.[i.name];
                      return (
                        <tr key={i.name} className={checked ? 'selected' : undefined}>
                          <td>
                            <input
                              type="checkbox"
                              aria-label={`Capture on ${i.name}`}
                              checked={checked}
                              onChange={() => update({ interfaces: checked ? form.interfaces.filter((n) => n !== i.name) : [...form.interfaces, i.name] })}
                            />
                          </td>
                          <td>
                            <span className="interface-name">{i.name}</span>
                            {i.description && <span className="hint"> {i.description}</span>}
                            {i.loopback && <span className="hint"> (loopback)</span>}
                          </td>
                          <td className="addresses">{i.addresses.join(', ')}</td>
                          <td className="number" data-testid={`rate-${i.name}`}>
                            {/* '…' until two readings make a rate; '—' for a device the system keeps no counter for (nflog, dbus). */}
                            {rate !== undefined ? Math.round(rate).toLocaleString('en-US') : rates ? '—' : '…'}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
                {fieldProblem('interfaces')}
                <label className="capture-filter">
                  Capture filter (BPF, see <code>man pcap-filter</code>; empty captures everything)
                  <span className="row">
                    <input
                      type="text"
                      spellCheck={false}
                      value={form.filter}
                      aria-invalid={problem?.field === 'filter'}
                      onChange={(e) => update({ filter: e.target.value })}
                    />
                    <button type="button" onClick={() => update({ filter: sources.defaultFilter })} disabled={form.filter === sources.defaultFilter}>
                      Default
                    </button>
                  </span>
                </label>
                {fieldProblem('filter')}
                <fieldset className="capture-ring">
                  <legend>
                    <label>
                      <input type="checkbox" checked={form.ring} onChange={(e) => update({ ring: e.target.checked })} /> Ring buffer
                    </label>
                  </legend>
                  <label>
                    Keep <input type="text" inputMode="numeric" size={4} value={form.ringFiles} disabled={!form.ring} onChange={(e) => update({ ringFiles: e.target.value })} /> files,
                  </label>{' '}
                  <label>
                    a new one every <input type="text" inputMode="decimal" size={5} value={form.ringMegabytes} disabled={!form.ring} onChange={(e) => update({ ringMegabytes: e.target.value })} /> MB
                  </label>{' '}
                  <label>
                    or <input type="text" inputMode="decimal" size={5} value={form.ringSeconds} disabled={!form.ring} onChange={(e) => update({ ringSeconds: e.target.value })} /> seconds
                  </label>
                </fieldset>
                {fieldProblem('ring')}
              </>
            ) : (
              <fieldset className="capture-hep">
                <legend>HEP listener</legend>
                <label>
                  Transport{' '}
                  <select value={form.hepTransport} onChange={(e) => update({ hepTransport: e.target.value === 'tcp' ? 'tcp' : 'udp' })}>
                    <option value="udp">UDP</option>
                    <option value="tcp">TCP</option>
                  </select>
                </label>{' '}
                <label>
                  Address <input type="text" size={16} value={form.hepHost} onChange={(e) => update({ hepHost: e.target.value })} />
                </label>{' '}
                <label>
                  Port <input type="text" inputMode="numeric" size={6} value={form.hepPort} onChange={(e) => update({ hepPort: e.target.value })} />
                </label>
                {fieldProblem('hep')}
              </fieldset>
            )}
            <label className="capture-folder">
              Capture files go to (written as packets arrive)
              <span className="row">
                <input
                  type="text"
                  spellCheck={false}
                  value={form.folder}
                  placeholder={sources.defaultFolder}
                  readOnly={!sources.folderChoosable}
                  onChange={(e) => update({ folder: e.target.value })}
                />
                {sources.folderChoosable && (
                  <button type="button" onClick={() => void chooseFolder()}>
                    Choose…
                  </button>
                )}
              </span>
            </label>
            {fieldProblem('folder')}
            {problem && problem.field === null && (
              <pre className="error capture-start-problem" role="alert" data-testid="capture-problem">
                {problem.message}
              </pre>
            )}
            <div className="modal-buttons">
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="primary" disabled={starting || (!sources.available && form.source === 'interfaces')}>
                {starting ? 'Starting…' : 'Start'}
              </button>
            </div>
          </form>
        )}
        {!form && (
          <div className="modal-buttons">
            <button type="button" onClick={onClose}>
              Close
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
