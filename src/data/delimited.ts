/**
 * Reader for delimited text (comma, semicolon, tab or whitespace separated, detected from the
 * first lines; optionally gzipped), one row per line with a class label column. Files without a
 * double quote parse straight from the bytes into one Float32Array, so large files (covtype:
 * 581k x 55) take no per-cell strings; files with quotes go through csv-parse (RFC 4180: a
 * quoted field may hold the separator, a doubled quote or a line break), several times slower.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { GsError } from '../errors';
import { finishLabels } from './labels';
import { describeBadCell, parseNumberCell, classifyBadCell } from './number-cell';
import { readDataBytes, requireFile } from './read-file';
import type { LabeledTable } from './types';

export interface DelimitedOptions {
  /** true: the first non-blank line names the columns; false: it is data; undefined: detect. */
  header?: boolean;
  /** 'last' (default), 'first', a column name (needs a header) or a 0-based column index (negative: from the end, -1 = last). */
  labelColumn?: string | number;
  /** Regression: read the label column as a number (the table's `targets`), no class mapping. */
  numericLabel?: boolean;
}

/** Cell separator: a byte (',', ';' or tab) or -1 for runs of spaces and tabs. */
export type Separator = 44 | 59 | 9 | -1;

/** Feature values at least this large in magnitude get a warning (they swamp a column's scaling). */
export const EXTREME_VALUE = 1e15;

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

/**
 * Comma if every sampled line has one, else semicolon, else tab, else whitespace. When every
 * line has both commas and semicolons, the semicolon wins if each line has the same number of
 * them (the commas are then decimal commas or inside text), else the comma.
 */
export function detectSeparator(buf: Uint8Array, lines: { start: number; end: number }[]): Separator {
  const count = (l: { start: number; end: number }, byte: number) => {
    let n = 0;
    for (let i = l.start; i < l.end; i++) if (buf[i] === byte) n++;
    return n;
  };
  const counts = (byte: number) => lines.map((l) => count(l, byte));
  const everyLine = (c: number[]) => c.every((n) => n > 0);
  const comma = counts(44);
  const semi = counts(59);
  if (everyLine(comma) && everyLine(semi)) return semi.every((n) => n === semi[0]) ? 59 : 44;
  if (everyLine(comma)) return 44;
  if (everyLine(semi)) return 59;
  if (everyLine(counts(9))) return 9;
  return -1;
}

