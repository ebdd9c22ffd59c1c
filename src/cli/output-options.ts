/**
 * The --force option of commands that write a run folder, and the line a command prints when an
 * output file it wrote replaced one that was there (src/util/output-path.ts checks the paths).
 */
import type { Argv } from 'yargs';
import type { PreparedOutput } from '../util/output-path';

export interface ForceArgs {
  force: boolean;
}

export function forceOption<T>(y: Argv<T>, what = '--out'): Argv<T & ForceArgs> {
  return y.option('force', {
    type: 'boolean',
    default: false,
    group: 'Output:',
    describe: `Replace the run in ${what}, or write into a ${what} folder that is not empty (refused without it)`,
  });
}

/** `replaced <path>` on stderr (stdout may carry --json) when `out` existed before it was written. */
export function sayReplaced(out: PreparedOutput | null | undefined, shown?: string): void {
  if (out?.existed) process.stderr.write(`replaced ${shown ?? out.path}\n`);
}
