/**
 * The training loop: preprocessing, initialisation, the engine (fused or tfjs), seeded shuffling,
 * per-epoch evaluation and history. Returns a Network ready for saving, pruning and export.
 * Classification trains on softmax cross-entropy; regression (data.task) on the mean squared error
 * of standardized targets, with the result and every record in the user's units (train/targets.ts).
 */
import { applyScaling, fitScaling, selectColumns } from '../data';
import { fitChannelScaling } from '../data/scaling';
import { withValidation } from '../data/split';
import type { SplitDataset } from '../data/types';
import { GsError } from '../errors';
import { parseActivation } from '../network/activations';
import { cloneNetwork, initNetwork } from '../network/create';
import { initArchNetwork } from '../network/create-arch';
import { taskOf } from '../network/tasks';
import { inputShapeOf } from '../network/forward';
import type { AnyLayer, DenseLayer, Network } from '../network/types';
import { penaltyValue } from '../penalty';
import { Rng } from '../util/rng';
import { DEFAULT_THREADS } from './defaults';
import { createEngine } from './engines';
import { wasmPassAvailable } from './fused/wasm-pass';
import { createLayersEngine, LAYERS_WASM_ENGINE, layersAccuracy, wasmEvalOps } from './layers-engine';
import { lrFactor, type LrSchedule } from './lr-schedule';
import { accuracyMeter } from './metrics';
import { checkSoftTargetOptions, smoothedTargets } from './soft-targets';
import { fitTargetScaling, regressionMeter, standardizeTargets, toStandardized, toUserUnits } from './targets';
import { networkFigures, trainEvalSample } from './score';
import { compactTrainingData } from './training-data';
import type { EpochRecord, InputColumns, SoftTargets, TrainConfig, TrainingData, TrainingEngine } from './types';

export interface TrainOptions<L extends AnyLayer = DenseLayer> {
  /** Standardize features with statistics of the training split (default: data.tabular). */
  standardize?: boolean;
  /** Called after every epoch with its record. */
  onEpoch?: (rec: EpochRecord) => void;
  /** Called during an epoch with batches done and batches in the epoch. */
  onProgress?: (epoch: number, done: number, total: number) => void;
  /** Rows of the training split used to measure train accuracy each epoch (default DEFAULT_TRAIN_EVAL_ROWS, 10000; 0 = all). */
  trainEvalRows?: number;
  /** Start from this network (its scaling and input selection are kept; cfg.hidden is ignored),
   * e.g. to fine-tune a pruned network. A network with layers other than dense (a CNN from
   * initArchNetwork) trains on the layers engine (train/layers-engine/: 'layers-wasm', or 'layers-js' on the TypeScript
   * kernels under cfg.engine 'fused-js' or without WebAssembly SIMD); other cfg.engine values are ignored. */
  init?: Network<L>;
  /** Label of the epochs in the history (default 'train'). */
  phase?: EpochRecord['phase'];
  /** Learning-rate schedule over this run's steps (default constant). */
  lrSchedule?: LrSchedule;
  /** Distillation: a teacher's probabilities for every training row (fused engines only). */
  softTargets?: SoftTargets;
}

export interface TrainResult<L extends AnyLayer = DenseLayer> {
  network: Network<L>;
  history: EpochRecord[];
  /** Engine and backend actually used, e.g. 'fused-js' or 'tfjs-wasm'. */
  engine: string;
  /** Wall time of the whole call (preprocessing, engine set-up, every epoch with its evaluation;
   * for a budget run also the scoring and projection between epochs). */
  trainSeconds: number;
}

