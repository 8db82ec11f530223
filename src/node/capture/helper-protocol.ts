/**
 * The messages between the capture helper (capture-helper.ts, a child process that alone loads `cap`) and its
 * parent (capture-client.ts). Types only: both sides import it, so the contract lives in one place. The channel is
 * Node's IPC with `serialization: 'advanced'` (the V8 serializer), so packet bytes travel as raw Uint8Array and
 * timestamps as BigUint64Array, never as JSON arrays or base64.
 */

/** What went wrong, as a kind the caller can branch on and a message a user can act on. */
export type CaptureErrorKind =
  /** `cap` (or libpcap under it) cannot be loaded: capture is not enabled on this machine. */
  | 'capture-unavailable'
  /** The helper lacks CAP_NET_RAW/CAP_NET_ADMIN (or root). */
  | 'permission'
  /** libpcap refused the BPF capture filter. */
  | 'bad-filter'
  | 'no-such-interface'
  /** dist/node/capture/capture-helper.js is missing: the CLI is not built. */
  | 'helper-missing'
  /** The helper process died or stopped answering. */
  | 'helper-failed'
  /** Any other libpcap refusal, with its text. */
  | 'capture-failed'
  /** The `output` options make no sense (a ring without a size or age limit, a count that is not a number...). */
  | 'bad-output'
  /** Writing the capture file failed (folder missing, permission, disk full); the message names the file. */
  | 'output-failed';

export interface CaptureErrorInfo {
  kind: CaptureErrorKind;
  message: string;
}

export interface InterfaceAddress {
  address: string;
  netmask?: string;
  broadcast?: string;
  /** The other end of a point-to-point link. */
  destination?: string;
}

/** The link layer of an opened interface: the pcap LINKTYPE_* number (what pcap/pcapng files store) and a name. */
export interface LinkType {
  linkType: number;
  name: string;
}

export interface CaptureInterface {
  name: string;
  description?: string;
  addresses: InterfaceAddress[];
  loopback: boolean;
  /** Known only by opening the interface, which needs capture rights; null when that failed. */
  link: LinkType | null;
  /** Why `link` is null (permission, device that cannot be opened...). */
  linkError?: CaptureErrorInfo;
}

/**
 * Where the helper writes what it captures, as pcapng. Without ring options, one file at `path`; with any of them, a
 * ring buffer like dumpcap's: `<base>_00001_<YYYYMMDDhhmmss>.pcapng`..., a new file once the current one reaches
 * `ringBytes` bytes or `ringSeconds` seconds, at most `ringFiles` kept (the oldest deleted).
 */
export interface CaptureOutput {
  path: string;
  ringFiles?: number;
  ringBytes?: number;
  ringSeconds?: number;
}

export interface CaptureRequest {
  interface: string;
  /** BPF (pcap-filter(7)) syntax; '' captures everything. */
  filter: string;
  /** libpcap's kernel buffer in bytes (pcap_set_buffer_size). */
  kernelBufferBytes: number;
  /** A batch leaves the helper when it holds this many packets... */
  batchPackets: number;
  /** ...or when its oldest packet has waited this long. */
  batchMs: number;
  /** Batches sent and not yet acknowledged by the parent, at most. */
  batchesInFlight: number;
  /** Bytes held in the helper (pending + unacknowledged) before packets are dropped and counted. */
  queueLimitBytes: number;
  /** How often the helper reports statistics. */
  statsMs: number;
  /** Write every captured packet to pcapng, in the helper, as it is captured. */
  output?: CaptureOutput;
}

/** Counters of one capture, cumulative since it started. */
export interface CaptureStats {
  /** Packets libpcap delivered to the helper. */
  packets: number;
  /** Their captured bytes. */
  bytes: number;
  /** Packets delivered to the parent (in acknowledged or sent batches). */
  sentPackets: number;
  /** Packets the helper dropped because the parent did not keep up (its queue was full). Must stay 0. */
  queueDropped: number;
  /** Packets held in the helper now (pending + sent but not acknowledged), and the most ever held. */
  queueDepth: number;
  queueHighWater: number;
  /** Packets longer than the helper's packet buffer (cut to it). */
  truncated: number;
  /**
   * The kernel's counts, what pcap_stats would say (Linux only; read by kernel-stats.ts from libpcap's packet socket,
   * since `cap` 0.2.1 does not expose pcap_stats). `received` is every packet that passed the capture filter,
   * including the `dropped` ones (no room in the kernel ring); `interfaceDropped` is the device's own receive drops
   * since the capture began (/sys/class/net/IF/statistics, as libpcap's ps_ifdrop; 0 for `any`). In the final stats
   * (after stop) `received == packets + dropped` on one interface, loopback included; on `any`, loopback traffic is
   * counted twice in `received` (its outgoing and incoming copies; libpcap hands over only one).
   * null when unavailable, with the reason in `kernelUnavailable`.
   */
  kernel: { received: number; dropped: number; interfaceDropped: number } | null;
  /** Why `kernel` is null: not Linux, the packet-stats addon not built, the packet socket not found... */
  kernelUnavailable?: string;
  /** The capture files on disk, oldest first ([] without `output`). */
  files: string[];
  /**
   * Packets written to the capture files (including ring files since deleted). The file does not depend on the
   * parent keeping up: packets the queue drops (`queueDropped`) are still written, so this is `packets` after stop.
   */
  written: number;
}

export type ParentToHelper =
  | { type: 'list' }
  | { type: 'start'; request: CaptureRequest }
  | { type: 'ack'; seq: number }
  | { type: 'stop' };

export type HelperToParent =
  | { type: 'interfaces'; interfaces: CaptureInterface[] }
  | { type: 'started'; interface: string; filter: string; link: LinkType; timestampSource: string }
  | {
      type: 'batch';
      seq: number;
      /** The packets' bytes end to end; `lengths[i]` bytes each, in capture order. */
      data: Uint8Array;
      lengths: Uint32Array;
      /** Nanoseconds since the Unix epoch, one per packet. */
      timestampsNs: BigUint64Array;
    }
  | { type: 'stats'; stats: CaptureStats }
  | { type: 'stopped'; stats: CaptureStats }
  | { type: 'error'; error: CaptureErrorInfo };
