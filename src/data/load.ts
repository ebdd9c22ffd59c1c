/**
 * The data layer's entry point: `loadDataset(spec)` turns a catalog name, one file (split with
 * a seeded shuffle), an MNIST IDX folder, NumPy arrays (.npz, a folder of .npy), an image folder
 * or a train + test pair into a SplitDataset with shared
 * classes and columns, subsampled on request, and records where it came from (DataRef).
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import { CATALOG, CATALOG_NAMES, catalogNotFound, isCatalogName, locateCatalog } from './catalog';
import { findMnistFiles, readMnistDir } from './idx';
import { arrayParts } from './arrays';
import { isImageFolder, readImageFolder } from './image-folder';
import { checkClassLabels, requireTwoClasses, unionLabels } from './labels';
import { padColumns } from './libsvm';
import { readTable, type ReadOptions } from './read-table';
import { checkTestFraction, splitIndices, subsample, takeRows } from './split';
import type { DataRef, DataSpec, LabeledTable, SplitDataset, Table } from './types';

export const DEFAULT_TEST_FRACTION = 0.3;

/** How loadDataset reports what does not stop it (extreme values, labels that look like a quantity). */
export interface LoadOptions {
  /** Called once per warning, a message naming the file (default: a `warning: ...` line on stderr). */
  onWarning?: (message: string) => void;
}

function warnOnStderr(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

function checkMaxRows(value: number | undefined, option: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new GsError('BAD_OPTION', `${option} ${value} is not valid; expected a whole number of rows, at least 1`);
  }
}

function readOptions(spec: DataSpec): ReadOptions {
  return { format: spec.format, header: spec.header, labelColumn: spec.labelColumn, numericLabel: spec.task === 'regression' };
}

/** Whether a `data` value is meant as a catalog name rather than a path. */
function meansCatalog(data: string): boolean {
  return isCatalogName(data) && !fs.existsSync(data);
}

interface Parts {
  name: string;
  train: LabeledTable;
  test: LabeledTable;
  featureNames: string[];
  tabular: boolean;
  ref: DataRef;
  source: string;
  /** Warnings of the readers (LabeledTable.warnings). */
  warnings: string[];
}

/** Splits one table with a seeded shuffle. */
function splitTable(table: LabeledTable, testFraction: number, seed: number): { train: LabeledTable; test: LabeledTable } {
  const { train, test } = splitIndices(table.rows, testFraction, seed);
  return { train: { ...table, ...takeRows(table, train) }, test: { ...table, ...takeRows(table, test) } };
}

/** A folder of the four MNIST IDX files, with its own train/test split. */
async function mnistParts(name: string, dir: string, ref: Omit<DataRef, 'files'>): Promise<Parts> {
  const { train, test } = await readMnistDir(dir);
  return {
    name,
    train,
    test,
    featureNames: train.featureNames,
    tabular: false,
    ref: { ...ref, files: [...train.files, ...test.files] },
    source: dir,
    warnings: [],
  };
}

async function loadCatalog(name: keyof typeof CATALOG, spec: DataSpec): Promise<Parts> {
  const entry = CATALOG[name];
  const where = locateCatalog(name, spec.dataDir);
  if (!where.found) throw catalogNotFound(name, where.searched);
  const base = { kind: 'catalog' as const, name };
  if (name === 'mnist') return mnistParts(name, where.found, { ...base, path: where.found });
  const numericLabel = spec.task === 'regression';
  const table = await readTable(where.found, { format: 'csv', header: false, labelColumn: 'last', numericLabel });
  if (table.cols !== entry.cols) {
    throw new GsError(
      'BAD_INPUT',
      `${where.found}: expected ${entry.cols} feature columns plus a label for data set '${name}', found ${table.cols} features`,
    );
  }
  const testFraction = spec.testFraction ?? entry.testFraction ?? DEFAULT_TEST_FRACTION;
  const splitSeed = spec.splitSeed ?? 0;
  const { train, test } = splitTable(table, testFraction, splitSeed);
  return {
    name,
    train,
    test,
    featureNames: table.featureNames,
    tabular: true,
    ref: { ...base, path: where.found, testFraction, splitSeed, files: table.files },
    source: where.found,
    warnings: table.warnings ?? [],
  };
}

/**
 * NumPy arrays (a .npz file, a folder of .npy files) or an image folder (class folders of PNG / JPEG,
 * or train/ and test/ of them), with their own split when they have one; null for anything else.
 */
