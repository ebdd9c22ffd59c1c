/**
 * `gs-compress verify MODEL.onnx`: run an exported model with onnxruntime on data and check it.
 * With --run DIR the trained network of that run is the reference (label agreement and
 * probability difference); without it, ONNX labels are compared with the data's labels only.
 * Exits 1 (VERIFY_FAILED) when the model disagrees with the reference or misses --min-accuracy.
 */
import type { Argv, CommandModule } from 'yargs';
import { loadDataset, type DataSpec } from '../../data';
import type { SplitDataset, Table } from '../../data/types';
import { GsError } from '../../errors';
import { loadRun } from '../../network/run-io';
import type { Network } from '../../network/types';
import { DEFAULT_MAX_RMSE_INCREASE, META, mapLabels, readModelFile, readOnnxInfo, verifyOnnx } from '../../onnx';
import type { RuntimeChoice } from '../../onnx/runtime';
import { runDataSpec } from '../../pipeline/compress';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { formatVerification } from '../verify-format';

interface VerifyArgs extends DataArgs {
  model: string;
  run?: string;
  split: string;
  tolerance: number;
  'min-accuracy'?: number;
  'max-accuracy-drop': number;
  runtime: string;
  json: boolean;
}

function pickSplit(d: SplitDataset, split: string): Table {
  if (split === 'train') return d.train;
  if (split === 'test') return d.test;
  const features = new Float32Array(d.train.features.length + d.test.features.length);
  features.set(d.train.features);
  features.set(d.test.features, d.train.features.length);
  const labels = new Int32Array(d.train.rows + d.test.rows);
  labels.set(d.train.labels);
  labels.set(d.test.labels, d.train.rows);
  return { rows: d.train.rows + d.test.rows, cols: d.train.cols, features, labels };
}

