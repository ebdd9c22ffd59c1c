/**
 * `gs-compress compress MODEL --data FILE --target-ratio R --export slim.onnx`: one command from a
 * model you have to a smaller one: import (checked against the original), training to the budget
 * from its weights (units removed as it trains), compact fine-tuning, exact pruning, ONNX export, and a
 * comparison with the ORIGINAL file on the test split (accuracy of both, agreement, sizes).
 */
import type { CommandModule } from 'yargs';
import { loadDataset } from '../../data';
import { GsError } from '../../errors';
import { IMPORTERS, importModel, importerNames } from '../../import';
import type { TaskName } from '../../network/tasks';
import { compressModel, type CompressModelResult } from '../../pipeline/compress-model';
import { DEFAULT_CONFIG, DEFAULT_THREADS } from '../../train/defaults';
import { parseThreads } from '../../train/layers-engine/parallel/threads';
import { TRAINING_FLAGS } from '../training-flags';
import { VERSION } from '../../version';
import { fmtRmse, testScoreText } from '../history-table';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { ProgressBar } from '../progress';
import { UsageError } from '../usage-error';
import { sayReplaced } from '../output-options';
import { prepareOutputFile } from '../../util/output-path';

interface CompressArgs extends DataArgs {
  model: string;
  'target-ratio'?: number;
  'target-params'?: number;
  'target-macs'?: number;
  'target-macs-ratio'?: number;
  'round-channels'?: number;
  'target-speedup'?: number;
  'speed-batch'?: number;
  'extra-outputs': boolean;
  export: string;
  lambda: number;
  epochs: number;
  'finetune-epochs': number;
  'batch-size'?: number;
  threads: string;
  lr: number;
  seed: number;
  'labels-from-model': boolean;
  distill: boolean;
  json: boolean;
}

const pct = (v: number | null) => (v === null ? 'n/a (the data has no labels the model knows)' : `${(100 * v).toFixed(2)}%`);

/** How the budget was met: the removal steps of the budget training. */
function budgetLine(r: CompressModelResult): string {
  const steps = r.projections.length;
  const from = r.projections[0]?.before ?? r.original.parameters;
  const macs =
    r.targetMacs !== undefined ? `, ${r.original.macs} -> ${r.slim.macs} multiply-adds per example (budget ${r.targetMacs})` : '';
  return `budget met by ${steps} removal step${steps === 1 ? '' : 's'} while training (${from} -> ${r.slim.parameters} parameters${macs}), then fine-tuned`;
}

