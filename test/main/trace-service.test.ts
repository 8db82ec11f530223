import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStatTraceService } from '../../src/main/trace-service.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-trace-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createStatTraceService (placeholder until the engine is plugged in)', () => {
  const service = createStatTraceService();

  it('opens an existing file and reports no messages', async () => {
    const file = join(dir, 'empty.pcap');
    writeFileSync(file, new Uint8Array(0));
    await expect(service.open(file)).resolves.toEqual({ path: file, messages: 0 });
  });

  it('says when the file does not exist', async () => {
    const missing = join(dir, 'missing.pcap');
    await expect(service.open(missing)).rejects.toThrow(`no such file: ${missing}`);
  });

  it('says when the path is a directory', async () => {
    await expect(service.open(dir)).rejects.toThrow(`not a regular file: ${dir}`);
  });
});
