// Export… of the calls whose ladder is shown (issue 8): a format, anonymisation for documents that leave the lab,
// and the back end asks where (the app's save dialog). Notes, aliases and reference notes go with the export.
import { useState } from 'react';
import { EXPORT_FORMATS, type ExportFormat, type SipscopeApi } from '../../../shared/api.js';

const FORMAT_LABELS: Record<ExportFormat, string> = {
  html: 'HTML — one self-contained page: ladder, messages, notes, KPIs (opens offline anywhere)',
  pdf: 'PDF — the HTML printed, A4 landscape',
  png: 'PNG — the ladder as an image (pages when long)',
  svg: 'SVG — the ladder as a vector drawing',
  md: 'Markdown — a text ladder and the notes, for an issue tracker',
  json: 'JSON — calls, messages, procedures, KPIs, findings and notes (documented schema)',
  csv: 'CSV — the call list',
  pcapng: 'pcapng — the frames of these calls, notes as packet comments (reopens in sipscope and Wireshark)',
  pcap: 'pcap — the frames only, no notes',
};


export interface ExportDialogProps {
  api: SipscopeApi;
  calls: number[];
  onClose(): void;
}

export function ExportDialog({ api, calls, onClose }: ExportDialogProps) {
  const [format, setFormat] = useState<ExportFormat>('html');
  const [anonymize, setAnonymize] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async () => {
    setBusy(true);
    setResult(null);
    try {
      const path = await api.exportCalls({ calls, format, anonymize });
      if (path !== null) setResult({ ok: true, text: `Exported to ${path}` });
    } catch (err) {
      setResult({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="modal export-dialog" role="dialog" aria-modal="true" aria-labelledby="export-dialog-title" data-testid="export-dialog">
        <h2 id="export-dialog-title">
          Export {calls.length === 1 ? 'this call' : `these ${calls.length} calls`}
        </h2>
        <fieldset>
          <legend>Format</legend>
          {EXPORT_FORMATS.map((f) => (
            <label key={f} className="export-format">
              <input type="radio" name="export-format" value={f} checked={format === f} onChange={() => setFormat(f)} /> {FORMAT_LABELS[f]}
            </label>
          ))}
        </fieldset>
        <label>
          <input type="checkbox" checked={anonymize} onChange={(e) => setAnonymize(e.target.checked)} /> Anonymise phone numbers, IMSI/IMPI/IMPU, IMEI, cell ids
          and IP addresses (consistent pseudonyms of the same length: the flow stays readable; in captures the packets too)
        </label>
        {result && (
          <p className={result.ok ? 'hint' : 'error'} role={result.ok ? 'status' : 'alert'} data-testid="export-result">
            {result.text}
          </p>
        )}
        <div className="modal-buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="button" className="primary" onClick={() => void run()} disabled={busy}>
            {busy ? 'Exporting…' : 'Export…'}
          </button>
        </div>
      </div>
    </div>
  );
}
