/**
 * The contract between the sipscope UI and whatever serves it: the Electron main process today (through
 * the preload bridge), a WebSocket server (`sipscope serve`) later. Types and constant channel names only:
 * no imports and no runtime code beyond constants and `requestOperations`, so main, preload, renderer and the
 * `sipscope serve` server can all depend on it.
 *
 * One named operation per thing the UI can ask for; there is deliberately no generic `invoke(channel)`.
 * Adding an operation means: a method here, a channel name in `InvokeChannels`, a handler (with argument
 * validation) in src/main/ipc.ts, and a line in src/preload/index.ts. The preload test checks that the
 * exposed object and this contract stay in step.
 */

export interface AppInfo {
  name: string;
  version: string;
  /** Electron version; absent when the UI is served by `sipscope serve` in a browser. */
  electron?: string;
  /** `process.platform` of the side that reads the traces (`linux`, `darwin`, `win32`). */
  platform: string;
}

/** An opened trace: what was read, once the whole file has been through the engine (or reading was cancelled). */
export interface TraceSummary {
  /** Absolute, normalised path of the trace that was opened. */
  path: string;
  /** Number of SIP messages found. */
  messages: number;
  /** Number of calls (messages grouped by Call-ID, see src/core/calls/analysis.ts). */
  calls: number;
  /** Packets (frames) read from the file. */
  packets: number;
  /** Time of the first and last frame, epoch seconds (null for a trace without packets). */
  firstTime: number | null;
  lastTime: number | null;
  /** Messages carrying at least one error / warning diagnostic. */
  errors: number;
  warnings: number;
  /** File-level problems (truncated last record, unknown blocks...), one line each, for a banner. */
  fileProblems: string[];
  /** False when the user cancelled: what was read so far stays open, and says it is partial. */
  complete: boolean;
  /** Milliseconds from the request to the complete index. */
  elapsedMs: number;
}

/** Pushed while a trace is being read (at most every ~100 ms), and once at the end. */
export interface TraceProgress {
  path: string;
  bytesRead: number;
  totalBytes: number;
  /** SIP messages indexed so far: rows 0..messages-1 of view 0 can already be fetched with `getRows`. */
  messages: number;
  /** 'reading' while packets are read; 'analysing' while calls and procedures are built; then 'done'. */
  phase: 'reading' | 'analysing' | 'done';
}

/**
 * A list of messages the table shows: 0 is the whole trace in frame order (growing while the trace is
 * read); `applyFilter` makes others (its outcome's `view`). A view lives until the next `applyFilter` or
 * `openTrace` of the same window replaces it (view 0 always lives).
 */
export type ViewId = number;

/** The table's sortable columns (besides custom header columns, addressed as `header:NAME`), in table order. */
export const MESSAGE_COLUMNS = ['frame', 'time', 'source', 'destination', 'transport', 'method', 'callId', 'cseq', 'procedure', 'info', 'size'] as const;
export type MessageColumn = (typeof MESSAGE_COLUMNS)[number];

export interface RowsQuery {
  view: ViewId;
  /** Position in the (sorted) view, and how many rows (at most 1000). */
  start: number;
  count: number;
  /** Sort key: a column, or `header:NAME` for a custom column; default frame order. */
  sort?: { column: MessageColumn | `header:${string}`; descending: boolean };
  /** SIP header names whose values fill `MessageRow.custom`, in this order (at most 16). */
  headers?: string[];
}

