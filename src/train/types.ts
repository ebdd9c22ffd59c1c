/**
 * Training configuration, per-epoch history and the engine contract shared by the
 * training engines (the fused engine on its WebAssembly SIMD or TypeScript kernels, and the
 * tfjs engine, whose gradients TensorFlow.js computes under the fused engine's update).
 */
import type { AnyLayer, DenseLayer } from '../network/types';
import type { PenaltyKind } from '../penalty/types';
import type { ThreadsOption } from './layers-engine/parallel/threads';

/** The optimizers' names; OPTIMIZER_TABLE (train/fused/optimizers.ts) has one entry per name, and OPTIMIZERS lists its keys. */
export type OptimizerName = 'adam' | 'adamax' | 'rmsprop' | 'sgd';
export type Solver = 'prox' | 'subgradient';
/** Step of the proximal operator: the optimizer's own per-coordinate step (default), or the plain
 * learning rate for every coordinate (lr*lambda thresholds, as in the PyTorch reference). */
export type ProxStep = 'preconditioned' | 'lr';
export const PROX_STEPS: readonly ProxStep[] = ['preconditioned', 'lr'];
/** fused: the whole step in this process, on WebAssembly SIMD kernels when the runtime has them
 * (else plain TypeScript); fused-js: always the plain TypeScript kernels (float64 sums);
 * tfjs: TensorFlow.js computes the gradients. */
export type EngineName = 'fused' | 'fused-js' | 'tfjs';
export const ENGINES: readonly EngineName[] = ['fused', 'fused-js', 'tfjs'];
export type BackendName = 'tfjs-node' | 'wasm' | 'cpu';
export const SOLVERS: readonly Solver[] = ['prox', 'subgradient'];
/** Choices of TrainConfig.backend: 'auto' (tfjs-node, then wasm, then cpu) or one backend. */
export const BACKEND_CHOICES: readonly (BackendName | 'auto')[] = ['auto', 'tfjs-node', 'wasm', 'cpu'];

/**
 * Optimizer semantics follow PyTorch's defaults so results compare with the reference:
 *  adam    b1=0.9 b2=0.999 eps=1e-8, bias-corrected; step lr*mhat/(sqrt(vhat)+eps)
 *  adamax  b1=0.9 b2=0.999 eps=1e-8; u=max(b2*u, |g|+eps); step (lr/(1-b1^t))*m/u
 *  rmsprop alpha=0.99 eps=1e-8; v=a*v+(1-a)g^2; step lr*g/(sqrt(v)+eps)
 *  sgd     step lr*g
 * The proximal step that follows uses the same diagonal preconditioner: per coordinate the
 * effective step h_i (lr/(sqrt(vhat)+eps) for adam, (lr/(1-b1^t))/u for adamax,
 * lr/(sqrt(v)+eps) for rmsprop, lr for sgd), i.e. x <- argmin sum (x_i-v_i)^2/(2h_i) + lambda*R(x).
 */
export interface TrainConfig {
  hidden: number[];
  optimizer: OptimizerName;
  lr: number;
  epochs: number;
  batchSize: number;
  seed: number;
  penalty: PenaltyKind;
  lambda: number;
  solver: Solver;
  /** Proximal step (solver prox only); absent means 'preconditioned'. Kept optional so that
   * configurations saved before it existed keep their identity. */
  proxStep?: ProxStep;
  /** A convolutional (or any layered) network to start from instead of the dense stack of `hidden`:
   * an --arch spec or preset (network/arch.ts, e.g. 'lenet5' or 'c16k3p1-m2-f64'), resolved against the
   * data's example shape, the classifier appended; trains on the layers engine. Absent = `hidden`. */
  arch?: string;
  /** Hidden-layer activation of new networks, e.g. 'tanh' or 'leaky_relu:0.2' (network/activations.ts);
   * absent means relu, so configurations saved before it existed keep their identity. */
  activation?: string;
  /** Label smoothing epsilon (classification): the cross-entropy is taken against
   * (1 - epsilon) * onehot + epsilon / classes. Absent means 0, so configurations saved before it
   * existed keep their identity. */
  labelSmoothing?: number;
  /** Share of the training split held out as a validation split (seeded by the data's split seed,
   * data/split.ts withValidation): never trained on, scored every epoch (valAccuracy), and what
   * runs are selected by. resolveTrainConfig keeps it explicit (default DEFAULT_VAL_FRACTION, 0.1);
   * absent (a record written before it existed) means 0, no validation split, and a configuration
   * id hashes 0 as absent, so those configurations keep their identity. */
  valFraction?: number;
  engine: EngineName;
  /** tfjs engine only: 'auto' picks tfjs-node, then wasm, then cpu. */
  backend: BackendName | 'auto';
  /** Layers engine on the WebAssembly kernels (networks of --arch): 1, 2 (each minibatch split
   * between two threads; the same result up to float rounding) or 'auto' (2 where it pays:
   * layers-engine/parallel/threads.ts). Absent means DEFAULT_THREADS, 'auto'; a run setting, not part
   * of a configuration's identity (sweep/config-id.ts). */
  threads?: ThreadsOption;
}

