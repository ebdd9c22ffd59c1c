/** Shared helpers for the data-layer tests: a temp folder per test file and file writers. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { GsError } from '../../src/errors';

export function makeTempDir(prefix = 'gs-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes text (gzipped when the name ends in .gz or gzip is true) and returns the path. */
export function writeText(dir: string, name: string, text: string, gzip = name.endsWith('.gz')): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, gzip ? zlib.gzipSync(Buffer.from(text)) : text);
  return file;
}

/** Runs `fn` and returns the GsError it throws (fails the test when it does not throw one). */
export async function gsError(fn: () => unknown): Promise<GsError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof GsError) return e;
    throw e;
  }
  throw new Error('expected a GsError, nothing was thrown');
}
