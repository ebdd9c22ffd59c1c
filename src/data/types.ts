/**
 * The data layer's values: a dense table of features with integer class labels,
 * a train/test split of it, and where it came from (so a run can record and reload it).
 */

/** Row-major features [rows x cols] with labels already mapped to 0..C-1. */
export interface Table {
  rows: number;
  cols: number;
  features: Float32Array; // length rows*cols
  labels: Int32Array; // length rows, values in 0..classLabels.length-1
}

/** Where a data set came from, recorded in gs-run.json so a run can be traced and reloaded. */
export interface DataRef {
  /** 'catalog' (mnist/sdd/covtype), 'file' (one file split with testFraction), 'files' (--train/--test). */
  kind: 'catalog' | 'file' | 'files';
  name?: string; // catalog name
  path?: string; // --data FILE
  train?: string; // --train FILE
  test?: string; // --test FILE
  testFraction?: number;
  splitSeed?: number;
  /** Files actually read (absolute paths). */
  files: string[];
}

/** A data set ready for training: train and test tables sharing columns and classes. */
export interface SplitDataset {
  name: string;
  train: Table;
  test: Table;
  /** Original label values as strings, index = class id. */
  classLabels: string[];
  /** Column names when the file had a header (or generated 'x0'..), length = cols. */
  featureNames: string[];
  /** true for tabular text data (standardize by default), false for images (IDX, already scaled to [0,1]). */
  tabular: boolean;
  ref: DataRef;
}

/** Per-feature affine scaling x' = (x - mean) / std, fitted on the training split. */
export interface Scaling {
  mean: Float32Array;
  std: Float32Array; // never 0 (constant columns get 1)
}
