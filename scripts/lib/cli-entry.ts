/**
 * The gs-compress command line run from source, for scripts that spawn it as a child process
 * (`tsx scripts/lib/cli-entry.ts train ...`): calls main(argv) and exits with its code.
 */
import { main } from '../../src/cli/main';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(70);
  },
);
