// A note on a message or a call (issue 8): read as text, edited in place, with a tag from the usual ones or
// typed. Saved through the back end (which autosaves beside the trace); the text is rendered as text, never as HTML.
import { useEffect, useState } from 'react';
import type { NoteEdit } from '../../../shared/api.js';

/** Tags engineers use in bug reports; any other text is accepted too. */
export const SUGGESTED_TAGS = ['root cause', 'expected', 'unexpected', 'vendor bug', 'question', 'fixed'] as const;

export interface NoteEditorProps {
  /** What is annotated, for labels: "message", "call". */
  subject: string;
  value: NoteEdit | null;
  /** Saves (null removes); rejects with a message shown under the editor. */
  onSave(note: NoteEdit | null): Promise<void>;
}

export function NoteEditor({ subject, value, onSave }: NoteEditorProps) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value?.note ?? '');
  const [tag, setTag] = useState(value?.tag ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  // Another message or call shown: its own note, not in edit mode.
  useEffect(() => {
    setEditing(false);
    setText(value?.note ?? '');
    setTag(value?.tag ?? '');
    setProblem(null);
  }, [value?.note, value?.tag, subject]);

  const save = async (note: NoteEdit | null) => {
    setSaving(true);
    try {
      await onSave(note);
      setEditing(false);
      setProblem(null);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const listId = `note-tags-${subject}`;
  if (!editing) {
    return (
      <div className="note-view" data-testid={`note-${subject}`}>
        {value ? (
          <>
            {value.tag && <span className="note-tag">{value.tag}</span>}
            <span className="note-text">{value.note}</span>
            <button type="button" className="link" onClick={() => setEditing(true)}>
              Edit note
            </button>
            <button type="button" className="link" onClick={() => void save(null)} disabled={saving}>
              Remove
            </button>
          </>
        ) : (
          <button type="button" className="link" onClick={() => setEditing(true)}>
            Add a note to this {subject}…
          </button>
        )}
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
      </div>
    );
  }
  return (
    <form
      className="note-edit"
      data-testid={`note-editor-${subject}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save(text.trim() === '' && tag.trim() === '' ? null : { note: text, tag: tag.trim() === '' ? null : tag.trim() });
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setEditing(false);
      }}
    >
      <textarea
        aria-label={`Note on this ${subject}`}
        value={text}
        rows={3}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Ctrl+Enter saves, as in most issue trackers.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
        }}
      />
      <span className="note-edit-row">
        <label>
          Tag <input type="text" list={listId} value={tag} size={14} maxLength={64} onChange={(e) => setTag(e.target.value)} />
        </label>
        <datalist id={listId}>
          {SUGGESTED_TAGS.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <button type="submit" className="primary" disabled={saving}>
          Save note
        </button>
        <button type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </span>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