function arrayOrImageParts(abs: string, stat: fs.Stats, spec: DataSpec): Parts | null {
  const isNpz = stat.isFile() && /\.npz$/i.test(abs);
  const dirKind = stat.isDirectory()
    ? findMnistFiles(abs)
      ? null
      : fs.readdirSync(abs).some((f) => /\.npy$/i.test(f))
        ? 'npy'
        : isImageFolder(abs)
          ? 'images'
          : null
    : null;
  if (!isNpz && dirKind === null) return null;
  if (spec.task === 'regression')
    throw new GsError('BAD_OPTION', `${abs}: regression targets are read from delimited files; arrays and image folders hold class labels`);
  const got = isNpz || dirKind === 'npy' ? arrayParts(abs) : readImageFolder(abs, spec.inputShape);
  if (!got) return null;
  const testFraction = spec.testFraction ?? DEFAULT_TEST_FRACTION;
  const splitSeed = spec.splitSeed ?? 0;
  const { train, test } = got.test ? { train: got.train, test: got.test } : splitTable(got.train, testFraction, splitSeed);
  return {
    name: path.basename(abs).replace(/\.npz$/i, ''),
    train,
    test,
    featureNames: got.train.featureNames,
    tabular: false,
    ref: { kind: 'file', path: abs, ...(got.test ? {} : { testFraction, splitSeed }), files: [abs] },
    source: abs,
    warnings: [...(got.train.warnings ?? []), ...(got.test?.warnings ?? [])],
  };
}

async function loadOne(data: string, spec: DataSpec): Promise<Parts> {
  const abs = path.resolve(data);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new GsError(
      'NOT_FOUND',
      `data file not found: ${abs} (and ${JSON.stringify(data)} is not a catalog name; those are ${CATALOG_NAMES.join(', ')})`,
    );
  }
  const name = path.basename(abs);
  const given = arrayOrImageParts(abs, stat, spec);
  if (given) return given;
  if (stat.isDirectory()) return mnistParts(name, abs, { kind: 'file', path: abs });
  const table = await readTable(abs, readOptions(spec));
  const testFraction = spec.testFraction ?? DEFAULT_TEST_FRACTION;
  const splitSeed = spec.splitSeed ?? 0;
  const { train, test } = splitTable(table, testFraction, splitSeed);
  return {
    name: name.replace(/\.gz$/i, ''),
    train,
    test,
    featureNames: table.featureNames,
    tabular: table.format !== 'idx',
    ref: { kind: 'file', path: abs, testFraction, splitSeed, files: table.files },
    source: abs,
    warnings: table.warnings ?? [],
  };
}

async function loadPair(trainFile: string, testFile: string, spec: DataSpec): Promise<Parts> {
  let train = await readTable(trainFile, readOptions(spec));
  let test = await readTable(testFile, readOptions(spec));
  if (train.format === 'libsvm' && test.format === 'libsvm' && train.cols !== test.cols) {
    const cols = Math.max(train.cols, test.cols);
    train = padColumns(train, cols);
    test = padColumns(test, cols);
  }
  if (train.cols !== test.cols) {
    throw new GsError(
      'BAD_INPUT',
      `${test.files[0]}: expected ${train.cols} feature columns like the training file ${train.files[0]}, found ${test.cols}`,
    );
  }
  const trainAbs = path.resolve(trainFile);
  const testAbs = path.resolve(testFile);
  return {
    name: path.basename(trainAbs).replace(/\.gz$/i, ''),
    train,
    test,
    featureNames: train.featureNames,
    tabular: train.format !== 'idx',
    ref: { kind: 'files', train: trainAbs, test: testAbs, files: [...train.files, ...test.files] },
    source: trainAbs,
    warnings: [...(train.warnings ?? []), ...(test.warnings ?? [])],
  };
}

function plain(t: Table): Table {
  const out: Table = { rows: t.rows, cols: t.cols, features: t.features, labels: t.labels };
  if (t.targets) out.targets = t.targets;
  return out;
}

function checkTask(task: DataSpec['task']): void {
  if (task !== undefined && task !== 'classification' && task !== 'regression') {
    throw new GsError('BAD_OPTION', `task ${JSON.stringify(task)} is not known; expected classification or regression`);
  }
}

