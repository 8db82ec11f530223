// How the renderer reaches the back end. Components receive a `SipscopeApi` and never ask which transport
// it is: today the Electron preload bridge (`window.sipscope`), later a WebSocket client when the page is
// served by `sipscope serve` in a browser.
import type { SipscopeApi } from '../../shared/api.js';

declare global {
  interface Window {
    /** Set by the preload (src/preload/index.ts) when running inside the desktop app. */
    readonly sipscope?: SipscopeApi;
  }
}

/** Returns the back end for this page, or throws an Error that says why there is none. */
export function getApi(): SipscopeApi {
  if (window.sipscope) return window.sipscope;
  // The WebSocket transport for `sipscope serve` plugs in here.
  throw new Error('no sipscope back end: open this page from the sipscope app');
}