function builder<T>(y: Argv<T>) {
  return dataOptions(
    y.positional('model', {
      type: 'string',
      demandOption: true,
      describe: 'The ONNX model to check (written by gs-compress prune --export)',
    }),
  )
    .option('run', {
      type: 'string',
      group: 'Reference:',
      describe: 'Run directory of the trained network to compare with; its recorded data is used when no --data/--train is given',
    })
    .option('split', {
      type: 'string',
      choices: ['test', 'train', 'all'],
      default: 'test',
      group: 'Data:',
      describe: 'Which part of the data to verify on',
    })
    .option('tolerance', {
      type: 'number',
      default: 1e-5,
      group: 'Reference:',
      describe: 'Largest allowed |probability difference| between the ONNX model and the --run network',
    })
    .option('min-accuracy', {
      type: 'number',
      group: 'Check:',
      describe: 'Without --run: fail when the ONNX accuracy is below this fraction (0..1)',
    })
    .option('max-accuracy-drop', {
      type: 'number',
      default: 0.5,
      group: 'Reference:',
      describe:
        'For a quantized model (int8/float16, read from its metadata): fail when its accuracy is this many points below the --run network',
    })
    .option('runtime', {
      type: 'string',
      choices: ['auto', 'node', 'web'],
      default: 'auto',
      group: 'Check:',
      describe: 'onnxruntime-node (native), onnxruntime-web (WebAssembly), or auto: native when installed (also GS_COMPRESS_ORT)',
    })
    .option('json', { type: 'boolean', default: false, group: 'Output:', describe: 'Print one JSON object instead of text' })
    .example('$0 verify runs/mnist-gl/model.onnx --run runs/mnist-gl', 'compare with the trained network on its test split')
    .example('$0 verify model.onnx --data new-data.csv --split all --min-accuracy 0.9', 'accuracy on your own data') as unknown as Argv<
    T & VerifyArgs
  >;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <model>',
  describe: 'Check an exported ONNX model with onnxruntime: accuracy on data, and agreement with the trained network (--run)',
  builder,
  handler: async (a) => {
    const status = (s: string) => {
      if (!a.json && process.stderr.isTTY) process.stderr.write(`${s}\n`);
    };
    if (a.tolerance < 0 || !Number.isFinite(a.tolerance))
      throw new GsError('BAD_OPTION', `--tolerance ${a.tolerance} is not valid; expected a number >= 0`);
    const bytes = readModelFile(a.model);
    const info = readOnnxInfo(bytes, a.model);
    const iface = info.interface;
    const quantized = (info.metadata[META.quantization] ?? 'none') !== 'none';
    let reference: Network | null = null;
    let spec: DataSpec | null = a.data || a.train || a.test ? dataSpec(a) : null;
    if (a.run) {
      const run = loadRun(a.run);
      reference = run.network;
      spec = spec ?? runDataSpec(run.info, a.run);
      if (!spec) throw new GsError('BAD_OPTION', `${a.run} does not record its data; pass --data FILE|NAME (or --train/--test)`);
    }
    if (!spec) throw new GsError('BAD_OPTION', 'no data to verify on; give --data FILE|NAME, --train FILE --test FILE, or --run DIR');
    // a regressor's data has a numeric target (the model's metadata says so)
    if (iface?.task === 'regression' && spec.task === undefined) spec = { ...spec, task: 'regression' };
    status('loading data...');
    const data = await loadDataset(spec);
    const table = pickSplit(data, a.split);
    const classes = iface?.classLabels ?? data.classLabels;
    const { labels, unknown } = mapLabels(table.labels, data.classLabels, classes);
    if (unknown.length > 0 && !a.json) {
      process.stderr.write(`warning: the data has classes the model does not know (${unknown.join(', ')}); their rows count as wrong\n`);
    }
    status(`running onnxruntime on ${table.rows} rows...`);
    const r = await verifyOnnx({
      onnx: a.model, // the path, so that messages name the file
      reference,
      features: table.features,
      labels,
      targets: data.task === 'regression' ? (table.targets ?? null) : null,
      rows: table.rows,
      tolerance: a.tolerance,
      minAccuracy: a['min-accuracy'],
      runtime: a.runtime === 'auto' && process.env.GS_COMPRESS_ORT ? undefined : (a.runtime as RuntimeChoice),
      ...(quantized && reference && iface?.task !== 'regression' ? { maxAccuracyDrop: a['max-accuracy-drop'] / 100 } : {}),
      ...(quantized && reference && iface?.task === 'regression' ? { maxRmseIncrease: DEFAULT_MAX_RMSE_INCREASE } : {}),
    });
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify({ model: a.model, run: a.run ?? null, data: data.ref, split: a.split, unknownClasses: unknown, ...r })}\n`,
      );
    } else {
      process.stdout.write(
        `${a.model} on ${data.name} (${a.split} split)${reference ? `, reference ${a.run}` : ', against the data labels'}\n`,
      );
      process.stdout.write(`${formatVerification(r)}\n`);
    }
    if (!r.ok && r.regression) {
      const g = r.regression;
      const why =
        r.mode === 'lossy'
          ? `RMSE ${g.onnxRmse?.toPrecision(4)} is more than ${(100 * (g.maxRmseIncrease ?? 0)).toFixed(1)}% above the trained network's ${g.referenceRmse?.toPrecision(4)}`
          : `${g.outside} outputs differ from the trained network by more than ${a.tolerance} + ${g.relTolerance} x |value| (max ${g.maxAbsDiff.toExponential(2)})`;
      throw new GsError('VERIFY_FAILED', `${a.model}: verification failed: ${why}`);
    }
    if (!r.ok) {
      const why = reference
        ? r.mode === 'lossy'
          ? `accuracy ${r.onnxAccuracy?.toFixed(4)} is more than ${a['max-accuracy-drop']} points below the trained network's ${r.referenceAccuracy?.toFixed(4)}`
          : r.disagreementCount > 0
            ? `${r.disagreementCount} of ${r.rows} rows get a different label than from the trained network (first rows: ${r.disagreements.join(', ')}); max |prob difference| ${r.maxProbDiff?.toExponential(2)}`
            : `max |prob difference| ${r.maxProbDiff?.toExponential(2)} exceeds the tolerance ${a.tolerance}`
        : `accuracy ${r.onnxAccuracy?.toFixed(4)} is below --min-accuracy ${a['min-accuracy']}`;
      throw new GsError('VERIFY_FAILED', `${a.model}: verification failed: ${why}`);
    }
  },
};
