import { describe, expect, it } from 'vitest';
import {
  BUILTIN_COLUMNS, addHeaderColumn, defaultColumnSettings, moveColumn, parseColumnSettings, removeHeaderColumn, serialiseColumnSettings,
  shiftColumn, toggleHidden, widthVariable, type ColumnSettings,
} from '../../../src/renderer/src/lib/column-settings.js';

function added(settings: ColumnSettings, name: string): ColumnSettings {
  const result = addHeaderColumn(settings, name);
  if ('error' in result) throw new Error(result.error);
  return result;
}

describe('column settings persistence', () => {
  it('round-trips through JSON', () => {
    let s = added(defaultColumnSettings(), 'P-Asserted-Identity');
    s = { ...s, sizes: { info: 400, 'header:P-Asserted-Identity': 220 }, timeMode: 'delta', sort: { column: 'time', descending: true }, rulesOff: ['duplicate'] };
    s = { ...s, order: moveColumn(s.order, 'info', 'frame') };
    expect(parseColumnSettings(serialiseColumnSettings(s))).toEqual(s);
  });
  it('falls back to the defaults for missing, broken or hostile values, field by field', () => {
    expect(parseColumnSettings(null)).toEqual(defaultColumnSettings());
    expect(parseColumnSettings('{nope')).toEqual(defaultColumnSettings());
    expect(parseColumnSettings('[1,2]')).toEqual(defaultColumnSettings());
    const s = parseColumnSettings(JSON.stringify({
      order: ['info', 'info', 'bogus', 'frame'],
      hidden: ['time', 'header:Unknown'],
      sizes: { info: 1e9, frame: 'wide', source: 5 },
      headers: ['Via', 'bad header', 'via', '<script>'],
      timeMode: 'sideways',
      sort: { column: 'nope', descending: true },
    }));
    expect(s.headers).toEqual(['Via']);
    expect(s.order).toEqual(['info', 'frame', ...BUILTIN_COLUMNS.filter((c) => c !== 'info' && c !== 'frame'), 'header:Via']);
    expect(s.hidden).toEqual(['time']);
    expect(s.sizes).toEqual({ info: 2000, source: 32 });
    expect(s.timeMode).toBe('absolute');
    expect(s.sort).toBeNull();
  });
});

describe('column edits', () => {
  it('adds header columns (token names only, no duplicates, at most 16) and removes them with their width and sort', () => {
    let s = added(defaultColumnSettings(), ' P-Charging-Vector: ');
    expect(s.headers).toEqual(['P-Charging-Vector']);
    expect(s.order.at(-1)).toBe('header:P-Charging-Vector');
    expect(addHeaderColumn(s, 'p-charging-vector')).toEqual({ error: 'P-Charging-Vector is already a column' });
    expect(addHeaderColumn(s, 'X Y')).toHaveProperty('error');
    for (let i = 0; i < 15; i++) s = added(s, `X-H${i}`);
    expect(addHeaderColumn(s, 'X-One-Too-Many')).toHaveProperty('error');
    s = { ...s, sort: { column: 'header:X-H3', descending: false }, sizes: { 'header:X-H3': 90 } };
    s = removeHeaderColumn(s, 'X-H3');
    expect(s.headers).not.toContain('X-H3');
    expect(s.order).not.toContain('header:X-H3');
    expect(s.sort).toBeNull();
    expect(s.sizes).toEqual({});
  });
  it('moves columns by drop target and by one visible step', () => {
    expect(moveColumn(['a', 'b', 'c', 'd'], 'd', 'b')).toEqual(['a', 'd', 'b', 'c']);
    expect(moveColumn(['a', 'b', 'c', 'd'], 'a', 'c')).toEqual(['b', 'c', 'a', 'd']);
    expect(shiftColumn(['a', 'b', 'c', 'd'], ['b'], 'c', -1)).toEqual(['c', 'a', 'b', 'd']);
    expect(shiftColumn(['a', 'b'], [], 'a', -1)).toEqual(['a', 'b']);
  });
  it('hides and shows, never the last visible column', () => {
    const s = defaultColumnSettings();
    expect(toggleHidden(s, 'info').hidden).toContain('info');
    expect(toggleHidden(s, 'size').hidden).not.toContain('size');
    const one = { ...s, hidden: s.order.filter((c) => c !== 'info') };
    expect(toggleHidden(one, 'info')).toBe(one);
  });
  it('width variables are valid, distinct CSS custom property names', () => {
    expect(widthVariable('info')).toBe('--col-info');
    expect(widthVariable('header:X_A')).toBe('--col-header_3aX_5fA');
    expect(widthVariable('header:X.A')).not.toBe(widthVariable('header:X_A'));
    expect(widthVariable('header:X.A')).toMatch(/^--[A-Za-z0-9_-]+$/);
  });
});
