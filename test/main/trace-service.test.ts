import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineTraceService } from '../../src/main/trace-service.js';
import { repoRoot } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-trace-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the engine-backed trace service', () => {
  const service = createEngineTraceService();

  it('opens the bundled sample trace and counts its SIP messages', async () => {
    const sample = join(repoRoot, 'resources/sample-volte.pcap');
    await expect(service.open(sample)).resolves.toEqual({ path: sample, messages: 36 });
  });

  it('opens traces with the decode-as rules it was given, and refuses a bad rule naming it', async () => {
    const hep = join(repoRoot, 'test/fixtures/hep3-udp.pcap');
    const local = createEngineTraceService();
    expect(local.decodeAs()).toEqual([]);
    await expect(local.open(hep)).resolves.toEqual({ path: hep, messages: 36 });
    // The user says port 9060 carries nothing to decode: the HEP mirror is skipped.
    expect(local.setDecodeAs([' UDP.port = 9060 , none '])).toEqual(['udp.port==9060,none']);
    expect(local.decodeAs()).toEqual(['udp.port==9060,none']);
    await expect(local.open(hep)).resolves.toEqual({ path: hep, messages: 0 });
    expect(() => local.setDecodeAs(['tcp.port==6060,sip', 'tcp.port==6060,websockets'])).toThrow("unknown protocol 'websockets'");
    expect(local.decodeAs()).toEqual(['udp.port==9060,none']); // a refused list changes nothing
    expect(local.setDecodeAs([])).toEqual([]);
    await expect(local.open(hep)).resolves.toEqual({ path: hep, messages: 36 });
  });

  it('says when the file does not exist', async () => {
    const missing = join(dir, 'missing.pcap');
    await expect(service.open(missing)).rejects.toThrow(/missing\.pcap.*no such file/);
  });

  it('says when the path is a directory or an empty file', async () => {
    await expect(service.open(dir)).rejects.toThrow(/directory/);
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, new Uint8Array(0));
    await expect(service.open(empty)).rejects.toThrow(/empty/);
  });
});
