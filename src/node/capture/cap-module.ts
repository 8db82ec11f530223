/**
 * Loads the `cap` native module (libpcap bindings). Only the capture helper process calls this: a crash or a
 * missing capability in native code must never take down the CLI or the app window (like Wireshark's dumpcap).
 * `cap` is an optional dependency: where it did not build (no libpcap headers, no C++ toolchain) capture is off and
 * the user is told how to turn it on.
 */
import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import type { CaptureErrorInfo, LinkType } from './helper-protocol.js';

/** An address as `Cap.deviceList()` gives it (pcap_findalldevs, IPv4 and IPv6 only). */
export interface CapAddress {
  addr: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: CapAddress[];
  /** 'PCAP_IF_LOOPBACK' or absent. */
  flags?: string;
}

/** One capture handle of `cap` 0.2.1 (see node_modules/cap/src/binding.cc). */
export interface CapHandle {
  /** Opens the device promiscuously with snap length 65535 and applies the filter; returns the link type's name. */
  open(device: string, filter: string, kernelBufferBytes: number, packetBuffer: Buffer): string;
  close(): void;
  /** `nbytes` of the packet are in the buffer given to open(); `truncated` when it did not fit. No timestamp. */
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): unknown;
}

export interface CapModule {
  Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

/** What to do when `cap` is missing: the text every caller shows. */
export function howToEnableCapture(): string {
  return [
    'Live capture is not enabled: the `cap` module (libpcap bindings) is not installed or did not build.',
    'To enable it, install libpcap and a C++ toolchain, then reinstall sipscope\'s dependencies:',
    '  Debian/Ubuntu: sudo apt-get install libpcap-dev build-essential python3 && npm install',
    '  Fedora/RHEL:   sudo dnf install libpcap-devel gcc-c++ make python3 && npm install',
    '  macOS:         xcode-select --install && npm install',
    `Capturing also needs rights: ${grantCommand()}`,
  ].join('\n');
}

/** The setcap line for the Node binary running this process (resolved: setcap refuses symlinks). */
export function grantCommand(): string {
  let node = process.execPath;
  try {
    node = realpathSync(node);
  } catch {
    // Keep the unresolved path: the hint is still right.
  }
  return `sudo setcap cap_net_raw,cap_net_admin=eip ${node} (or run sipscope as root)`;
}

/**
 * Loads `cap` (or `moduleName`, which tests point at a module that does not exist). Throws a CaptureErrorInfo-shaped
 * error of kind 'capture-unavailable' whose message says how to enable capture.
 */
export function loadCap(moduleName = 'cap'): CapModule {
  const require = createRequire(import.meta.url);
  try {
    const loaded = require(moduleName) as CapModule;
    if (typeof loaded?.Cap?.deviceList !== 'function') throw new Error(`'${moduleName}' is not the cap module`);
    return loaded;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CaptureFailure({ kind: 'capture-unavailable', message: `${howToEnableCapture()}\n(Loading '${moduleName}' failed: ${reason})` });
  }
}

/** A failure that carries its user-facing kind and message; the helper sends `info` to the parent as is. */
export class CaptureFailure extends Error {
  readonly kind: CaptureErrorInfo['kind'];
  constructor(readonly info: CaptureErrorInfo) {
    super(info.message);
    this.name = 'CaptureFailure';
    this.kind = info.kind;
  }
}

/**
 * Turns libpcap's text from a failed open (cap throws pcap_geterr/errbuf text, without the PCAP_ERROR_* code) into
 * a kind and a message that says what to do.
 */
export function classifyOpenFailure(device: string, filter: string, text: string): CaptureErrorInfo {
  // Linux: "socket: Operation not permitted"; older libpcap: "You don't have permission to capture on that device".
  if (/operation not permitted|permission denied|don't have permission/i.test(text)) {
    return {
      kind: 'permission',
      message:
        `No permission to capture on ${device} (${text}).\n` +
        'Capturing needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities, only in the process that captures. Grant them with:\n' +
        `  ${grantCommand()}`,
    };
  }
  if (/no such device/i.test(text)) {
    return { kind: 'no-such-interface', message: `No interface named '${device}' (${text}); 'sipscope interfaces' lists them.` };
  }
  // pcap_compile's errors ("can't parse filter expression: syntax error", "illegal token: ...", "unknown host ...").
  if (/filter|syntax error|illegal|unknown (host|port|protocol|network)|parse error|expression rejects/i.test(text)) {
    return { kind: 'bad-filter', message: `Invalid capture filter '${filter}': ${text} (capture filters use BPF syntax, see 'man pcap-filter').` };
  }
  return { kind: 'capture-failed', message: `Cannot capture on ${device}: ${text}` };
}

/**
 * cap's link-type names (binding.cc's switch on pcap_datalink) as pcap LINKTYPE_* numbers, which pcap and pcapng
 * files store. They equal the DLT_* values except raw IP: DLT_RAW is 12 or 14 depending on the OS, LINKTYPE_RAW is 101.
 */
const LINK_TYPES: Record<string, LinkType> = {
  NULL: { linkType: 0, name: 'null' },
  ETHERNET: { linkType: 1, name: 'ethernet' },
  RAW: { linkType: 101, name: 'raw' },
  LINKTYPE_LINUX_SLL: { linkType: 113, name: 'linux-sll' },
  IEEE802_11_RADIO: { linkType: 127, name: 'ieee802.11-radiotap' },
};

/** `open()`'s return value as a LinkType; cap names others "Unknown linktype N" with the DLT number. */
export function linkTypeFromCap(capName: string): LinkType {
  const known = LINK_TYPES[capName];
  if (known) return known;
  const dlt = /^Unknown linktype (\d+)$/.exec(capName);
  if (dlt) return { linkType: Number(dlt[1]), name: `dlt-${dlt[1]}` };
  return { linkType: -1, name: capName };
}
