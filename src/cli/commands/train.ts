/** `gs-compress train`: train a network with an optional (group) sparsity penalty and save the run. */
import type { Argv, CommandModule } from 'yargs';
import { loadDataset } from '../../data';
import type { SplitDataset } from '../../data/types';
import { saveRun } from '../../network/run-io';
import { PENALTY_KINDS } from '../../penalty/types';
import { resolveTrainConfig } from '../../train/config';
import { DEFAULT_CONFIG } from '../../train/defaults';
import { wasmPassAvailable } from '../../train/fused';
import type { TrainOptions } from '../../train/train';
import { GsError } from '../../errors';
import { collapseMessage, pruneNetwork } from '../../prune';
import { trainThenFinetune } from '../../pipeline/finetune';
import { OPTIMIZERS, type TrainConfig } from '../../train/types';
import { LR_SCHEDULE_NAMES, checkLrSchedule } from '../../train/lr-schedule';
import { trainTeacher, trainToBudget } from '../../pipeline/budget';
import { DEFAULT_DISTILL } from '../../train/soft-targets';
import { DEFAULT_BUDGET_SCHEDULE, defaultSchedule } from '../../train/budget/schedule';
import { VERSION } from '../../version';
import { absoluteSpec, dataOptions, dataSpec, type DataArgs } from '../data-options';
import { formatHistory } from '../history-table';
import { ProgressBar } from '../progress';

interface TrainArgs extends DataArgs {
  hidden: string;
  optimizer: string;
  lr: number;
  epochs: number;
  'batch-size': number;
  seed: number;
  penalty: string;
  lambda: number;
  solver: string;
  'prox-step': string;
  engine: string;
  backend: string;
  standardize?: boolean;
  out?: string;
  json: boolean;
  'finetune-epochs': number;
  'target-params'?: number;
  'target-ratio'?: number;
  'finetune-lr-schedule': string;
  'budget-warmup': number;
  'budget-ramp': number;
  distill: boolean;
  'distill-temperature': number;
  'distill-alpha': number;
}

function describeDataset(d: SplitDataset): string {
  return `${d.name}: train ${d.train.rows} x ${d.train.cols}, test ${d.test.rows}, ${d.classLabels.length} classes`;
}