/** One message as the table shows it. Strings are raw text from the packet: render them as text, never as HTML. */
export interface MessageRow {
  /** The message's id in the trace (stable for the life of the open trace); `getMessage(row)`. */
  row: number;
  /** Position of this row in the view (as sorted), for keyboard navigation and scroll restore. */
  position: number;
  frame: number;
  /** Epoch seconds, at the capture's precision (float). */
  time: number;
  /** Seconds since the previous row of the view, in the view's order (0 for the first). */
  delta: number;
  /** `ip:port` (IPv6 in brackets). */
  source: string;
  destination: string;
  /** UDP, TCP, SCTP, WS, TLS... */
  transport: string;
  /** A request's method, or null for a response. */
  method: string | null;
  /** A response's status code and reason phrase, or null for a request. */
  status: number | null;
  reason: string | null;
  callId: string;
  /** `1 INVITE`. */
  cseq: string;
  /** The IMS procedure this message belongs to (`registration`, `call-setup`...), or null. */
  procedure: string | null;
  /** One line: the request URI, or the reason phrase; `(SDP)`, `[retransmission]`... marks. */
  info: string;
  /** Bytes of the SIP message. */
  size: number;
  hasSdp: boolean;
  /** Worst diagnostic or finding on this message. */
  severity: 'error' | 'warning' | 'note' | null;
  retransmission: boolean;
  /** A copy of an earlier message seen at another capture point (ESP and clear, GTP-U and plain...). */
  duplicate: boolean;
  /** The index of its call in `getCalls` (`CallSummary.index`), or -1. */
  call: number;
  /** Values of `RowsQuery.headers`, in order (several occurrences joined with `, `; '' when absent). */
  custom: string[];
}

export interface RowsPage {
  view: ViewId;
  /** Rows in the view now (grows while the trace is read, for view 0). */
  total: number;
  start: number;
  rows: MessageRow[];
}

/** A header of the detail pane, with where it sits in `MessageDetail.raw`. */
export interface HeaderDetail {
  /** As written (compact forms kept: `i`, `v`...) and its full name (`Call-ID`, `Via`). */
  name: string;
  canonicalName: string;
  value: string;
  /** UTF-16 offsets of the whole header line (name to end of value) in `MessageDetail.raw`. */
  start: number;
  end: number;
  /** Parsed parts, for the tree: `[["display-name","Alice"],["uri","sip:a@x"],["tag","1928"]]`, `[["branch","z9hG4bK…"]]`. */
  parts: [string, string][];
}

export interface SdpDetail {
  /** Session-level lines in order, as `[type, value]` (`["o","- 1 1 IN IP4 …"]`). */
  session: [string, string][];
  media: {
    /** `audio 49170 RTP/AVP 0 8 97`. */
    line: string;
    /** Media-level lines in order (`["a","rtpmap:97 AMR-WB/16000/1"]`). */
    lines: [string, string][];
    /** `sendrecv`... and the preconditions state (`curr:qos local none`), already parsed. */
    direction: string | null;
    preconditions: string[];
  }[];
}

export interface NoteDetail {
  severity: 'error' | 'warning' | 'note';
  message: string;
  /** A diagnostic's or finding's stable code, when it has one. */
  code?: string;
  /** `decoder` for a diagnostic of the packet or message, `analysis` for an expert finding. */
  source: 'decoder' | 'analysis';
}

/** Everything the detail pane shows of one message. */
export interface MessageDetail {
  row: number;
  frame: number;
  /** Every frame the message came from (fragments, segments). */
  frames: number[];
  time: number;
  source: string;
  destination: string;
  transport: string;
  /** Every layer, outermost first (`eth`, `ipv4`, `udp`, `gtpu`, `ipv6`, `tcp`), and the outer layers' fields. */
  encapsulation: string[];
  outer: { layer: string; fields: [string, string][] }[];
  /** The message text (bytes decoded as UTF-8, invalid sequences replaced), as captured. */
  raw: string;
  startLine: string;
  method: string | null;
  status: number | null;
  headers: HeaderDetail[];
  /** Offset of the body in `raw`, and its parsed SDP (null when the body is not SDP or absent). */
  bodyStart: number | null;
  contentType: string | null;
  sdp: SdpDetail | null;
  /** Diagnostics of the decoder on this message, then the expert findings about it. */
  notes: NoteDetail[];
  /** Its call (`CallSummary.index`), transaction id, dialog id (-1 when none), procedure and whether it is a retransmission. */
  call: number;
  transaction: number;
  dialog: number;
  procedure: string | null;
  retransmission: boolean;
  /** Frames of the same message seen at other capture points. */
  copies: number[];
  /** The user's note on this message (issue 8), or null. */
  annotation: NoteEdit | null;
}

