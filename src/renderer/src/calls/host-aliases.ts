/**
 * Names users give to ladder hosts (`P-CSCF`, `S-CSCF`, `UE`), keyed by `ip:port` and kept in localStorage
 * so they survive restarts and apply to every trace of the same network. The stored text is user-editable
 * state, so reading it never throws: anything unexpected is dropped.
 */

export type HostAliases = Readonly<Record<string, string>>;

export const ALIASES_STORAGE_KEY = 'sipscope.ladder.hostAliases';
/** Long enough for `P-CSCF (Gm, visited)`; a header label must not grow without bound. */
export const MAX_ALIAS_LENGTH = 40;

export function parseAliases(text: string | null): HostAliases {
  if (text === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const aliases: Record<string, string> = Object.create(null);
  for (const [address, alias] of Object.entries(value)) {
    if (typeof alias === 'string' && alias.trim() !== '') aliases[address] = alias.trim().slice(0, MAX_ALIAS_LENGTH);
  }
  return aliases;
}

/** A copy with `address` renamed; an empty alias removes the name (the column shows the address again). */
export function withAlias(aliases: HostAliases, address: string, alias: string): HostAliases {
  const next: Record<string, string> = Object.assign(Object.create(null), aliases);
  const name = alias.trim().slice(0, MAX_ALIAS_LENGTH);
  if (name === '') delete next[address];
  else next[address] = name;
  return next;
}

export function aliasOf(aliases: HostAliases, address: string): string | null {
  return Object.prototype.hasOwnProperty.call(aliases, address) ? aliases[address] : null;
}

/** The subset of the Web Storage API used here (injected so tests and non-browser hosts can pass their own). */
export interface AliasStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function loadAliases(storage: AliasStorage | null): HostAliases {
  try {
    return parseAliases(storage?.getItem(ALIASES_STORAGE_KEY) ?? null);
  } catch {
    // Storage can be disabled (privacy settings, a sandboxed origin): aliases then last for the session.
    return {};
  }
}

export function saveAliases(storage: AliasStorage | null, aliases: HostAliases): void {
  try {
    storage?.setItem(ALIASES_STORAGE_KEY, JSON.stringify(aliases));
  } catch {
    // Quota or disabled storage: keep the aliases in memory only.
  }
}
