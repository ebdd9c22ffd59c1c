/**
 * Reader for delimited text (comma, tab or whitespace separated; optionally gzipped), one
 * row per line with a class label column. Parses straight from the file's bytes into one
 * Float32Array, so large files (covtype: 581k x 55) take no per-cell strings.
 */
import { GsError } from '../errors';
import { finishLabels } from './labels';
import { describeBadCell, parseNumberCell, classifyBadCell } from './number-cell';
import { readDataBytes, requireFile } from './read-file';
import type { LabeledTable } from './types';

export interface DelimitedOptions {
  /** true: the first non-blank line names the columns; false: it is data; undefined: detect. */
  header?: boolean;
  /** 'last' (default), 'first', a column name (needs a header) or a 0-based column index. */
  labelColumn?: string | number;
  /** Regression: read the label column as a number (the table's `targets`), no class mapping. */
  numericLabel?: boolean;
}

/** Cell separator: a byte (',' or tab) or -1 for runs of spaces and tabs. */
export type Separator = 44 | 9 | -1;

const SAMPLE_LINES = 20;

function isBlank(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * Splits [s, e) into cells, writing start/end pairs into `out` (as far as it has room) and
 * returning the number of cells. Cells of ',' / tab separated text are trimmed of spaces
 * and of one pair of surrounding double quotes.
 */
export function splitCells(buf: Uint8Array, s: number, e: number, sep: Separator, out: Int32Array): number {
  const cap = out.length >> 1;
  let n = 0;
  if (sep < 0) {
    let i = s;
    for (;;) {
      while (i < e && (buf[i] === 32 || buf[i] === 9)) i++;
      if (i >= e) return n;
      const a = i;
      while (i < e && buf[i] !== 32 && buf[i] !== 9) i++;
      if (n < cap) {
        out[2 * n] = a;
        out[2 * n + 1] = i;
      }
      n++;
    }
  }
  let p = s;
  for (;;) {
    let q = p;
    while (q < e && buf[q] !== sep) q++;
    if (n < cap) {
      let a = p;
      let b = q;
      while (a < b && (buf[a] === 32 || buf[a] === 9)) a++;
      while (b > a && (buf[b - 1] === 32 || buf[b - 1] === 9)) b--;
      if (b - a >= 2 && buf[a] === 34 && buf[b - 1] === 34) {
        a++;
        b--;
      }
      out[2 * n] = a;
      out[2 * n + 1] = b;
    }
    n++;
    if (q >= e) return n;
    p = q + 1;
  }
}

interface Line {
  start: number;
  end: number;
  next: number;
  lineNo: number;
}

/** Up to `max` non-blank lines from `pos` (line numbers 1-based). */
function sampleLines(buf: Uint8Array, pos: number, max: number): Line[] {
  const out: Line[] = [];
  let lineNo = 1;
  while (pos < buf.length && out.length < max) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) nl = buf.length;
    let end = nl;
    if (end > pos && buf[end - 1] === 13) end--;
    if (!isBlank(buf, pos, end)) out.push({ start: pos, end, next: nl + 1, lineNo });
    pos = nl + 1;
    lineNo++;
  }
  return out;
}

/** Comma if every sampled line has one, else tab if every line has one, else whitespace. */
export function detectSeparator(buf: Uint8Array, lines: { start: number; end: number }[]): Separator {
  const has = (l: { start: number; end: number }, byte: number) => {
    for (let i = l.start; i < l.end; i++) if (buf[i] === byte) return true;
    return false;
  };
  const all = (byte: number) => lines.every((l) => has(l, byte));
  if (all(44)) return 44;
  if (all(9)) return 9;
  return -1;
}

function cellText(buf: Buffer, bounds: Int32Array, c: number): string {
  return buf.toString('utf8', bounds[2 * c], bounds[2 * c + 1]);
}

function isIndex(spec: string | number): boolean {
  return typeof spec === 'number' || /^\d+$/.test(spec);
}

/** Resolves the label column to an index, or throws BAD_INPUT explaining what was expected. */
function resolveLabelColumn(
  spec: string | number | undefined,
  ncols: number,
  names: string[] | null,
  file: string,
  lineNo: number,
): number {
  if (spec === undefined || spec === 'last') return ncols - 1;
  if (spec === 'first') return 0;
  if (names) {
    const byName = names.indexOf(String(spec));
    if (byName >= 0) return byName;
  }
  if (isIndex(spec)) {
    const idx = Number(spec);
    if (!Number.isInteger(idx) || idx < 0 || idx >= ncols) {
      throw new GsError(
        'BAD_INPUT',
        `${file}, line ${lineNo}: label column index ${spec} is out of range; expected 0..${ncols - 1} (the rows have ${ncols} columns)`,
      );
    }
    return idx;
  }
  if (!names) {
    throw new GsError(
      'BAD_INPUT',
      `${file}, line ${lineNo}: label column ${JSON.stringify(spec)} is a column name, but the file has no header row; ` +
        `expected a header (force it with --header) or give a 0-based column index, 'first' or 'last'`,
    );
  }
  throw new GsError(
    'BAD_INPUT',
    `${file}, line ${lineNo}: label column ${JSON.stringify(spec)} is not in the header; expected one of: ${names.join(', ')}`,
  );
}