/** One call of the calls view (Wireshark's VoIP Calls, sngrep's call list). */
export interface CallSummary {
  /** Position in the trace's call list; what `getLadder` takes. */
  index: number;
  callId: string;
  /** The user's note on this call, or null. */
  annotation: NoteEdit | null;
  /** `CALL SETUP`, `IN CALL`, `CANCELLED`, `REJECTED`, `REGISTERED`... (src/core/calls/analysis.ts CallState). */
  state: string;
  /** What kind of procedure opened it: `registration`, `call-setup`, `messaging`, `subscription`... */
  kind: string;
  /** The procedures it contains, in order, without repeats. */
  procedures: string[];
  from: string;
  to: string;
  /** Epoch seconds of its first and last message. */
  start: number;
  end: number;
  messages: number;
  /** The IMS session it is a leg of (calls sharing an ICID or Session-ID have the same `session`). */
  session: number;
  /** Milliseconds (null when the call has no such step). */
  postDialDelayMs: number | null;
  answerTimeMs: number | null;
  setupTimeMs: number | null;
  durationMs: number | null;
  /** Its findings, worst first. */
  findings: { severity: 'error' | 'warning' | 'note'; code: string; message: string }[];
}

/** One host column of a ladder diagram. */
export interface LadderHost {
  /** `ip:port` (IPv6 in brackets). */
  address: string;
  /** The name this trace's notes give the host (`P-CSCF`), saved with them; null when none. */
  alias: string | null;
}

/** One arrow of a ladder diagram. */
export interface LadderArrow {
  row: number;
  frame: number;
  /** The user's note on this message, or null: shown beside the arrow. */
  annotation: NoteEdit | null;
  time: number;
  /** Indexes into `LadderData.hosts`. */
  from: number;
  to: number;
  method: string | null;
  status: number | null;
  reason: string | null;
  /** `INVITE`, `183 Session Progress`, `200 OK (INVITE)`. */
  label: string;
  /** An SDP body, and its role (`offer`, `answer`, or null when not known), with a one-line summary (`audio 49170 AMR-WB; curr:qos local none`). */
  sdp: { role: 'offer' | 'answer' | null; summary: string } | null;
  retransmission: boolean;
  duplicate: boolean;
  severity: 'error' | 'warning' | 'note' | null;
  call: number;
  transport: string;
}

/** A procedure band along the side of the ladder: from its first arrow to its last (indexes into `arrows`). */
export interface LadderBand {
  procedure: string;
  /** `success`, `failure`, `cancelled`, `timeout`, `incomplete`... */
  outcome: string;
  firstArrow: number;
  lastArrow: number;
  call: number;
}

export interface LadderData {
  calls: number[];
  hosts: LadderHost[];
  /** In frame order. */
  arrows: LadderArrow[];
  bands: LadderBand[];
}

/** The statistics view: the trace's KPIs (as `sipscope stats --format json`) for a view's calls. */
export interface TraceStatistics {
  view: ViewId;
  calls: number;
  sessions: number;
  callSetups: number;
  answered: number;
  answerSeizureRatio: number | null;
  networkEffectivenessRatio: number | null;
  registrations: number;
  registrationSuccessRate: number | null;
  /** Distributions in milliseconds: count, mean, median, max (null when nothing was measured). */
  timings: { name: 'postDialDelayMs' | 'answerTimeMs' | 'setupTimeMs' | 'durationMs' | 'registrationTimeMs'; count: number; mean: number; median: number; max: number }[];
  /** Response counts per request method (retransmissions excluded): `{ INVITE: { "100": 3, "183": 3 } }`. */
  responseCodes: Record<string, Record<string, number>>;
  /** Requests per method in the view. */
  methods: Record<string, number>;
  /** Per procedure: outcome → count. */
  procedures: Record<string, Record<string, number>>;
  findings: { error: number; warning: number; note: number };
}

