/**
 * One reader for any supported file: picks the format from an explicit option, the file name
 * (.libsvm/.svm, 'ubyte'/.idx) or the content (IDX magic, libsvm-looking lines), else
 * delimited text.
 */
import * as path from 'path';
import { GsError } from '../errors';
import { parseDelimited } from './delimited';
import { looksLikeIdx, readIdx } from './idx';
import { looksLikeLibsvm, parseLibsvm } from './libsvm';
import { readDataBytes, requireFile } from './read-file';
import type { DataFormat, LabeledTable } from './types';

export interface ReadOptions {
  format?: DataFormat;
  header?: boolean;
  labelColumn?: string | number;
  /** libsvm only: number of features. */
  width?: number;
  /** Regression: the label column is a numeric target (the table's `targets`). */
  numericLabel?: boolean;
}

const FORMATS: DataFormat[] = ['csv', 'idx', 'libsvm'];

/** The format a file name alone implies, if any. */
export function formatFromName(file: string): DataFormat | undefined {
  const base = path.basename(file).toLowerCase().replace(/\.gz$/, '');
  if (/\.(libsvm|svm|svmlight)$/.test(base)) return 'libsvm';
  if (base.includes('ubyte') || /\.idx\d?$/.test(base)) return 'idx';
  return undefined;
}

/** The format of a file from its name and (decompressed) content. */
export function detectFormat(file: string, content: Uint8Array): DataFormat {
  const byName = formatFromName(file);
  if (byName) return byName;
  if (looksLikeIdx(content)) return 'idx';
  const head = Buffer.from(content.buffer, content.byteOffset, Math.min(content.length, 64 * 1024)).toString('utf8');
  if (looksLikeLibsvm(head)) return 'libsvm';
  return 'csv';
}

/** Reads a data file in whatever supported format it is. */
export async function readTable(file: string, options: ReadOptions = {}): Promise<LabeledTable> {
  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    throw new GsError('BAD_OPTION', `format ${JSON.stringify(options.format)} is not known; expected one of ${FORMATS.join(', ')}`);
  }
  const abs = requireFile(file);
  const numeric = options.numericLabel === true;
  if (options.format === 'idx' || (!options.format && formatFromName(abs) === 'idx')) return numericTargets(await readIdx(abs), numeric);
  const bytes = await readDataBytes(abs);
  const format = options.format ?? detectFormat(abs, bytes);
  if (format === 'idx') return numericTargets(await readIdx(abs), numeric);
  if (format === 'libsvm') return numericTargets(parseLibsvm(bytes, abs, { width: options.width }), numeric);
  return parseDelimited(bytes, abs, { header: options.header, labelColumn: options.labelColumn, numericLabel: numeric });
}

/** A table read with class labels turned into one numeric target column (formats whose labels are
 * numbers already: libsvm, IDX), or the table itself when `numeric` is false. */
function numericTargets(t: LabeledTable, numeric: boolean): LabeledTable {
  if (!numeric) return t;
  const values = t.classLabels.map(Number);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const row = t.labels.indexOf(bad);
    throw new GsError(
      'BAD_INPUT',
      `${t.files[t.files.length - 1]}, row ${row + 1}: label ${JSON.stringify(t.classLabels[bad])} is not a finite number; --task regression expects a numeric target`,
    );
  }
  const targets = Float32Array.from(t.labels, (id) => values[id]);
  return { ...t, labels: new Int32Array(t.rows), classLabels: ['y'], targets };
}
