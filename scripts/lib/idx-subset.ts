/**
 * A folder of the four plain IDX files holding the first rows of a data set's training and test
 * files (the benchmarks' and the import report's data: every method reads the same rows).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { encodeIdx, parseIdx, type findMnistFiles } from '../../src/data/idx';

type IdxFiles = NonNullable<ReturnType<typeof findMnistFiles>>;

function readIdx(f: string): ReturnType<typeof parseIdx> {
  const raw = fs.readFileSync(f);
  return parseIdx(f.endsWith('.gz') ? zlib.gunzipSync(raw) : raw, f);
}

/** The first n examples of an IDX array, encoded again. */
function firstRows(a: ReturnType<typeof parseIdx>, n: number): Buffer {
  const per = a.dims.slice(1).reduce((x, y) => x * y, 1);
  const rows = Math.min(n, a.dims[0]);
  return encodeIdx([rows, ...a.dims.slice(1)], a.data.subarray(0, rows * per));
}

/** Writes `dir` with the first trainRows / testRows examples of `files` (Infinity: all); returns dir. */
export function writeIdxSubset(files: IdxFiles, dir: string, trainRows: number, testRows: number): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), firstRows(readIdx(files.trainImages), trainRows));
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), firstRows(readIdx(files.trainLabels), trainRows));
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), firstRows(readIdx(files.testImages), testRows));
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), firstRows(readIdx(files.testLabels), testRows));
  return dir;
}
