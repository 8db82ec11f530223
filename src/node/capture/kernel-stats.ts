/**
 * The kernel's received/dropped counts of a live capture, read in the capture helper from the AF_PACKET socket that
 * libpcap opened for `cap` (which binds neither pcap_stats nor pcap_fileno).
 *
 * Where the counts are: only in the packet socket itself (getsockopt PACKET_STATISTICS, what pcap_stats reads on
 * Linux). sock_diag (`ss -0`) reports d0 even when the ring overflowed, so the socket has to be read from inside the
 * process that owns it. The socket is found by its inode: /proc/self/fd/N -> `socket:[inode]`, matched with the Inode
 * column of /proc/net/packet (whose Iface column is the bound ifindex: /sys/class/net/NAME/ifindex, 0 for `any`).
 * The reading itself is native/packet-stats (a Node-API addon, Linux only, built by scripts/build-native.mjs).
 *
 * Kernel semantics (net/packet/af_packet.c, packet_getsockopt, PACKET_STATISTICS), which decide how this accumulates:
 *   - every read clears the counters, so each read is "since the previous read" and the totals are summed here (this
 *     module must be the socket's only reader: cap never calls pcap_stats, so it is);
 *   - the returned tp_packets already includes tp_drops (the getsockopt adds them), so `received` is what passed the
 *     capture filter, and `received - dropped` is what entered the ring;
 *   - packets the BPF filter rejects are counted nowhere.
 *
 * Two things would make `received` differ from "delivered to the helper + dropped", and both are handled:
 *   - On a loopback device the kernel hands a packet socket every packet twice (the outgoing copy from
 *     dev_queue_xmit_nit and the incoming one), and libpcap drops the outgoing copy in user space (pcap-linux.c: "If
 *     this is an outgoing packet on the loopback device, skip it as we'll also see it incoming"). The kernel would
 *     count both and fill the ring with copies libpcap throws away. On loopback (IFF_LOOPBACK) the socket is set
 *     PACKET_IGNORE_OUTGOING (Linux 4.20), so the kernel never queues those copies: the same packets reach the
 *     helper, each counted once, with twice the room in the ring. Not possible on `any` (it would hide other
 *     interfaces' outgoing packets): there, loopback packets count twice in `received`.
 *   - Packets still in the ring when the socket is closed were counted but never delivered. finish() first stops
 *     the kernel queueing (a reject-all socket filter), lets cap drain the ring, then reads the last counts.
 * Counting starts when the helper finds the socket, right after cap's open() attached the capture filter: what the
 * socket counted before (all traffic, unfiltered, between libpcap binding it and attaching the filter) is discarded.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kernel's counts for one capture, cumulative since it started. */
export interface KernelCounts {
  /** Packets that passed the capture filter, including those dropped (ps_recv). */
  received: number;
  /** Packets that passed the filter and found the ring full (ps_drop). */
  dropped: number;
  /**
   * The device's own receive drops since the capture began, whatever the filter (ps_ifdrop): libpcap's
   * linux_if_drops sums /sys/class/net/IF/statistics/rx_missed_errors and rx_fifo_errors; 0 for `any`.
   */
  interfaceDropped: number;
  /** TPACKET_V3 only: how often the kernel froze the block queue (libpcap in immediate mode uses TPACKET_V2). */
  freezeQueue?: number;
}

/** What native/packet-stats exports (see packet_stats.c). Each function throws an Error with `code` on failure. */
interface PacketStatsAddon {
  statistics(fd: number): { packets: number; drops: number; freezeQueue?: number; version: number };
  stopQueueing(fd: number): void;
  pending(fd: number): boolean;
  ignoreOutgoing(fd: number): void;
}

/** Tests (and packagers) may point at another build of the addon, or at a missing file to take the unavailable path. */
export const ADDON_PATH_ENV = 'SIPSCOPE_PACKET_STATS_ADDON';

const ADDON_IN_REPOSITORY = 'native/packet-stats/build/Release/packet_stats.node';

/**
 * Where the addon is built: native/packet-stats/build/Release/packet_stats.node at the repository root. That is three
 * levels up from src/node/capture/kernel-stats.ts (vitest) and dist/node/capture/kernel-stats.js (the CLI's helper),
 * two from out/main/capture-helper.js (electron-vite bundles this module into the app's helper): the nearest folder
 * above this module that holds it, else the three-levels-up path (named in the "not built" reason).
 */
export function defaultAddonPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let up = 1; up <= 4; up++) {
    const candidate = join(here, ...Array<string>(up).fill('..'), ADDON_IN_REPOSITORY);
    if (existsSync(candidate)) return candidate;
  }
  return join(here, '../../..', ADDON_IN_REPOSITORY);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The addon, or why it cannot be used. Loaded once per process (the helper serves one request). */
