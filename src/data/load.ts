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
import { arrayParts, npyPair } from './arrays';
import { checkImageOptions, FOLDER_FORMS, isImageFile, readImageFolder, type ImageOptions } from './image-folder';
import { fitImages } from './resize';
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

/** What a path holds when it is not a delimited, libsvm or IDX file: NumPy arrays or an image folder. */
type Structured = 'npz' | 'npy' | 'npy-folder' | 'images';

function structuredKind(abs: string, stat: fs.Stats): Structured | null {
  if (stat.isFile()) return /\.npz$/i.test(abs) ? 'npz' : /\.npy$/i.test(abs) ? 'npy' : null;
  if (!stat.isDirectory() || findMnistFiles(abs)) return null;
  const entries = fs.readdirSync(abs, { withFileTypes: true });
  if (entries.some((e) => /\.npy$/i.test(e.name))) return 'npy-folder';
  // a folder with sub-folders is read as class folders of images (image-folder.ts names what is amiss)
  if (entries.some((e) => e.isDirectory() && !e.name.startsWith('.'))) return 'images';
  const images = entries.filter((e) => isImageFile(e.name)).length;
  throw new GsError(
    'BAD_INPUT',
    `${abs}: ${images > 0 ? `holds ${images} image${images === 1 ? '' : 's'} but no class folders` : 'not a data folder'}; expected ${FOLDER_FORMS}`,
  );
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * How an image folder is read: channels and size from the spec (channels, imageSize, or inputShape
 * C,H,W), else from `hint` (the training images' shape, for a test folder), else from an imported
 * model's input; pixels scaled by pixelScale.
 */
function imageOptions(spec: DataSpec, where: string, hint?: readonly number[]): ImageOptions {
  const given = spec.inputShape;
  if (given !== undefined) {
    if (given.length !== 3)
      throw new GsError('BAD_OPTION', `${where}: images are read as C,H,W; the input shape ${given.join(',')} is not C,H,W`);
    if (spec.channels !== undefined && spec.channels !== given[0])
      throw new GsError(
        'BAD_OPTION',
        `${where}: ${spec.channels} channels asked for, but the input shape ${given.join(',')} has ${given[0]}`,
      );
    if (spec.imageSize !== undefined && !sameDims(spec.imageSize, given.slice(1)))
      throw new GsError(
        'BAD_OPTION',
        `${where}: image size ${spec.imageSize.join(',')} asked for, but the input shape ${given.join(',')} says ${given.slice(1).join(',')}`,
      );
  }
  const model = spec.modelInputShape?.length === 3 ? spec.modelInputShape : undefined;
  const channels = spec.channels ?? given?.[0] ?? hint?.[0] ?? model?.[0];
  const size = spec.imageSize ?? given?.slice(1) ?? hint?.slice(1) ?? model?.slice(1);
  return {
    ...(channels !== undefined ? { channels } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(spec.pixelScale !== undefined ? { pixelScale: spec.pixelScale } : {}),
  };
}

/**
 * Image arrays and IDX images brought to the channels and size the spec asks for (channels,
 * imageSize), else to `hint` (the training images' shape, for test images), else to an imported
 * model's input; inputShape (reading rows as C,H,W or C,L) rules out the others. Flat rows are left
 * as they are unless an image size or channels were asked for (refused then).
 */
function fitToSpec(table: LabeledTable, spec: DataSpec, where: string, hint?: readonly number[]): LabeledTable {
  const asked = spec.channels !== undefined || spec.imageSize !== undefined;
  if (spec.inputShape !== undefined) {
    if (asked)
      throw new GsError(
        'BAD_OPTION',
        `${where}: give an input shape (the rows read as C,H,W) or an image size and channels (images brought to them), not both`,
      );
    return table;
  }
  const shape = table.exampleShape;
  if (!shape || shape.length !== 3) {
    if (asked) fitImages(table, [], where); // refuses flat rows naming the file
    return table;
  }
  const model = spec.modelInputShape?.length === 3 ? spec.modelInputShape : undefined;
  const channels = spec.channels ?? hint?.[0] ?? model?.[0] ?? shape[0];
  const size = spec.imageSize ?? hint?.slice(1) ?? model?.slice(1) ?? shape.slice(1);
  return fitImages(table, [channels, ...size], where);
}

/** Features times the pixel scale asked for; IDX images were read as pixels / 255 already. */
function scalePixels(table: LabeledTable, scale: number | undefined): LabeledTable {
  if (scale === undefined || table.format === 'npy' || table.format === 'images') return table;
  const f = table.format === 'idx' ? scale * 255 : scale;
  const features = new Float32Array(table.features.length);
  for (let i = 0; i < features.length; i++) features[i] = table.features[i] * f;
  return { ...table, features };
}

/**
 * NumPy arrays (a .npz, a folder of .npy, a features .npy with its `labels` .npy) or an image folder
 * (class folders of PNG / JPEG, or train/ and test/ of them), with their own split when they have one.
 */
function readStructured(
  abs: string,
  kind: Structured,
  labels: string | undefined,
  spec: DataSpec,
  hint?: readonly number[],
): { train: LabeledTable; test?: LabeledTable } {
  if (spec.task === 'regression')
    throw new GsError('BAD_OPTION', `${abs}: regression targets are read from delimited files; arrays and image folders hold class labels`);
  if (labels !== undefined && kind !== 'npy')
    throw new GsError(
      'BAD_OPTION',
      `${labels}: a labels file goes with a features .npy file; ${abs} holds its labels itself (${kind === 'images' ? 'class folders' : 'a labels array'})`,
    );
  if (spec.arrays !== undefined && (kind === 'npy' || kind === 'images'))
    throw new GsError(
      'BAD_OPTION',
      `${abs}: array names pick arrays in a .npz or a folder of .npy files; this is ${kind === 'npy' ? 'one .npy file' : 'an image folder'}`,
    );
  if (kind === 'images') return readImageFolder(abs, imageOptions(spec, abs, hint));
  const opts = {
    ...(spec.arrays ? { names: spec.arrays } : {}),
    ...(spec.pixelScale !== undefined ? { pixelScale: spec.pixelScale } : {}),
  };
  let got: { train: LabeledTable; test?: LabeledTable };
  if (kind === 'npy') {
    if (labels === undefined)
      throw new GsError(
        'BAD_OPTION',
        `${abs}: a .npy file holds one array; give its labels .npy too (--labels FILE), or put x.npy and y.npy in a folder, or both in a .npz`,
      );
    got = { train: npyPair(abs, path.resolve(labels), opts) };
  } else got = arrayParts(abs, opts)!;
  const train = fitToSpec(got.train, spec, abs, hint);
  return { train, ...(got.test ? { test: fitToSpec(got.test, spec, abs, train.exampleShape) } : {}) };
}

function structuredParts(abs: string, kind: Structured, spec: DataSpec): Parts {
  const got = readStructured(abs, kind, spec.labels, spec);
  const testFraction = spec.testFraction ?? DEFAULT_TEST_FRACTION;
  const splitSeed = spec.splitSeed ?? 0;
  const { train, test } = got.test ? { train: got.train, test: got.test } : splitTable(got.train, testFraction, splitSeed);
  const labels = spec.labels !== undefined ? path.resolve(spec.labels) : undefined;
  return {
    name: path.basename(abs).replace(/\.np[yz]$/i, ''),
    train,
    test,
    featureNames: got.train.featureNames,
    tabular: false,
    ref: {
      kind: 'file',
      path: abs,
      ...(labels ? { labels } : {}),
      ...(got.test ? {} : { testFraction, splitSeed }),
      files: labels ? [abs, labels] : [abs],
    },
    source: abs,
    warnings: [...(got.train.warnings ?? []), ...(got.test?.warnings ?? [])],
  };
}

function statOf(abs: string, data: string): fs.Stats {
  try {
    return fs.statSync(abs);
  } catch {
    throw new GsError(
      'NOT_FOUND',
      `data file not found: ${abs} (and ${JSON.stringify(data)} is not a catalog name; those are ${CATALOG_NAMES.join(', ')})`,
    );
  }
}

async function loadOne(data: string, spec: DataSpec): Promise<Parts> {
  const abs = path.resolve(data);
  const stat = statOf(abs, data);
  const name = path.basename(abs);
  const kind = structuredKind(abs, stat);
  if (kind) return structuredParts(abs, kind, spec);
  if (spec.labels !== undefined)
    throw new GsError('BAD_OPTION', `${spec.labels}: a labels file goes with a features .npy file; ${abs} is not one`);
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

/** One side of a train/test pair: a delimited, libsvm or IDX file, or arrays or images holding one set. */
async function readSide(file: string, labels: string | undefined, spec: DataSpec, hint?: readonly number[]): Promise<LabeledTable> {
  const abs = path.resolve(file);
  const kind = fs.existsSync(abs) ? structuredKind(abs, fs.statSync(abs)) : null;
  if (kind) {
    const got = readStructured(abs, kind, labels, spec, hint);
    if (got.test)
      throw new GsError(
        'BAD_INPUT',
        `${abs}: holds its own train/test split (${kind === 'images' ? 'train/ and test/ folders' : 'test arrays'}); give it as the data, not as one side of a train/test pair`,
      );
    return got.train;
  }
  if (labels !== undefined) throw new GsError('BAD_OPTION', `${labels}: a labels file goes with a features .npy file; ${abs} is not one`);
  return readTable(abs, readOptions(spec));
}

async function loadPair(trainFile: string, testFile: string, spec: DataSpec): Promise<Parts> {
  let train = await readSide(trainFile, spec.labels, spec);
  let test = await readSide(testFile, spec.testLabels, spec, train.exampleShape?.length === 3 ? train.exampleShape : undefined);
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
  const labels = (f: string | undefined) => (f !== undefined ? path.resolve(f) : undefined);
  return {
    name: path
      .basename(trainAbs)
      .replace(/\.gz$/i, '')
      .replace(/\.np[yz]$/i, ''),
    train,
    test,
    featureNames: train.featureNames,
    tabular: !['idx', 'npy', 'images'].includes(train.format),
    ref: {
      kind: 'files',
      train: trainAbs,
      test: testAbs,
      ...(spec.labels !== undefined ? { labels: labels(spec.labels) } : {}),
      ...(spec.testLabels !== undefined ? { testLabels: labels(spec.testLabels) } : {}),
      files: [...new Set([...fileList(train, trainAbs), ...fileList(test, testAbs)])],
    },
    source: trainAbs,
    warnings: [...(train.warnings ?? []), ...(test.warnings ?? [])],
  };
}

/** The files a table was read from, an image folder as its folder. */
function fileList(t: LabeledTable, abs: string): string[] {
  return t.format === 'images' ? [abs] : t.files;
}

/** The pixel scale and image size asked for, applied to what the array and image readers did not read themselves. */
function finishParts(parts: Parts, spec: DataSpec): Parts {
  if (parts.train.format === 'npy' || parts.train.format === 'images') return parts;
  const where = parts.source;
  const train = fitToSpec(scalePixels(parts.train, spec.pixelScale), spec, where);
  const hint = train.exampleShape?.length === 3 ? train.exampleShape : undefined;
  const test = fitToSpec(scalePixels(parts.test, spec.pixelScale), spec, where, hint);
  const warnings = [...parts.warnings, ...(train.warnings ?? []).filter((w) => !parts.warnings.includes(w))];
  return { ...parts, train, test, featureNames: train.featureNames, warnings };
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
  checkImageOptions({ channels: spec.channels, size: spec.imageSize, pixelScale: spec.pixelScale }, 'data');
  if (spec.testLabels !== undefined && spec.test === undefined)
    throw new GsError('BAD_OPTION', `test labels ${spec.testLabels} need a test features .npy file (test) to go with`);
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
    if (meansCatalog(spec.data) && spec.labels !== undefined)
      throw new GsError(
        'BAD_OPTION',
        `${spec.labels}: a labels file goes with a features .npy file, not with the catalog data set ${spec.data}`,
      );
    parts = meansCatalog(spec.data) ? await loadCatalog(spec.data as keyof typeof CATALOG, spec) : await loadOne(spec.data, spec);
  } else {
    throw new GsError(
      'BAD_OPTION',
      `no data given; expected data (a catalog name: ${CATALOG_NAMES.join(', ')}; a file; or an MNIST folder) or train and test files`,
    );
  }
  parts = finishParts(parts, spec);
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
  if (spec.arrays !== undefined) ref.arrays = [...spec.arrays];
  if (spec.imageSize !== undefined) ref.imageSize = [...spec.imageSize];
  if (spec.channels !== undefined) ref.channels = spec.channels;
  if (spec.pixelScale !== undefined) ref.pixelScale = spec.pixelScale;
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
    labels: ref.labels,
    testLabels: ref.testLabels,
    arrays: ref.arrays,
    imageSize: ref.imageSize,
    channels: ref.channels,
    pixelScale: ref.pixelScale,
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