export interface EpochRecord {
  epoch: number; // 1-based
  phase?: 'train' | 'finetune'; // finetune: retraining a pruned network without the penalty
  dataLoss: number; // mean cross-entropy over the epoch's batches (regression: mean squared error of the standardized target)
  penalty: number; // lambda * R(w) at the end of the epoch (0 for 'none')
  /** The task's score, higher is better: accuracy, or for regression R^2 = 1 - SSE/SST. */
  trainAccuracy: number;
  testAccuracy: number;
  /** The same score on the validation split (absent without one, and in records written before it existed). */
  valAccuracy?: number;
  /** Regression only: root mean squared error in the target's units. */
  trainRmse?: number;
  testRmse?: number;
  valRmse?: number;
  zeroParams: number; // parameters exactly 0
  totalParams: number;
  aliveUnits: number[]; // per hidden layer: units with a nonzero outgoing row and (a nonzero incoming column or bias)
  aliveInputs: number; // input features with a nonzero row in the first kernel
  /** Wall time of the epoch: training and evaluation, and in a budget run the scoring and
   * projection that follow it. */
  seconds: number;
}

/** Data rows wider than a network's input: each row holds `width` values and the first layer reads
 * the columns `keep` of it, in that order (keep.length = the first layer's inputs). */
export interface InputColumns {
  width: number;
  keep: readonly number[];
}

/** Minibatch data the engines read: row-major features already preprocessed (scaled, and
 * selected: x is [rows, cols], or with inputColumns [rows, inputColumns.width]). */
export interface TrainingData {
  x: Float32Array;
  y: Int32Array;
  rows: number;
  /** The network's inputs per row. */
  cols: number;
  classes: number;
  /** The rows of x keep every column of the data and the network reads `keep` of them (its inputs
   * were pruned): the WebAssembly pass gathers the kept columns into its memory; other passes
   * take compactTrainingData (the kept columns copied). */
  inputColumns?: InputColumns;
  /** Distillation: the loss mixes the hard labels with these soft targets (fused engines only). */
  soft?: SoftTargets;
  /** Label smoothing epsilon for the tfjs engine's loss (the fused engines get it as uniform soft targets, see smoothedTargets). */
  labelSmoothing?: number;
  /** Regression: numeric targets [rows x classes] row-major (classes = output columns); when present
   * the loss is mean squared error (network/tasks.ts) and y is ignored. */
  targets?: Float32Array;
}

/** A teacher's class probabilities for every training row, at a temperature (knowledge distillation). */
export interface SoftTargets {
  /** [rows x classes], row-major, each row softmax(teacher logits / temperature). */
  probs: Float32Array;
  temperature: number;
  /** Weight of the hard-label cross-entropy; 1 - alpha goes to temperature^2 * KL(teacher || student at T). */
  alpha: number;
}

/** A training engine owns the parameters and optimizer state while training runs (L: the layers it
 * trains; dense for the fused and tfjs engines, any layer type for the layers engine). */
export interface TrainingEngine<L extends AnyLayer = DenseLayer> {
  /** Short description recorded in gs-run.json, e.g. 'fused-js' or 'tfjs-wasm'. */
  readonly name: string;
  /** Trains on the rows `order` lists, in that order, in batches of cfg.batchSize (the last one
   * may be smaller), and returns the mean data (cross-entropy) loss over those batches. Despite
   * the name the rows need not be a whole epoch: the training loop passes an epoch's shuffled
   * order in slices (a fiftieth of the batches at a time, for progress and cancellation). */
  runEpoch(order: Int32Array): number;
  /** Current kernels and biases (and batch-norm statistics), copied, in the layout of Network.layers. */
  layers(): L[];
  /** Learning rate of the steps that follow (learning-rate schedules); optional for other engines. */
  setLearningRate?(lr: number): void;
  dispose(): void;
}
