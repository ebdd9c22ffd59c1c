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
  task?: string;
}

export function dataOptions<T>(y: Argv<T>): Argv<T & DataArgs> {
  return y
    .option('data', {
      type: 'string',
      group: 'Data:',
      describe:
        'A catalog name (mnist, sdd, covtype), a data file (comma, semicolon, tab or whitespace separated text with RFC 4180 quoting, .gz, IDX, libsvm) split into train/test, a folder with the four MNIST IDX files, ' +
        'NumPy arrays (a .npz, or a folder of .npy: x_train, y_train, x_test, y_test as keras.datasets saves them, or x and y; N x H x W, N x C x H x W or channels-last N x H x W x C; uint8 pixels scaled by 1/255), ' +
        "or an image folder (DIR/train/<class>/*.png|jpg and DIR/test/<class>/..., or DIR/<class>/... split here; one channel when every image is grey, else three; resized to the first image's size)",
    })
    .option('train', { type: 'string', group: 'Data:', describe: 'Training file (use with --test instead of --data)' })
    .option('test', { type: 'string', group: 'Data:', describe: 'Test file, same columns as --train' })
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
    });
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
    ...(a.task === 'regression' ? { task: 'regression' as const } : {}),
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
