/** A small, strict argument parser: unknown options are usage errors (exit 2), never ignored. */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Takes a value (`--format tsv` or `--format=tsv`). */
  value?: boolean;
  /** Allowed values, when fixed. */
  choices?: readonly string[];
  short?: string;
  /** May be given several times; every value is kept (in `lists`). */
  repeatable?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
  /** Every value of each repeatable option, in order. */
  lists: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([name, s]) => [s.short as string, name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (arg.startsWith('-') && arg.length > 1) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new UsageError(`unknown option '${arg}'`);
    } else {
      positionals.push(arg);
      continue;
    }
    const option = spec[name];
    if (!option) throw new UsageError(`unknown option '--${name}'`);
    if (option.value) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`option '--${name}' needs a value`);
      if (option.choices && !option.choices.includes(value)) {
        throw new UsageError(`option '--${name}' takes one of ${option.choices.join(', ')}, not '${value}'`);
      }
      options.set(name, value);
      if (option.repeatable) lists.set(name, [...(lists.get(name) ?? []), value]);
    } else {
      if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value`);
      options.set(name, true);
    }
  }
  return { positionals, options, lists };
}
