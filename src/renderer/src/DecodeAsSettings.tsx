import { useEffect, useState } from 'react';
import type { SipscopeApi } from '../../shared/api.js';

/** One rule per line; blank lines and `#` comments ignored (pure, so the page and tests agree on it). */
export function ruleLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/**
 * Decode-as rules for traffic content detection cannot recognise (GTP-U or HEP on an unusual port, a
 * port that carries no SIP). Applying stores them in the back end, which checks them, then reopens the
 * current trace so that they take effect.
 */
export function DecodeAsSettings({ api, onApplied }: { api: SipscopeApi; onApplied: () => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.getDecodeAs().then(
      (rules) => {
        if (live) setText(rules.join('\n'));
      },
      (err: unknown) => console.error('getDecodeAs failed:', err),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const apply = async () => {
    try {
      const stored = await api.setDecodeAs(ruleLines(text));
      setText(stored.join('\n'));
      setProblem(null);
      onApplied();
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <details className="decode-as">
      <summary>Decode as…</summary>
      <label>
        One rule per line, e.g. <code>udp.port==2153,gtpu</code>, <code>tcp.port==8443,websocket</code>,{' '}
        <code>udp.port==5062,none</code>
        <textarea value={text} rows={4} spellCheck={false} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="button" onClick={() => void apply()}>
        Apply and reopen
      </button>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </details>
  );
}
