import { describe, expect, it } from 'vitest';
import {
  aliasOf,
  ALIASES_STORAGE_KEY,
  loadAliases,
  MAX_ALIAS_LENGTH,
  parseAliases,
  saveAliases,
  withAlias,
  type AliasStorage,
} from '../../../src/renderer/src/calls/host-aliases.js';

function memoryStorage(): AliasStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
}

describe('ladder host aliases', () => {
  it('names hosts by ip:port, renames, and removes a name given as blank', () => {
    let aliases = withAlias({}, '10.243.0.157:5060', '  P-CSCF ');
    aliases = withAlias(aliases, '[2001:db8::1]:5060', 'UE');
    expect(aliasOf(aliases, '10.243.0.157:5060')).toBe('P-CSCF');
    expect(aliasOf(aliases, '[2001:db8::1]:5060')).toBe('UE');
    expect(aliasOf(aliases, '10.243.0.157:8080')).toBeNull(); // another port of the same IP is another host
    aliases = withAlias(aliases, '10.243.0.157:5060', '   ');
    expect(aliasOf(aliases, '10.243.0.157:5060')).toBeNull();
    expect(aliasOf(aliases, 'toString')).toBeNull(); // no prototype lookups
  });

  it('persists through storage and survives a reload', () => {
    const storage = memoryStorage();
    saveAliases(storage, withAlias(withAlias({}, '10.0.0.1:5060', 'P-CSCF'), '10.0.0.2:5060', 'S-CSCF'));
    expect(JSON.parse(storage.data.get(ALIASES_STORAGE_KEY)!)).toEqual({ '10.0.0.1:5060': 'P-CSCF', '10.0.0.2:5060': 'S-CSCF' });
    const loaded = loadAliases(storage);
    expect(aliasOf(loaded, '10.0.0.2:5060')).toBe('S-CSCF');
  });

  it('drops whatever in the stored text is not a name, and never throws', () => {
    expect(parseAliases(null)).toEqual({});
    expect(parseAliases('{not json')).toEqual({});
    expect(parseAliases('["P-CSCF"]')).toEqual({});
    expect(parseAliases('42')).toEqual({});
    const parsed = parseAliases(JSON.stringify({ a: 'UE', b: 7, c: '', d: { x: 1 }, e: 'x'.repeat(100) }));
    expect({ ...parsed }).toEqual({ a: 'UE', e: 'x'.repeat(MAX_ALIAS_LENGTH) });
    const broken: AliasStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadAliases(broken)).toEqual({});
    expect(() => saveAliases(broken, { a: 'UE' })).not.toThrow();
    expect(loadAliases(null)).toEqual({});
  });
});
