/**
 * The training flags, declared once for `train` and `sweep`: each entry gives the flag's yargs
 * type, choices, default and help for `train`, the configuration key it sets, and how `sweep`
 * takes it (a list of values, one run each, or one value for every run; absent: `train` only).
 * A new training flag is one entry here (plus its key in the library's configuration).
 */
import type { Argv, Options } from 'yargs';
import { checkValFraction, DEFAULT_VAL_FRACTION } from '../data/split';
import { PENALTIES } from '../penalty/table';
import { PENALTY_KINDS } from '../penalty/types';
import { parseHiddenList, parseNumberList, parseOptimizerList, parsePenaltyList, parseSolverList } from '../sweep/flag-lists';
import { COSINE_FINETUNE_MIN_ROWS, DEFAULT_BUDGET_SCHEDULE, SMALL_DATA_BUDGET_LR } from '../train/budget/schedule';
import { UNIT_SCORES } from '../train/budget/project';
import { parseChoice } from '../train/config';
import { DEFAULT_CONFIG, DEFAULT_THREADS } from '../train/defaults';
import { AUTO_MIN_BATCH, AUTO_MIN_ROWS } from '../train/layers-engine/parallel/threads';
import { OPTIMIZERS, OPTIMIZER_TABLE } from '../train/fused/optimizers';
import { LR_SCHEDULE_NAMES } from '../train/lr-schedule';
import { DEFAULT_DISTILL } from '../train/soft-targets';
import { BACKEND_CHOICES, ENGINES, PROX_STEPS, SOLVERS } from '../train/types';

/** How `sweep` takes a training flag. */
export type SweepForm =
  /** A comma-separated list (a string on the command line): each value is a run. */
  | { list: (value: unknown, flag: string) => unknown; describe: string }
  /** One value for every run of the sweep (same type and choices as `train`'s). */
  | { one: (value: unknown, flag: string) => unknown; describe: string };

export interface TrainingFlag {
  type: 'number' | 'string' | 'boolean';
  /** The key the flag sets: in the training configuration (`config`) or the budget options (`budget`). */
  key: string;
  /** Part of the TrainConfig (resolveTrainConfig checks it), else a budget or distillation option. */
  config?: boolean;
  choices?: readonly string[];
  /** `train`'s default (`sweep` has none, so that a grid file's values are not overridden). */
  default?: unknown;
  group: 'Network:' | 'Training:' | 'Sparsity:' | 'Budget:' | 'Engine:';
  describe: string;
  sweep?: SweepForm;
}

const list = 'comma-separated list';
const numbers =
  (integer = false) =>
  (v: unknown, flag: string) =>
    parseNumberList(v, flag, integer);
const choice =
  (choices: readonly string[]) =>
  (v: unknown, flag: string): string =>
    parseChoice(flag, v, choices);
const same = (v: unknown): unknown => v;

