/**
 * The gs-compress command line: a thin yargs layer over the library. Each command lives in
 * src/cli/commands/ and only parses options, calls the library and prints.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isGsError } from '../errors';
import { addCommands, COMMAND_NAMES } from './commands';
import { refuseBadNumbers } from './number-options';
import { UsageError } from './usage-error';

/** The closest command name to a mistyped one (edit distance at most 2), if any. */
function closestCommand(word: string): string | undefined {
  const distance = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row;
    }
    return prev[b.length];
  };
  const best = [...COMMAND_NAMES].sort((x, y) => distance(word, x) - distance(word, y))[0];
  return best !== undefined && distance(word, best) <= 2 ? best : undefined;
}

/** `gs-compress foo`: a one-line message naming the word and listing the commands, or null when the first word is a command (or an option). */
export function unknownCommandMessage(argv: readonly string[]): string | null {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || COMMAND_NAMES.includes(first)) return null;
  const near = closestCommand(first);
  return `unknown command '${first}'${near ? ` (did you mean ${near}?)` : ''}; the commands: ${COMMAND_NAMES.join(', ')}`;
}

export async function main(argv: string[] = hideBin(process.argv)): Promise<number> {
  const unknown = unknownCommandMessage(argv);
  if (unknown) {
    process.stderr.write(`error: ${unknown}\nRun with --help to see the options.\n`);
    return 2;
  }
  const parser = addCommands(
    yargs(argv)
      .scriptName('gs-compress')
      .usage(
        '$0 <command> [options]\n\nMake small neural networks smaller: train with group sparsity, prune dead units exactly, export to ONNX and verify.',
      ),
  )
    // before validation, so that `--epochs abc` is refused as such rather than as "NaN" by a check
    .middleware(refuseBadNumbers(argv), true)
    .demandCommand(1, 'Name a command; `gs-compress <command> --help` explains each.')
    .strict()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue('Docs: README.md. Every command takes --help.')
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\nRun with --help to see the options.\n`);
      return 2;
    }
    if (isGsError(e)) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  return (process.exitCode as number | undefined) || 0;
}

// Run directly (`npx tsx src/cli/main.ts ...`), as bin/gs-compress.js runs the built copy.
if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(70);
    },
  );
}
