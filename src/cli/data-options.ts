/**
 * The data flags shared by commands that read a data set (train, verify, sweep), and their
 * translation into the data layer's DataSpec.
 */
import type { Argv } from 'yargs';
import type { DataSpec } from '../data';
import { GsError } from '../errors';

export interface DataArgs {
  data?: string;
  train?: string;
  test?: string;
  'test-fraction': number;
  'split-seed': number;
  header?: boolean;
  'label-column'?: string;
  format?: string;
  'data-dir'?: string;
  'train-rows'?: number;
  'test-rows'?: number;
  'input-shape'?: string;
  labels?: string;
  'test-labels'?: string;
  arrays?: string;
  'image-size'?: string;
  channels?: number;
  'pixel-scale'?: string;
  task?: string;
}

/** The flags that say how NumPy arrays and images are read (also on `data info`). */
export type ArrayImageArgs = Pick<DataArgs, 'labels' | 'test-labels' | 'arrays' | 'image-size' | 'channels' | 'pixel-scale'>;

export function arrayImageOptions<T>(y: Argv<T>): Argv<T & ArrayImageArgs> {
  return y
    .option('labels', {
      type: 'string',
      group: 'Data:',
      describe: 'The labels .npy (N class ids or N x C one-hot) of a features .npy given as --data or --train',
    })
    .option('test-labels', { type: 'string', group: 'Data:', describe: 'The labels .npy of a features .npy given as --test' })
    .option('arrays', {
      type: 'string',
      group: 'Data:',
      describe:
        'Names of the arrays to read in a .npz or a folder of .npy: FEATURES,LABELS (split here) or FEATURES,LABELS,TEST_FEATURES,TEST_LABELS; needed when the names do not tell (two candidates, or other names)',
    })
    .option('image-size', {
      type: 'string',
      group: 'Data:',
      describe:
        "H,W (or one number for a square) every image is resized to (bilinear): image folders, IDX and NumPy image arrays. Default: the images' own size (an image folder's first image's), or an imported model's input (compress)",
    })
    .option('channels', {
      type: 'number',
      choices: [1, 3],
      group: 'Data:',
      describe:
        'Read images as 1 (grey: colour images become 0.299 R + 0.587 G + 0.114 B) or 3 channels (RGB: a grey image is repeated over three). Default: an image folder is 3 when any image is colour, else 1; arrays keep their own; compress follows the model',
    })
    .option('pixel-scale', {
      type: 'string',
      group: 'Data:',
      describe:
        'Factor on every feature value read, a number or a fraction like 1/255. Default 1/255 for 8-bit pixels (image folders, IDX files, uint8 arrays: values in [0, 1]); 1 for everything else (float arrays are read as stored)',
    });
}

export function dataOptions<T>(y: Argv<T>): Argv<T & DataArgs> {
  return arrayImageOptions(
    y
      .option('data', {
        type: 'string',
        group: 'Data:',
        describe:
          'A catalog name (mnist, sdd, covtype), a data file (comma, semicolon, tab or whitespace separated text with RFC 4180 quoting, .gz, IDX, libsvm) split into train/test, a folder with the four MNIST IDX files, ' +
          'NumPy arrays (a .npz or a folder of .npy files holding x_train, y_train, x_test, y_test as keras.datasets saves them, or one features array named x, X, images, features, data or inputs and one labels array named y, Y, labels, label, targets or target; or a features .npy with --labels; see --arrays), ' +
          'or an image folder (DIR/train/<class>/*.png|jpg|jpeg and DIR/test/<class>/..., or DIR/<class>/... split here; classes are the folder names, sorted). ' +
          'Arrays: features N x F, N x H x W (one channel), N x C x H x W, or channels-last N x H x W x C (C 1, 3 or 4); N x C x L with --input-shape C,L; float, int, uint or bool, either byte order, C or Fortran order; labels N class ids or N x C one-hot. ' +
          "Images: one channel when every image is grey, else three (a grey image among colour ones is repeated over R, G, B; see --channels); resized (bilinear) to the first image's size unless --image-size or an imported model's input says otherwise",
      })
      .option('train', {
        type: 'string',
        group: 'Data:',
        describe: 'Training file or folder (use with --test instead of --data): any form --data takes that holds one set',
      })
      .option('test', { type: 'string', group: 'Data:', describe: 'Test file or folder, the same columns (or image shape) as --train' })
      .option('test-fraction', {
        type: 'number',
        default: 0.3,
        group: 'Data:',
        describe: 'Share of a single --data file held out for testing',
      })
      .option('split-seed', { type: 'number', default: 0, group: 'Data:', describe: 'Seed of the train/test split of a single file' })
      .option('header', {
        type: 'boolean',
        group: 'Data:',
        describe: 'Force (--header) or deny (--no-header) a header row; detected when not given',
      })
      .option('label-column', {
        type: 'string',
        group: 'Data:',
        describe: 'Label column: last (default), first, a header NAME or a 0-based INDEX (negative counts from the end: -1 = last)',
      })
      .option('format', {
        type: 'string',
        choices: ['csv', 'idx', 'libsvm'],
        group: 'Data:',
        describe: 'File format, when the name and content do not tell',
      })
      .option('data-dir', {
        type: 'string',
        group: 'Data:',
        describe: 'Where catalog data sets are found (else $GS_DATA_DIR, then ~/.cache/gs-compress)',
      })
      .option('train-rows', {
        type: 'number',
        group: 'Data:',
        describe: 'Use a seeded random subset of at most this many training rows (quick runs)',
      })
      .option('test-rows', { type: 'number', group: 'Data:', describe: 'Use a seeded random subset of at most this many test rows' })
      .option('input-shape', {
        type: 'string',
        group: 'Data:',
        describe:
          "Shape of one example's feature columns, channels first: C,H,W (images) or C,L (sequences), for convolutional networks on delimited files (train --arch); for an image folder, the channels (1 or 3) and size every image is brought to (compress: the model's own input by default)",
      })
      .option('task', {
        type: 'string',
        choices: ['classification', 'regression'],
        group: 'Data:',
        describe:
          'classification (default): the label column holds classes, trained on softmax cross-entropy, scored by accuracy. regression: it holds a number, trained on mean squared error (of the standardized target; predictions stay in its units), scored by RMSE and R^2, exported with one `prediction` output',
      }),
  );
}

