/**
 * The command line of a script under scripts/: its usage, what it does and its options, declared
 * once. `--help` (or -h) prints them and exits 0 before the script does anything; an unknown
 * option or a missing value is named on stderr with exit code 2. Call scriptArgs at the top of a
 * script, before any work.
 */

export interface ScriptOption {
  /** The flag, e.g. '--epochs'. */
  name: string;
  /** What its value is (e.g. 'N', 'FILE'); absent for a switch. */
  value?: string;
  describe: string;
}

export interface ScriptSpec {
  /** e.g. 'npx tsx scripts/bench-train.ts'. */
  command: string;
  /** What the script does (and writes), a few lines. */
  describe: string;
  options: ScriptOption[];
  /** Positional arguments it takes, e.g. '[RUN_DIR]' or 'DIR...' (absent: none). */
  positionals?: string;
}

export interface ScriptArgs {
  argv: string[];
  /** The value of a flag (its first occurrence), or undefined. */
  arg: (name: string) => string | undefined;
  /** Every value of a flag given several times. */
  all: (name: string) => string[];
  has: (name: string) => boolean;
  positionals: string[];
}

export type ParsedScriptArgs = { help: true } | { help: false; args: ScriptArgs } | { help: false; error: string };

/** The --help text of a script. */
export function scriptHelp(spec: ScriptSpec): string {
  const shown = spec.options.map((o) => [`${o.name}${o.value ? ` ${o.value}` : ''}`, o.describe]);
  shown.push(['-h, --help', 'Print this help and exit (nothing runs)']);
  const width = Math.max(...shown.map(([f]) => f.length));
  const usage = `Usage: ${spec.command}${spec.options.length ? ' [options]' : ''}${spec.positionals ? ` ${spec.positionals}` : ''}`;
  return `${usage}\n\n${spec.describe}\n\nOptions:\n${shown.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`).join('\n')}\n`;
}

/** Parses `argv` against `spec` without side effects. */
export function parseScriptArgs(spec: ScriptSpec, argv: string[]): ParsedScriptArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const o = byName.get(a);
      if (!o) return { help: false, error: `unknown option ${a}` };
      if (o.value) {
        if (i + 1 >= argv.length) return { help: false, error: `${a} needs a value (${o.value})` };
        values.set(a, [...(values.get(a) ?? []), argv[++i]]);
      } else switches.add(a);
    } else if (spec.positionals) positionals.push(a);
    else return { help: false, error: `unexpected argument ${JSON.stringify(a)}` };
  }
  return {
    help: false,
    args: {
      argv,
      arg: (name) => values.get(name)?.[0],
      all: (name) => values.get(name) ?? [],
      has: (name) => switches.has(name) || values.has(name),
      positionals,
    },
  };
}

/** The script's arguments; prints the help and exits 0 on --help, exits 2 on a bad argument. */
export function scriptArgs(spec: ScriptSpec, argv = process.argv.slice(2)): ScriptArgs {
  const parsed = parseScriptArgs(spec, argv);
  if (parsed.help) {
    process.stdout.write(scriptHelp(spec));
    process.exit(0);
  }
  if ('error' in parsed) {
    process.stderr.write(`${spec.command}: ${parsed.error} (see --help)\n`);
    process.exit(2);
  }
  return parsed.args;
}