export async function trainNetwork<L extends AnyLayer = DenseLayer>(
  given: SplitDataset,
  cfg: TrainConfig,
  opts: TrainOptions<L> = {},
): Promise<TrainResult<L>> {
  const started = process.hrtime.bigint();
  // cfg.valFraction of the training split is held out (seeded by the data's split seed; data the
  // caller carved already is used as it is): it is scored every epoch and never trained on
  const data = withValidation(given, cfg.valFraction ?? 0);
  const { train, test } = data;
  const val = data.val && data.val.rows > 0 ? data.val : null;
  const standardize = opts.standardize ?? data.tabular;
  const classes = data.classLabels.length;
  const regression = data.task === 'regression';
  // a convolutional network's inputs are scaled per channel (as image models are), a dense one's per column
  const channels = cfg.arch !== undefined && data.inputShape ? data.inputShape[0] : 0;
  const scaling = !standardize || opts.init ? null : channels > 0 ? fitChannelScaling(train, channels) : fitScaling(train);
  const fitted = { scaling, classLabels: data.classLabels, featureNames: data.featureNames };
  const net: Network<AnyLayer> = opts.init
    ? cloneNetwork<AnyLayer>(opts.init)
    : cfg.arch !== undefined
      ? initArchNetwork(cfg.arch, data.inputShape ?? [train.cols], classes, cfg.seed, {
          ...fitted,
          activation: parseActivation(cfg.activation, '--activation'),
        })
      : initNetwork({ inputWidth: train.cols, hidden: cfg.hidden, classes }, cfg.seed, {
          ...fitted,
          activation: parseActivation(cfg.activation, '--activation'),
        });
  if (regression && !opts.init) net.task = 'regression';
  if (taskOf(net) !== taskOf(data)) {
    throw new GsError(
      'BAD_OPTION',
      `the starting network is a ${taskOf(net)} model but the data was read for ${taskOf(data)}; ` +
        (regression ? 'a classifier cannot be trained on numeric targets' : 'give --task regression to read numeric targets'),
    );
  }
  if (regression && !(train.targets && test.targets && (!val || val.targets)))
    throw new RangeError('regression data needs numeric targets in every split');
  // regression trains on standardized targets; the output layer is moved to those units for the
  // engine and back to the user's units for every record and the result (train/targets.ts)
  const ts = regression ? fitTargetScaling(train.targets as Float32Array, classes) : null;
  const fresh = !opts.init;
  if (train.cols !== net.inputWidth) {
    throw new GsError('BAD_INPUT', `the data has ${train.cols} feature columns, the starting network reads ${net.inputWidth}`);
  }
  // a network with layers other than dense trains on the layers engine, a dense one on cfg.engine
  const layered = net.layers.some((l) => l.op !== 'dense');
  const keep = net.inputIndices;
  const cols = keep.length;
  // a dense network whose inputs were pruned (a budget run's later stages): where the WebAssembly
  // kernels train and measure it, its kept columns of the scaled rows are gathered straight into
  // their memory (shrinking the inputs never makes a fresh copy of the data set); other engines
  // read a copy of the kept columns, made once
  const gathers = !layered && cfg.engine === 'fused' && wasmPassAvailable();
  const columns: InputColumns | null =
    gathers && !(cols === train.cols && keep.every((c, i) => c === i)) ? { width: train.cols, keep } : null;
  const scaled = (t: typeof train) => (net.scaling ? applyScaling(t.features, t.cols, net.scaling) : t.features);
  const prep = (t: typeof train) => {
    const full = scaled(t);
    let compact: Float32Array | null = null;
    return { full, compact: () => (compact ??= selectColumns(full, t.rows, t.cols, keep)) };
  };
  const pTrain = prep(train);
  const pTest = prep(test);
  const pVal = val ? prep(val) : null;
  if (opts.softTargets && opts.softTargets.probs.length !== train.rows * classes) {
    throw new RangeError(`soft targets hold ${opts.softTargets.probs.length} values, expected ${train.rows} rows x ${classes} classes`);
  }
  const smoothing = cfg.labelSmoothing ?? 0;
  if (smoothing > 0 && regression) throw new GsError('BAD_OPTION', '--label-smoothing applies to classification, not to regression');
  checkSoftTargetOptions(smoothing, opts.softTargets !== undefined);
  // the fused engines smooth through their soft-target loss, the tfjs engine in tf.losses.softmaxCrossEntropy;
  // the soft-target loss holds epsilon * KL(u || q), so the reported loss (the cross-entropy against
  // the smoothed labels in every engine) is epsilon * log(classes) more
  const smoothBySoft = smoothing > 0 && cfg.engine !== 'tfjs';
  const soft = opts.softTargets ?? (smoothBySoft ? smoothedTargets(train.rows, classes, smoothing) : undefined);
  const lossOffset = smoothBySoft ? smoothing * Math.log(classes) : 0;
  const trainingData: TrainingData = {
    x: columns ? pTrain.full : pTrain.compact(),
    ...(columns ? { inputColumns: columns } : {}),
    y: train.labels,
    rows: train.rows,
    cols,
    classes,
    ...(soft ? { soft } : {}),
    ...(smoothing > 0 && !smoothBySoft ? { labelSmoothing: smoothing } : {}),
    ...(ts ? { targets: standardizeTargets(train.targets as Float32Array, ts) } : {}),
  };
  const dense = net.layers as DenseLayer[];
  const inShape = inputShapeOf(net);
  if (layered && regression) throw new GsError('BAD_OPTION', 'regression is not supported yet for networks with layers other than dense');
  // a fresh regression network starts in standardized units already (its random output layer)
  const engine: TrainingEngine<AnyLayer> = layered
    ? createLayersEngine(net.layers, inShape, compactTrainingData(trainingData), cfg, {
        kernels: cfg.engine === 'fused-js' ? 'js' : 'auto',
        threads: cfg.threads ?? DEFAULT_THREADS,
      })
    : await createEngine(ts && !fresh ? toStandardized(dense, ts) : dense, trainingData, cfg);
  const engineLayers = () => (ts ? toUserUnits(engine.layers() as DenseLayer[], ts) : engine.layers());
  const rng = new Rng(cfg.seed + 1);
  const trainSample = trainEvalSample(train.rows, cfg.seed, opts.trainEvalRows);
  // the wasm engine's runs are measured with its own float32 kernels, the others in float64
  const wasm = engine.name === 'fused-wasm';
  // a CNN on the WebAssembly convolutions is measured with them too (float32)
  const evalOps = engine.name.startsWith(LAYERS_WASM_ENGINE) ? wasmEvalOps() : null;
  const meter = (p: ReturnType<typeof prep>, y: Int32Array, rows: ArrayLike<number> | null): ((layers: AnyLayer[]) => number) => {
    if (layered) return (layers) => layersAccuracy(layers, inShape, p.compact(), y, rows, evalOps);
    // the WebAssembly evaluator gathers kept input columns into its memory, as the engine does
    const m = wasm && columns ? accuracyMeter(dense, p.full, y, rows, wasm, columns) : accuracyMeter(dense, p.compact(), y, rows, wasm);
    return (layers) => m(layers as DenseLayer[]);
  };
  const trainMeter = regression ? null : meter(pTrain, train.labels, trainSample);
  const testMeter = regression ? null : meter(pTest, test.labels, null);
  const trainReg = regression ? regressionMeter(pTrain.compact(), train.targets as Float32Array, classes, trainSample) : null;
  const testReg = regression ? regressionMeter(pTest.compact(), test.targets as Float32Array, classes, null) : null;
  const valMeter = val && pVal && !regression ? meter(pVal, val.labels, null) : null;
  const valReg = val && pVal && regression ? regressionMeter(pVal.compact(), val.targets as Float32Array, classes, null) : null;
  const history: EpochRecord[] = [];
  const batches = Math.ceil(train.rows / cfg.batchSize);
  const chunkBatches = Math.max(1, Math.ceil(batches / 50));
  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const order = rng.permutation(train.rows);
      const t0 = process.hrtime.bigint();
      let lossSum = 0;
      for (let b = 0; b < batches; b += chunkBatches) {
        const nb = Math.min(chunkBatches, batches - b);
        const part = order.subarray(b * cfg.batchSize, Math.min(train.rows, (b + nb) * cfg.batchSize));
        if (opts.lrSchedule && opts.lrSchedule !== 'constant') {
          if (!engine.setLearningRate) throw new GsError('BAD_OPTION', `engine ${engine.name} does not support a learning-rate schedule`);
          engine.setLearningRate(cfg.lr * lrFactor(opts.lrSchedule, (epoch - 1 + b / batches) / cfg.epochs));
        }
        lossSum += engine.runEpoch(part) * nb;
        opts.onProgress?.(epoch, b + nb, batches);
        // let the event loop run between chunks: Ctrl-C (util/interrupt) is handled there
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const layers = engine.layers();
      const user = (ts ? toUserUnits(layers as DenseLayer[], ts) : layers) as DenseLayer[];
      const trainR = trainReg?.(user);
      const testR = testReg?.(user);
      const valR = valReg?.(user);
      const rec: EpochRecord = {
        epoch,
        phase: opts.phase ?? 'train',
        dataLoss: lossSum / batches + lossOffset,
        penalty: cfg.penalty === 'none' ? 0 : penaltyValue(layers, cfg.penalty, cfg.lambda),
        trainAccuracy: trainR ? trainR.r2 : (trainMeter as NonNullable<typeof trainMeter>)(layers),
        testAccuracy: testR ? testR.r2 : (testMeter as NonNullable<typeof testMeter>)(layers),
        ...(valR ? { valAccuracy: valR.r2 } : valMeter ? { valAccuracy: valMeter(layers) } : {}),
        ...(trainR && testR ? { trainRmse: trainR.rmse, testRmse: testR.rmse } : {}),
        ...(valR ? { valRmse: valR.rmse } : {}),
        ...networkFigures(layers),
        // the whole epoch: its training and its evaluation
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      };
      history.push(rec);
      opts.onEpoch?.(rec);
      if (!Number.isFinite(rec.dataLoss)) break; // diverged: keep what we have, the caller reports it
    }
    net.layers = engineLayers();
  } finally {
    engine.dispose();
  }
  // everything this call did: preprocessing, the engine's set-up, every epoch with its evaluation
  const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { network: net as Network<L>, history, engine: engine.name, trainSeconds };
}
