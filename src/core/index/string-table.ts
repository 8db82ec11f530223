/**
 * Interned strings: each distinct value is stored once and referred to by a small integer, so the message
 * index keeps typed-array columns instead of millions of string references. Id 0 is the empty/absent value.
 */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [''];

  constructor() {
    this.ids.set('', 0);
  }

  intern(value: string | undefined): number {
    if (value === undefined || value === '') return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      const own = detach(value);
      this.values.push(own);
      this.ids.set(own, id);
    }
    return id;
  }

  get(id: number): string {
    return this.values[id] ?? '';
  }

  /** The id of a value already interned, or -1. */
  lookup(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  get size(): number {
    return this.values.length;
  }
}

/**
 * A copy of `value` that does not share memory with the text it was cut from. Parsers return substrings
 * of a whole decoded message; V8 keeps such a substring as a view that holds the entire parent text alive,
 * so interning a 40-byte branch would pin a 1 KB message for the life of the index. Only first
 * occurrences are copied, so this costs once per distinct value.
 */
function detach(value: string): string {
  if (value.length < 13) return value; // V8 copies short substrings anyway (SlicedString::kMinLength)
  let copy = '';
  for (let i = 0; i < value.length; i += 1024) {
    const codes: number[] = [];
    const end = Math.min(value.length, i + 1024);
    for (let j = i; j < end; j++) codes.push(value.charCodeAt(j));
    copy += String.fromCharCode(...codes);
  }
  return copy;
}