/** Loads a data set as train and test tables with shared class labels and columns; warnings go to `options.onWarning`. */
export async function loadDataset(spec: DataSpec, options: LoadOptions = {}): Promise<SplitDataset> {
  const warn = options.onWarning ?? warnOnStderr;
  checkTask(spec.task);
  if (spec.testFraction !== undefined) checkTestFraction(spec.testFraction);
  checkMaxRows(spec.maxTrainRows, 'maxTrainRows');
  checkMaxRows(spec.maxTestRows, 'maxTestRows');
  if (spec.splitSeed !== undefined && !Number.isFinite(spec.splitSeed)) {
    throw new GsError('BAD_OPTION', `split seed ${spec.splitSeed} is not valid; expected an integer`);
  }
  let parts: Parts;
  if (spec.train !== undefined || spec.test !== undefined) {
    if (spec.data !== undefined) {
      throw new GsError('BAD_OPTION', 'give either data (one file, folder or catalog name) or train and test files, not both');
    }
    if (spec.train === undefined || spec.test === undefined) {
      throw new GsError(
        'BAD_OPTION',
        `a ${spec.train === undefined ? 'test' : 'training'} file alone is not enough; expected both train and test files (or data to split one file)`,
      );
    }
    parts = await loadPair(spec.train, spec.test, spec);
  } else if (spec.data !== undefined) {
    parts = meansCatalog(spec.data) ? await loadCatalog(spec.data as keyof typeof CATALOG, spec) : await loadOne(spec.data, spec);
  } else {
    throw new GsError(
      'BAD_OPTION',
      `no data given; expected data (a catalog name: ${CATALOG_NAMES.join(', ')}; a file; or an MNIST folder) or train and test files`,
    );
  }
  const regression = spec.task === 'regression';
  // Train and test read from separate files may know different labels: map both onto the union.
  // Regression targets are numbers and need no mapping; the target is named by the training file.
  const union = regression
    ? { classLabels: parts.train.classLabels, labels: [parts.train.labels, parts.test.labels] }
    : unionLabels([parts.train, parts.test]);
  const classLabels = union.classLabels;
  const source = parts.ref.train ?? parts.source;
  const labelWarning = regression ? undefined : checkClassLabels(classLabels, source);
  const seed = spec.splitSeed ?? 0;
  const train = subsample({ ...plain(parts.train), labels: union.labels[0] }, spec.maxTrainRows, seed * 2 + 1);
  const test = subsample({ ...plain(parts.test), labels: union.labels[1] }, spec.maxTestRows, seed * 2 + 2);
  const note = spec.maxTrainRows !== undefined && train.rows < parts.train.rows ? ` (subsampled to ${train.rows} rows)` : '';
  if (!regression) requireTwoClasses(train.labels, classLabels, `${source}${note}`);
  for (const w of [...parts.warnings, ...(labelWarning ? [labelWarning] : [])]) warn(w);
  const ref: DataRef = { ...parts.ref };
  if (regression) ref.task = 'regression';
  if (spec.header !== undefined && parts.ref.kind !== 'catalog') ref.header = spec.header;
  if (spec.labelColumn !== undefined && parts.ref.kind !== 'catalog') ref.labelColumn = spec.labelColumn;
  if (spec.format !== undefined && parts.ref.kind !== 'catalog') ref.format = spec.format;
  if (spec.maxTrainRows !== undefined) ref.maxTrainRows = spec.maxTrainRows;
  if (spec.maxTestRows !== undefined) ref.maxTestRows = spec.maxTestRows;
  const out: SplitDataset = { name: parts.name, train, test, classLabels, featureNames: parts.featureNames, tabular: parts.tabular, ref };
  if (regression) out.task = 'regression';
  const shape = exampleShapeOf(spec, parts, train.cols);
  if (shape) out.inputShape = shape;
  return out;
}

/** The DataSpec that loads the same data again from a recorded DataRef. */
export function specFromRef(ref: DataRef, dataDir?: string): DataSpec {
  const spec: DataSpec = {
    testFraction: ref.testFraction,
    splitSeed: ref.splitSeed,
    header: ref.header,
    labelColumn: ref.labelColumn,
    format: ref.format,
    maxTrainRows: ref.maxTrainRows,
    maxTestRows: ref.maxTestRows,
    dataDir,
    task: ref.task,
  };
  if (ref.kind === 'catalog') spec.data = ref.name;
  else if (ref.kind === 'file') spec.data = ref.path;
  else {
    spec.train = ref.train;
    spec.test = ref.test;
  }
  for (const k of Object.keys(spec) as (keyof DataSpec)[]) if (spec[k] === undefined) delete spec[k];
  return spec;
}

/** The shape of one example: the spec's inputShape (checked against the columns), else the images' own. */
function exampleShapeOf(spec: DataSpec, parts: Parts, cols: number): number[] | undefined {
  if (spec.inputShape !== undefined) {
    const s = spec.inputShape;
    if (!Array.isArray(s) || s.length < 2 || s.length > 3 || s.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new GsError('BAD_OPTION', `input shape ${JSON.stringify(s)}: expected C,H,W (images) or C,L (sequences) of positive integers`);
    }
    const n = s.reduce((a, b) => a * b, 1);
    if (n !== cols) {
      throw new GsError('BAD_OPTION', `input shape ${s.join(',')} holds ${n} values, but the data has ${cols} feature columns`);
    }
    return [...s];
  }
  const shape = parts.train.exampleShape;
  return shape && shape.reduce((a, b) => a * b, 1) === cols ? [...shape] : undefined;
}