export const TRAINING_FLAGS = {
  hidden: {
    type: 'string',
    key: 'hidden',
    config: true,
    group: 'Network:',
    describe: `Hidden layer sizes, comma separated (default ${DEFAULT_CONFIG.hidden.join(',')}); empty ("") trains logistic regression`,
    sweep: {
      list: parseHiddenList,
      describe:
        'Hidden layer sizes, comma separated; alternatives separated by ";" (e.g. "32,32;64"); "" or none = logistic regression (default 32,32)',
    },
  },
  arch: {
    type: 'string',
    key: 'arch',
    config: true,
    group: 'Network:',
    describe:
      'A convolutional network instead of --hidden: a preset (lenet5 = c6k5-m2-c16k5-m2-f120-f84, lenet5-caffe = c20k5-m2-c50k5-m2-f500) or tokens joined by "-": cNkK[pP][sS] convolution (N channels, kernel K, padding P, stride S), bn batch norm, mS / aS max / average pooling, g global average pooling, fN dense layer, and ( ... ) around tokens for a residual block (its input added to its output, ReLU after the sum; a 1x1 convolution shortcut where the branch changes channels or strides), e.g. c16k3p1-bn-(c16k3p1-bn-c16k3p1-bn)-(c32k3p1s2-bn-c32k3p1-bn)-g; [ A | B ] for branches read from the same input and concatenated along the channels (an empty branch is the input itself), e.g. c16k3p1-[c8k1|c8k1-c16k3p1]-m2; the classifier is appended. Images (IDX, mnist) are 1 x H x W; delimited files need --input-shape C,H,W (or C,L). Trains on the layers engine (convolutions on WebAssembly SIMD, or TypeScript under --engine fused-js; slower than the fused MLP engine)',
  },
  activation: {
    type: 'string',
    key: 'activation',
    config: true,
    group: 'Network:',
    describe:
      'Hidden-layer activation (default relu): relu, leaky_relu (leaky_relu:ALPHA sets the negative slope, default 0.01), tanh, sigmoid, gelu (exact, erf form), relu6 (min(max(x, 0), 6)), silu (x * sigmoid(x), swish) or identity',
  },
  standardize: {
    type: 'boolean',
    key: 'standardize',
    group: 'Network:',
    describe:
      'Standardize features with training-split statistics (default on for tabular data, off for images); --no-standardize turns it off',
    sweep: { one: same, describe: 'Standardize features (default on for tabular data); --no-standardize turns it off' },
  },
  optimizer: {
    type: 'string',
    key: 'optimizer',
    config: true,
    choices: OPTIMIZERS,
    default: DEFAULT_CONFIG.optimizer,
    group: 'Training:',
    describe: `Optimizer, with PyTorch's default settings: ${OPTIMIZERS.map((o) => `${o} (${OPTIMIZER_TABLE[o].help})`).join('; ')}`,
    sweep: { list: (v: unknown) => parseOptimizerList(v), describe: `Optimizers, ${list} of ${OPTIMIZERS.join(', ')} (default adam)` },
  },
  lr: {
    type: 'number',
    key: 'lr',
    config: true,
    group: 'Training:',
    describe: `Learning rate (default ${DEFAULT_CONFIG.lr}; a budget run from scratch with adam on fewer than ${COSINE_FINETUNE_MIN_ROWS} training rows: ${SMALL_DATA_BUDGET_LR}, measured with the cosine fine-tuning it brings: +4 to +8 points on the SDD sample, +0.8 to +2.6 on covtype's)`,
    sweep: {
      list: numbers(),
      describe: `Learning rates, ${list} (default ${DEFAULT_CONFIG.lr}; budget runs with adam on fewer than ${COSINE_FINETUNE_MIN_ROWS} training rows: ${SMALL_DATA_BUDGET_LR}, as train)`,
    },
  },
  epochs: {
    type: 'number',
    key: 'epochs',
    config: true,
    default: DEFAULT_CONFIG.epochs,
    group: 'Training:',
    describe: 'Passes over the training split',
    sweep: { list: numbers(true), describe: `Passes over the training split, ${list} (default ${DEFAULT_CONFIG.epochs})` },
  },
  'batch-size': {
    type: 'number',
    key: 'batchSize',
    config: true,
    default: DEFAULT_CONFIG.batchSize,
    group: 'Training:',
    describe: 'Rows per optimizer step',
    sweep: { list: numbers(true), describe: `Rows per optimizer step, ${list} (default ${DEFAULT_CONFIG.batchSize})` },
  },
  seed: {
    type: 'number',
    key: 'seed',
    config: true,
    default: DEFAULT_CONFIG.seed,
    group: 'Training:',
    describe: 'Seed of initialisation and shuffling',
    sweep: { list: numbers(true), describe: `Seeds of initialisation and shuffling, ${list} (default ${DEFAULT_CONFIG.seed})` },
  },
  'label-smoothing': {
    type: 'number',
    key: 'labelSmoothing',
    config: true,
    default: 0,
    group: 'Training:',
    describe:
      'Train on (1 - E) x the labels + E spread evenly over the classes (classification; kept through the fine-tuning; not with --distill). Measured on MNIST budget runs with weight decay (--penalty l2 --lambda 1e-4), 20 + 10 epochs, 3 seeds: E 0.1 gains 0.16 points from 784-500-300-10 to 10% (0.9862), none beyond the seed spread from LeNet-300-100 or 784-32-32-10 (reports/compress/NOTES.md section 9)',
    sweep: { list: numbers(), describe: `Label smoothing epsilons (as train --label-smoothing), ${list} (default 0: none)` },
  },
  'val-fraction': {
    type: 'number',
    key: 'valFraction',
    config: true,
    default: DEFAULT_VAL_FRACTION,
    group: 'Training:',
    describe:
      'Share of the training split held out for validation (seeded by --split-seed, the same rows for every run on the data): never trained on, scored every epoch; sweep show and report choose runs by it and give test accuracy only as the final figure. 0: no validation split (selection then falls back to test accuracy, with a note)',
    sweep: {
      one: (v: unknown) => {
        checkValFraction(Number(v));
        return Number(v);
      },
      describe: `Share of the training split held out for validation, one value for every run (default ${DEFAULT_VAL_FRACTION}; 0: none, runs are then chosen by test accuracy)`,
    },
  },
  penalty: {
    type: 'string',
    key: 'penalty',
    config: true,
    choices: PENALTY_KINDS,
    default: DEFAULT_CONFIG.penalty,
    group: 'Sparsity:',
    describe: PENALTY_KINDS.map((k) => `${k} (${PENALTIES[k].help})`).join('; '),
    sweep: {
      list: (v: unknown) => parsePenaltyList(v),
      describe: `Penalties, ${list} of ${PENALTY_KINDS.join(', ')}; none runs once, ignoring --lambda (default none)`,
    },
  },
  lambda: {
    type: 'number',
    key: 'lambda',
    config: true,
    default: DEFAULT_CONFIG.lambda,
    group: 'Sparsity:',
    describe: 'Penalty strength (needed with any penalty but none)',
    sweep: { list: numbers(), describe: `Penalty strengths, ${list}, crossed with every penalty but none` },
  },
  solver: {
    type: 'string',
    key: 'solver',
    config: true,
    choices: SOLVERS,
    default: DEFAULT_CONFIG.solver,
    group: 'Sparsity:',
    describe:
      'prox: a (preconditioned, for adaptive optimizers) proximal step after every update, giving exact zeros; subgradient: the penalty is added to the loss, as in the paper',
    sweep: { list: (v: unknown) => parseSolverList(v), describe: `prox and/or subgradient, ${list} (default prox)` },
  },
  'prox-step': {
    type: 'string',
    key: 'proxStep',
    config: true,
    choices: PROX_STEPS,
    default: 'preconditioned',
    group: 'Sparsity:',
    describe:
      "Step of --solver prox: preconditioned scales each coordinate's threshold by the optimizer's own step (many exact zeros with adam/rmsprop/adamax); lr uses lr*lambda for every coordinate, as plain proximal SGD and the PyTorch reference do",
    sweep: {
      one: choice(PROX_STEPS),
      describe: 'Proximal step of every run: preconditioned (default) or lr (lr*lambda thresholds, as plain proximal SGD)',
    },
  },
  'finetune-epochs': {
    type: 'number',
    key: 'finetuneEpochs',
    default: 0,
    group: 'Sparsity:',
    describe:
      'After training, prune exactly and retrain the smaller network this many epochs without the sparsity penalty (recovers accuracy; the saved run is then already compact)',
    sweep: { list: numbers(true), describe: `Fine-tuning epochs of budget runs, ${list} (default 0)` },
  },
  'target-params': {
    type: 'string',
    key: 'targetParams',
    group: 'Budget:',
    describe:
      'Train to at most N parameters after exact pruning (every kernel and bias element of the compact network), guaranteed: dense warm-up, gradual structured pruning of the weakest inputs and units (one global ranking, so layers shrink by different factors), then --finetune-epochs of fine-tuning. No lambda to tune. A --penalty still applies while training (l2 also while fine-tuning): weight decay, --penalty l2 --lambda 1e-4, pays on long schedules and wide starts (reports/compress/long). A list (8000,4000,2000) walks a size path: see --target-ratio',
    sweep: {
      list: numbers(true),
      describe: `Budgets in parameters after exact pruning, ${list}: each run trains to one (as train --target-params)`,
    },
  },
  'target-ratio': {
    type: 'string',
    key: 'targetRatio',
    group: 'Budget:',
    describe:
      'As --target-params, as a fraction of the starting network (e.g. 0.25). A list (0.5,0.25,0.1,0.05) walks a size path in one run: each budget warm-starts from the previous (nested networks), a fine-tuned copy of each is saved as OUT/ratio-R/, and OUT/size-path.svg plots test accuracy against parameters (needs --out)',
    sweep: { list: numbers(), describe: `Budgets as fractions of the starting network, ${list} (as train --target-ratio)` },
  },
  'target-macs': {
    type: 'string',
    key: 'targetMacs',
    group: 'Budget:',
    describe:
      'Networks of --arch: train to at most N multiply-adds per example after exact pruning, guaranteed, removing whole channels (a filter, its batch-norm entries and its slice of the next layer), ranked by their effect on the loss per multiply-add they cost. With --target-params or --target-ratio too, every budget holds',
  },
  'target-macs-ratio': {
    type: 'string',
    key: 'targetMacsRatio',
    group: 'Budget:',
    describe: "As --target-macs, as a fraction of the starting network's multiply-adds (e.g. 0.25)",
  },
  'target-speedup': {
    type: 'number',
    key: 'targetSpeedup',
    group: 'Budget:',
    describe:
      'Networks of --arch: shrink until the network runs S times faster than the starting one, measured, not estimated: each projection exports the candidate to ONNX and times it in onnxruntime (onnxruntime-node when installed, one thread, --speed-batch rows per call); where S is first reached, the network before that step is cut again where its measured time goes (each layer timed with a few channels gone) by just what S asks, and kept when it is larger. Alone or with the other budgets (all hold). The run prints the time of each projection beside its multiply-adds. A speedup that even the smallest network of the shape (one channel per layer, timed before training) does not reach is refused, with the speedup that network gives. Times follow the load of the machine: run it on a quiet machine (two runs of one seed may keep different widths where candidates time close to S)',
  },
  'speed-batch': {
    type: 'number',
    key: 'speedBatch',
    group: 'Budget:',
    describe: 'Rows per onnxruntime call when --target-speedup times a network (default 64; 1 for one-at-a-time inference)',
  },
  'round-channels': {
    type: 'number',
    key: 'roundChannels',
    group: 'Budget:',
    describe:
      'Networks of --arch with a budget: keep every channel width below K or a multiple of K (above K channels go K at a time), for runtimes whose kernels prefer such widths: onnxruntime runs a width just above a multiple of its block much slower (default 1: any width; measured in reports/cnn/CHANNEL-WIDTHS.md)',
  },
  'finetune-lr-schedule': {
    type: 'string',
    key: 'finetuneLrSchedule',
    choices: [...LR_SCHEDULE_NAMES, 'auto'],
    default: 'auto',
    group: 'Budget:',
    describe: `Learning rate over the fine-tuning (a budget run's, or --finetune-epochs after plain training): constant, or cosine or linear decay to 2% of --lr; auto: for a budget run cosine for image and sequence inputs, from ${COSINE_FINETUNE_MIN_ROWS} training rows or at --lr ${SMALL_DATA_BUDGET_LR} and above, else constant; constant after plain training (measured: cosine +0.25 points on MNIST, +0.5 to +1.6 on the covtype sample at lr 5e-3, +1.3 on a Fashion-MNIST CNN at 25% of its multiply-adds and +1.4 on an imported one at 30%, with a sixth of the seed spread; constant best on the SDD sample at lr 1e-3)`,
  },
  'budget-warmup': {
    type: 'number',
    key: 'budgetWarmup',
    default: DEFAULT_BUDGET_SCHEDULE.warmup,
    group: 'Budget:',
    describe: 'Fraction of --epochs trained dense before the first units are removed',
  },
  'budget-ramp': {
    type: 'number',
    key: 'budgetRamp',
    default: DEFAULT_BUDGET_SCHEDULE.rampEnd,
    group: 'Budget:',
    describe: 'Fraction of --epochs by which the network fits the budget (removal in steps of a cubic schedule in between)',
  },
  'budget-score': {
    type: 'string',
    key: 'budgetScore',
    choices: UNIT_SCORES,
    default: 'taylor',
    group: 'Budget:',
    describe:
      "How units are ranked for removal (per parameter they cost): taylor, the expected squared first-order change of the loss when a unit's output is replaced by its mean; variation, (std of its output x norm of its outgoing weights)^2",
  },
  distill: {
    type: 'boolean',
    key: 'distill',
    default: false,
    group: 'Budget:',
    describe:
      "With a budget: first train the dense network (--epochs, no penalty) as a teacher, then train the pruned network on a mix of the labels and the teacher's softened probabilities (knowledge distillation; fused engines only)",
    sweep: { one: same, describe: 'Budget runs distil from a dense teacher (as train --distill)' },
  },
  'distill-temperature': {
    type: 'number',
    key: 'distillTemperature',
    default: DEFAULT_DISTILL.temperature,
    group: 'Budget:',
    describe: "Temperature T of the teacher's and student's softmax in the distillation term",
  },
  'distill-alpha': {
    type: 'number',
    key: 'distillAlpha',
    default: DEFAULT_DISTILL.alpha,
    group: 'Budget:',
    describe: 'Weight of the hard-label cross-entropy; 1 - alpha weighs T^2 * KL(teacher || student)',
  },
  engine: {
    type: 'string',
    key: 'engine',
    config: true,
    choices: ENGINES,
    default: DEFAULT_CONFIG.engine,
    group: 'Engine:',
    describe:
      'fused: the whole training step in this process on WebAssembly SIMD kernels (float32; plain TypeScript where the runtime lacks SIMD), fastest on small networks; fused-js: the plain TypeScript kernels (float64 sums); tfjs: TensorFlow.js computes the gradients',
    sweep: { one: choice(ENGINES), describe: `Training engine of every run (default ${DEFAULT_CONFIG.engine})` },
  },
  threads: {
    type: 'string',
    key: 'threads',
    config: true,
    default: String(DEFAULT_THREADS),
    group: 'Engine:',
    describe: `Threads training a convolutional network (the layers engine on WebAssembly kernels): 1; 2, each minibatch split between this thread and a worker thread (batch norm's statistics stay the whole batch's; the same result up to float rounding); auto, 2 with two cores or more, batches of ${AUTO_MIN_BATCH} rows or more and ${AUTO_MIN_ROWS} training rows or more. Dense networks (--hidden) train on one thread`,
  },
  backend: {
    type: 'string',
    key: 'backend',
    config: true,
    choices: BACKEND_CHOICES,
    default: DEFAULT_CONFIG.backend,
    group: 'Engine:',
    describe: 'tfjs backend for --engine tfjs; auto picks tfjs-node, then wasm, then cpu',
    sweep: { one: choice(BACKEND_CHOICES), describe: `tfjs backend for --engine tfjs (default ${DEFAULT_CONFIG.backend})` },
  },
} as const satisfies Record<string, TrainingFlag>;

