// Argument checks for everything that reaches the main process from a renderer (or the command line).
// The renderer is treated as untrusted: a compromised page can send any value on any channel, so each
// handler validates its arguments here before they touch the file system or the engine.
import { isAbsolute, normalize } from 'node:path';

/** Longest path we accept. Linux PATH_MAX is 4096 bytes including the terminating NUL. */
export const MAX_PATH_LENGTH = 4095;

/** A rejected argument. Its message is shown to the user as is, so it says what was wrong. */
export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Returns `value` as a normalised absolute path, or throws `ArgumentError`.
 * `what` names the argument in the message ("trace path").
 */
export function validateAbsolutePath(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ArgumentError(`${what} must be a string, got ${describe(value)}`);
  if (value.length === 0) throw new ArgumentError(`${what} is empty`);
  if (value.length > MAX_PATH_LENGTH) {
    throw new ArgumentError(`${what} is too long (${value.length} characters; the limit is ${MAX_PATH_LENGTH})`);
  }
  // A NUL would truncate the path inside the C APIs underneath fs (Node refuses it too, less clearly).
  if (value.includes('\0')) throw new ArgumentError(`${what} contains a NUL character`);
  if (!isAbsolute(value)) throw new ArgumentError(`${what} must be absolute, got "${value}"`);
  return normalize(value);
}

/** Throws `ArgumentError` unless exactly `expected` arguments were sent. */
export function checkArity(operation: string, args: readonly unknown[], expected: number): void {
  if (args.length !== expected) {
    const noun = expected === 1 ? 'argument' : 'arguments';
    throw new ArgumentError(`${operation} expects ${expected} ${noun}, got ${args.length}`);
  }
}

/** Most decode-as rules accepted at once, and the longest rule text (a rule is ~25 characters). */
export const MAX_DECODE_AS_RULES = 64;
export const MAX_DECODE_AS_RULE_LENGTH = 100;

/** Returns `value` as a list of decode-as rule texts (syntax is checked by the engine), or throws `ArgumentError`. */
export function validateRuleList(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ArgumentError(`decode-as rules must be an array of strings, got ${describe(value)}`);
  if (value.length > MAX_DECODE_AS_RULES) throw new ArgumentError(`too many decode-as rules (${value.length}; the limit is ${MAX_DECODE_AS_RULES})`);
  return value.map((rule, i) => {
    if (typeof rule !== 'string') throw new ArgumentError(`decode-as rule ${i + 1} must be a string, got ${describe(rule)}`);
    if (rule.length > MAX_DECODE_AS_RULE_LENGTH) throw new ArgumentError(`decode-as rule ${i + 1} is too long (${rule.length} characters; the limit is ${MAX_DECODE_AS_RULE_LENGTH})`);
    return rule;
  });
}

/**
 * Longest display filter accepted, in characters (UTF-16 code units). Real filters are a few hundred
 * characters; the bound keeps a hostile page from making the scanner and checker chew megabytes.
 */
export const MAX_FILTER_LENGTH = 64 * 1024;

/** Returns `value` as display-filter text (its syntax is the engine's business), or throws `ArgumentError`. */
export function validateFilterText(value: unknown): string {
  if (typeof value !== 'string') throw new ArgumentError(`display filter must be a string, got ${describe(value)}`);
  if (value.length > MAX_FILTER_LENGTH) {
    throw new ArgumentError(`display filter is too long (${value.length} characters; the limit is ${MAX_FILTER_LENGTH})`);
  }
  return value;
}