export function trainOptions<T>(y: Argv<T>): Argv<T & TrainArgs> {
  return dataOptions(y)
    .option('hidden', {
      type: 'string',
      default: DEFAULT_CONFIG.hidden.join(','),
      group: 'Network:',
      describe: 'Hidden layer sizes, comma separated; empty ("") trains logistic regression',
    })
    .option('standardize', {
      type: 'boolean',
      group: 'Network:',
      describe:
        'Standardize features with training-split statistics (default on for tabular data, off for images); --no-standardize turns it off',
    })
    .option('optimizer', {
      type: 'string',
      choices: OPTIMIZERS as unknown as string[],
      default: DEFAULT_CONFIG.optimizer,
      group: 'Training:',
      describe: 'Optimizer (PyTorch default settings)',
    })
    .option('lr', { type: 'number', default: DEFAULT_CONFIG.lr, group: 'Training:', describe: 'Learning rate' })
    .option('epochs', { type: 'number', default: DEFAULT_CONFIG.epochs, group: 'Training:', describe: 'Passes over the training split' })
    .option('batch-size', { type: 'number', default: DEFAULT_CONFIG.batchSize, group: 'Training:', describe: 'Rows per optimizer step' })
    .option('seed', { type: 'number', default: DEFAULT_CONFIG.seed, group: 'Training:', describe: 'Seed of initialisation and shuffling' })
    .option('penalty', {
      type: 'string',
      choices: PENALTY_KINDS as unknown as string[],
      default: DEFAULT_CONFIG.penalty,
      group: 'Sparsity:',
      describe:
        "none; l2 (weight decay, lambda*sum w^2); l1 (lasso); gl (group lasso: one group per input unit's outgoing weights, sqrt(group size) weighted, each bias its own group); sgl (sparse group lasso = gl + l1)",
    })
    .option('lambda', {
      type: 'number',
      default: DEFAULT_CONFIG.lambda,
      group: 'Sparsity:',
      describe: 'Penalty strength (needed with any penalty but none)',
    })
    .option('solver', {
      type: 'string',
      choices: ['prox', 'subgradient'],
      default: DEFAULT_CONFIG.solver,
      group: 'Sparsity:',
      describe:
        'prox: a (preconditioned, for adaptive optimizers) proximal step after every update, giving exact zeros; subgradient: the penalty is added to the loss, as in the paper',
    })
    .option('prox-step', {
      type: 'string',
      choices: ['preconditioned', 'lr'],
      default: 'preconditioned',
      group: 'Sparsity:',
      describe:
        "Step of --solver prox: preconditioned scales each coordinate's threshold by the optimizer's own step (many exact zeros with adam/rmsprop/adamax); lr uses lr*lambda for every coordinate, as plain proximal SGD and the PyTorch reference do",
    })
    .option('finetune-epochs', {
      type: 'number',
      default: 0,
      group: 'Sparsity:',
      describe:
        'After training, prune exactly and retrain the smaller network this many epochs without the sparsity penalty (recovers accuracy; the saved run is then already compact)',
    })
    .option('target-params', {
      type: 'number',
      group: 'Budget:',
      describe:
        'Train to at most N parameters after exact pruning (every kernel and bias element of the compact network), guaranteed: dense warm-up, gradual structured pruning of the weakest inputs and units (one global ranking, so layers shrink by different factors), then --finetune-epochs of fine-tuning. No lambda to tune',
    })
    .option('target-ratio', {
      type: 'number',
      group: 'Budget:',
      describe: 'As --target-params, as a fraction of the starting network (e.g. 0.25)',
    })
    .option('finetune-lr-schedule', {
      type: 'string',
      choices: LR_SCHEDULE_NAMES,
      default: 'cosine',
      group: 'Budget:',
      describe: 'Learning rate over the fine-tuning of a budget run: cosine or linear decay to 2% of --lr, or constant',
    })
    .option('budget-warmup', {
      type: 'number',
      default: DEFAULT_BUDGET_SCHEDULE.warmup,
      group: 'Budget:',
      describe: 'Fraction of --epochs trained dense before the first units are removed',
    })
    .option('budget-ramp', {
      type: 'number',
      default: DEFAULT_BUDGET_SCHEDULE.rampEnd,
      group: 'Budget:',
      describe: 'Fraction of --epochs by which the network fits the budget (removal in steps of a cubic schedule in between)',
    })
    .option('distill', {
      type: 'boolean',
      default: false,
      group: 'Budget:',
      describe:
        "With a budget: first train the dense network (--epochs, no penalty) as a teacher, then train the pruned network on a mix of the labels and the teacher's softened probabilities (knowledge distillation; fused engines only)",
    })
    .option('distill-temperature', {
      type: 'number',
      default: DEFAULT_DISTILL.temperature,
      group: 'Budget:',
      describe: "Temperature T of the teacher's and student's softmax in the distillation term",
    })
    .option('distill-alpha', {
      type: 'number',
      default: DEFAULT_DISTILL.alpha,
      group: 'Budget:',
      describe: 'Weight of the hard-label cross-entropy; 1 - alpha weighs T^2 * KL(teacher || student)',
    })
    .option('engine', {
      type: 'string',
      choices: ['fused', 'fused-js', 'tfjs'],
      default: DEFAULT_CONFIG.engine,
      group: 'Engine:',
      describe:
        'fused: the whole training step in this process on WebAssembly SIMD kernels (float32; plain TypeScript where the runtime lacks SIMD), fastest on small networks; fused-js: the plain TypeScript kernels (float64 sums); tfjs: TensorFlow.js computes the gradients',
    })
    .option('backend', {
      type: 'string',
      choices: ['auto', 'tfjs-node', 'wasm', 'cpu'],
      default: DEFAULT_CONFIG.backend,
      group: 'Engine:',
      describe: 'tfjs backend for --engine tfjs; auto picks tfjs-node, then wasm, then cpu',
    })
    .option('out', {
      type: 'string',
      group: 'Output:',
      describe: 'Save the run here: model.json + weights.bin (tfjs LayersModel) and gs-run.json',
    })
    .option('json', {
      type: 'boolean',
      default: false,
      group: 'Output:',
      describe: 'Print one JSON object (config, history, summary) instead of tables',
    }) as Argv<T & TrainArgs>;
}

