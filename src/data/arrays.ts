/**
 * Data sets held in NumPy arrays (npy.ts): a `.npz` archive or a folder of `.npy` files, with
 * features and labels found by name, or a features `.npy` with a labels `.npy` beside it:
 *   - x_train, y_train, x_test, y_test (as keras.datasets saves them): the train/test split given;
 *   - else one features array (x, X, images, features, data, inputs) and one labels array (y, Y,
 *     labels, label, targets, target), split by loadDataset's seeded shuffle; two names of one kind
 *     are ambiguous and refused;
 *   - or the names asked for (`names`: features, labels[, test features, test labels]).
 * Features are N x F (flat), N x H x W (one-channel images), N x C x H x W, or N x H x W x C with
 * C of 1, 3 or 4 below H (channels last, transposed to channels first, said in a warning); uint8
 * features are pixels and are scaled by 1/255 as IDX images are (`pixelScale`, when given, scales
 * features of any dtype). Labels are N or N x 1 integers (class ids), or N x C one-hot rows. Wrong
 * dtypes, shapes that do not match and non-integer labels are refused naming the file and array.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import { readNpy, readNpz, type NpyArray } from './npy';
import { DEFAULT_PIXEL_SCALE } from './resize';
import type { LabeledTable } from './types';

const FEATURE_NAMES = ['x', 'X', 'images', 'features', 'data', 'inputs'];
const LABEL_NAMES = ['y', 'Y', 'labels', 'label', 'targets', 'target'];

/** What --help and errors say about the names. */
export const ARRAY_NAMES_RULE =
  'x_train, y_train, x_test, y_test (a given split), or one features array (x, X, images, features, data, inputs) and one labels array (y, Y, labels, label, targets, target)';

export interface ArrayParts {
  train: LabeledTable;
  /** Absent when the arrays hold no test split (loadDataset splits `train`). */
  test?: LabeledTable;
}

export interface ArrayOptions {
  /** Array names: [features, labels] or [features, labels, test features, test labels]. */
  names?: readonly string[];
  /** Factor on every feature value (default: 1/255 for uint8 arrays, 1 for others). */
  pixelScale?: number;
}

/** The arrays of a .npz archive, or of the .npy files in a folder (null when it holds none). */
export function readArrays(where: string): { arrays: Map<string, NpyArray>; files: string[] } | null {
  if (fs.statSync(where).isDirectory()) {
    const names = fs.readdirSync(where).filter((f) => f.toLowerCase().endsWith('.npy'));
    if (names.length === 0) return null;
    const arrays = new Map<string, NpyArray>();
    for (const f of names.sort()) arrays.set(f.slice(0, -4), readNpy(path.join(where, f)));
    return { arrays, files: names.map((f) => path.join(where, f)) };
  }
  return { arrays: readNpz(where), files: [where] };
}

/** The one array of `arrays` named like `names` (null for none; two are refused as ambiguous). */
function named(where: string, arrays: Map<string, NpyArray>, names: readonly string[], what: string): string | null {
  const found = names.filter((n) => arrays.has(n));
  if (found.length > 1)
    throw new GsError(
      'BAD_INPUT',
      `${where}: holds ${found.length} arrays that could be the ${what} (${found.join(', ')}); name the arrays to use (--arrays FEATURES,LABELS)`,
    );
  return found[0] ?? null;
}

function checkNames(names: readonly string[]): void {
  if ((names.length !== 2 && names.length !== 4) || names.some((n) => n === ''))
    throw new GsError(
      'BAD_OPTION',
      `array names ${names.join(',')}: expected FEATURES,LABELS or FEATURES,LABELS,TEST_FEATURES,TEST_LABELS (names of arrays in the .npz or folder)`,
    );
}

/** Features and labels of a data set held in NumPy arrays, a .npz or a folder of .npy (see the module comment). */
export function arrayParts(where: string, opts: ArrayOptions = {}): ArrayParts | null {
  const read = readArrays(where);
  if (!read) return null;
  const { arrays, files } = read;
  const table = (xName: string, yName: string) =>
    toTable(`${xName}`, arrays.get(xName)!, `${yName}`, arrays.get(yName)!, files, opts.pixelScale);
  if (opts.names) {
    checkNames(opts.names);
    const missing = opts.names.filter((n) => !arrays.has(n));
    if (missing.length > 0)
      throw new GsError('BAD_INPUT', `${where}: has no array ${missing.join(', ')}; it holds ${[...arrays.keys()].join(', ')}`);
    const [x, y, xt, yt] = opts.names;
    return { train: table(x, y), ...(xt !== undefined ? { test: table(xt, yt) } : {}) };
  }
  if (arrays.has('x_train') && arrays.has('y_train')) {
    if (arrays.has('x_test') !== arrays.has('y_test'))
      throw new GsError('BAD_INPUT', `${where}: has ${arrays.has('x_test') ? 'x_test without y_test' : 'y_test without x_test'}`);
    return { train: table('x_train', 'y_train'), ...(arrays.has('x_test') ? { test: table('x_test', 'y_test') } : {}) };
  }
  const x = named(where, arrays, FEATURE_NAMES, 'features');
  const y = named(where, arrays, LABEL_NAMES, 'labels');
  if (!x || !y) {
    throw new GsError(
      'BAD_INPUT',
      `${where}: holds arrays ${[...arrays.keys()].join(', ')}; expected ${ARRAY_NAMES_RULE}, or name them (--arrays FEATURES,LABELS)`,
    );
  }
  return { train: table(x, y) };
}