type Flags = typeof TRAINING_FLAGS;
type ValueOf<F> = F extends { type: 'number' } ? number : F extends { type: 'boolean' } ? boolean : string;

/** What yargs gives `train` for the training flags (flags without a default may be absent). */
export type TrainingFlagArgs = {
  -readonly [K in keyof Flags]: Flags[K] extends { default: unknown } ? ValueOf<Flags[K]> : ValueOf<Flags[K]> | undefined;
};

type SweepKeys = { [K in keyof Flags]: Flags[K] extends { sweep: unknown } ? K : never }[keyof Flags];
/** What yargs gives `sweep` for the training flags: lists as text, every flag optional. */
export type SweepFlagArgs = { [K in SweepKeys]?: Flags[K] extends { sweep: { list: unknown } } ? string : ValueOf<Flags[K]> };

/** The training flags as `train` declares them (with their defaults). */
export function trainingOptions<T>(y: Argv<T>): Argv<T & TrainingFlagArgs> {
  let out: Argv<T> = y;
  for (const [name, f] of Object.entries(TRAINING_FLAGS) as [string, TrainingFlag][]) {
    const opt: Options = { type: f.type, group: f.group, describe: f.describe };
    if (f.choices) opt.choices = f.choices;
    if ('default' in f) opt.default = f.default;
    out = out.option(name, opt);
  }
  return out as Argv<T & TrainingFlagArgs>;
}

