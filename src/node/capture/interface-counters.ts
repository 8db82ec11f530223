/**
 * Packets each network interface has received and sent so far, from the kernel's interface counters (Linux:
 * /sys/class/net/NAME/statistics, the counters `ip -s link` prints). They need no capture rights and cost a
 * few file reads, so the Capture dialog can show which interface carries traffic before anything is captured,
 * as Wireshark's interface list does with its sparklines.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const SYS_CLASS_NET = '/sys/class/net';

async function counter(path: string): Promise<number | null> {
  try {
    const value = Number((await readFile(path, 'utf8')).trim());
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * `{ eth0: 123456, lo: 789 }`: received + sent packets per interface. Empty where the system has no such
 * counters (not Linux, /sys not mounted); an interface whose counters cannot be read is left out.
 */
export async function interfacePacketCounters(root = SYS_CLASS_NET): Promise<Record<string, number>> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return {};
  }
  const counters: Record<string, number> = {};
  await Promise.all(
    names.map(async (name) => {
      const [rx, tx] = await Promise.all([counter(join(root, name, 'statistics', 'rx_packets')), counter(join(root, name, 'statistics', 'tx_packets'))]);
      if (rx !== null && tx !== null) counters[name] = rx + tx;
    }),
  );
  return counters;
}
