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