/** The training flags `sweep` takes, without defaults: lists as text, the others as `train` has them. */
export function sweepTrainingOptions<T>(y: Argv<T>): Argv<T & SweepFlagArgs> {
  let out: Argv<T> = y;
  for (const [name, f] of Object.entries(TRAINING_FLAGS) as [string, TrainingFlag][]) {
    if (!f.sweep) continue;
    const listed = 'list' in f.sweep;
    const opt: Options = { type: listed ? 'string' : f.type, group: f.group, describe: f.sweep.describe };
    if (f.choices && !listed) opt.choices = f.choices;
    out = out.option(name, opt);
  }
  return out as Argv<T & SweepFlagArgs>;
}

/** The training configuration `train`'s flags ask for (keys of TrainConfig; absent flags stay absent). */
export function configFlags(args: object): Record<string, unknown> {
  const a = args as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(TRAINING_FLAGS) as [string, TrainingFlag][]) {
    if (f.config && a[name] !== undefined) out[f.key] = a[name];
  }
  return out;
}

/** The grid lists and settings `sweep`'s flags give (only the flags given), by grid key. */
export function sweepFlagsGrid(args: object): Record<string, unknown> {
  const a = args as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(TRAINING_FLAGS) as [string, TrainingFlag][]) {
    const v = a[name];
    if (!f.sweep || v === undefined) continue;
    out[f.key] = 'list' in f.sweep ? f.sweep.list(v, name) : f.sweep.one(v, name);
  }
  return out;
}