export function dataSpec(a: DataArgs): DataSpec {
  return {
    data: a.data,
    train: a.train,
    test: a.test,
    testFraction: a['test-fraction'],
    splitSeed: a['split-seed'],
    header: a.header,
    labelColumn: a['label-column'],
    format: a.format as DataSpec['format'],
    dataDir: a['data-dir'],
    maxTrainRows: a['train-rows'],
    maxTestRows: a['test-rows'],
    ...(a['input-shape'] !== undefined ? { inputShape: parseShape(a['input-shape']) } : {}),
    ...arrayImageSpec(a),
    ...(a.task === 'regression' ? { task: 'regression' as const } : {}),
  };
}

/** The DataSpec fields of the array and image flags. */
export function arrayImageSpec(a: ArrayImageArgs): DataSpec {
  return {
    ...(a.labels !== undefined ? { labels: a.labels } : {}),
    ...(a['test-labels'] !== undefined ? { testLabels: a['test-labels'] } : {}),
    ...(a.arrays !== undefined ? { arrays: parseNames(a.arrays) } : {}),
    ...(a['image-size'] !== undefined ? { imageSize: parseImageSize(a['image-size']) } : {}),
    ...(a.channels !== undefined ? { channels: a.channels } : {}),
    ...(a['pixel-scale'] !== undefined ? { pixelScale: parseScale(a['pixel-scale']) } : {}),
  };
}

/** "1,28,28" -> [1, 28, 28]; anything else is a one-line error. */
function parseShape(text: string): number[] {
  const parts = String(text)
    .split(/[,x ]+/)
    .filter((p) => p !== '');
  const dims = parts.map(Number);
  if (dims.length < 2 || dims.length > 3 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new GsError(
      'BAD_OPTION',
      `--input-shape ${JSON.stringify(text)}: expected C,H,W (images) or C,L (sequences) of positive integers`,
    );
  }
  return dims;
}

/** "x,y" -> ['x', 'y']: two or four array names. */
function parseNames(text: string): string[] {
  const names = String(text)
    .split(',')
    .map((n) => n.trim());
  if ((names.length !== 2 && names.length !== 4) || names.some((n) => n === ''))
    throw new GsError(
      'BAD_OPTION',
      `--arrays ${JSON.stringify(text)}: expected FEATURES,LABELS or FEATURES,LABELS,TEST_FEATURES,TEST_LABELS`,
    );
  return names;
}

/** "32,32", "32x32" or "32" -> [32, 32]. */
function parseImageSize(text: string): number[] {
  const dims = String(text)
    .split(/[,x ]+/)
    .filter((p) => p !== '')
    .map(Number);
  const size = dims.length === 1 ? [dims[0], dims[0]] : dims;
  if (size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 1))
    throw new GsError('BAD_OPTION', `--image-size ${JSON.stringify(text)}: expected H,W (or one number for a square) of positive integers`);
  return size;
}

/** "0.5", "1/255" -> a positive number. */
function parseScale(text: string): number {
  const m = /^\s*([0-9.eE+-]+)\s*(?:\/\s*([0-9.eE+-]+)\s*)?$/.exec(String(text));
  const v = m ? Number(m[1]) / (m[2] !== undefined ? Number(m[2]) : 1) : NaN;
  if (!(Number.isFinite(v) && v > 0))
    throw new GsError('BAD_OPTION', `--pixel-scale ${JSON.stringify(text)}: expected a positive number or a fraction like 1/255`);
  return v;
}
