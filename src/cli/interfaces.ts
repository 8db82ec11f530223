import { CaptureError, listInterfaces, type CaptureInterface, type InterfaceAddress } from '../node/capture/capture-client.js';
import { parseArgs, UsageError } from './args.js';
import { escapeControls, TextOutput } from './output.js';

export const interfacesUsage = `Usage: sipscope interfaces [--format text|json]

Lists the network interfaces live capture can use (libpcap's list): name, link type, addresses and
description. The link type is read by opening the interface, which needs capture rights; without them it
shows '?' and the last line says how to grant them.`;

/** `a.b.c.d/len` or `x::y/len`: the netmask as a prefix length, as `ip addr` shows it. */
function withPrefix(address: InterfaceAddress): string {
  if (!address.netmask) return address.address;
  let bits = 0;
  if (address.netmask.includes(':')) {
    for (const group of address.netmask.split(':')) bits += group === '' ? 0 : countBits(parseInt(group, 16));
  } else {
    for (const octet of address.netmask.split('.')) bits += countBits(Number(octet));
  }
  return `${address.address}/${bits}`;
}

function countBits(value: number): number {
  let bits = 0;
  for (let v = value; v > 0; v >>= 1) bits += v & 1;
  return bits;
}

function toJson(entry: CaptureInterface): object {
  return {
    name: entry.name,
    ...(entry.description ? { description: entry.description } : {}),
    loopback: entry.loopback,
    linkType: entry.link?.linkType ?? null,
    linkTypeName: entry.link?.name ?? null,
    ...(entry.linkError ? { linkError: entry.linkError } : {}),
    addresses: entry.addresses,
  };
}

export async function interfacesCommand(argv: string[]): Promise<number> {
  const { positionals, options } = parseArgs(argv, { format: { value: true, choices: ['text', 'json'], short: 'f' }, help: { short: 'h' } });
  if (options.has('help')) {
    process.stdout.write(`${interfacesUsage}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError('interfaces takes no arguments');
  let interfaces: CaptureInterface[];
  try {
    // SIPSCOPE_CAP_MODULE names another module than `cap` for the helper to load: the tests use a missing one to
    // see what a machine without capture support shows.
    interfaces = await listInterfaces({ capModule: process.env['SIPSCOPE_CAP_MODULE'] || undefined });
  } catch (error) {
    if (error instanceof CaptureError) {
      process.stderr.write(`sipscope: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const out = new TextOutput(process.stdout);
  if (options.get('format') === 'json') {
    await out.write(`${JSON.stringify({ interfaces: interfaces.map(toJson) }, null, 1)}\n`);
  } else {
    // Names and descriptions come from the system (D-Bus, drivers): escape them like any text reaching a terminal.
    const rows = interfaces.map((i) => [i.name, i.link?.name ?? '?', i.addresses.map(withPrefix).join(', ') || '-', i.description ?? (i.loopback ? 'Loopback' : '')].map(escapeControls));
    const header = ['NAME', 'LINK', 'ADDRESSES', 'DESCRIPTION'];
    const widths = [0, 1, 2].map((c) => Math.max(header[c].length, ...rows.map((r) => r[c].length)));
    for (const row of [header, ...rows]) {
      await out.write(`${row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell)).join('  ').trimEnd()}\n`);
    }
    if (interfaces.length === 0) await out.write('libpcap sees no interface.\n');
    // One permission problem explains every '?': say once what to do.
    const denied = interfaces.find((i) => i.linkError?.kind === 'permission');
    if (denied?.linkError) await out.write(`\nLink types ('?') are read by opening each interface, which needs capture rights. ${denied.linkError.message}\n`);
  }
  await out.flush();
  return 0;
}
