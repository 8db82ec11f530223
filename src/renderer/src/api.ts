// How the renderer reaches the back end. Components receive a `SipscopeApi` and never ask which transport
// it is: the Electron preload bridge (`window.sipscope`) in the desktop app, or a WebSocket client
// (./ws-transport.ts) when the page is served by `sipscope serve` in a browser.
import type { SipscopeApi } from '../../shared/api.js';
import { createWebSocketApi, webSocketUrl } from './ws-transport.js';

declare global {
  interface Window {
    /** Set by the preload (src/preload/index.ts) when running inside the desktop app. */
    readonly sipscope?: SipscopeApi;
  }
}

let served: SipscopeApi | undefined;

/** Returns the back end for this page, or throws an Error that says why there is none. */
export function getApi(): SipscopeApi {
  if (window.sipscope) return window.sipscope;
  if (served) return served;
  const url = location.protocol === 'http:' || location.protocol === 'https:' ? webSocketUrl(location) : null;
  if (url === null) {
    throw new Error("no sipscope back end: open this page from the sipscope app, or with the URL (token included) that 'sipscope serve' prints");
  }
  served = createWebSocketApi(url, (address) => new WebSocket(address));
  return served;
}