/**
 * What applying a display filter to the open trace gave. A filter that does not compile is an ordinary
 * outcome (`ok: false`), not a failure of the request: the UI shows the message and underlines
 * `text.slice(start, start + length)`.
 */
export type FilterOutcome =
  | {
      ok: true;
      /** The filter as applied (an empty text keeps everything). */
      text: string;
      /** SIP messages in the trace, and how many match. */
      messages: number;
      matching: number;
      /** Calls in the trace, and how many contain at least one matching message (issue 5 item 4). */
      calls: number;
      matchingCalls: number;
      /** Frame numbers of the first matching messages (at most 50), in frame order. */
      firstFrames: number[];
      /** The matching messages as a view for `getRows`, `getCalls` and `getStatistics`. */
      view: ViewId;
      /** Milliseconds the evaluation took in the back end. */
      elapsedMs: number;
    }
  | {
      ok: false;
      /** Where the filter is wrong: `start` and `length` in UTF-16 code units of the filter text. */
      error: { message: string; start: number; length: number };
    };

/**
 * Field value types, as the engine declares them (src/core/filter/field.ts `FieldType`, Wireshark's FT_*
 * types); repeated here because this file imports nothing. Main assigns one to the other, so the compiler
 * says when they drift apart.
 */
export type FilterFieldType = 'string' | 'number' | 'boolean' | 'ipv4' | 'ipv6' | 'address' | 'time' | 'duration' | 'none';

/** A display-filter field, for autocomplete and help. */
export interface FilterFieldInfo {
  /** `sip.Method`, `ip.addr`, `ims.procedure`... */
  name: string;
  type: FilterFieldType;
  /** One line. */
  description: string;
  /** The values it takes, when they are a closed set (`ims.procedure`, `call.state`). */
  values?: string[];
}

/** A network interface live capture can open (`listCaptureSources`). */
export interface CaptureInterfaceInfo {
  name: string;
  /** libpcap's description, when it has one (often none on Linux). */
  description: string | null;
  /** IPv4 / IPv6 addresses of the interface. */
  addresses: string[];
  loopback: boolean;
}

/** What the Capture dialog offers: whether live capture works here, the interfaces, the defaults. */
export interface CaptureSources {
  /** False when capture cannot start at all (cap not installed, no permission...): `problem` says what to do. */
  available: boolean;
  /** Why capture is not available, or a warning (no interface may be opened with the current rights), as instructions. */
  problem: string | null;
  interfaces: CaptureInterfaceInfo[];
  /** The BPF capture filter used when the user gives none: SIP ports, IP fragments, GTP-U. */
  defaultFilter: string;
  /** Where capture files go unless the user chooses (`CaptureSettings.folder` null). */
  defaultFolder: string;
  /** Whether the user may choose another folder (the app; not a served page, which writes only to the server's folder). */
  folderChoosable: boolean;
}

/** Where a live capture reads packets from. */
export type CaptureSource =
  | {
      kind: 'interfaces';
      /** One or several interface names (`CaptureInterfaceInfo.name`, or `any`). */
      interfaces: string[];
      /** BPF (pcap-filter(7)); '' captures everything. */
      filter: string;
    }
  | {
      /** A HEP (v1/v2/v3) listener: capture agents (heplify, Kamailio siptrace, OpenSIPS proto_hep) send here. */
      kind: 'hep';
      transport: 'udp' | 'tcp';
      /** Address to listen on (`0.0.0.0`, `::`, `127.0.0.1`...). */
      host: string;
      port: number;
    };