let addon: PacketStatsAddon | string | undefined;
function loadAddon(): PacketStatsAddon | string {
  if (addon !== undefined) return addon;
  if (process.platform !== 'linux') {
    addon = `kernel drop counts are read from Linux packet sockets; not available on ${process.platform}`;
    return addon;
  }
  const path = process.env[ADDON_PATH_ENV] || defaultAddonPath();
  try {
    addon = createRequire(import.meta.url)(path) as PacketStatsAddon;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    addon = missing
      ? `kernel drop counts need the packet-stats addon, which is not built (${path} is missing; \`node scripts/build-native.mjs\` builds it)`
      : `the packet-stats addon ${path} cannot be loaded: ${message(error)}`;
  }
  return addon;
}

/** Inodes of this process's sockets, by descriptor. */
function socketDescriptors(): Map<number, string> {
  const sockets = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      // Closed between the listing and the readlink (the listing's own descriptor is one): not ours to count.
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) sockets.set(Number(name), inode);
  }
  return sockets;
}

/** The packet sockets of this network namespace: inode -> bound ifindex (/proc/net/packet, net/packet/af_packet.c packet_seq_show). */
function packetSockets(): Map<string, number> {
  const sockets = new Map<string, number>();
  const lines = readFileSync('/proc/net/packet', 'utf8').split('\n');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  const ifaceColumn = header.indexOf('Iface');
  const inodeColumn = header.indexOf('Inode');
  if (ifaceColumn < 0 || inodeColumn < 0) return sockets;
  for (const line of lines.slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length <= Math.max(ifaceColumn, inodeColumn)) continue;
    sockets.set(columns[inodeColumn], Number(columns[ifaceColumn]));
  }
  return sockets;
}

/** This process's packet sockets: descriptor -> inode. */
function ownPacketSockets(): Map<number, string> {
  const packet = packetSockets();
  const own = new Map<number, string>();
  for (const [fd, inode] of socketDescriptors()) if (packet.has(inode)) own.set(fd, inode);
  return own;
}

/** An interface's ifindex and whether it is a loopback, from sysfs; undefined when sysfs does not know the name. */
function interfaceInfo(name: string): { ifindex: number; loopback: boolean } | undefined {
  if (name === 'any') return { ifindex: 0, loopback: false };
  // A name with a slash would walk out of /sys/class/net; libpcap would have refused it anyway.
  if (name.includes('/') || name === '.' || name === '..') return undefined;
  try {
    const ifindex = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
    // IFF_LOOPBACK = 0x8 (include/uapi/linux/if.h).
    const flags = Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
    return Number.isInteger(ifindex) ? { ifindex, loopback: (flags & 0x8) !== 0 } : undefined;
  } catch {
    return undefined;
  }
}

/** libpcap's linux_if_drops: the NIC's missed and FIFO-overrun receive counts (0 where sysfs has none, as for `any`). */
function deviceDrops(name: string): number {
  if (name === 'any' || name.includes('/') || name === '.' || name === '..') return 0;
  let sum = 0;
  for (const counter of ['rx_missed_errors', 'rx_fifo_errors']) {
    try {
      const value = Number(readFileSync(`/sys/class/net/${name}/statistics/${counter}`, 'utf8').trim());
      if (Number.isFinite(value)) sum += value;
    } catch {
      // A device without this counter drops nothing that it reports: 0, as libpcap's linux_get_stat says.
    }
  }
  return sum;
}

/** What the helper knows before cap opens the device: the packet sockets it already has (none, normally). */
export interface KernelStatsProbe {
  before: Set<string>;
  unavailable?: string;
}

/** Call right before cap's open(): the sockets that exist then are not the capture's. Never throws. */
export function probeBeforeOpen(): KernelStatsProbe {
  const loaded = loadAddon();
  if (typeof loaded === 'string') return { before: new Set(), unavailable: loaded };
  try {
    return { before: new Set(ownPacketSockets().values()) };
  } catch (error) {
    return { before: new Set(), unavailable: `cannot list this process's packet sockets: ${message(error)}` };
  }
}

/** The result of reading: the counts, or why there are none. */
export type KernelStatsReading = { counts: KernelCounts } | { unavailable: string };

/** How long finish() lets cap drain the ring before it reads the last counts anyway. */
const DRAIN_LIMIT_MS = 2000;

/** The kernel counters of one capture's packet socket(s), summed over reads. */
export class KernelStats {
  private received = 0;
  private dropped = 0;
  private freezeQueue: number | undefined;
  private failure: string | undefined;
  private closed = false;

