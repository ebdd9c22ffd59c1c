/** `gs-compress train`: train a network with an optional (group) sparsity penalty and save the run. */
import type { Argv, CommandModule } from 'yargs';
import * as path from 'path';
import { loadDataset } from '../../data';
import { portableRef, portableSpec } from '../../data/portable';
import type { DataRef, SplitDataset } from '../../data/types';
import { saveRun } from '../../network/run-io';
import type { TaskName } from '../../network/tasks';
import { PENALTIES } from '../../penalty/table';
import { PENALTY_KINDS } from '../../penalty/types';
import { resolveTrainConfig } from '../../train/config';
import { DEFAULT_CONFIG } from '../../train/defaults';
import { wasmPassAvailable } from '../../train/fused';
import { OPTIMIZER_TABLE } from '../../train/fused/optimizers';
import type { TrainOptions } from '../../train/train';
import { GsError } from '../../errors';
import { collapseMessage, pruneNetwork } from '../../prune';
import { trainThenFinetune } from '../../pipeline/finetune';
import { LR_SCHEDULE_NAMES, checkLrSchedule } from '../../train/lr-schedule';
import { trainTeacher, trainToBudget } from '../../pipeline/budget';
import { runSizePath } from './train-path';
import { UNIT_SCORES, type UnitScore } from '../../train/budget/project';
import { checkSoftTargetOptions, DEFAULT_DISTILL } from '../../train/soft-targets';
import {
  COSINE_FINETUNE_MIN_ROWS,
  DEFAULT_BUDGET_SCHEDULE,
  SMALL_DATA_BUDGET_LR,
  defaultBudgetLr,
  defaultSchedule,
} from '../../train/budget/schedule';
import { alignData, checkInitOptions, loadInit, networkShape } from '../../pipeline/init-from';
import { summarizeTraining, type TrainSummary } from '../../pipeline/summary';
import { BACKEND_CHOICES, ENGINES, OPTIMIZERS, PROX_STEPS, SOLVERS, type EpochRecord, type TrainConfig } from '../../train/types';
import { VERSION } from '../../version';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { fmtRmse, formatHistory, testScoreText } from '../history-table';
import { ProgressBar } from '../progress';

interface TrainArgs extends DataArgs {
  hidden?: string;
  activation?: string;
  optimizer: string;
  /** Absent: DEFAULT_CONFIG.lr, or defaultBudgetLr for a budget run from scratch. */
  lr?: number;
  epochs: number;
  'batch-size': number;
  seed: number;
  'label-smoothing': number;
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
  'target-params'?: string;
  'target-ratio'?: string;
  'finetune-lr-schedule': string;
  'budget-warmup': number;
  'budget-ramp': number;
  distill: boolean;
  'budget-score': string;
  'distill-temperature': number;
  'distill-alpha': number;
  init?: string;
  'labels-from-model': boolean;
}

/** What `gs-compress train --json` prints: one object. */
export interface TrainJson {
  data: DataRef;
  config: TrainConfig;
  engine: string;
  /** The run summary (as a sweep keeps it), plus the fine-tuning figures when --finetune-epochs > 0. */
  summary: TrainSummary & { testAccuracyBeforeFinetune?: number; finetuneEpochs?: number };
  history: EpochRecord[];
  out: string | null;
}

function describeDataset(d: SplitDataset): string {
  const what = d.task === 'regression' ? `regression target ${d.classLabels.join(', ')}` : `${d.classLabels.length} classes`;
  return `${d.name}: train ${d.train.rows} x ${d.train.cols}, test ${d.test.rows}, ${what}`;
}

