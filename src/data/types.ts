/**
 * The data layer's values: a dense table of features with integer class labels,
 * a train/test split of it, and where it came from (so a run can record and reload it).
 */

/** Row-major features [rows x cols] with labels already mapped to 0..C-1. */
export interface Table {
  rows: number;
  cols: number;
  features: Float32Array; // length rows*cols
  labels: Int32Array; // length rows, values in 0..classLabels.length-1 (all 0 for regression)
  /** Regression only: numeric targets [rows x k] row-major (k = 1 from the readers). */
  targets?: Float32Array;
}

/** Where a data set came from, recorded in gs-run.json so a run can be traced and reloaded. */
export interface DataRef {
  /** 'catalog' (mnist/sdd/covtype), 'file' (one file split with testFraction), 'files' (--train/--test). */
  kind: 'catalog' | 'file' | 'files';
  name?: string; // catalog name
  path?: string; // --data FILE
  train?: string; // --train FILE
  test?: string; // --test FILE
  /** The labels .npy of a features .npy (`path` or `train`), and of the test features .npy (`test`). */
  labels?: string;
  testLabels?: string;
  testFraction?: number;
  splitSeed?: number;
  /** Files actually read: absolute paths in memory; in a record, relative to its folder (file names for a catalog data set). */
  files: string[];
  /** In a record: the content hash (`sha256:HEX`) of each of `files`, same order. */
  hashes?: string[];
  /** Reader options and subsampling used, so the same data can be loaded again (see specFromRef). */
  header?: boolean;
  labelColumn?: string;
  format?: DataFormat;
  maxTrainRows?: number;
  maxTestRows?: number;
  /** How arrays and images were read (see DataSpec). */
  arrays?: string[];
  imageSize?: number[];
  channels?: number;
  pixelScale?: number;
  /** 'regression' when the label column was read as a numeric target (absent = classification). */
  task?: 'regression';
}

/** A data set ready for training: train and test tables sharing columns and classes. */
export interface SplitDataset {
  name: string;
  train: Table;
  test: Table;
  /** Original label values as strings, index = class id; for regression the target names (one per column). */
  classLabels: string[];
  /** Column names when the file had a header (or generated 'x0'..), length = cols. */
  featureNames: string[];
  /** true for tabular text data (standardize by default), false for images (IDX, already scaled to [0,1]). */
  tabular: boolean;
  ref: DataRef;
  /** 'regression': train.targets and test.targets hold numeric targets (absent = classification). */
  task?: 'regression';
  /** Validation rows carved from the training split (withValidation): never trained on, used to
   * select among runs and epochs; absent when no validation split was made. */
  val?: Table;
  /** The share of the training split `val` was carved with (present once withValidation ran, 0 included). */
  valFraction?: number;
  /** Shape of one example, channels first ([C, H, W] images, [C, L] sequences) when the rows are not
   * flat features: IDX images give [1, H, W]; delimited files take `inputShape` of the spec. The
   * row holds its values in that order (NCHW). Absent = flat rows of `train.cols` features. */
  inputShape?: number[];
}

/** Per-feature affine scaling x' = (x - mean) / std, fitted on the training split. */
export interface Scaling {
  mean: Float32Array;
  std: Float32Array; // never 0 (constant columns get 1)
}

/** File formats the readers understand. 'csv' covers comma, tab and whitespace separated text. */
/** 'npy': NumPy arrays (.npz, .npy, a folder of .npy); 'images': a folder of PNG / JPEG images by class. */
export type DataFormat = 'csv' | 'idx' | 'libsvm' | 'npy' | 'images';

/** What to load: a catalog name, one file or MNIST IDX directory (`data`), or `train` + `test` files. */
export interface DataSpec {
  /** A catalog name (mnist, sdd, covtype), a data file, or a directory holding the four MNIST IDX files. */
  data?: string;
  train?: string;
  test?: string;
  /** Fraction of rows held out when one file is split (default 0.3). */
  testFraction?: number;
  /** Seed of the split shuffle and of subsampling (default 0). */
  splitSeed?: number;
  /** Force (true) or rule out (false) a header row; auto-detected when undefined. */
  header?: boolean;
  /** 'last' (default), 'first', a column name (needs a header) or a 0-based index. */
  labelColumn?: string;
  format?: DataFormat;
  /** Where catalog files are looked up first (then $GS_DATA_DIR, then the cache folder). */
  dataDir?: string;
  /** Keep at most this many training / test rows (seeded subsample), for quick runs. */
  maxTrainRows?: number;
  maxTestRows?: number;
  /** Content hashes (`sha256:HEX`, see content-hash.ts) of the `data`, `train` and `test` paths, as records keep them. */
  dataHash?: string;
  trainHash?: string;
  testHash?: string;
  /** 'regression': read the label column as a numeric target (default classification). */
  task?: 'classification' | 'regression';
  /** Shape of one example's feature columns, channels first (C,H,W or C,L), for convolutional
   * networks on delimited files; its product must be the number of feature columns. For an image
   * folder, C,H,W sets the channels and the size the images are brought to. */
  inputShape?: number[];
  /** The labels of a features `.npy` given as `data` or `train` (a labels `.npy` of N class ids or N x C one-hot rows). */
  labels?: string;
  /** The labels `.npy` of a features `.npy` given as `test`. */
  testLabels?: string;
  labelsHash?: string;
  testLabelsHash?: string;
  /** Names of the arrays to read in a .npz or a folder of .npy: [features, labels] or
   * [features, labels, test features, test labels] (default: found by name, see arrays.ts). */
  arrays?: string[];
  /** [H, W] every image is brought to (bilinear): image folders, IDX and NumPy image arrays
   * (default: the images' own size; an image folder's first image's). */
  imageSize?: number[];
  /** 1 (grey) or 3 (RGB): the channels images are read as (default: an image folder's own, 3 when
   * any image is colour; an image array's own). */
  channels?: number;
  /** Factor on every feature value read (default: 1/255 for 8-bit pixels of image folders, IDX
   * files and uint8 arrays, 1 for everything else). */
  pixelScale?: number;
  /** An imported model's input shape [C, H, W]: image data is brought to its channels and size
   * unless inputShape, imageSize or channels say otherwise; flat rows are left as they are. */
  modelInputShape?: number[];
}

/** What a reader returns: a table with its class labels (index = class id), column names and source files. */
export interface LabeledTable extends Table {
  classLabels: string[];
  featureNames: string[];
  /** Absolute paths of the files read. */
  files: string[];
  format: DataFormat;
  /** Things worth telling the user that do not stop the read (extreme values, ...), each one message naming the file. */
  warnings?: string[];
  /** Shape of one example when the rows are images (IDX: [1, H, W], channels first); absent = flat rows. */
  exampleShape?: number[];
}
