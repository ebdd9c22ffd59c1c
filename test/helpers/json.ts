/**
 * Typed JSON for tests: JSON.parse gives `any`; these name the shape a test reads (the CLI's
 * --json output, store lines, files on disk) so that a changed field name fails the type check.
 */
export function parseAs<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** An error thrown by fn, or a test failure when it returns normally. */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an error, none was thrown');
}