/** Parses delimited text already in memory. `file` is only used in messages and the result. */
export function parseDelimited(buf: Buffer, file: string, options: DelimitedOptions = {}): LabeledTable {
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const sample = sampleLines(buf, pos, SAMPLE_LINES);
  if (sample.length === 0) {
    throw new GsError('BAD_INPUT', `${file}, line 1: the file is empty; expected rows of numbers with a label column`);
  }
  const sep = detectSeparator(buf, sample);
  const first = sample[0];
  let bounds = new Int32Array(64);
  let ncols = splitCells(buf, first.start, first.end, sep, bounds);
  if (ncols * 2 > bounds.length) {
    bounds = new Int32Array(2 * ncols + 2);
    ncols = splitCells(buf, first.start, first.end, sep, bounds);
  }
  if (ncols < 2) {
    throw new GsError('BAD_INPUT', `${file}, line ${first.lineNo}: expected at least 2 columns (features and a label), found ${ncols}`);
  }
  const firstCells: string[] = [];
  for (let c = 0; c < ncols; c++) firstCells.push(cellText(buf, bounds, c));

  const spec = options.labelColumn;
  let header = options.header;
  if (header === undefined) {
    if (spec !== undefined && spec !== 'last' && spec !== 'first' && !isIndex(spec)) header = true;
    else {
      const guess = spec === undefined || spec === 'last' ? ncols - 1 : spec === 'first' ? 0 : Number(spec);
      header = firstCells.some((t, j) => j !== guess && classifyBadCell(t) === 'text');
    }
  }
  const names = header ? firstCells : null;
  const labelIdx = resolveLabelColumn(spec, ncols, names, file, first.lineNo);
  const nf = ncols - 1;
  const featureNames: string[] = [];
  for (let c = 0, k = 0; c < ncols; c++) {
    if (c === labelIdx) continue;
    featureNames.push(names ? names[c] : `x${k}`);
    k++;
  }

  pos = header ? first.next : first.start;
  let lineNo = header ? first.lineNo + 1 : first.lineNo;
  // Capacity: lines from pos on (a final line without newline counts too).
  let capacity = 0;
  for (let i = buf.indexOf(10, pos); i >= 0; i = buf.indexOf(10, i + 1)) capacity++;
  if (buf.length > pos && buf[buf.length - 1] !== 10) capacity++;
  let features = new Float32Array(capacity * nf);
  let rawLabels = new Int32Array(capacity);
  const numeric = options.numericLabel === true;
  let targets = numeric ? new Float32Array(capacity) : null;
  const labelIds = new Map<string, number>();
  const labelNames: string[] = [];
  const colName = (c: number) => (names ? `${c + 1} (${JSON.stringify(names[c])})` : String(c + 1));

  let row = 0;
  const len = buf.length;
  while (pos < len) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) nl = len;
    let end = nl;
    if (end > pos && buf[end - 1] === 13) end--;
    const c0 = pos < end ? buf[pos] : 32;
    if (!((c0 === 32 || c0 === 9 || c0 === 13) && isBlank(buf, pos, end))) {
      const n = splitCells(buf, pos, end, sep, bounds);
      if (n !== ncols) {
        throw new GsError('BAD_INPUT', `${file}, line ${lineNo}: expected ${ncols} columns, found ${n}`);
      }
      const base = row * nf;
      for (let c = 0; c < ncols; c++) {
        const a = bounds[2 * c];
        const b = bounds[2 * c + 1];
        if (c === labelIdx && targets) {
          const v = Math.fround(parseNumberCell(buf, a, b));
          if (v - v !== 0) {
            const why = describeBadCell(buf.toString('utf8', a, b), colName(c));
            throw new GsError('BAD_INPUT', `${file}, line ${lineNo}: ${why} (the target of --task regression)`);
          }
          targets[row] = v;
        } else if (c === labelIdx) {
          const text = buf.toString('utf8', a, b);
          let id = labelIds.get(text);
          if (id === undefined) {
            if (text === '') {
              throw new GsError('BAD_INPUT', `${file}, line ${lineNo}: empty label in column ${colName(c)}; expected a class label`);
            }
            id = labelNames.length;
            labelIds.set(text, id);
            labelNames.push(text);
          }
          rawLabels[row] = id;
        } else {
          const v = Math.fround(parseNumberCell(buf, a, b));
          if (v - v !== 0) {
            throw new GsError('BAD_INPUT', `${file}, line ${lineNo}: ${describeBadCell(buf.toString('utf8', a, b), colName(c))}`);
          }
          features[base + (c < labelIdx ? c : c - 1)] = v;
        }
      }
      row++;
    }
    pos = nl + 1;
    lineNo++;
  }
  if (row === 0) {
    throw new GsError('BAD_INPUT', `${file}, line ${lineNo - 1}: no data rows after the header; expected rows of numbers`);
  }
  if (row < capacity) {
    features = features.slice(0, row * nf);
    rawLabels = rawLabels.slice(0, row);
    if (targets) targets = targets.slice(0, row);
  }
  const labelName = names ? names[labelIdx] : 'y';
  if (targets) {
    // regression: one target column, named after its header cell
    const base = { rows: row, cols: nf, features, labels: rawLabels, classLabels: [labelName], featureNames, files: [file] };
    return { ...base, targets, format: 'csv' };
  }
  const classLabels = finishLabels(rawLabels, labelNames);
  return { rows: row, cols: nf, features, labels: rawLabels, classLabels, featureNames, files: [file], format: 'csv' };
}

/** Reads a delimited text file (plain or gzip). */
export async function readDelimited(file: string, options: DelimitedOptions = {}): Promise<LabeledTable> {
  const abs = requireFile(file);
  return parseDelimited(await readDataBytes(abs), abs, options);
}