/** Lines with a quoted line break between them joined into one (an odd count of quotes opens a field that goes on). */
function joinQuotedBreaks(buf: Uint8Array, lines: Line[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let open = false;
  for (const l of lines) {
    let quotes = 0;
    for (let i = l.start; i < l.end; i++) if (buf[i] === 34) quotes++;
    if (open) out[out.length - 1].end = l.end;
    else out.push({ start: l.start, end: l.end });
    if (quotes % 2 === 1) open = !open;
  }
  return out;
}

/** The end of a message about a line with one column: what separates columns, and what this line holds instead. */
function separatorHint(line: string): string {
  const others = Array.from(new Set(line.replace(/[\p{L}\p{N}\s.+\-"']/gu, ''))).slice(0, 3);
  const found = others.length ? `; it holds ${others.map((c) => JSON.stringify(c)).join(', ')} (replace it with commas)` : '';
  return ` (columns are separated by commas, semicolons, tabs or spaces, detected from the first lines${found})`;
}

/** Collects one warning per column about extreme values (the first line each column has one). */
class ExtremeValues {
  private readonly seen = new Map<number, string>();
  note(column: string, col: number, text: string, lineNo: number): void {
    if (!this.seen.has(col)) this.seen.set(col, `line ${lineNo}, column ${column}: ${text}`);
  }
  warnings(file: string): string[] {
    if (this.seen.size === 0) return [];
    const list = Array.from(this.seen.values());
    const shown = list.slice(0, 3).join('; ') + (list.length > 3 ? `; and ${list.length - 3} more columns` : '');
    return [
      `${file}: extreme feature values (magnitude ${EXTREME_VALUE.toExponential(0)} or more) at ${shown}; ` +
        `such a value swamps its column's scaling (the other values standardize to about 0) and training may diverge; ` +
        `check for placeholders or unit errors`,
    ];
  }
}

function cellText(buf: Buffer, bounds: Int32Array, c: number): string {
  return buf.toString('utf8', bounds[2 * c], bounds[2 * c + 1]);
}

function isIndex(spec: string | number): boolean {
  return typeof spec === 'number' || /^-?\d+$/.test(spec);
}

/** A 0-based index, negative ones counted from the end (-1 = last); out of range stays out of range. */
function fromEnd(idx: number, ncols: number): number {
  return idx < 0 ? ncols + idx : idx;
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
    const idx = fromEnd(Number(spec), ncols);
    if (!Number.isInteger(idx) || idx < 0 || idx >= ncols) {
      throw new GsError(
        'BAD_INPUT',
        `${file}, line ${lineNo}: label column index ${spec} is out of range; expected 0..${ncols - 1} or -${ncols}..-1 from the end (the rows have ${ncols} columns)`,
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

interface Layout {
  ncols: number;
  labelIdx: number;
  /** The header's cells, or null without a header. */
  names: string[] | null;
  featureNames: string[];
}

/** Header (given or detected), label column and feature names, from the first row's cells. */
function layoutOf(firstCells: string[], options: DelimitedOptions, file: string, lineNo: number): Layout {
  const ncols = firstCells.length;
  const spec = options.labelColumn;
  let header = options.header;
  if (header === undefined) {
    if (spec !== undefined && spec !== 'last' && spec !== 'first' && !isIndex(spec)) header = true;
    else {
      const guess = spec === undefined || spec === 'last' ? ncols - 1 : spec === 'first' ? 0 : fromEnd(Number(spec), ncols);
      header = firstCells.some((t, j) => j !== guess && classifyBadCell(t) === 'text');
    }
  }
  const names = header ? firstCells : null;
  const labelIdx = resolveLabelColumn(spec, ncols, names, file, lineNo);
  const featureNames: string[] = [];
  for (let c = 0, k = 0; c < ncols; c++) {
    if (c === labelIdx) continue;
    featureNames.push(names ? names[c] : `x${k}`);
    k++;
  }
  return { ncols, labelIdx, names, featureNames };
}

/** The rows read so far (features, class ids in first-seen order or numeric targets) and what was noticed on the way. */
class TableBuilder {
  features: Float32Array;
  rawLabels: Int32Array;
  targets: Float32Array | null;
  rows = 0;
  readonly extreme = new ExtremeValues();
  private readonly labelIds = new Map<string, number>();
  private readonly labelNames: string[] = [];

  constructor(
    private readonly file: string,
    private readonly layout: Layout,
    capacity: number,
    numeric: boolean,
  ) {
    this.features = new Float32Array(capacity * (layout.ncols - 1));
    this.rawLabels = new Int32Array(capacity);
    this.targets = numeric ? new Float32Array(capacity) : null;
  }

  colName(c: number): string {
    const names = this.layout.names;
    return names ? `${c + 1} (${JSON.stringify(names[c])})` : String(c + 1);
  }

  /** Records the class label of row `row`. */
  label(row: number, text: string, lineNo: number): void {
    let id = this.labelIds.get(text);
    if (id === undefined) {
      if (text === '') {
        throw new GsError(
          'BAD_INPUT',
          `${this.file}, line ${lineNo}: empty label in column ${this.colName(this.layout.labelIdx)}; expected a class label`,
        );
      }
      id = this.labelNames.length;
      this.labelIds.set(text, id);
      this.labelNames.push(text);
    }
    this.rawLabels[row] = id;
  }

  badCell(text: string, c: number, lineNo: number): GsError {
    const why = describeBadCell(text, this.colName(c));
    const target = c === this.layout.labelIdx ? ' (the target of --task regression)' : '';
    return new GsError('BAD_INPUT', `${this.file}, line ${lineNo}: ${why}${target}`);
  }

  wrongWidth(n: number, lineNo: number): GsError {
    return new GsError('BAD_INPUT', `${this.file}, line ${lineNo}: expected ${this.layout.ncols} columns, found ${n}`);
  }

  finish(lastLineNo: number): LabeledTable {
    const { rows, layout, file } = this;
    if (rows === 0) {
      throw new GsError('BAD_INPUT', `${file}, line ${lastLineNo}: no data rows after the header; expected rows of numbers`);
    }
    const nf = layout.ncols - 1;
    const features = rows * nf < this.features.length ? this.features.slice(0, rows * nf) : this.features;
    const labels = rows < this.rawLabels.length ? this.rawLabels.slice(0, rows) : this.rawLabels;
    const warnings = this.extreme.warnings(file);
    const base = { rows, cols: nf, features, labels, featureNames: layout.featureNames, files: [file], format: 'csv' as const };
    const extra = warnings.length ? { warnings } : {};
    if (this.targets) {
      // regression: one target column, named after its header cell
      const targets = rows < this.targets.length ? this.targets.slice(0, rows) : this.targets;
      return { ...base, classLabels: [layout.names ? layout.names[layout.labelIdx] : 'y'], targets, ...extra };
    }
    return { ...base, classLabels: finishLabels(labels, this.labelNames), ...extra };
  }
}

/** Parses delimited text already in memory. `file` is only used in messages and the result. */
export function parseDelimited(buf: Buffer, file: string, options: DelimitedOptions = {}): LabeledTable {
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const sample = sampleLines(buf, pos, SAMPLE_LINES);
  if (sample.length === 0) {
    throw new GsError('BAD_INPUT', `${file}, line 1: the file is empty; expected rows of numbers with a label column`);
  }
  const sep = detectSeparator(buf, joinQuotedBreaks(buf, sample));
  const first = sample[0];
  // Quotes beyond the first line: csv-parse. Quotes in the first line only (a quoted header): the
  // fast path, with that line's cells from csv-parse, unless a quoted cell holds the separator.
  if (sep !== -1 && buf.indexOf(34, first.end) >= 0) return parseQuoted(buf, pos, sep, file, options);
  let bounds = new Int32Array(64);
  let ncols = splitCells(buf, first.start, first.end, sep, bounds);
  if (ncols * 2 > bounds.length) {
    bounds = new Int32Array(2 * ncols + 2);
    ncols = splitCells(buf, first.start, first.end, sep, bounds);
  }
  if (ncols < 2) {
    throw new GsError(
      'BAD_INPUT',
      `${file}, line ${first.lineNo}: expected at least 2 columns (features and a label), found ${ncols}` +
        separatorHint(buf.toString('utf8', first.start, first.end)),
    );
  }
  let firstCells: string[] = [];
  for (let c = 0; c < ncols; c++) firstCells.push(cellText(buf, bounds, c));
  if (sep !== -1 && buf.subarray(first.start, first.end).includes(34)) {
    const quoted = csvRecords(buf.subarray(first.start, first.end), sep, file);
    if (quoted.length !== 1 || quoted[0].record.length !== ncols) return parseQuoted(buf, pos, sep, file, options);
    firstCells = quoted[0].record;
  }
  const layout = layoutOf(firstCells, options, file, first.lineNo);
  const header = layout.names !== null;
  const labelIdx = layout.labelIdx;
  const nf = ncols - 1;

  pos = header ? first.next : first.start;
  let lineNo = header ? first.lineNo + 1 : first.lineNo;
  // Capacity: lines from pos on (a final line without newline counts too).
  let capacity = 0;
  for (let i = buf.indexOf(10, pos); i >= 0; i = buf.indexOf(10, i + 1)) capacity++;
  if (buf.length > pos && buf[buf.length - 1] !== 10) capacity++;
  const table = new TableBuilder(file, layout, capacity, options.numericLabel === true);
  const features = table.features;
  const targets = table.targets;

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
      if (n !== ncols) throw table.wrongWidth(n, lineNo);
      const base = row * nf;
      for (let c = 0; c < ncols; c++) {
        const a = bounds[2 * c];
        const b = bounds[2 * c + 1];
        if (c === labelIdx && targets) {
          const v = Math.fround(parseNumberCell(buf, a, b));
          if (v - v !== 0) throw table.badCell(buf.toString('utf8', a, b), c, lineNo);
          targets[row] = v;
        } else if (c === labelIdx) {
          table.label(row, buf.toString('utf8', a, b), lineNo);
        } else {
          const v = Math.fround(parseNumberCell(buf, a, b));
          if (v - v !== 0) throw table.badCell(buf.toString('utf8', a, b), c, lineNo);
          if (v >= EXTREME_VALUE || v <= -EXTREME_VALUE) table.extreme.note(table.colName(c), c, buf.toString('utf8', a, b), lineNo);
          features[base + (c < labelIdx ? c : c - 1)] = v;
        }
      }
      row++;
      table.rows = row;
    }
    pos = nl + 1;
    lineNo++;
  }
  return table.finish(lineNo - 1);
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/** A number cell given as text (the same rules as the byte parser). */
function numberOf(text: string): number {
  const b = Buffer.from(text, 'utf8');
  return Math.fround(parseNumberCell(b, 0, b.length));
}

/** The records of delimited text with RFC 4180 quoting, each with the line it ends on. */
function csvRecords(text: Buffer, sep: Separator, file: string): CsvRecord[] {
  try {
    return parseCsv(text, {
      delimiter: String.fromCharCode(sep),
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      info: true,
    }) as unknown as CsvRecord[];
  } catch (e) {
    throw new GsError(
      'BAD_INPUT',
      `${file}: ${(e as Error).message}; expected RFC 4180 quoting (a field in double quotes may hold separators and line breaks, a quote inside it is doubled)`,
    );
  }
}

/** Delimited text with double quotes, through csv-parse (RFC 4180 quoting); `start` skips a BOM. */
function parseQuoted(buf: Buffer, start: number, sep: Separator, file: string, options: DelimitedOptions): LabeledTable {
  const records = csvRecords(buf.subarray(start), sep, file);
  if (records.length === 0) {
    throw new GsError('BAD_INPUT', `${file}, line 1: the file is empty; expected rows of numbers with a label column`);
  }
  const first = records[0];
  if (first.record.length < 2) {
    throw new GsError(
      'BAD_INPUT',
      `${file}, line ${first.info.lines}: expected at least 2 columns (features and a label), found ${first.record.length}` +
        separatorHint(first.record.join('')),
    );
  }
  const layout = layoutOf(first.record, options, file, first.info.lines);
  const { ncols, labelIdx } = layout;
  const nf = ncols - 1;
  const body = layout.names ? records.slice(1) : records;
  const table = new TableBuilder(file, layout, body.length, options.numericLabel === true);
  for (let row = 0; row < body.length; row++) {
    const { record, info } = body[row];
    const lineNo = info.lines;
    if (record.length !== ncols) throw table.wrongWidth(record.length, lineNo);
    for (let c = 0; c < ncols; c++) {
      const text = record[c];
      if (c === labelIdx && table.targets) {
        const v = numberOf(text);
        if (v - v !== 0) throw table.badCell(text, c, lineNo);
        table.targets[row] = v;
      } else if (c === labelIdx) {
        table.label(row, text, lineNo);
      } else {
        const v = numberOf(text);
        if (v - v !== 0) throw table.badCell(text, c, lineNo);
        if (v >= EXTREME_VALUE || v <= -EXTREME_VALUE) table.extreme.note(table.colName(c), c, text, lineNo);
        table.features[row * nf + (c < labelIdx ? c : c - 1)] = v;
      }
    }
    table.rows = row + 1;
  }
  return table.finish(records[records.length - 1].info.lines);
}

/** Reads a delimited text file (plain or gzip). */
export async function readDelimited(file: string, options: DelimitedOptions = {}): Promise<LabeledTable> {
  const abs = requireFile(file);
  return parseDelimited(await readDataBytes(abs), abs, options);
}
