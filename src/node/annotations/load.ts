/**
 * Annotations from disk: those a capture carries (sipscope's pcapng Custom Block, authoritative; else the
 * frame comments Wireshark or editcap wrote), and the autosave file that keeps unsaved notes across a crash.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  AnnotationCollector,
  MAX_ANNOTATIONS_TEXT,
  parseAnnotations,
  resolveImportedNotes,
  serialiseAnnotations,
  type Annotations,
} from '../../core/annotations/annotations.js';
import type { MessageIndex } from '../../core/index/message-index.js';
import { streamCapture } from '../export/stream-capture.js';

/** Annotations that could not be used, with why (a refused block, a damaged autosave). */
export class AnnotationsError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AnnotationsError';
  }
}

export interface LoadedAnnotations {
  /** null when the capture carries none (or only a refused block and no comments). */
  annotations: Annotations | null;
  /** Where they came from: sipscope's Custom Block, or frame comments (no block, or a refused one). */
  origin: 'block' | 'comments' | null;
  /** Messages for the user: a refused block and why, a newer format, comments beyond the bounds. */
  problems: string[];
}

export interface ReadAnnotationsOptions {
  /**
   * The capture's index, when it has been read: notes imported from frame comments then get the identity
   * (Call-ID, CSeq, kind) of their frame's message, and comments on frames without SIP are dropped. Without
   * it they keep an empty Call-ID, which `rowOfNote` resolves to the frame's message later.
   */
  index?: MessageIndex;
  signal?: AbortSignal;
}

/**
 * Reads what a capture carries about annotations. Never throws for the annotations themselves (a hostile
 * block is a `problem`, and the capture still opens); rejects only when the file cannot be read at all.
 */
export async function loadAnnotations(path: string, options: ReadAnnotationsOptions = {}): Promise<LoadedAnnotations> {
  const collector = new AnnotationCollector();
  const skipped: string[] = [];
  await streamCapture(
    path,
    {
      packet: (p) => collector.packet(p.frame, p.comments),
      // The one file-level problem that concerns annotations: a custom block too big to read.
      diagnostic: (d) => {
        if (d.layer === 'pcapng' && d.message.startsWith('skipped the Custom Block')) skipped.push(d.message);
      },
      customBlock: (pen, data) => collector.customBlock(pen, data),
    },
    { signal: options.signal },
  );
  const result = collector.result();
  result.problems.push(...skipped);
  if (result.annotations && result.origin === 'comments' && options.index) {
    result.annotations = resolveImportedNotes(options.index, result.annotations);
    if (result.annotations.messages.length === 0) return { annotations: null, origin: null, problems: result.problems };
  }
  return result;
}

/**
 * The annotations a capture carries (custom block authoritative; Wireshark frame comments imported when
 * there is no block), null when none. Rejects with AnnotationsError when sipscope's block is refused
 * (`loadAnnotations` gives the comments then, with the reason as a problem).
 */
export async function readAnnotations(path: string, options: ReadAnnotationsOptions = {}): Promise<Annotations | null> {
  const loaded = await loadAnnotations(path, options);
  if (loaded.origin !== 'block' && loaded.problems.length > 0) {
    const refused = loaded.problems.find((p) => p.startsWith('annotations:'));
    if (refused) throw new AnnotationsError(path, `The annotations in "${path}" were not loaded: ${refused.slice('annotations: '.length)}.`);
  }
  return loaded.annotations;
}

// ---------------------------------------------------------------------------------------------------------
// Autosave

/** The autosave file's own wrapper: which trace it belongs to, so notes never land on another file's frames. */
interface AutosaveFile {
  sipscopeAutosave: 1;
  /** The trace when the notes were taken: a trace replaced since makes the notes suspect. */
  trace: { name: string; size: number; mtimeMs: number };
  savedAt: string;
  annotations: Annotations;
}

export interface Autosave {
  annotations: Annotations;
  savedAt: string;
  /** The trace's size or modification time differ from when the notes were saved (replaced or rewritten). */
  traceChanged: boolean;
}

/** Beside the trace: `<trace>.sipscope-notes.json`. */
export function autosavePath(trace: string): string {
  return `${trace}.sipscope-notes.json`;
}

/** Writes the autosave (temporary file + rename: a crash mid-write keeps the previous one whole). */
export async function writeAutosave(trace: string, annotations: Annotations): Promise<string> {
  const target = autosavePath(trace);
  const s = await stat(trace);
  // The annotations text goes in as is: parse it back in readAutosave with every check.
  const body = `{"sipscopeAutosave":1,"trace":${JSON.stringify({ name: basename(trace), size: s.size, mtimeMs: s.mtimeMs })},"savedAt":${JSON.stringify(new Date().toISOString())},"annotations":${serialiseAnnotations(annotations)}}\n`;
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(temp, 'wx', 0o600);
  try {
    await fh.writeFile(body, 'utf8');
    await fh.sync();
    await fh.close();
    await rename(temp, target);
  } catch (error) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return target;
}

/** The autosaved notes of `trace`, null when there are none; rejects with AnnotationsError when the file is damaged or hostile. */
export async function readAutosave(trace: string): Promise<Autosave | null> {
  const path = autosavePath(trace);
  let text: string;
  try {
    const s = await stat(path);
    // Bytes bound the characters from above: refuse before reading something absurd into memory.
    if (s.size > MAX_ANNOTATIONS_TEXT * 3 + 4096) throw new AnnotationsError(path, `The autosaved notes "${path}" are ${s.size} bytes, too large to be sipscope's; not loaded.`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof AnnotationsError) throw error;
    throw new AnnotationsError(path, `Cannot read the autosaved notes "${path}": ${(error as Error).message}`, { cause: error });
  }
  let wrapper: unknown;
  try {
    wrapper = JSON.parse(text);
  } catch {
    throw new AnnotationsError(path, `The autosaved notes "${path}" are damaged (not valid JSON); not loaded.`);
  }
  const w = wrapper as Partial<AutosaveFile> | null;
  const t = w?.trace;
  if (
    typeof w !== 'object' || w === null || Array.isArray(w) || w.sipscopeAutosave !== 1 ||
    typeof t !== 'object' || t === null || typeof t.size !== 'number' || typeof t.mtimeMs !== 'number' || typeof w.savedAt !== 'string' || w.savedAt.length > 64
  ) {
    throw new AnnotationsError(path, `"${path}" is not a sipscope autosave file; not loaded.`);
  }
  // Parsed again from text: the one validated path for annotations from disk.
  const parsed = parseAnnotations(JSON.stringify(w.annotations ?? null));
  if ('error' in parsed) throw new AnnotationsError(path, `The autosaved notes "${path}" were not loaded: ${parsed.error.replace(/^annotations: /, '')}.`);
  let traceChanged = true;
  try {
    const s = await stat(trace);
    traceChanged = s.size !== t.size || s.mtimeMs !== t.mtimeMs;
  } catch {
    // The trace is gone: its notes are suspect.
  }
  return { annotations: parsed.annotations, savedAt: w.savedAt, traceChanged };
}

/** Removes the autosave (after the notes were saved into the capture, or discarded). */
export async function clearAutosave(trace: string): Promise<void> {
  await unlink(autosavePath(trace)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