/** The speed lines: µs per row of both models in onnxruntime at each batch size. */
function speedLines(r: CompressModelResult): string[] {
  if (r.speed.rows.length === 0) return [];
  const us = (v: number | null) => (v === null ? 'n/a' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  // a tfjs original is timed as its exact ONNX export
  const original = r.speed.originalForm === 'onnx-export' ? 'original as ONNX' : 'original';
  return [
    `speed in ${r.speed.runtime ?? 'onnxruntime'} (${r.speed.threads} thread), µs per row: ` +
      r.speed.rows
        .map(
          (s) =>
            `batch ${s.batch}: ${original} ${us(s.originalUsPerRow)}, slim ${us(s.slimUsPerRow)}${s.speedup === null ? '' : ` (${s.speedup.toFixed(2)}x)`}`,
        )
        .join('; '),
    ...(r.budgetSpeed
      ? [
          `--target-speedup ${r.budgetSpeed.target}: ${r.budgetSpeed.met ? 'met' : 'NOT met (the smallest network of this shape)'}, ${r.budgetSpeed.speedup.toFixed(2)}x at batch ${r.budgetSpeed.batch} as the budget trainer measured it (${r.budgetSpeed.startUsPerRow.toFixed(1)} -> ${r.budgetSpeed.usPerRow.toFixed(1)} µs/row)`,
        ]
      : []),
  ];
}

export const compressCommand: CommandModule<object, CompressArgs> = {
  command: 'compress <model>',
  describe: `Make a model you already have (${importerNames()}) smaller: train it to a parameter budget from its own weights (its weakest inputs and units removed as it trains), fine-tune, prune, export, verify against the original`,
  builder: (y) =>
    dataOptions(
      y.positional('model', { type: 'string', demandOption: true, describe: `Your model: ${IMPORTERS.map((i) => i.file).join(', or ')}` }),
    )
      .option('target-ratio', {
        type: 'number',
        group: 'Budget:',
        describe: 'Fraction of the original parameters the slim model may have, e.g. 0.1 (or give --target-params)',
      })
      .option('target-params', {
        type: 'number',
        group: 'Budget:',
        describe: 'Parameters the slim model may have, e.g. 20000 (instead of --target-ratio)',
      })
      .option('target-macs', {
        type: 'number',
        group: 'Budget:',
        describe: 'Convolutional models: multiply-adds per example the slim model may have (with or instead of a parameter budget)',
      })
      .option('target-macs-ratio', {
        type: 'number',
        group: 'Budget:',
        describe: "Convolutional models: fraction of the original's multiply-adds per example, e.g. 0.3",
      })
      .option('target-speedup', {
        type: 'number',
        group: 'Budget:',
        describe:
          'Convolutional models: shrink until the slim model runs S times faster than yours in onnxruntime (one thread, --speed-batch rows), measured as it shrinks, not estimated; alone or with the other budgets. Times follow the load of the machine: run it on a quiet machine',
      })
      .option('speed-batch', {
        type: 'number',
        group: 'Budget:',
        describe: 'Rows per onnxruntime call when --target-speedup times a network (default 64)',
      })
      .option('round-channels', {
        type: 'number',
        group: 'Budget:',
        describe:
          'Convolutional models: keep every channel width below K or a multiple of K (e.g. 8: a Fashion-MNIST CNN at 30% of its multiply-adds ran 1.47x faster in onnxruntime with 8, 1.2x without)',
      })
      .option('extra-outputs', {
        type: 'boolean',
        default: false,
        group: 'Output:',
        describe:
          "Besides the original's output (same name and meaning: the slim model is a drop-in replacement), also output probabilities and an int64 label",
      })
      .option('export', { type: 'string', demandOption: true, group: 'Output:', describe: 'Where to write the slim ONNX model' })
      .option('lambda', {
        type: 'number',
        default: 0,
        group: 'Training:',
        describe: 'Group lasso strength added to the budget training (0: none; measured best on an MNIST MLP)',
      })
      .option('epochs', {
        type: 'number',
        default: 5,
        group: 'Training:',
        describe: 'Epochs of budget training from the imported weights (the first half at full size, then the weakest units go each epoch)',
      })
      .option('finetune-epochs', {
        type: 'number',
        default: 3,
        group: 'Training:',
        describe: 'Epochs of fine-tuning the compact network once it fits the budget',
      })
      .option('lr', { type: 'number', default: 1e-3, group: 'Training:', describe: 'Learning rate (Adam)' })
      .option('seed', { type: 'number', default: 0, group: 'Training:', describe: 'Seed of shuffling' })
      .option('batch-size', {
        type: 'number',
        group: 'Training:',
        describe: `Rows per optimizer step (default ${DEFAULT_CONFIG.batchSize})`,
      })
      .option('threads', {
        type: 'string',
        default: String(DEFAULT_THREADS),
        group: 'Training:',
        describe: TRAINING_FLAGS.threads.describe,
      })
      .option('labels-from-model', {
        type: 'boolean',
        default: false,
        group: 'Training:',
        describe: "Train on the original model's predictions instead of the data's labels (for data without labels the model knows)",
      })
      .option('distill', {
        type: 'boolean',
        default: false,
        group: 'Training:',
        describe:
          "Train the slim model on a mix of the labels and your model's softened probabilities (knowledge distillation from the original; temperature 4, half and half) once removals start and while fine-tuning. It raises agreement with your model (a Fashion-MNIST CNN at 30% of its multiply-adds: 94.4% against 91.3%); accuracy may rise or fall",
      })
      .option('json', { type: 'boolean', default: false, group: 'Output:', describe: 'Print one JSON object instead of text' })
      .example('$0 compress mlp.onnx --data mnist --target-ratio 0.1 --export slim.onnx', 'a PyTorch MLP to 10% of its parameters')
      .example('$0 compress cnn.onnx --data mnist --target-macs-ratio 0.3 --export slim.onnx', 'a PyTorch CNN to 30% of its multiply-adds')
      .example(
        '$0 compress regressor.onnx --task regression --data houses.csv --target-ratio 0.25 --export slim.onnx',
        'a regressor (RMSE and R^2 of both instead of accuracy)',
      )
      .check((a) => {
        if (!a.data && !(a.train && a.test)) throw new UsageError('Give --data NAME|FILE, or --train FILE and --test FILE');
        return true;
      }),
  handler: async (a) => {
    const given = (k: 'target-ratio' | 'target-params' | 'target-macs' | 'target-macs-ratio' | 'target-speedup') => a[k] !== undefined;
    if (given('target-ratio') && given('target-params'))
      throw new GsError('BAD_OPTION', 'give one of --target-ratio R or --target-params N');
    if (given('target-macs') && given('target-macs-ratio'))
      throw new GsError('BAD_OPTION', 'give one of --target-macs-ratio R or --target-macs N');
    if (
      !given('target-ratio') &&
      !given('target-params') &&
      !given('target-macs') &&
      !given('target-macs-ratio') &&
      !given('target-speedup')
    ) {
      throw new GsError(
        'BAD_OPTION',
        'give one of --target-ratio R or --target-params N (or, for a convolutional model, --target-macs-ratio R, --target-macs N or --target-speedup S)',
      );
    }
    if (a['speed-batch'] !== undefined && !given('target-speedup'))
      throw new GsError('BAD_OPTION', '--speed-batch sets how --target-speedup times a network: give --target-speedup S too');
    for (const k of ['epochs', 'finetune-epochs'] as const) {
      if (!Number.isInteger(a[k]) || a[k] < 0) throw new GsError('BAD_OPTION', `--${k} ${a[k]}: expected an integer >= 0`);
    }
    if (a.epochs < 1) throw new GsError('BAD_OPTION', '--epochs must be at least 1');
    // checked (and its folder made) before the training, not after it
    const exported = prepareOutputFile(a.export, { option: '--export' });
    const tty = !a.json && Boolean(process.stderr.isTTY);
    const bar = new ProgressBar(tty);
    // a model that says it is a regressor (skl2onnx MLPRegressor) reads the data's target as a number
    const model = importModel(a.model, { task: a.task as TaskName | undefined });
    if (a.task === undefined && model.regressor) a.task = 'regression';
    const task = a.task as TaskName | undefined;
    // images (a folder, image arrays, IDX) are read at the model's own input (channels and size)
    // unless --input-shape, --image-size or --channels say otherwise
    const spec = dataSpec(a);
    const shape = model.network.inputShape;
    if (shape?.length === 3) spec.modelInputShape = [...shape];
    const data = await loadDataset(spec);
    const r = await compressModel(a.model, data, {
      task,
      targetRatio: a['target-ratio'],
      targetParams: a['target-params'],
      targetMacs: a['target-macs'],
      targetMacsRatio: a['target-macs-ratio'],
      ...(a['round-channels'] !== undefined ? { roundChannels: a['round-channels'] } : {}),
      ...(a['target-speedup'] !== undefined ? { targetSpeedup: a['target-speedup'] } : {}),
      ...(a['speed-batch'] !== undefined ? { speedBatch: a['speed-batch'] } : {}),
      extraOutputs: a['extra-outputs'],
      lambda: a.lambda,
      epochs: a.epochs,
      finetuneEpochs: a['finetune-epochs'],
      train: {
        lr: a.lr,
        seed: a.seed,
        optimizer: 'adam',
        threads: parseThreads(a.threads),
        ...(a['batch-size'] !== undefined ? { batchSize: a['batch-size'] } : {}),
      },
      labelsFromModel: a['labels-from-model'],
      ...(a.distill ? { distill: true } : {}),
      exportPath: a.export,
      producerVersion: VERSION,
      // step lines (status, epoch) on the TTY above the bar and in a log alike; --json stays quiet
      onStatus: (s) => (a.json ? undefined : bar.log(s)),
      onProgress: (epoch, done, total) => bar.update(`epoch ${epoch}`, done, total),
      // epochs: every one on a TTY; piped, each phase's first and last and one every 2 s between
      onEpoch: (phase, e) => {
        if (a.json) return;
        const of = phase === 'finetune' ? a['finetune-epochs'] : a.epochs;
        bar.step(`${phase} epoch ${e.epoch}: loss ${e.dataLoss.toFixed(4)}, ${testScoreText(e)}`, e.epoch === 1 || e.epoch === of);
      },
    });
    bar.clear();
    sayReplaced(exported, a.export);
    const out = {
      model: a.model,
      export: a.export,
      targetRatio: a['target-ratio'] ?? null,
      targetParams: r.targetParams,
      targetMacsRatio: a['target-macs-ratio'] ?? null,
      targetMacs: r.targetMacs ?? null,
      speed: r.speed,
      ...(r.budgetSpeed ? { targetSpeedup: r.budgetSpeed } : {}),
      interface: r.interface,
      original: r.original,
      slim: r.slim,
      agreement: r.agreement,
      ...(r.task ? { task: r.task, outputRmse: r.outputRmse } : {}),
      testRows: r.testRows,
      accuracyBeforeFinetune: r.accuracyBeforeFinetune ?? null,
      projections: r.projections,
      exportMaxDiff: r.exportMaxDiff,
      labels: r.labels,
    };
    if (a.json) {
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    if (r.task === 'regression') {
      const fig = (f: { testRmse?: number; testR2?: number }) =>
        f.testRmse === undefined ? 'no targets to score' : `test RMSE ${fmtRmse(f.testRmse)}, R^2 ${(f.testR2 ?? NaN).toFixed(4)}`;
      process.stdout.write(
        [
          `original ${a.model}: ${r.original.parameters} parameters, ${r.original.bytes} bytes, ${fig(r.original)}`,
          `slim     ${a.export}: ${r.slim.parameters} parameters (budget ${r.targetParams}), ${r.slim.bytes} bytes, layers ${r.slim.layers.join('-')}, ${fig(r.slim)}`,
          `RMSE between slim and original outputs on ${r.testRows} test rows: ${fmtRmse(r.outputRmse ?? NaN)}; export matches the slim network to ${r.exportMaxDiff.toExponential(1)}`,
          budgetLine(r),
          ...speedLines(r),
          `interface: ${r.interface}`,
        ].join('\n') + '\n',
      );
      return;
    }
    const paramsBudget = given('target-ratio') || given('target-params') ? ` (budget ${r.targetParams})` : '';
    process.stdout.write(
      [
        `original ${a.model}: ${r.original.parameters} parameters, ${r.original.macs} multiply-adds per example, ${r.original.bytes} bytes, test accuracy ${pct(r.original.testAccuracy)}`,
        `slim     ${a.export}: ${r.slim.parameters} parameters${paramsBudget}, ${r.slim.macs} multiply-adds${r.targetMacs !== undefined ? ` (budget ${r.targetMacs})` : ''}, ${r.slim.bytes} bytes, layers ${r.slim.layers.join('-')}, test accuracy ${pct(r.slim.testAccuracy)}`,
        `agreement with the original on ${r.testRows} test rows: ${pct(r.agreement)}; export matches the slim network to ${r.exportMaxDiff.toExponential(1)}`,
        budgetLine(r),
        ...speedLines(r),
        `interface: ${r.interface}`,
      ].join('\n') + '\n',
    );
  },
};
