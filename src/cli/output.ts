import type { Writable } from 'node:stream';

/**
 * Buffered text output that respects back-pressure and stops quietly when the reader goes away
 * (`sipscope analyze big.pcap | head` must not print an EPIPE stack trace).
 */
export class TextOutput {
  private buffer = '';
  closed = false;

  constructor(private readonly stream: Writable, private readonly flushAt = 1 << 20) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.closed = true;
      else throw error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.closed) return;
    this.buffer += text;
    if (this.buffer.length >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.closed || this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('error', done);
        this.stream.on('close', done);
      });
    }
  }
}

/**
 * Escapes control characters as `\xNN`: SIP content and command-line terms are hostile input, and no
 * terminal escape may reach the screen.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The "Reading FILE: 42% ..." line on stderr while a capture is read, only when stderr is a terminal (and not
 * turned off): `onProgress` for `analyzeFile`, and `clear()` to erase the line before printing results.
 */
export function readingProgress(path: string, enabled = true): { onProgress: ((read: number, total: number, messages: number) => void) | undefined; clear(): void } {
  const show = enabled && process.stderr.isTTY === true;
  let last = 0;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return {
    onProgress: show
      ? (read, total, messages) => {
          const now = performance.now();
          if (now - last < 200) return;
          last = now;
          const percent = total > 0 ? Math.min(100, Math.floor((read / total) * 100)) : 0;
          process.stderr.write(`\rReading ${path}: ${percent}% (${mb(read)} of ${mb(total)} MB), ${messages} SIP messages `);
        }
      : undefined,
    clear() {
      if (show) process.stderr.write('\r\x1b[K');
    },
  };
}
