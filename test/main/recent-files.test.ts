import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRecentFiles, parseRecentFiles, RECENT_FILES_LIMIT, serializeRecentFiles, withRecent } from '../../src/main/recent-files.js';

const a = resolve('/captures/a.pcap');
const b = resolve('/captures/b.pcapng');
const c = resolve('/captures/c.pcap.gz');

describe('withRecent', () => {
  it('puts the path first and moves it up when already listed', () => {
    expect(withRecent([], a)).toEqual([a]);
    expect(withRecent([a, b], c)).toEqual([c, a, b]);
    expect(withRecent([a, b, c], c)).toEqual([c, a, b]);
  });

  it(`keeps at most ${RECENT_FILES_LIMIT}, dropping the oldest`, () => {
    const many = Array.from({ length: RECENT_FILES_LIMIT }, (_, i) => resolve(`/captures/${i}.pcap`));
    const next = withRecent(many, a);
    expect(next).toHaveLength(RECENT_FILES_LIMIT);
    expect(next[0]).toBe(a);
    expect(next).not.toContain(many.at(-1));
  });
});

describe('parseRecentFiles', () => {
  it('reads back what serializeRecentFiles wrote', () => {
    expect(parseRecentFiles(serializeRecentFiles([b, a]))).toEqual([b, a]);
  });

  it.each([
    ['not JSON', '{'],
    ['a bare array', JSON.stringify([a])],
    ['files not an array', JSON.stringify({ version: 1, files: a })],
    ['null', 'null'],
  ])('gives an empty list for %s', (_name, text) => {
    expect(parseRecentFiles(text)).toEqual([]);
  });

  it('skips entries that are not absolute paths, and repeats', () => {
    const text = JSON.stringify({ version: 1, files: [a, 'relative.pcap', 42, null, '', 'x\0y', a, b] });
    expect(parseRecentFiles(text)).toEqual([a, b]);
  });

  it('keeps the first `limit` entries of a longer list', () => {
    const files = Array.from({ length: 15 }, (_, i) => resolve(`/captures/${i}.pcap`));
    expect(parseRecentFiles(JSON.stringify({ version: 1, files }))).toEqual(files.slice(0, RECENT_FILES_LIMIT));
  });
});

describe('openRecentFiles', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sipscope-recent-'));
    file = join(dir, 'userData', 'recent-files.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty without a file, and persists every change for the next start', () => {
    const log = vi.fn();
    const recent = openRecentFiles({ file, log });
    expect(recent.list()).toEqual([]);
    recent.add(a);
    recent.add(b);
    expect(recent.list()).toEqual([b, a]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, files: [b, a] });
    expect(openRecentFiles({ file }).list()).toEqual([b, a]);
    recent.remove(b);
    expect(openRecentFiles({ file }).list()).toEqual([a]);
    recent.clear();
    expect(openRecentFiles({ file }).list()).toEqual([]);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    expect(log).not.toHaveBeenCalled();
  });

  it('tells listeners about changes, and only about changes', () => {
    const recent = openRecentFiles({ file });
    const listener = vi.fn();
    const unsubscribe = recent.onChange(listener);
    recent.add(a);
    expect(listener).toHaveBeenLastCalledWith([a]);
    recent.add(a); // already first: nothing changes
    recent.remove(b); // not listed
    expect(listener).toHaveBeenCalledOnce();
    unsubscribe();
    recent.clear();
    expect(listener).toHaveBeenCalledOnce();
  });

  it('treats a corrupt file as an empty list, and replaces it on the next change', () => {
    mkdirSync(join(dir, 'userData'));
    writeFileSync(file, 'garbage');
    const recent = openRecentFiles({ file });
    expect(recent.list()).toEqual([]);
    recent.add(c);
    expect(openRecentFiles({ file }).list()).toEqual([c]);
  });

  it('keeps working in memory, and says so, when the list cannot be saved', () => {
    // The "user-data folder" is a file: neither mkdir nor the write can succeed.
    writeFileSync(join(dir, 'userData'), '');
    const log = vi.fn();
    const recent = openRecentFiles({ file, log });
    expect(log).toHaveBeenCalledExactlyOnceWith(expect.stringMatching(/cannot read the recent files list/));
    recent.add(a);
    expect(recent.list()).toEqual([a]);
    expect(log).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenLastCalledWith(expect.stringMatching(/cannot save the recent files list/));
  });
});
