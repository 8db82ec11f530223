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

/** Placeholder summary of an opened trace; grows as the engine is wired in. */
export interface TraceSummary {
  /** Absolute, normalised path of the trace that was opened. */
  path: string;
  /** Number of SIP messages found. */
  messages: number;
  /** Number of calls (messages grouped by Call-ID, see src/core/calls/analysis.ts). */
  calls: number;
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
  | 'getFilterFields';
export type InvokeArgs<K extends InvokeOperation> = Parameters<SipscopeApi[K]>;
export type InvokeResult<K extends InvokeOperation> = Awaited<ReturnType<SipscopeApi[K]>>;

/** Events pushed from the back end to the renderer, keyed by name, with their payloads. */
export interface EventPayloads {
  openTraceRequest: { path: string };
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
} as const satisfies Record<InvokeOperation, string>;

/** IPC channel of each pushed event. */
export const EventChannels = {
  openTraceRequest: 'sipscope:event:open-trace-request',
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
  };
}
