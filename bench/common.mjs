// What the benchmark scripts share: the repository root, their command-line options and the median.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);

/** The value after `--name` on the command line, or `fallback`. */
export function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/** `--runs N` (default 5) and `--file X` (default: the generated 300k-message VoLTE capture). */
export const runs = Number(option('runs', '5'));
export const file = resolve(option('file', join(root, 'bench/data/volte-25k.pcap')));

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
