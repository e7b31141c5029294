import { SigprobeError } from '../config/errors';

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/**
 * Minimal GNU-style argument parser: `--name value`, `--name=value`, boolean flags, positionals.
 * Options not in `known` are usage errors (a typo never silently does nothing).
 */
export function parseArgs(argv: readonly string[], known: Record<string, 'string' | 'flag'>): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const kind = known[name];
    if (kind === undefined) throw new SigprobeError('E_USAGE', `unknown option --${name}`);
    if (kind === 'flag') {
      if (eq > 0) throw new SigprobeError('E_USAGE', `option --${name} takes no value`);
      options.set(name, true);
    } else {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new SigprobeError('E_USAGE', `option --${name} needs a value`);
      options.set(name, v);
    }
  }
  return { positional, options };
}

/**
 * true when the arguments ask for help: `--help` or `-h` anywhere before a `--` (main.ts then
 * prints the subcommand's usage and exits 0 instead of running it).
 */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

export function intOption(p: ParsedArgs, name: string, dflt: number, min = 0): number {
  const v = p.options.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min) {
    throw new SigprobeError('E_USAGE', `--${name} expects an integer ≥ ${min}, got '${String(v)}'`);
  }
  return n;
}

export function strOption(p: ParsedArgs, name: string): string | undefined {
  const v = p.options.get(name);
  return typeof v === 'string' ? v : undefined;
}
