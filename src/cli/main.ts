/**
 * The gs-compress command line: a thin yargs layer over the library. Each command lives in
 * src/cli/commands/ and only parses options, calls the library and prints.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isGsError } from '../errors';
import { commands } from './commands';

/** A command line yargs could not accept (unknown option, missing argument): exit code 2. */
class UsageError extends Error {}

export async function main(argv: string[] = hideBin(process.argv)): Promise<number> {
  const parser = yargs(argv)
    .scriptName('gs-compress')
    .usage(
      '$0 <command> [options]\n\nMake small neural networks smaller: train with group sparsity, prune dead units exactly, export to ONNX and verify.',
    )
    .command(commands)
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
