/** Shared helpers for the data-layer tests: a temp folder per test file and file writers. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import type { SplitDataset, Table } from '../../src/data/types';
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

/** A table whose column 0 holds a unique row id (train ids from 0, test ids from 100000). */
function idTable(rows: number, first: number): Table {
  const features = new Float32Array(rows * 2);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    features[r * 2] = first + r;
    features[r * 2 + 1] = r % 7;
    labels[r] = r % 2;
  }
  return { rows, cols: 2, features, labels };
}

export function idData(trainRows: number, testRows: number, splitSeed?: number): SplitDataset {
  return {
    name: 'ids',
    train: idTable(trainRows, 0),
    test: idTable(testRows, 100000),
    classLabels: ['a', 'b'],
    featureNames: ['id', 'x'],
    tabular: true,
    ref: { kind: 'file', path: 'ids.csv', files: [], ...(splitSeed !== undefined ? { splitSeed } : {}) },
  };
}
