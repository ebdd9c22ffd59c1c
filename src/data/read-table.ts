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
  if (options.format === 'idx' || (!options.format && formatFromName(abs) === 'idx')) return readIdx(abs);
  const bytes = await readDataBytes(abs);
  const format = options.format ?? detectFormat(abs, bytes);
  if (format === 'idx') return readIdx(abs);
  if (format === 'libsvm') return parseLibsvm(bytes, abs, { width: options.width });
  return parseDelimited(bytes, abs, { header: options.header, labelColumn: options.labelColumn });
}
