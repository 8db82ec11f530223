import { describe, expect, it } from 'vitest';
import { createLatestLoader, type LoaderState } from '../../../src/renderer/src/detail/latest-loader.js';

/** A fake `getMessage` whose answers the test releases one by one, recording what was asked. */
function fakeBackEnd() {
  const pending = new Map<number, { resolve: (v: string) => void; reject: (e: unknown) => void }>();
  const asked: number[] = [];
  const fetch = (row: number) =>
    new Promise<string>((resolve, reject) => {
      asked.push(row);
      pending.set(row, { resolve, reject });
    });
  const answer = async (row: number) => {
    pending.get(row)!.resolve(`detail of ${row}`);
    pending.delete(row);
    await Promise.resolve();
    await Promise.resolve();
  };
  const fail = async (row: number, error: unknown) => {
    pending.get(row)!.reject(error);
    pending.delete(row);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { fetch, asked, answer, fail, pending };
}

function recorder() {
  const states: LoaderState<number, string>[] = [];
  return { states, onState: (s: LoaderState<number, string>) => states.push(s), last: () => states[states.length - 1] };
}

describe('createLatestLoader', () => {
  it('loads the selected row and shows it', async () => {
    const back = fakeBackEnd();
    const r = recorder();
    const loader = createLatestLoader(back.fetch, r.onState);
    loader.request(4);
    expect(r.last()).toEqual({ key: 4, loading: true, value: null, valueKey: null, error: null });
    await back.answer(4);
    expect(r.last()).toEqual({ key: 4, loading: false, value: 'detail of 4', valueKey: 4, error: null });
  });

  it('while one request runs, skips the rows passed over and fetches only the latest (keyboard scrolling)', async () => {
    const back = fakeBackEnd();
    const r = recorder();
    const loader = createLatestLoader(back.fetch, r.onState);
    loader.request(1);
    loader.request(2);
    loader.request(3);
    loader.request(4);
    expect(back.asked).toEqual([1]);
    // The answer for row 1 arrives after the selection moved on: it is dropped, and row 4 is fetched.
    await back.answer(1);
    expect(r.states.some((s) => s.value === 'detail of 1')).toBe(false);
    expect(back.asked).toEqual([1, 4]);
    expect(r.last()).toMatchObject({ key: 4, loading: true });
    await back.answer(4);
    expect(r.last()).toMatchObject({ key: 4, loading: false, value: 'detail of 4' });
  });

  it('keeps the previous message (dimmed) while the next one loads', async () => {
    const back = fakeBackEnd();
    const r = recorder();
    const loader = createLatestLoader(back.fetch, r.onState);
    loader.request(1);
    await back.answer(1);
    loader.request(2);
    expect(r.last()).toEqual({ key: 2, loading: true, value: 'detail of 1', valueKey: 1, error: null });
  });

  it('shows the error of the selected row, and forgets it on the next selection', async () => {
    const back = fakeBackEnd();
    const r = recorder();
    const loader = createLatestLoader(back.fetch, r.onState);
    loader.request(9);
    await back.fail(9, new Error('no message 9 in this trace'));
    expect(r.last()).toEqual({ key: 9, loading: false, value: null, valueKey: null, error: 'no message 9 in this trace' });
    loader.request(3);
    expect(r.last()).toMatchObject({ key: 3, loading: true, error: null });
  });

  it('drops an error for a row that is no longer selected', async () => {
    const back = fakeBackEnd();
    const r = recorder();
    const loader = createLatestLoader(back.fetch, r.onState);
    loader.request(1);
    loader.request(2);
    await back.fail(1, new Error('gone'));
    expect(r.states.some((s) => s.error !== null)).toBe(false);
    expect(back.asked).toEqual([1, 2]);
  });

  it('turns a fetch that throws into an error state instead of throwing', async () => {
    const r = recorder();
    const loader = createLatestLoader<number, string>(() => {
      throw new Error('transport closed');
    }, r.onState);
    expect(() => loader.request(1)).not.toThrow();
    await Promise.resolve();
    await Promise.resolve();
    expect(r.last()).toMatchObject({ key: 1, loading: false, error: 'transport closed' });
  });

  it('clears on null, and does not fetch again when the cleared request settles', async () => {
    const back = fakeBackEnd();
    const r = recorder();
    const loader = createLatestLoader(back.fetch, r.onState);
    loader.request(5);
    loader.request(null);
    expect(r.last()).toEqual({ key: null, loading: false, value: null, valueKey: null, error: null });
    await back.answer(5);
    expect(r.last().key).toBeNull();
    expect(back.asked).toEqual([5]);
  });

  it('reports nothing after dispose (the pane unmounted)', async () => {
    const back = fakeBackEnd();
    const r = recorder();
    const loader = createLatestLoader(back.fetch, r.onState);
    loader.request(1);
    const seen = r.states.length;
    loader.dispose();
    await back.answer(1);
    loader.request(2);
    expect(r.states.length).toBe(seen);
    expect(back.asked).toEqual([1]);
  });
});
