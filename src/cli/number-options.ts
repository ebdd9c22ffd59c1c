/**
 * Numeric options refused in one line: yargs turns `--epochs abc` into NaN, which would reach
 * the commands as "--epochs NaN" (or worse, as a number). refuseBadNumbers is a global
 * middleware (main.ts), so it covers every numeric option of every command, before any check.
 */
import { GsError } from '../errors';

/** `testFraction` -> `test-fraction`. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** What the user typed for `--name` in `args` (`--name VALUE` or `--name=VALUE`), if found. */
export function rawOptionText(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const t = args[i];
    if (t === '--') break;
    if (t === `--${name}`) return args[i + 1];
    if (t.startsWith(`--${name}=`)) return t.slice(name.length + 3);
  }
  return undefined;
}

const bad = (v: unknown): boolean => typeof v === 'number' && !Number.isFinite(v);

/**
 * Throws a GsError naming the first numeric option whose value is not a finite number, with the
 * text given for it. `args` is the raw command line (to quote what was typed: yargs keeps only NaN).
 */
export function checkNumberOptions(parsed: Record<string, unknown>, args: readonly string[]): void {
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '_' || key === '$0' || /[A-Z]/.test(key)) continue; // camelCase twins of dashed keys
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (!values.some(bad)) continue;
    const name = kebab(key);
    const text = rawOptionText(args, name);
    // a default (never typed) that is not finite is the command's business, not the user's
    if (text === undefined && values.every((v) => !Number.isNaN(v))) continue;
    throw new GsError('BAD_OPTION', `--${name} ${JSON.stringify(text ?? String(values.find(bad)))}: expected a number`);
  }
}

/** The middleware main.ts installs (before validation): checkNumberOptions on every command. */
export function refuseBadNumbers(args: readonly string[]): (parsed: Record<string, unknown>) => void {
  return (parsed) => checkNumberOptions(parsed, args);
}