/** A features .npy and its labels .npy as one table. */
export function npyPair(featuresFile: string, labelsFile: string, opts: ArrayOptions = {}): LabeledTable {
  return toTable(featuresFile, readNpy(featuresFile), labelsFile, readNpy(labelsFile), [featuresFile, labelsFile], opts.pixelScale);
}

/** A channels-first copy of N x H x W x C values. */
function channelsFirst(v: ArrayLike<number>, n: number, h: number, w: number, c: number): Float64Array {
  const out = new Float64Array(v.length);
  const per = h * w * c;
  for (let r = 0; r < n; r++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[r * per + (ch * h + y) * w + x] = v[r * per + (y * w + x) * c + ch];
  return out;
}

/** One table of features `x` and labels `y`; `xName` and `yName` name them in messages (file, or file: array). */
function toTable(xName: string, x: NpyArray, yName: string, y: NpyArray, files: string[], pixelScale: number | undefined): LabeledTable {
  const warnings: string[] = [];
  const [n, ...rest] = x.shape;
  if (rest.length === 0 || rest.length > 3)
    throw new GsError('BAD_INPUT', `${xName} has shape ${x.shape.join('x')}; expected N x F, N x H x W, N x C x H x W or N x H x W x C`);
  let values = x.values;
  let exampleShape: number[] | undefined;
  if (rest.length === 2) exampleShape = [1, ...rest];
  else if (rest.length === 3) {
    const last = rest[2];
    // channels last when the last axis is a channel count smaller than the first (28x28x1, 32x32x3)
    if ([1, 3, 4].includes(last) && last < rest[0]) {
      values = channelsFirst(values, n, rest[0], rest[1], last);
      exampleShape = [last, rest[0], rest[1]];
      warnings.push(`${xName} is channels last (${x.shape.join('x')}); read as ${n} x ${exampleShape.join(' x ')}, channels first`);
    } else exampleShape = [...rest];
  }
  const scale = pixelScale ?? (x.dtype === 'u1' ? DEFAULT_PIXEL_SCALE : 1);
  const features = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) features[i] = values[i] * scale;
  // labels: class ids (N or N x 1), or one-hot rows (N x C)
  if (y.shape[0] !== n) throw new GsError('BAD_INPUT', `${xName} has ${n} examples but ${yName} has ${y.shape[0]} labels`);
  let ids: Float64Array;
  if (y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1)) ids = Float64Array.from(y.values);
  else if (y.shape.length === 2) {
    const C = y.shape[1];
    ids = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const row = Array.from({ length: C }, (_, j) => y.values[r * C + j]);
      const hot = row.indexOf(1);
      if (hot < 0 || row.some((v, j) => v !== (j === hot ? 1 : 0)))
        throw new GsError('BAD_INPUT', `${yName} row ${r} is not one-hot; labels must be class ids (N) or one-hot rows (N x C)`);
      ids[r] = hot;
    }
  } else throw new GsError('BAD_INPUT', `${yName} has shape ${y.shape.join('x')}; expected N class ids or N x C one-hot rows`);
  const bad = ids.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0)
    throw new GsError(
      'BAD_INPUT',
      `${yName} holds ${ids[bad]} at row ${bad}, not an integer class id (dtype ${y.dtype}); regression targets are not read from arrays yet`,
    );
  const used = [...new Set(ids)].sort((a, b) => a - b);
  const id = new Map(used.map((v, i) => [v, i]));
  const cols = rest.reduce((a, b) => a * b, 1);
  return {
    rows: n,
    cols,
    features,
    labels: Int32Array.from(ids, (v) => id.get(v)!),
    classLabels: used.map(String),
    featureNames: Array.from({ length: cols }, (_, i) => `x${i}`),
    files,
    format: 'npy',
    ...(exampleShape ? { exampleShape } : {}),
    warnings,
  };
}
