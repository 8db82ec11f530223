/**
 * The trace service in live mode (the app's capture window and `sipscope serve --capture` run this): a real
 * capture on lo through the capture helper, SIP sent over UDP from a socket of this test, the messages
 * decoded as they arrive (view 0 grows), calls analysed and the applied filter refreshed while capturing, and
 * the files on disk holding every packet at the end. Also a HEP listener as the source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInProcessTraceService, type TraceService } from '../../src/main/trace-service.js';
import type { CaptureStatus } from '../../src/shared/api.js';
import { analyzeFile } from '../../src/node/analyze.js';
import { capInstalled, canCapture } from '../helpers/capture.js';
import { hepPayloads } from '../helpers/hep.js';
import { boundSender, sendSip, sipExchange } from '../helpers/sip-exchange.js';

const work = mkdtempSync(join(tmpdir(), 'sipscope-live-service-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('trace service: live capture on lo', () => {
  it('decodes messages as they arrive, refreshes calls and the filter view, and ends with complete files', async (ctx) => {
    if (!capInstalled) return ctx.skip(true, 'cap is not installed');
    if (!(await canCapture())) return ctx.skip(true, 'this process may not capture');
    const service: TraceService = createInProcessTraceService();
    const sender = await boundSender('udp4', '127.0.0.1');
    const senderPort = sender.address().port;
    const statuses: CaptureStatus[] = [];
    try {
      const started = await service.startCapture(
        { source: { kind: 'interfaces', interfaces: ['lo'], filter: `udp and src port ${senderPort}` }, folder: join(work, 'lo'), ring: null },
        (status) => statuses.push(status),
      );
      expect(started.state).toBe('capturing');
      expect(started.source).toBe(`lo (ethernet) — capture filter: udp and src port ${senderPort}`);

      const first = sipExchange('1');
      await sendSip(sender, first, 5060, '127.0.0.1');
      // View 0 grows as the packets arrive, before anything is stopped.
      const page = await until('the first exchange in view 0', async () => {
        const rows = await service.getRows({ view: 0, start: 0, count: 100 });
        return rows.total === first.length ? rows : undefined;
      });
      expect(page.rows.map((r) => r.method ?? String(r.status))).toEqual(['REGISTER', '200', 'INVITE', '100', '180', '200', 'ACK', 'BYE', '200']);
      // The periodic analysis finds the calls while capturing.
      await until('two calls analysed', () => statuses.find((s) => s.state === 'capturing' && s.calls === 2));
      const outcome = await service.applyFilter('sip.Method == "INVITE" || sip.Method == "BYE"');
      expect(outcome.ok && outcome.matching).toBe(2);
      const view = outcome.ok ? outcome.view : -1;

      // A second exchange joins the filter view at a later analysis, without applying the filter again.
      const second = sipExchange('2');
      await sendSip(sender, second, 5060, '127.0.0.1');
      const grown = await until('the filter view to grow', async () => {
        const rows = await service.getRows({ view, start: 0, count: 100 });
        return rows.total === 4 ? rows : undefined;
      });
      expect(grown.rows.map((r) => r.callId)).toEqual(['call-1@127.0.0.1', 'call-1@127.0.0.1', 'call-2@127.0.0.1', 'call-2@127.0.0.1']);
      const calls = await service.getCalls(0);
      expect(calls.map((c) => c.callId).sort()).toEqual(['call-1@127.0.0.1', 'call-2@127.0.0.1', 'reg-1@127.0.0.1', 'reg-2@127.0.0.1']);

      const live = statuses.filter((s) => s.state === 'capturing');
      expect(live.length).toBeGreaterThan(0);
      expect(live.at(-1)?.packets).toBeGreaterThan(0);

      const final = await service.stopCapture();
      expect(final.state).toBe('stopped');
      expect(final.packets).toBe(first.length + second.length);
      expect(final.messages).toBe(first.length + second.length);
      expect(final.calls).toBe(4);
      expect(final.queueDropped).toBe(0);
      expect(statuses.at(-1)).toEqual(final);
      // The file on disk decodes to the same messages (the engine reading it as any trace).
      expect(final.files).toHaveLength(1);
      expect(final.files[0]).toMatch(/\/lo\/sipscope_lo_\d{8}-\d{6}\.pcapng$/);
      const fromFile = await analyzeFile(final.files[0]);
      expect(fromFile.engine.index.count).toBe(first.length + second.length);
      // Stopping twice answers the same final status; the trace stays browsable.
      expect(await service.stopCapture()).toEqual(final);
      expect((await service.getRows({ view: 0, start: 0, count: 1 })).total).toBe(18);
    } finally {
      sender.close();
      service.dispose();
    }
  }, 40_000);

  it('a capture filter libpcap refuses rejects with the message, and the service stays usable', async (ctx) => {
    if (!capInstalled) return ctx.skip(true, 'cap is not installed');
    if (!(await canCapture())) return ctx.skip(true, 'this process may not capture');
    const service = createInProcessTraceService();
    try {
      await expect(
        service.startCapture({ source: { kind: 'interfaces', interfaces: ['lo'], filter: 'udp prot 5060' }, folder: join(work, 'bad'), ring: null }, () => {}),
      ).rejects.toThrow(/^Invalid capture filter 'udp prot 5060': .*pcap-filter/);
      await expect(service.stopCapture()).rejects.toThrow('no capture is running in this window');
      await expect(
        service.startCapture({ source: { kind: 'interfaces', interfaces: ['no-such0'], filter: '' }, folder: join(work, 'bad'), ring: null }, () => {}),
      ).rejects.toThrow(/No interface named 'no-such0'/);
    } finally {
      service.dispose();
    }
  }, 30_000);
});

describe('trace service: HEP listener as the live source', () => {
  it('decodes HEP v3 sent to the listener and writes it as HEP inside UDP', async () => {
    const service = createInProcessTraceService();
    const statuses: CaptureStatus[] = [];
    // A free port: bind, read it, release it (the listener binds it next).
    const probe = await boundSender('udp4', '127.0.0.1');
    const port = probe.address().port;
    probe.close();
    const sender = await boundSender('udp4', '127.0.0.1');
    try {
      const started = await service.startCapture({ source: { kind: 'hep', transport: 'udp', host: '127.0.0.1', port }, folder: join(work, 'hep'), ring: null }, (s) => statuses.push(s));
      expect(started.source).toBe(`HEP udp 127.0.0.1:${port}`);
      // HEP v3 packets of a real agent's capture (test/fixtures/hep3-udp.pcap, see its README entry).
      const payloads = hepPayloads('hep3-udp.pcap');
      for (const payload of payloads) {
        await new Promise<void>((resolve, reject) => sender.send(payload, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
      }
      await until('every HEP packet decoded', async () => ((await service.getRows({ view: 0, start: 0, count: 1 })).total === payloads.length ? true : undefined));
      const final = await service.stopCapture();
      expect(final.packets).toBe(payloads.length);
      expect(final.messages).toBe(payloads.length);
      const fromFile = await analyzeFile(final.files[0], { engine: { decodeAs: [{ transport: 'udp', port, protocol: 'hep' }] } });
      expect(fromFile.engine.index.count).toBe(payloads.length);
      expect(readFileSync(final.files[0]).subarray(0, 4)).toEqual(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]));
    } finally {
      sender.close();
      service.dispose();
    }
  }, 30_000);
});