export function trainConfigFrom(a: TrainArgs): TrainConfig {
  return resolveTrainConfig({
    hidden: a.hidden as unknown as number[],
    optimizer: a.optimizer as TrainConfig['optimizer'],
    lr: a.lr,
    epochs: a.epochs,
    batchSize: a['batch-size'],
    seed: a.seed,
    penalty: a.penalty as TrainConfig['penalty'],
    lambda: a.lambda,
    solver: a.solver as TrainConfig['solver'],
    proxStep: a['prox-step'] as TrainConfig['proxStep'],
    engine: a.engine as TrainConfig['engine'],
    backend: a.backend as TrainConfig['backend'],
  });
}

/** The budget options of a run, for its record (empty when no budget was asked for). */
function budgetConfig(a: TrainArgs): Record<string, unknown> {
  if (a['target-params'] === undefined && a['target-ratio'] === undefined) return {};
  return {
    ...(a['target-params'] !== undefined ? { targetParams: a['target-params'] } : { targetRatio: a['target-ratio'] }),
    finetuneLrSchedule: a['finetune-lr-schedule'],
    budgetWarmup: a['budget-warmup'],
    budgetRamp: a['budget-ramp'],
    ...(a.distill ? { distill: true, distillTemperature: a['distill-temperature'], distillAlpha: a['distill-alpha'] } : {}),
  };
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a ReLU network, optionally with a (group) sparsity penalty, and save the run',
  builder: (y) =>
    trainOptions(y)
      .example('$0 train --data mnist --penalty gl --lambda 1e-4 --optimizer adam --lr 5e-3 --out runs/mnist-gl', 'group lasso on MNIST')
      .example('$0 train --data my.csv --label-column species --hidden 16 --out runs/mine', 'your own CSV, one hidden layer')
      .example('$0 train --data sdd --hidden "" --penalty l1 --lambda 1e-4', 'logistic regression with lasso')
      .check((a) => {
        if (!a.data && !(a.train && a.test)) throw new Error('Give --data NAME|FILE, or --train FILE and --test FILE');
        return true;
      }),
  handler: async (a) => {
    const cfg = trainConfigFrom(a);
    if (cfg.engine !== 'tfjs' && cfg.backend !== 'auto') {
      process.stderr.write(`note: --backend ${cfg.backend} applies to --engine tfjs; the fused engines do not use tfjs\n`);
    }
    if (cfg.engine === 'fused' && !wasmPassAvailable()) {
      process.stderr.write(
        'note: the WebAssembly SIMD kernels are unavailable (build/kernels.wasm missing, or no SIMD in this runtime; `npm run build` makes them): training on the slower TypeScript kernels\n',
      );
    }
    const bar = new ProgressBar(!a.json && Boolean(process.stderr.isTTY));
    const data = await loadDataset(dataSpec(a));
    if (!a.json) process.stderr.write(`${describeDataset(data)}\n`);
    const ftEpochs = a['finetune-epochs'];
    if (!(Number.isInteger(ftEpochs) && ftEpochs >= 0))
      throw new GsError('BAD_OPTION', `--finetune-epochs ${ftEpochs}: expected an integer >= 0`);
    const hooks = (phase: string, epochs: number): TrainOptions => ({
      standardize: a.standardize,
      onProgress: (epoch, done, total) => bar.update(`${phase}epoch ${epoch}/${epochs}`, done, total),
      onEpoch: (r) =>
        !a.json &&
        bar.log(
          `${phase}epoch ${r.epoch}/${epochs}  loss ${r.dataLoss.toFixed(4)}  test acc ${r.testAccuracy.toFixed(4)}  zero ${r.zeroParams}/${r.totalParams}  units ${r.aliveUnits.join(',') || '-'}  inputs ${r.aliveInputs}  ${r.seconds.toFixed(2)}s`,
        ),
    });
    const budgeted = a['target-params'] !== undefined || a['target-ratio'] !== undefined;
    if (a['target-params'] !== undefined && a['target-ratio'] !== undefined) {
      throw new GsError('BAD_OPTION', 'give --target-params or --target-ratio, not both');
    }
    const phases = { train: hooks('', cfg.epochs), finetune: hooks('fine-tune ', ftEpochs) };
    let budgetInfo: Record<string, unknown> = {};
    let result, trainedAccuracy;
    if (a.distill && !budgeted) throw new GsError('BAD_OPTION', '--distill needs a budget (--target-params or --target-ratio)');
    if (budgeted) {
      const teacher = a.distill ? await trainTeacher(data, cfg, hooks('teacher ', cfg.epochs)) : null;
      const b = await trainToBudget(
        data,
        cfg,
        {
          targetParams: a['target-params'],
          targetRatio: a['target-ratio'],
          finetuneEpochs: ftEpochs,
          finetuneLrSchedule: checkLrSchedule(a['finetune-lr-schedule']),
          schedule: defaultSchedule(cfg.epochs, a['budget-warmup'], a['budget-ramp']),
          ...(teacher ? { distill: { teacher, temperature: a['distill-temperature'], alpha: a['distill-alpha'] } } : {}),
        },
        phases,
      );
      ({ result } = b);
      trainedAccuracy = b.accuracyBeforeFinetune;
      budgetInfo = { targetParams: b.targetParams, compactParams: b.params, projections: b.projections };
    } else {
      ({ result, trainedAccuracy } = await trainThenFinetune(data, cfg, ftEpochs, phases));
    }
    bar.clear();
    const last = result.history[result.history.length - 1];
    const diverged = last ? !Number.isFinite(last.dataLoss) : false;
    const collapse = diverged ? null : collapseMessage(pruneNetwork(result.network).report, cfg.lambda);
    const summary = {
      ...budgetInfo,
      testAccuracy: last?.testAccuracy,
      trainAccuracy: last?.trainAccuracy,
      zeroParams: last?.zeroParams,
      totalParams: last?.totalParams,
      aliveUnits: last?.aliveUnits,
      aliveInputs: last?.aliveInputs,
      trainSeconds: result.trainSeconds,
      ...(ftEpochs > 0 ? { testAccuracyBeforeFinetune: trainedAccuracy, finetuneEpochs: ftEpochs } : {}),
      diverged,
      ...(collapse ? { collapsed: true } : {}),
    };
    if (a.out) {
      saveRun(a.out, result.network, {
        generatedBy: `gs-compress ${VERSION}`,
        createdAt: new Date().toISOString(),
        data: data.ref,
        config: {
          ...cfg,
          finetuneEpochs: ftEpochs,
          ...budgetConfig(a),
          standardize: result.network.scaling !== null,
          dataSpec: absoluteSpec(dataSpec(a)),
        },
        engine: result.engine,
        history: result.history as unknown as Record<string, unknown>[],
        summary,
      });
    }
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify({ data: data.ref, config: { ...cfg, ...budgetConfig(a) }, engine: result.engine, summary, history: result.history, out: a.out ?? null })}\n`,
      );
    } else {
      process.stdout.write(`${formatHistory(result.history)}\n\n`);
      process.stdout.write(
        `engine ${result.engine}; test accuracy ${summary.testAccuracy?.toFixed(4)}; ` +
          `zero parameters ${summary.zeroParams}/${summary.totalParams}; alive units ${summary.aliveUnits?.join(',') || '-'}; ` +
          `alive inputs ${summary.aliveInputs}/${data.train.cols}; training ${result.trainSeconds.toFixed(1)} s\n`,
      );
      if (a.out) process.stdout.write(`saved run to ${a.out} (next: gs-compress prune ${a.out} --export ${a.out}/model.onnx)\n`);
    }
    if (collapse) process.stderr.write(`warning: ${collapse}\n`);
    if (summary.diverged) {
      process.stderr.write('error: training diverged (loss is not finite); try a smaller --lr\n');
      process.exitCode = 1;
    }
  },
};
