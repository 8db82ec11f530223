import type { FieldReader, FieldValue } from './field.js';

/** The values of an absent field. */
export const NO_VALUES: readonly FieldValue[] = Object.freeze([]);

type KeyedReader = Extract<FieldReader, { kind: 'keyed' }>;

/**
 * A keyed reader whose values are derived from a key by `derive`, computed once per key: for fields read
 * from an interned column (the key is the string id) or from a small table (the key is a call, a procedure).
 */
export function derivedKeyReader(key: (row: number) => number, derive: (key: number) => readonly FieldValue[]): KeyedReader {
  const cache = new Map<number, readonly FieldValue[]>();
  return {
    kind: 'keyed',
    key,
    values(k) {
      let values = cache.get(k);
      if (values === undefined) {
        values = k < 0 ? NO_VALUES : derive(k);
        cache.set(k, values);
      }
      return values;
    },
  };
}

/**
 * The values of several readers together, in order (`ip.addr` is `ip.src`, `ip.dst` and the tunnels'
 * addresses). Each distinct combination of keys gets a key of its own, so filters still test each
 * combination once.
 */
export function unionReader(parts: readonly FieldReader[]): FieldReader {
  if (parts.length === 1) return parts[0];
  const keyOf = new Map<string, number>();
  const combos: number[][] = [];
  const valuesOf: (readonly FieldValue[])[] = [];
  const keyed = parts.map((part) => asKeyed(part));
  // Two parts (the common case) are combined by arithmetic on a number key; more by a text key.
  const pairKeys = new Map<number, number>();
  const keyOfParts = (row: number): number => {
    if (keyed.length === 2) {
      const a = keyed[0].key(row);
      const b = keyed[1].key(row);
      const pair = (a + 1) * 0x4000000 + (b + 1);
      let k = pairKeys.get(pair);
      if (k === undefined) {
        k = combos.length;
        combos.push([a, b]);
        pairKeys.set(pair, k);
      }
      return k;
    }
    const ks = keyed.map((part) => part.key(row));
    const text = ks.join(',');
    let k = keyOf.get(text);
    if (k === undefined) {
      k = combos.length;
      combos.push(ks);
      keyOf.set(text, k);
    }
    return k;
  };
  return {
    kind: 'keyed',
    key: keyOfParts,
    values(k) {
      let values = valuesOf[k];
      if (values === undefined) {
        const combo = combos[k];
        const all: FieldValue[] = [];
        combo.forEach((partKey, i) => all.push(...keyed[i].values(partKey)));
        values = all.length === 0 ? NO_VALUES : all;
        valuesOf[k] = values;
      }
      return values;
    },
  };
}

/** A number reader as a keyed one (the key is the number's slot in a table of the numbers seen). */
export function asKeyed(reader: FieldReader): KeyedReader {
  if (reader.kind === 'keyed') return reader;
  const keyOf = new Map<number, number>();
  const numbers: number[] = [];
  return {
    kind: 'keyed',
    key(row) {
      const n = reader.number(row);
      if (Number.isNaN(n)) return -1;
      let k = keyOf.get(n);
      if (k === undefined) {
        k = numbers.length;
        numbers.push(n);
        keyOf.set(n, k);
      }
      return k;
    },
    values: (k) => (k < 0 ? NO_VALUES : [numbers[k]]),
  };
}