export interface CaptureSettings {
  source: CaptureSource;
  /** Folder for the capture files (absolute); null for `CaptureSources.defaultFolder`. */
  folder: string | null;
  /** Ring buffer: at most `files` files, a new one every `megabytes` MB and/or `seconds` s; null for one file. */
  ring: { files: number; megabytes: number | null; seconds: number | null } | null;
}

/** A note the user writes on a message or a call, with an optional tag ("root cause", "expected", "vendor bug"). */
export interface NoteEdit {
  note: string;
  tag: string | null;
}

/** The annotations of the trace shown: how many, whether they are saved into a capture file, and any problem loading them. */
export interface AnnotationsState {
  messageNotes: number;
  callNotes: number;
  /** Hosts named in this trace's notes. */
  aliases: number;
  /**
   * Notes changed since the trace was opened or saved into a capture file. They are autosaved beside the trace
   * (`<trace>.sipscope-notes.json`) as they change, so a crash loses nothing; "Save annotated…" puts them in a pcapng.
   */
  unsaved: boolean;
  /** Where the notes came from when the trace was opened: its sipscope block, its frame comments, the autosave. */
  origin: 'capture' | 'comments' | 'autosave' | null;
  /** Problems for the user (a refused annotations block, an autosave of a trace that changed since, a failed autosave). */
  problems: string[];
}

