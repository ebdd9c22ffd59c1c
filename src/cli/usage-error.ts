/**
 * A command line yargs could not accept (unknown option, missing argument, a failed `.check`):
 * main.ts prints its message in one line and exits with code 2. A `.check` throws it (a plain
 * Error thrown there would end as an internal error with a stack trace; a returned string is
 * mangled by yargs).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