  /** The device's drop counters when counting started (ps_ifdrop is the difference, as in libpcap). */
  private readonly deviceDropsAtStart: number;
  private interfaceDropped = 0;

  private constructor(
    private readonly addon: PacketStatsAddon,
    private readonly interfaceName: string,
    /** The capture's packet sockets, descriptor -> inode (one per cap handle). */
    private readonly sockets: Map<number, string>,
  ) {
    this.deviceDropsAtStart = deviceDrops(interfaceName);
  }

  /**
   * Finds the packet socket(s) cap's open() just created for `interfaceName` and starts counting; a string says why
   * the counts are unavailable. Never throws.
   */
  static afterOpen(interfaceName: string, probe: KernelStatsProbe): KernelStats | string {
    if (probe.unavailable !== undefined) return probe.unavailable;
    const loaded = loadAddon();
    if (typeof loaded === 'string') return loaded;
    try {
      const info = interfaceInfo(interfaceName);
      const packet = packetSockets();
      const opened = new Map<number, string>();
      for (const [fd, inode] of socketDescriptors()) {
        if (probe.before.has(inode) || !packet.has(inode)) continue;
        // libpcap binds its socket to the device's ifindex (0 for `any`); a name sysfs does not know keeps any new one.
        if (info === undefined || packet.get(inode) === info.ifindex) opened.set(fd, inode);
      }
      if (opened.size === 0) {
        return `libpcap's packet socket for ${interfaceName} was not found among this process's descriptors (not an AF_PACKET capture?)`;
      }
      for (const fd of opened.keys()) {
        if (info?.loopback) {
          try {
            loaded.ignoreOutgoing(fd);
          } catch {
            // Before Linux 4.20 (ENOPROTOOPT): the counts stay right, lo's packets are merely counted twice.
          }
        }
        // Discard what the socket counted before the capture filter was attached (see the module comment).
        loaded.statistics(fd);
      }
      return new KernelStats(loaded, interfaceName, opened);
    } catch (error) {
      return `cannot read the kernel's counters for ${interfaceName}: ${message(error)}`;
    }
  }

  /** Reads the counters (clearing them in the kernel) and returns the totals since the capture began. Never throws. */
  read(): KernelStatsReading {
    if (this.failure !== undefined) return { unavailable: this.failure };
    if (!this.closed) {
      try {
        for (const [fd, inode] of this.sockets) {
          // The number must still name the capture's socket: never read (and clear) someone else's.
          if (readlinkSync(`/proc/self/fd/${fd}`) !== `socket:[${inode}]`) throw new Error(`descriptor ${fd} no longer refers to the capture's socket`);
          const counters = this.addon.statistics(fd);
          this.received += counters.packets;
          this.dropped += counters.drops;
          if (counters.freezeQueue !== undefined) this.freezeQueue = (this.freezeQueue ?? 0) + counters.freezeQueue;
        }
        this.interfaceDropped = Math.max(0, deviceDrops(this.interfaceName) - this.deviceDropsAtStart);
      } catch (error) {
        this.failure = `reading the kernel's counters failed: ${message(error)}`;
        return { unavailable: this.failure };
      }
    }
    return { counts: { received: this.received, dropped: this.dropped, interfaceDropped: this.interfaceDropped, ...(this.freezeQueue !== undefined ? { freezeQueue: this.freezeQueue } : {}) } };
  }

  /**
   * Call before closing the capture: stops the kernel queueing packets (a reject-all socket filter), waits until
   * cap has taken every packet already in the ring (at most DRAIN_LIMIT_MS), then reads the final totals, so that
   * `received - dropped` is what the helper was handed. Later read()s return these totals. Never throws; resolves
   * `drained: false` when the ring was still not empty at the limit (the counts then include the packets left in it).
   */
  async finish(): Promise<KernelStatsReading & { drained?: boolean }> {
    if (this.closed || this.failure !== undefined) return this.read();
    let drained = true;
    try {
      for (const fd of this.sockets.keys()) this.addon.stopQueueing(fd);
      const end = Date.now() + DRAIN_LIMIT_MS;
      // cap reads in its poll callback: give the event loop turns until no socket has a packet waiting.
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (![...this.sockets.keys()].some((fd) => this.addon.pending(fd))) break;
        if (Date.now() >= end) {
          drained = false;
          break;
        }
      }
    } catch (error) {
      this.failure = `stopping the kernel's queue failed: ${message(error)}`;
      return { unavailable: this.failure };
    }
    const reading = this.read();
    this.closed = true;
    return { ...reading, drained };
  }
}
