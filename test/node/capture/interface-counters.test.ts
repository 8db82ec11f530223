/**
 * The Capture dialog's per-interface packet counters (src/node/capture/interface-counters.ts): rx + tx packets
 * from a /sys/class/net-shaped tree (a fake one here, so every odd case is on disk), and from the real one:
 * lo's counter grows when this process sends UDP over it.
 */
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interfacePacketCounters } from '../../../src/node/capture/interface-counters.js';

const root = mkdtempSync(join(tmpdir(), 'sipscope-sys-class-net-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One interface of the fake tree; a counter given as null is not written. */
function iface(name: string, rx: string | null, tx: string | null): void {
  const statistics = join(root, name, 'statistics');
  mkdirSync(statistics, { recursive: true });
  if (rx !== null) writeFileSync(join(statistics, 'rx_packets'), rx);
  if (tx !== null) writeFileSync(join(statistics, 'tx_packets'), tx);
}

describe('interfacePacketCounters on a /sys/class/net tree', () => {
  it('sums received and sent packets per interface, leaving out those whose counters cannot be read', async () => {
    // What the kernel writes: the number and a newline.
    iface('lo', '1042\n', '1042\n');
    iface('eth0', '123456789012\n', '7\n');
    iface('eth1.100', '0\n', '0\n');
    iface('no-tx0', '5\n', null);
    iface('garbage0', 'n/a\n', '3\n');
    mkdirSync(join(root, 'no-statistics0'));
    // Some entries are not interfaces at all (bonding_masters on Linux).
    writeFileSync(join(root, 'bonding_masters'), 'bond0\n');
    await expect(interfacePacketCounters(root)).resolves.toEqual({ lo: 2084, eth0: 123456789019, 'eth1.100': 0 });
  });

  it('is empty where there is no such tree (not Linux, /sys not mounted)', async () => {
    await expect(interfacePacketCounters(join(root, 'missing'))).resolves.toEqual({});
  });
});

describe('interfacePacketCounters on this machine', () => {
  it.skipIf(process.platform !== 'linux')("counts lo's packets, and the count grows as UDP goes over lo", async () => {
    const before = await interfacePacketCounters();
    expect(Number.isInteger(before['lo'])).toBe(true);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      // To this socket itself: every datagram crosses lo once (counted as sent and as received).
      const { port } = socket.address();
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve, reject) => socket.send(Buffer.from(`OPTIONS ${i}`), port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
      }
    } finally {
      socket.close();
    }
    const after = await interfacePacketCounters();
    // Other processes may use lo too: at least our 20 datagrams, each counted in rx and tx.
    expect((after['lo'] ?? 0) - (before['lo'] ?? 0)).toBeGreaterThanOrEqual(40);
  });
});
