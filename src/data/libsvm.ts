/**
 * Reader for the libsvm / svmlight sparse format: "label index:value index:value ...", with
 * 1-based indices, '#' comments and optional "qid:N" tokens ignored. The dense width is the
 * largest index seen, or a given width.
 */
import { GsError } from '../errors';
import { finishLabels } from './labels';
import { describeBadCell, parseNumberCell } from './number-cell';
import { readDataBytes, requireFile } from './read-file';
import type { LabeledTable } from './types';

export interface LibsvmOptions {
  /** Number of features; indices above it are an error. Default: the largest index seen. */
  width?: number;
}

/** A growable typed array of 32-bit values. */
class Growable<T extends Int32Array | Float32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 13;

/** True when the first non-blank lines look like libsvm ("label i:v i:v ..."). */
export function looksLikeLibsvm(text: string): boolean {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
    .slice(0, 5);
  if (lines.length === 0) return false;
  let anyFeature = false;
  for (const line of lines) {
    const tokens = line.split(/\s+/);
    if (tokens[0].includes(':')) return false;
    for (const t of tokens.slice(1)) {
      if (!/^(\d+|qid):[^:]+$/.test(t)) return false;
      anyFeature = true;
    }
  }
  return anyFeature;
}

/** Parses libsvm text already in memory. */
export function parseLibsvm(buf: Buffer, file: string, options: LibsvmOptions = {}): LabeledTable {
  const rowEnds = new Growable(new Int32Array(1024), (n) => new Int32Array(n));
  const index = new Growable(new Int32Array(4096), (n) => new Int32Array(n));
  const value = new Growable(new Float32Array(4096), (n) => new Float32Array(n));
  const rawLabels = new Growable(new Int32Array(1024), (n) => new Int32Array(n));
  const labelIds = new Map<string, number>();
  const labelNames: string[] = [];
  let maxIndex = 0;
  let pos = 0;
  let lineNo = 1;
  const len = buf.length;
  while (pos < len) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) nl = len;
    let end = nl;
    for (let h = pos; h < end; h++) {
      if (buf[h] === 35) {
        end = h;
        break;
      }
    }
    let i = pos;
    while (i < end && isSpace(buf[i])) i++;
    if (i < end) {
      // label token
      const ls = i;
      while (i < end && !isSpace(buf[i])) i++;
      const label = buf.toString('utf8', ls, i);
      if (label.includes(':')) {
        throw new GsError('BAD_INPUT', `${file}, line ${lineNo}: expected a label first, found ${JSON.stringify(label)}`);
      }
      let id = labelIds.get(label);
      if (id === undefined) {
        id = labelNames.length;
        labelIds.set(label, id);
        labelNames.push(label);
      }
      rawLabels.push(id);
      for (;;) {
        while (i < end && isSpace(buf[i])) i++;
        if (i >= end) break;
        const ts = i;
        while (i < end && !isSpace(buf[i])) i++;
        let colon = ts;
        while (colon < i && buf[colon] !== 58) colon++;
        if (colon >= i) {
          throw new GsError(
            'BAD_INPUT',
            `${file}, line ${lineNo}: expected index:value, found ${JSON.stringify(buf.toString('utf8', ts, i))}`,
          );
        }
        const key = buf.toString('latin1', ts, colon);
        if (key === 'qid') continue;
        const idx = /^\d+$/.test(key) ? Number(key) : NaN;
        if (!(idx >= 1)) {
          throw new GsError(
            'BAD_INPUT',
            `${file}, line ${lineNo}: feature index ${JSON.stringify(key)} is not valid; expected an integer from 1 up`,
          );
        }
        if (options.width !== undefined && idx > options.width) {
          throw new GsError('BAD_INPUT', `${file}, line ${lineNo}: feature index ${idx} is beyond the width ${options.width}`);
        }
        const v = Math.fround(parseNumberCell(buf, colon + 1, i));
        if (v - v !== 0) {
          throw new GsError('BAD_INPUT', `${file}, line ${lineNo}: ${describeBadCell(buf.toString('utf8', colon + 1, i), `index ${idx}`)}`);
        }
        if (idx > maxIndex) maxIndex = idx;
        index.push(idx - 1);
        value.push(v);
      }
      rowEnds.push(index.length);
    }
    pos = nl + 1;
    lineNo++;
  }
  const rows = rowEnds.length;
  if (rows === 0) {
    throw new GsError('BAD_INPUT', `${file}, line 1: the file is empty; expected libsvm rows "label index:value ..."`);
  }
  const cols = options.width ?? maxIndex;
  if (cols === 0) throw new GsError('BAD_INPUT', `${file}: no feature values at all; expected index:value pairs after the labels`);
  const features = new Float32Array(rows * cols);
  for (let r = 0, k = 0; r < rows; r++) {
    for (const stop = rowEnds.data[r]; k < stop; k++) features[r * cols + index.data[k]] = value.data[k];
  }
  const labels = rawLabels.data.slice(0, rows);
  const classLabels = finishLabels(labels, labelNames);
  const featureNames = Array.from({ length: cols }, (_, j) => `x${j + 1}`);
  return { rows, cols, features, labels, classLabels, featureNames, files: [file], format: 'libsvm' };
}

/** Reads a libsvm file (plain or gzip). */
export async function readLibsvm(file: string, options: LibsvmOptions = {}): Promise<LabeledTable> {
  const abs = requireFile(file);
  return parseLibsvm(await readDataBytes(abs), abs, options);
}

/** Widens a table with zero columns on the right (libsvm files whose largest index differs). */
export function padColumns(table: LabeledTable, cols: number): LabeledTable {
  if (cols === table.cols) return table;
  const features = new Float32Array(table.rows * cols);
  for (let r = 0; r < table.rows; r++) {
    features.set(table.features.subarray(r * table.cols, (r + 1) * table.cols), r * cols);
  }
  const featureNames = Array.from({ length: cols }, (_, j) => table.featureNames[j] ?? `x${j + 1}`);
  return { ...table, cols, features, featureNames };
}
