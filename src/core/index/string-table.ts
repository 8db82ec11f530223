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
      this.values.push(value);
      this.ids.set(value, id);
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
