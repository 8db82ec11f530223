import type { MessageRow, RowsPage } from '../../../shared/api.js';

/**
 * The message table holds only the rows around what is on screen: it asks the back end for fixed pages of
 * a view (`getRows`) and keeps a bounded number of them. Pages rather than exact windows so that scrolling
 * by a few rows asks for nothing, and a reply can be filed without comparing ranges.
 */
export const PAGE_SIZE = 200;
/** 60 pages of 200 rows: a few screens around the visible ones, bounded whatever the trace's size. */
export const MAX_CACHED_PAGES = 60;

/** The pages covering positions `[first - margin, last + margin]` of a view of `total` rows, visible ones first. */
export function pagesForWindow(first: number, last: number, total: number, margin: number, pageSize = PAGE_SIZE): number[] {
  if (total <= 0 || last < first) return [];
  const from = Math.max(0, first - margin);
  const to = Math.min(total - 1, last + margin);
  if (to < from) return [];
  const visibleFrom = Math.floor(Math.max(0, Math.min(first, total - 1)) / pageSize);
  const visibleTo = Math.floor(Math.max(0, Math.min(last, total - 1)) / pageSize);
  const pages: number[] = [];
  for (let p = visibleFrom; p <= visibleTo; p++) pages.push(p);
  for (let p = Math.floor(from / pageSize); p <= Math.floor(to / pageSize); p++) if (p < visibleFrom || p > visibleTo) pages.push(p);
  return pages;
}

/** What a page request carries so that its reply can be recognised as current or stale. */
export interface PageTicket {
  page: number;
  generation: number;
}

interface CachedPage {
  rows: MessageRow[];
  /** Rows may be added to this page later (it was short when read while the trace was still being read). */
  stale: boolean;
}

/**
 * Pages of one query (view, sort, header columns). `reset` starts a new generation: replies to requests of
 * an older one are dropped, so a slow reply for the previous filter or sort never lands in the new table.
 */
export class RowPageCache {
  private pages = new Map<number, CachedPage>();
  private pending = new Set<number>();
  private focus = 0;
  generation = 0;
  /** Rows in the view, as the latest reply said (-1: not known yet). */
  total = -1;

  constructor(
    readonly pageSize = PAGE_SIZE,
    readonly maxPages = MAX_CACHED_PAGES,
  ) {}

  reset(): void {
    this.generation++;
    this.pages.clear();
    this.pending.clear();
    this.total = -1;
  }

  rowAt(position: number): MessageRow | undefined {
    const page = this.pages.get(Math.floor(position / this.pageSize));
    return page?.rows[position % this.pageSize];
  }

  /** The position of message `row` if it is in a cached page (for keeping the selection across views). */
  positionOf(row: number): number | null {
    for (const [index, page] of this.pages) {
      const at = page.rows.findIndex((r) => r.row === row);
      if (at >= 0) return index * this.pageSize + at;
    }
    return null;
  }

  /** Pages of the window that are missing or stale and not already requested, visible ones first. */
  wanted(first: number, last: number, margin: number): number[] {
    // Before the first reply the total is unknown: ask for the window as if the view were long enough.
    const total = this.total < 0 ? last + 1 : this.total;
    this.focus = Math.floor(first / this.pageSize);
    return pagesForWindow(first, last, total, margin, this.pageSize).filter((p) => !this.pending.has(p) && (this.pages.get(p)?.stale ?? true));
  }

  /**
   * The page to ask for to learn whether the view grew (while a trace is read, view 0 gets longer): the one
   * holding the first position past the known end. Null while it is already requested.
   */
  growthProbe(): number | null {
    const page = Math.floor(Math.max(this.total, 0) / this.pageSize);
    return this.pending.has(page) ? null : page;
  }

  begin(page: number): PageTicket {
    this.pending.add(page);
    return { page, generation: this.generation };
  }

  /** Files a reply; false (and nothing changes) when it belongs to an older generation. */
  accept(ticket: PageTicket, reply: RowsPage): boolean {
    if (ticket.generation !== this.generation) return false;
    this.pending.delete(ticket.page);
    this.total = reply.total;
    const expectedStart = ticket.page * this.pageSize;
    if (reply.start === expectedStart) {
      const full = reply.rows.length >= this.pageSize;
      this.pages.set(ticket.page, { rows: reply.rows.slice(0, this.pageSize), stale: !full && expectedStart + reply.rows.length < reply.total });
    }
    this.evict();
    return true;
  }

  /** A request failed (view replaced, back end gone): forget it so that it may be asked again. */
  fail(ticket: PageTicket): void {
    if (ticket.generation === this.generation) this.pending.delete(ticket.page);
  }

  /** The view may have grown: short pages are asked again (their rows stay on screen until the reply). */
  markShortPagesStale(): void {
    for (const page of this.pages.values()) if (page.rows.length < this.pageSize) page.stale = true;
  }

  /** Every page is asked again (a sorted view changes everywhere while it grows). */
  markAllStale(): void {
    for (const page of this.pages.values()) page.stale = true;
  }

  get cachedPages(): number {
    return this.pages.size;
  }

  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - this.focus) - Math.abs(a - this.focus));
    for (const page of byDistance.slice(0, this.pages.size - this.maxPages)) this.pages.delete(page);
  }
}