export function trainOptions<T>(y: Argv<T>): Argv<T & TrainArgs> {
  return dataOptions(y)
    .option('hidden', {
      type: 'string',
      group: 'Network:',
      describe: `Hidden layer sizes, comma separated (default ${DEFAULT_CONFIG.hidden.join(',')}); empty ("") trains logistic regression`,
    })
    .option('activation', {
      type: 'string',
      group: 'Network:',
      describe:
        'Hidden-layer activation (default relu): relu, leaky_relu (leaky_relu:ALPHA sets the negative slope, default 0.01), tanh, sigmoid, gelu (exact, erf form) or identity',
    })
    .option('init', {
      type: 'string',
      group: 'Network:',
      describe:
        'Start from these weights: a run directory, or a model you have (ONNX, tfjs model.json; imported and checked as `import` does). Shape, activation, scaling and classes come from it',
    })
    .option('labels-from-model', {
      type: 'boolean',
      default: false,
      group: 'Network:',
      describe:
        "With --init: train on the starting model's own predictions instead of the data's labels (distillation; the data needs no labels that match)",
    })
    .option('standardize', {
      type: 'boolean',
      group: 'Network:',
      describe:
        'Standardize features with training-split statistics (default on for tabular data, off for images); --no-standardize turns it off',
    })
    .option('optimizer', {
      type: 'string',
      choices: OPTIMIZERS,
      default: DEFAULT_CONFIG.optimizer,
      group: 'Training:',
      describe: `Optimizer, with PyTorch's default settings: ${OPTIMIZERS.map((o) => `${o} (${OPTIMIZER_TABLE[o].help})`).join('; ')}`,
    })
    .option('lr', {
      type: 'number',
      group: 'Training:',
      describe: `Learning rate (default ${DEFAULT_CONFIG.lr}; a budget run from scratch with adam on fewer than ${COSINE_FINETUNE_MIN_ROWS} training rows: ${SMALL_DATA_BUDGET_LR}, measured with the cosine fine-tuning it brings: +4 to +8 points on the SDD sample, +0.8 to +2.6 on covtype's)`,
    })
    .option('epochs', { type: 'number', default: DEFAULT_CONFIG.epochs, group: 'Training:', describe: 'Passes over the training split' })
    .option('batch-size', { type: 'number', default: DEFAULT_CONFIG.batchSize, group: 'Training:', describe: 'Rows per optimizer step' })
    .option('seed', { type: 'number', default: DEFAULT_CONFIG.seed, group: 'Training:', describe: 'Seed of initialisation and shuffling' })
    .option('label-smoothing', {
      type: 'number',
      default: 0,
      group: 'Training:',
      describe:
        'Train on (1 - E) x the labels + E spread evenly over the classes (classification; kept through the fine-tuning; not with --distill). Measured on MNIST budget runs with weight decay (--penalty l2 --lambda 1e-4), 20 + 10 epochs, 3 seeds: E 0.1 gains 0.16 points from 784-500-300-10 to 10% (0.9862), none beyond the seed spread from LeNet-300-100 or 784-32-32-10 (reports/compress/NOTES.md section 9)',
    })
    .option('penalty', {
      type: 'string',
      choices: PENALTY_KINDS,
      default: DEFAULT_CONFIG.penalty,
      group: 'Sparsity:',
      describe: PENALTY_KINDS.map((k) => `${k} (${PENALTIES[k].help})`).join('; '),
    })
    .option('lambda', {
      type: 'number',
      default: DEFAULT_CONFIG.lambda,
      group: 'Sparsity:',
      describe: 'Penalty strength (needed with any penalty but none)',
    })
    .option('solver', {
      type: 'string',
      choices: SOLVERS,
      default: DEFAULT_CONFIG.solver,
      group: 'Sparsity:',
      describe:
        'prox: a (preconditioned, for adaptive optimizers) proximal step after every update, giving exact zeros; subgradient: the penalty is added to the loss, as in the paper',
    })
    .option('prox-step', {
      type: 'string',
      choices: PROX_STEPS,
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
      type: 'string',
      group: 'Budget:',
      describe:
        'Train to at most N parameters after exact pruning (every kernel and bias element of the compact network), guaranteed: dense warm-up, gradual structured pruning of the weakest inputs and units (one global ranking, so layers shrink by different factors), then --finetune-epochs of fine-tuning. No lambda to tune. A --penalty still applies while training (l2 also while fine-tuning): weight decay, --penalty l2 --lambda 1e-4, pays on long schedules and wide starts (reports/compress/long). A list (8000,4000,2000) walks a size path: see --target-ratio',
    })
    .option('target-ratio', {
      type: 'string',
      group: 'Budget:',
      describe:
        'As --target-params, as a fraction of the starting network (e.g. 0.25). A list (0.5,0.25,0.1,0.05) walks a size path in one run: each budget warm-starts from the previous (nested networks), a fine-tuned copy of each is saved as OUT/ratio-R/, and OUT/size-path.svg plots test accuracy against parameters (needs --out)',
    })
    .option('finetune-lr-schedule', {
      type: 'string',
      choices: [...LR_SCHEDULE_NAMES, 'auto'],
      default: 'auto',
      group: 'Budget:',
      describe: `Learning rate over the fine-tuning of a budget run: constant, or cosine or linear decay to 2% of --lr; auto: cosine from ${COSINE_FINETUNE_MIN_ROWS} training rows or at --lr ${SMALL_DATA_BUDGET_LR} and above, else constant (measured: cosine +0.25 points on MNIST and +0.5 to +1.6 on the covtype sample at lr 5e-3; constant best on the SDD sample at lr 1e-3)`,
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
    .option('budget-score', {
      type: 'string',
      choices: UNIT_SCORES,
      default: 'taylor',
      group: 'Budget:',
      describe:
        "How units are ranked for removal (per parameter they cost): taylor, the expected squared first-order change of the loss when a unit's output is replaced by its mean; variation, (std of its output x norm of its outgoing weights)^2",
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
      choices: ENGINES,
      default: DEFAULT_CONFIG.engine,
      group: 'Engine:',
      describe:
        'fused: the whole training step in this process on WebAssembly SIMD kernels (float32; plain TypeScript where the runtime lacks SIMD), fastest on small networks; fused-js: the plain TypeScript kernels (float64 sums); tfjs: TensorFlow.js computes the gradients',
    })
    .option('backend', {
      type: 'string',
      choices: BACKEND_CHOICES,
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
    });
}

export function trainConfigFrom(a: TrainArgs): TrainConfig {
  return resolveTrainConfig({
    hidden: a.hidden,
    activation: a.activation,
    optimizer: a.optimizer,
    lr: a.lr ?? DEFAULT_CONFIG.lr,
    epochs: a.epochs,
    batchSize: a['batch-size'],
    seed: a.seed,
    labelSmoothing: a['label-smoothing'],
    penalty: a.penalty,
    lambda: a.lambda,
    solver: a.solver,
    proxStep: a['prox-step'],
    engine: a.engine,
    backend: a.backend,
  });
}

/** A list of budgets ('0.5,0.25'), or undefined when the option is absent. */
function parseBudgetList(name: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const list = String(text)
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map(Number);
  if (list.length === 0 || list.some((v) => !Number.isFinite(v))) {
    throw new GsError('BAD_OPTION', `--${name} ${JSON.stringify(text)}: expected a number or a comma-separated list of numbers`);
  }
  return list;
}

function listOrOne(l: number[] | undefined): number | number[] | undefined {
  return l && l.length === 1 ? l[0] : l;
}

/** The budget options of a run, for its record (empty when no budget was asked for). */
function budgetConfig(a: TrainArgs): Record<string, unknown> {
  if (a['target-params'] === undefined && a['target-ratio'] === undefined) return {};
  return {
    ...(a['target-params'] !== undefined
      ? { targetParams: listOrOne(parseBudgetList('target-params', a['target-params'])) }
      : { targetRatio: listOrOne(parseBudgetList('target-ratio', a['target-ratio'])) }),
    finetuneLrSchedule: a['finetune-lr-schedule'],
    budgetWarmup: a['budget-warmup'],
    budgetRamp: a['budget-ramp'],
    budgetScore: a['budget-score'],
    ...(a.distill ? { distill: true, distillTemperature: a['distill-temperature'], distillAlpha: a['distill-alpha'] } : {}),
  };
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a network (ReLU or --activation), optionally with a (group) sparsity penalty, and save the run',
  builder: (y) =>
    trainOptions(y)
      .example('$0 train --data mnist --penalty gl --lambda 1e-4 --optimizer adam --lr 5e-3 --out runs/mnist-gl', 'group lasso on MNIST')
      .example('$0 train --data my.csv --label-column species --hidden 16 --out runs/mine', 'your own CSV, one hidden layer')
      .example('$0 train --data sdd --hidden "" --penalty l1 --lambda 1e-4', 'logistic regression with lasso')
      .example(
        '$0 train --data houses.csv --label-column price --task regression --hidden 32 --penalty gl --lambda 1e-3 --out runs/price',
        'a regressor: mean squared error, RMSE and R^2 reported',
      )
      .check((a) => {
        if (!a.data && !(a.train && a.test)) throw new Error('Give --data NAME|FILE, or --train FILE and --test FILE');
        return true;
      }),
  handler: async (a) => {
    if (a['labels-from-model'] && !a.init) throw new GsError('BAD_OPTION', '--labels-from-model needs --init RUN_OR_MODEL');
    const init = a.init ? await loadInit(a.init, { task: a.task as TaskName | undefined }) : null;
    if (init) {
      checkInitOptions(init.network, a.init as string, {
        hidden: a.hidden,
        activation: a.activation,
        standardize: a.standardize,
        task: a.task,
      });
      if (init.network.task === 'regression') a.task = 'regression'; // the data's label column is then a numeric target
      const shape = networkShape(init.network);
      a.hidden = shape.hidden.join(',');
      if (!shape.activation.includes('+')) a.activation = shape.activation;
    }
    const budgeted = a['target-params'] !== undefined || a['target-ratio'] !== undefined;
    checkSoftTargetOptions(a['label-smoothing'], a.distill);
    const asked = trainConfigFrom(a);
    if (asked.engine !== 'tfjs' && asked.backend !== 'auto') {
      process.stderr.write(`note: --backend ${asked.backend} applies to --engine tfjs; the fused engines do not use tfjs\n`);
    }
    if (asked.engine === 'fused' && !wasmPassAvailable()) {
      process.stderr.write(
        'note: the WebAssembly SIMD kernels are unavailable (build/kernels.wasm missing, or no SIMD in this runtime; `npm run build` makes them): training on the slower TypeScript kernels\n',
      );
    }
    const bar = new ProgressBar(!a.json && Boolean(process.stderr.isTTY));
    const loaded = await loadDataset(dataSpec(a));
    const data = init ? await alignData(loaded, init, a['labels-from-model']) : loaded;
    if (!a.json) process.stderr.write(`${describeDataset(data)}\n`);
    // a budget run from scratch without --lr takes the lr measured for its data's size
    const cfg =
      budgeted && a.lr === undefined && !init ? { ...asked, lr: defaultBudgetLr(data.train.rows, asked.optimizer, asked.lr) } : asked;
    if (cfg.lr !== asked.lr && !a.json) {
      process.stderr.write(
        `lr ${cfg.lr}: a budget run on ${data.train.rows} training rows (< ${COSINE_FINETUNE_MIN_ROWS}); --lr sets another\n`,
      );
    }
    if (init && !a.json) {
      process.stderr.write(`starting from ${init.describe}${a['labels-from-model'] ? "; labels: the model's predictions" : ''}\n`);
    }
    if (
      init?.network.task === 'regression' &&
      a['labels-from-model'] &&
      cfg.proxStep === 'preconditioned' &&
      cfg.solver === 'prox' &&
      !a.json
    ) {
      process.stderr.write(
        "note: a regressor fits its own predictions exactly, so the optimizer's per-coordinate steps grow without bound and the preconditioned proximal step can remove the whole network; --prox-step lr avoids that (compress uses it here)\n",
      );
    }
    const ftEpochs = a['finetune-epochs'];
    if (!(Number.isInteger(ftEpochs) && ftEpochs >= 0))
      throw new GsError('BAD_OPTION', `--finetune-epochs ${ftEpochs}: expected an integer >= 0`);
    const hooks = (phase: string, epochs: number): TrainOptions => ({
      standardize: a.standardize,
      ...(init && phase === '' ? { init: init.network } : {}),
      onProgress: (epoch, done, total) => bar.update(`${phase}epoch ${epoch}/${epochs}`, done, total),
      onEpoch: (r) =>
        !a.json &&
        bar.log(
          `${phase}epoch ${r.epoch}/${epochs}  loss ${r.dataLoss.toFixed(4)}  ${testScoreText(r)}  zero ${r.zeroParams}/${r.totalParams}  units ${r.aliveUnits.join(',') || '-'}  inputs ${r.aliveInputs}  ${r.seconds.toFixed(2)}s`,
        ),
    });
    if (a['target-params'] !== undefined && a['target-ratio'] !== undefined) {
      throw new GsError('BAD_OPTION', 'give --target-params or --target-ratio, not both');
    }
    const targetParams = parseBudgetList('target-params', a['target-params']);
    const targetRatio = parseBudgetList('target-ratio', a['target-ratio']);
    const budgetOpts = {
      score: a['budget-score'] as UnitScore,
      finetuneEpochs: ftEpochs,
      ...(a['finetune-lr-schedule'] === 'auto' ? {} : { finetuneLrSchedule: checkLrSchedule(a['finetune-lr-schedule']) }),
      schedule: defaultSchedule(cfg.epochs, a['budget-warmup'], a['budget-ramp']),
    };
    if ((targetParams?.length ?? 0) > 1 || (targetRatio?.length ?? 0) > 1) {
      const teacher = a.distill ? await trainTeacher(data, cfg, hooks('teacher ', cfg.epochs)) : null;
      await runSizePath({
        data,
        cfg,
        opts: {
          ...budgetOpts,
          ratios: targetRatio,
          params: targetParams,
          ...(init ? { start: init.network } : {}),
          ...(teacher ? { distill: { teacher, temperature: a['distill-temperature'], alpha: a['distill-alpha'] } } : {}),
        },
        out: a.out,
        json: a.json,
        hooks: (i) => ({ train: hooks(`stop ${i + 1} `, cfg.epochs), finetune: hooks(`stop ${i + 1} fine-tune `, ftEpochs) }),
        record: (dir) => ({
          dataRef: portableRef(data.ref, dir),
          config: { ...cfg, finetuneEpochs: ftEpochs, ...budgetConfig(a), dataSpec: portableSpec(dataSpec(a), dir, { keepDataDir: true }) },
        }),
        bar,
      });
      return;
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
          targetParams: targetParams?.[0],
          targetRatio: targetRatio?.[0],
          ...budgetOpts,
          // --init: the budget run starts from those weights (its own `init` wins over the hooks')
          ...(init ? { init: init.network } : {}),
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
    const collapse = collapseMessage(pruneNetwork(result.network).report, cfg.lambda);
    const summary: TrainJson['summary'] = {
      ...budgetInfo,
      ...summarizeTraining(result, data.train.cols),
      ...(ftEpochs > 0 ? { testAccuracyBeforeFinetune: trainedAccuracy, finetuneEpochs: ftEpochs } : {}),
    };
    if (a.out) {
      const out = path.resolve(a.out);
      saveRun(out, result.network, {
        generatedBy: `gs-compress ${VERSION}`,
        createdAt: new Date().toISOString(),
        data: portableRef(data.ref, out),
        config: {
          ...cfg,
          finetuneEpochs: ftEpochs,
          ...budgetConfig(a),
          standardize: result.network.scaling !== null,
          dataSpec: portableSpec(dataSpec(a), out, { keepDataDir: true }),
          ...(init ? { init: init.describe, labelsFromModel: a['labels-from-model'] } : {}),
        },
        engine: result.engine,
        history: result.history as unknown as Record<string, unknown>[],
        summary: { ...summary },
      });
    }
    if (a.json) {
      const json: TrainJson = {
        data: data.ref,
        config: { ...cfg, ...budgetConfig(a) },
        engine: result.engine,
        summary,
        history: result.history,
        out: a.out ?? null,
      };
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else {
      process.stdout.write(`${formatHistory(result.history)}\n\n`);
      process.stdout.write(
        `engine ${result.engine}; ${summary.testRmse !== undefined ? `test RMSE ${fmtRmse(summary.testRmse)}, R^2 ${summary.testAccuracy.toFixed(4)}` : `test accuracy ${summary.testAccuracy.toFixed(4)}`}; ` +
          `zero parameters ${summary.totalParams - summary.nonzeroParams}/${summary.totalParams}; ` +
          `pruned parameters ${summary.prunedParams}; alive units ${summary.aliveUnits.join(',') || '-'}; ` +
          `alive inputs ${summary.aliveInputs}/${data.train.cols}; wall time ${result.trainSeconds.toFixed(1)} s\n`,
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
