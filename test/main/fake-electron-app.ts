// A stand-in for Electron's `app` rich enough to start src/main/index.ts in a test (test/main/index.test.ts
// mocks `electron` with ./fake-electron.ts plus this). Lifecycle events are emitted by the test.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeApp extends EventEmitter {
  isPackaged = false;
  /** What `requestSingleInstanceLock` answers: false as in a second instance. */
  gotLock = true;
  readonly lockData: unknown[] = [];
  appPath = '';
  userData = '';
  private ready = false;
  private markReady: () => void = () => {};
  private readonly readyPromise = new Promise<void>((resolve) => (this.markReady = resolve));

  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly enableSandbox = vi.fn();
  readonly setAboutPanelOptions = vi.fn();
  readonly showAboutPanel = vi.fn();
  readonly addRecentDocument = vi.fn();
  readonly clearRecentDocuments = vi.fn();

  getName(): string {
    return 'sipscope';
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  getAppPath(): string {
    return this.appPath;
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`fake app: no path ${name}`);
    return this.userData;
  }
  requestSingleInstanceLock(data?: unknown): boolean {
    this.lockData.push(data);
    return this.gotLock;
  }
  isReady(): boolean {
    return this.ready;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  /** Makes the app ready, as Electron does once initialised. */
  becomeReady(): void {
    this.ready = true;
    this.markReady();
  }
}

export const fakeApp = new FakeApp();
