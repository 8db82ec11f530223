import { describe, expect, it } from 'vitest';
import type { MessageRow, RowsPage } from '../../../src/shared/api.js';
import { RowPageCache, pagesForWindow } from '../../../src/renderer/src/lib/page-cache.js';

function row(position: number): MessageRow {
  return {
    row: position + 1000, position, frame: position + 1, time: 1e9 + position, delta: 1, source: 'a:1', destination: 'b:2', transport: 'UDP',
    method: 'INVITE', status: null, reason: null, callId: 'c', cseq: '1 INVITE', procedure: null, info: '', size: 100, hasSdp: false,
    severity: null, retransmission: false, duplicate: false, call: 0, custom: [],
  };
}
function page(start: number, count: number, total: number, view = 0): RowsPage {
  const rows: MessageRow[] = [];
  for (let p = start; p < Math.min(start + count, total); p++) rows.push(row(p));
  return { view, total, start, rows };
}

describe('pagesForWindow', () => {
  it('covers the window plus the margin, visible pages first, clamped to the view', () => {
    expect(pagesForWindow(250, 280, 10_000, 100, 200)).toEqual([1, 0]);
    expect(pagesForWindow(250, 280, 10_000, 300, 200)).toEqual([1, 0, 2]);
    expect(pagesForWindow(0, 30, 10_000, 100, 200)).toEqual([0]);
    expect(pagesForWindow(9990, 9999, 10_000, 500, 200)).toEqual([49, 47, 48]);
    expect(pagesForWindow(0, 30, 0, 100, 200)).toEqual([]);
    expect(pagesForWindow(0, 30, 12, 100, 200)).toEqual([0]);
  });
});

describe('RowPageCache', () => {
  it('asks for missing pages once, files replies by page, and serves rows by position', () => {
    const cache = new RowPageCache(200, 10);
    expect(cache.wanted(0, 40, 50)).toEqual([0]);
    const t0 = cache.begin(0);
    expect(cache.wanted(0, 40, 50)).toEqual([]);
    expect(cache.accept(t0, page(0, 200, 1000))).toBe(true);
    expect(cache.total).toBe(1000);
    expect(cache.rowAt(17)?.frame).toBe(18);
    expect(cache.rowAt(200)).toBeUndefined();
    expect(cache.wanted(150, 190, 50)).toEqual([1]);
    expect(cache.positionOf(1005)).toBe(5);
    expect(cache.positionOf(99999)).toBeNull();
  });
  it('drops replies of an older generation (a previous filter or sort)', () => {
    const cache = new RowPageCache(200, 10);
    const old = cache.begin(0);
    cache.reset();
    expect(cache.accept(old, page(0, 200, 5000))).toBe(false);
    expect(cache.rowAt(0)).toBeUndefined();
    expect(cache.total).toBe(-1);
    expect(cache.wanted(0, 10, 0)).toEqual([0]);
  });
  it('re-asks short pages while the view grows, keeping their rows meanwhile, and probes past the end', () => {
    const cache = new RowPageCache(200, 10);
    cache.accept(cache.begin(0), page(0, 200, 120));
    expect(cache.wanted(0, 40, 0)).toEqual([]);
    cache.markShortPagesStale();
    expect(cache.rowAt(100)?.frame).toBe(101);
    expect(cache.wanted(0, 40, 0)).toEqual([0]);
    cache.accept(cache.begin(0), page(0, 200, 450));
    expect(cache.total).toBe(450);
    cache.markShortPagesStale();
    expect(cache.wanted(0, 40, 0)).toEqual([]);
    expect(cache.growthProbe()).toBe(2);
    cache.begin(2);
    expect(cache.growthProbe()).toBeNull();
  });
  it('keeps at most maxPages, evicting the farthest from the window', () => {
    const cache = new RowPageCache(10, 3);
    for (const p of [0, 1, 2]) cache.accept(cache.begin(p), page(p * 10, 10, 1000));
    cache.wanted(30, 39, 0);
    cache.accept(cache.begin(3), page(30, 10, 1000));
    expect(cache.cachedPages).toBe(3);
    expect(cache.rowAt(0)).toBeUndefined();
    expect(cache.rowAt(35)?.position).toBe(35);
  });
  it('a failed request may be asked again', () => {
    const cache = new RowPageCache(200, 10);
    const t = cache.begin(0);
    cache.fail(t);
    expect(cache.wanted(0, 10, 0)).toEqual([0]);
  });
});
