import type { Diagnostic } from '../core/diagnostics.js';
import { TraceEngine, type EngineOptions } from '../core/engine/trace-engine.js';
import { openCaptureFile, type CaptureFileSummary } from './capture-file.js';

export interface AnalysisResult {
  engine: TraceEngine;
  file: CaptureFileSummary;
  /** File-level problems (truncated last record, unknown blocks...), with their file offsets. */
  fileDiagnostics: (Diagnostic & { fileOffset: number })[];
  elapsedMs: number;
}

export interface AnalyzeOptions {
  engine?: EngineOptions;
  onProgress?(bytesRead: number, totalBytes: number, messages: number): void;
}

/** Reads a capture file through the engine: every packet decoded, every SIP message indexed. */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const started = performance.now();
  const engine = new TraceEngine(options.engine);
  const fileDiagnostics: (Diagnostic & { fileOffset: number })[] = [];
  const file = await openCaptureFile(
    path,
    {
      packet: (packet) => engine.addPacket(packet),
      diagnostic: (diagnostic) => fileDiagnostics.push(diagnostic),
    },
    {
      onProgress: options.onProgress ? (read, total) => options.onProgress?.(read, total, engine.index.count) : undefined,
    },
  );
  engine.finish();
  return { engine, file, fileDiagnostics, elapsedMs: performance.now() - started };
}