/** The formats calls export to (issue 8); `pdf` only in the app (Electron prints the HTML export). */
export const EXPORT_FORMATS = ['html', 'pdf', 'png', 'svg', 'md', 'json', 'csv', 'pcapng', 'pcap'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest {
  /** `CallSummary.index` of the calls to export (at most 64, as a ladder). */
  calls: number[];
  format: ExportFormat;
  /** Replace phone numbers, IMSI/IMPI/IMPU, IMEI, cell ids and IP addresses with consistent pseudonyms (documents only). */
  anonymize: boolean;
}

/** What the application menu asks a window's page to do about capture. */
export type CaptureCommand = 'start' | 'stop';

/** A live capture's counters, pushed about every half second (`onCaptureStatus`) and returned by `stopCapture`. */
export interface CaptureStatus {
  /** 'capturing' until stopped; 'failed' when it ended on an error (`problem` says which). */
  state: 'capturing' | 'stopped' | 'failed';
  /** What is captured, for a title: `lo, eth1 — filter: udp port 5060` or `HEP udp 0.0.0.0:9060`. */
  source: string;
  /** Epoch seconds when the capture started. */
  startedAt: number;
  elapsedMs: number;
  /** Packets and bytes captured (every interface, or HEP packets received). */
  packets: number;
  bytes: number;
  /** SIP messages decoded so far: rows 0..messages-1 of view 0 can be fetched. */
  messages: number;
  /** Calls at the last analysis (the calls list and filters refresh about every second while capturing). */
  calls: number;
  /** Bumped each time calls, procedures and filter views were brought up to date with the messages. */
  analysis: number;
  /** The kernel's counts of packets received and dropped (every interface), null when not known. */
  kernelReceived: number | null;
  kernelDropped: number | null;
  /** Packets waiting in the capture helper for the engine, and packets it had to drop because the engine fell behind. */
  queueDepth: number;
  queueDropped: number;
  /** The capture files on disk (every packet is written as it is captured), oldest first. */
  files: string[];
  /** Why the capture failed, or a note (kernel counts not available...), for the user. */
  problem: string | null;
}

export type Unsubscribe = () => void;

/**
 * What the renderer may ask for. Every request/response operation returns a promise that rejects with an
 * `Error` whose message is meant for the user (the transport unwraps `IpcResult` into that).
 */
export interface SipscopeApi {
  getAppInfo(): Promise<AppInfo>;
  /** Shows the native "open trace" dialog; resolves to the chosen absolute path, or null when cancelled. */
  openTraceDialog(): Promise<string | null>;
  /** Opens a trace by absolute path (as returned by `openTraceDialog`, the command line or the menu). */
  openTrace(path: string): Promise<TraceSummary>;
  /** The trace path given on the command line (`sipscope-app FILE`), if any, already made absolute. */
  getLaunchTrace(): Promise<string | null>;
  /**
   * Subscribes to "please open this trace" requests that start outside the page (File > Open… in the
   * application menu). The listener receives an absolute path. Returns a function that unsubscribes.
   */
  onOpenTraceRequest(listener: (path: string) => void): Unsubscribe;
  /** The decode-as rules traces are opened with (`tcp.port==6060,sip` style), in the order they were given. */
  getDecodeAs(): Promise<string[]>;
  /**
   * Replaces the decode-as rules for traces opened from now on (reopen a trace to apply them). Resolves to
   * the rules as stored (normalised: `udp.port==2153,gtpu`); rejects, naming the bad rule, if any is wrong.
   */
  setDecodeAs(rules: string[]): Promise<string[]>;
  /**
   * Applies a display filter (Wireshark syntax) to the trace opened last. Resolves to the counts, or to
   * `{ ok: false, error }` when the filter is wrong; rejects only when no trace is open or the text is not
   * a string of at most 64 KiB.
   */
  applyFilter(text: string): Promise<FilterOutcome>;
  /** Every display-filter field, sorted by name. */
  getFilterFields(): Promise<FilterFieldInfo[]>;
  /** Stops reading the trace being opened: `openTrace` then resolves with what was read (`complete: false`). */
  cancelOpen(): Promise<void>;
  /** A window of a view's rows; rejects when the view is gone (replaced by a newer filter). */
  getRows(query: RowsQuery): Promise<RowsPage>;
  /** Everything about one message (`MessageRow.row`). */
  getMessage(row: number): Promise<MessageDetail>;
  /** The calls with at least one message in the view (every call for view 0), in order of their first message. */
  getCalls(view: ViewId): Promise<CallSummary[]>;
  /** The ladder diagram of some calls (`CallSummary.index`, at most 64), their messages merged in frame order. */
  getLadder(calls: number[]): Promise<LadderData>;
  /** KPIs and distributions of the calls with a message in the view. */
  getStatistics(view: ViewId): Promise<TraceStatistics>;
  /**
   * Subscribes to progress of the trace being opened (see `TraceProgress`). Returns a function that
   * unsubscribes.
   */
  onTraceProgress(listener: (progress: TraceProgress) => void): Unsubscribe;
  /** Interfaces and defaults for the Capture dialog; says how to enable capture when it is not available. */
  listCaptureSources(): Promise<CaptureSources>;
  /**
   * Packets each interface has received and sent so far (the kernel's interface counters), for the dialog's
   * live counters; an interface the system gives no counter for is absent.
   */
  getInterfaceCounters(): Promise<Record<string, number>>;
  /** Shows the native folder dialog (the app only); resolves to the chosen folder, or null. */
  chooseCaptureFolder(): Promise<string | null>;
  /**
   * Starts a live capture in this window: it replaces the trace shown, which then grows as packets arrive
   * (view 0 like a trace being read; calls, procedures and the applied filter refresh about every second).
   * Rejects with instructions when the capture cannot start (permission, bad capture filter, port in use).
   */
  startCapture(settings: CaptureSettings): Promise<CaptureStatus>;
  /** Stops the capture: the files are finished, the last messages decoded, calls analysed; resolves to the final counters. */
  stopCapture(): Promise<CaptureStatus>;
  /**
   * Copies the capture files (finished or still growing: what is written so far) to a place the user chooses
   * (the app's save dialog); resolves to the path written, or null when cancelled. A served page has no save
   * dialog: it rejects, naming where the files are on the server.
   */
  saveCaptureAs(): Promise<string | null>;
  /** The annotations of the trace shown. */
  getAnnotations(): Promise<AnnotationsState>;
  /** Sets (or, with null, removes) the note on a message (`MessageRow.row`). */
  setMessageNote(row: number, note: NoteEdit | null): Promise<AnnotationsState>;
  /** Sets (or removes) the note on a call (`CallSummary.index`). */
  setCallNote(call: number, note: NoteEdit | null): Promise<AnnotationsState>;
  /** Names (or, with null, unnames) a host of the ladder (`LadderHost.address`) in this trace's notes. */
  setHostAlias(address: string, alias: string | null): Promise<AnnotationsState>;
  /**
   * Saves the trace with its notes as one pcapng (each message note a packet comment Wireshark shows, every note
   * in a sipscope block): the app asks where (save dialog); resolves to the path written, or null when cancelled.
   * A served page cannot choose a file on the server: it rejects.
   */
  saveAnnotatedTrace(): Promise<string | null>;
  /**
   * Exports calls with their notes (the app asks where: save dialog); resolves to the first file written, or null
   * when cancelled. A served page cannot choose a file on the server: it rejects, naming the command to run there.
   */
  exportCalls(request: ExportRequest): Promise<string | null>;
  /** Subscribes to the counters of this window's live capture. Returns a function that unsubscribes. */
  onCaptureStatus(listener: (status: CaptureStatus) => void): Unsubscribe;
  /**
   * Subscribes to the application menu's Capture › Start… ('start': show the Capture dialog) and
   * Capture › Stop ('stop'), sent to the focused window. Returns a function that unsubscribes.
   */
  onCaptureCommand(listener: (command: CaptureCommand) => void): Unsubscribe;
  /** Subscribes to File › Save Annotated… (Ctrl+S) of the application menu, sent to the focused window. */
  onSaveAnnotatedRequest(listener: () => void): Unsubscribe;
}

/** Request/response operations (everything in `SipscopeApi` that is not an event subscription). */
export type InvokeOperation =
  | 'getAppInfo'
  | 'openTraceDialog'
  | 'openTrace'
  | 'getLaunchTrace'
  | 'getDecodeAs'
  | 'setDecodeAs'
  | 'applyFilter'
  | 'getFilterFields'
  | 'cancelOpen'
  | 'getRows'
  | 'getMessage'
  | 'getCalls'
  | 'getLadder'
  | 'getStatistics'
  | 'listCaptureSources'
  | 'getInterfaceCounters'
  | 'chooseCaptureFolder'
  | 'startCapture'
  | 'stopCapture'
  | 'saveCaptureAs'
  | 'getAnnotations'
  | 'setMessageNote'
  | 'setCallNote'
  | 'setHostAlias'
  | 'saveAnnotatedTrace'
  | 'exportCalls';
export type InvokeArgs<K extends InvokeOperation> = Parameters<SipscopeApi[K]>;
export type InvokeResult<K extends InvokeOperation> = Awaited<ReturnType<SipscopeApi[K]>>;

/** Events pushed from the back end to the renderer, keyed by name, with their payloads. */
export interface EventPayloads {
  openTraceRequest: { path: string };
  traceProgress: TraceProgress;
  captureStatus: CaptureStatus;
  captureCommand: { command: CaptureCommand };
  saveAnnotatedRequest: Record<string, never>;
}
export type EventName = keyof EventPayloads;

/** IPC channel of each request/response operation. */
export const InvokeChannels = {
  getAppInfo: 'sipscope:get-app-info',
  openTraceDialog: 'sipscope:open-trace-dialog',
  openTrace: 'sipscope:open-trace',
  getLaunchTrace: 'sipscope:get-launch-trace',
  getDecodeAs: 'sipscope:get-decode-as',
  setDecodeAs: 'sipscope:set-decode-as',
  applyFilter: 'sipscope:apply-filter',
  getFilterFields: 'sipscope:get-filter-fields',
  cancelOpen: 'sipscope:cancel-open',
  getRows: 'sipscope:get-rows',
  getMessage: 'sipscope:get-message',
  getCalls: 'sipscope:get-calls',
  getLadder: 'sipscope:get-ladder',
  getStatistics: 'sipscope:get-statistics',
  listCaptureSources: 'sipscope:list-capture-sources',
  getInterfaceCounters: 'sipscope:get-interface-counters',
  chooseCaptureFolder: 'sipscope:choose-capture-folder',
  startCapture: 'sipscope:start-capture',
  stopCapture: 'sipscope:stop-capture',
  saveCaptureAs: 'sipscope:save-capture-as',
  getAnnotations: 'sipscope:get-annotations',
  setMessageNote: 'sipscope:set-message-note',
  setCallNote: 'sipscope:set-call-note',
  setHostAlias: 'sipscope:set-host-alias',
  saveAnnotatedTrace: 'sipscope:save-annotated-trace',
  exportCalls: 'sipscope:export-calls',
} as const satisfies Record<InvokeOperation, string>;

/** IPC channel of each pushed event. */
export const EventChannels = {
  openTraceRequest: 'sipscope:event:open-trace-request',
  traceProgress: 'sipscope:event:trace-progress',
  captureStatus: 'sipscope:event:capture-status',
  captureCommand: 'sipscope:event:capture-command',
  saveAnnotatedRequest: 'sipscope:event:save-annotated-request',
} as const satisfies Record<EventName, string>;

/**
 * What a request handler sends back over the wire. Errors travel as values rather than as thrown
 * exceptions: Electron rewrites a thrown error's message ("Error invoking remote method '…': Error: …")
 * and drops its type, whereas a tagged result reaches the transport intact, over IPC and WebSocket alike.
 */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Sends one request over a transport (IPC, WebSocket) and resolves to its unwrapped value. */
export type RequestFunction = <K extends InvokeOperation>(operation: K, ...args: InvokeArgs<K>) => Promise<InvokeResult<K>>;

/**
 * The request/response half of `SipscopeApi` over a transport's `request`: one named function per operation,
 * written once for the preload bridge and the browser's WebSocket client.
 */
export function requestOperations(request: RequestFunction): Pick<SipscopeApi, InvokeOperation> {
  return {
    getAppInfo: () => request('getAppInfo'),
    openTraceDialog: () => request('openTraceDialog'),
    openTrace: (path) => request('openTrace', path),
    getLaunchTrace: () => request('getLaunchTrace'),
    getDecodeAs: () => request('getDecodeAs'),
    setDecodeAs: (rules) => request('setDecodeAs', rules),
    applyFilter: (text) => request('applyFilter', text),
    getFilterFields: () => request('getFilterFields'),
    cancelOpen: () => request('cancelOpen'),
    getRows: (query) => request('getRows', query),
    getMessage: (row) => request('getMessage', row),
    getCalls: (view) => request('getCalls', view),
    getLadder: (calls) => request('getLadder', calls),
    getStatistics: (view) => request('getStatistics', view),
    listCaptureSources: () => request('listCaptureSources'),
    getInterfaceCounters: () => request('getInterfaceCounters'),
    chooseCaptureFolder: () => request('chooseCaptureFolder'),
    startCapture: (settings) => request('startCapture', settings),
    stopCapture: () => request('stopCapture'),
    saveCaptureAs: () => request('saveCaptureAs'),
    getAnnotations: () => request('getAnnotations'),
    setMessageNote: (row, note) => request('setMessageNote', row, note),
    setCallNote: (call, note) => request('setCallNote', call, note),
    setHostAlias: (address, alias) => request('setHostAlias', address, alias),
    saveAnnotatedTrace: () => request('saveAnnotatedTrace'),
    exportCalls: (exportRequest) => request('exportCalls', exportRequest),
  };
}
