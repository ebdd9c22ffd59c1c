/**
 * Training to a parameter budget: a few dense epochs, then gradual structured pruning (the allowed
 * size falls toward the budget on a cubic schedule; at the end of each epoch of the ramp the
 * network is projected onto it by removing the weakest units per parameter, globally, and the
 * exactly pruned, smaller network trains on), then fine-tuning of the compact network (its
 * learning rate decaying on large training sets and at high rates, see defaultFinetuneLrSchedule). The result is guaranteed to have at most the budget's parameters
 * after exact pruning. Removed units leave the engine: each stage trains the compact network.
 * With --target-speedup the ramp also stops where the measured speedup is met (./budget-speed.ts).
 */
import { takeRows, withValidation } from '../data/split';
import type { SplitDataset } from '../data/types';
import { GsError } from '../errors';
import type { AnyLayer, Network } from '../network/types';
import { pruneNetwork } from '../prune';
import { DEFAULT_ALLOCATION, DEFAULT_UNIT_SCORE, widthsOf, type Allocation, type UnitScore } from '../train/budget/project';
import { allowedSize, defaultBudgetLr, defaultFinetuneLrSchedule, defaultSchedule, type SizeSchedule } from '../train/budget/schedule';
import type { ChannelBudget } from '../train/budget/channel-project';
import { SIZE_KEYS } from '../train/budget/level-costs';
import { resolveTrainConfig, type TrainConfigInput } from '../train/config';
import { DEFAULT_CONFIG } from '../train/defaults';
import type { LrSchedule } from '../train/lr-schedule';
import { checkSoftTargetOptions, DEFAULT_DISTILL, softTargets } from '../train/soft-targets';
import {
  crossEntropyOn,
  networkFigures,
  scoreNetwork,
  scoreOn,
  trainEvalSample,
  type NetworkFigures,
  type SplitScores,
} from '../train/score';
import { trainNetwork, type TrainOptions, type TrainResult } from '../train/train';
import type { EpochRecord, TrainConfig } from '../train/types';
import type { LatencyOptions } from '../onnx/latency';
import { channelSpace, channelStart, denseSpace, isLayered, type BudgetTargets, type SpaceProjection } from './budget-space';
import { SpeedGoal, type LossMeter, type Projector, type SpeedRecord } from './budget-speed';
import { finetuneConfig } from './finetune';

/** Training rows on which --target-speedup measures the loss of each fast-enough network it found, to keep the best. */
const SPEED_PICK_ROWS = 4096;

export interface BudgetOptions extends BudgetTargets {
  /** (BudgetTargets) targetParams: parameters of the final network after exact pruning; targetRatio:
   * a fraction of the starting network's (of `ratioOf` when given); targetMacs / targetMacsRatio:
   * multiply-adds per example (networks of --arch); several together must all hold. */
  /** Widths the ratio refers to (default: the starting network's); a size path passes its first network's. */
  ratioOf?: number[];
  /** Epochs of fine-tuning the compact network after training (no sparsity penalty; an l2 penalty stays, see finetuneConfig). */
  finetuneEpochs: number;
  /** Learning-rate schedule of the fine-tuning (default: defaultFinetuneLrSchedule: cosine from 50000 training rows or at lr >= 5e-3, else constant). */
  finetuneLrSchedule?: LrSchedule;
  /** When the ramp starts and ends (default DEFAULT_BUDGET_SCHEDULE: half the epochs dense, at the budget by the last). */
  schedule?: SizeSchedule;
  /** How units are scored for removal (default taylor). */
  score?: UnitScore;
  /** How the budget is shared between layers (default global). */
  allocation?: Allocation;
  /** Start from this network instead of a fresh one (e.g. the previous stop of a size path). */
  init?: Network<AnyLayer>;
  /** Distil from this teacher (soft targets at its temperature) once pruning starts and while fine-tuning. */
  distill?: { teacher: Network<AnyLayer>; temperature?: number; alpha?: number };
  /** The starting network to record (default: the one this run starts from); a size path passes its first network. */
  start?: BudgetStart;
  /** Told when the budget does not make the network smaller (default: a `warning: ...` line on stderr). */
  onNotice?: (message: string) => void;
  /** With targetSpeedup: how time is measured (default onnxruntime-node, one thread, batch 64). */
  latency?: LatencyOptions;
  /** With targetSpeedup: µs per row of a network (default: its ONNX export timed in onnxruntime, see
   * onnx/latency.ts); a library caller may give its own measure. */
  measureLatency?: (net: Network<AnyLayer>) => Promise<number>;
}

/** One projection of the ramp. */
export interface ProjectionRecord {
  epoch: number;
  allowed: number;
  before: number;
  after: number;
  /** With a budget in multiply-adds: allowed, before and after in multiply-adds per example. */
  allowedMacs?: number;
  beforeMacs?: number;
  afterMacs?: number;
  /** Units (channels) removed per level (inputs, hidden layers). */
  removed: number[];
  /** With --target-speedup: the measured µs per row after the projection. */
  usPerRow?: number;
}

export interface BudgetResult {
  result: TrainResult;
  /** The configuration trained, with its learning rate resolved (resolveBudgetConfig). */
  config: TrainConfig;
  /** True when the caller gave no learning rate and the budget default was taken. */
  lrDefaulted: boolean;
  /** The parameter budget (the starting network's parameters when only multiply-adds were limited). */
  targetParams: number;
  /** Parameters of the final network (compact). */
  params: number;
  /** With a budget in multiply-adds: the budget and the final network's multiply-adds per example. */
  targetMacs?: number;
  macs?: number;
  /** Level widths of the final network (inputs, hidden units or channels, outputs). */
  widths: number[];
  projections: ProjectionRecord[];
  /** Test accuracy of the network at the budget before fine-tuning (after the last cut). */
  accuracyBeforeFinetune: number | undefined;
  /** When the last cut came after the last epoch and no fine-tuning followed: the saved network's
   * scores and figures, which the last epoch record (taken before the cut) does not describe. */
  final?: SplitScores & NetworkFigures;
  /** The network at the budget before fine-tuning (where a size path continues from). */
  beforeFinetune: Network;
  /** The starting network the budget was taken from (dense; a size path's first network for every stop). */
  start: BudgetStart;
  /** With --target-speedup: what was measured. */
  speed?: SpeedRecord;
}

/** The starting (dense, pre-budget) network of a budget run: its layer widths and parameters. */
export interface BudgetStart {
  /** Inputs, hidden widths, outputs (e.g. [784, 32, 32, 10]). */
  widths: number[];
  params: number;
  /** Multiply-adds per example (networks of --arch). */
  macs?: number;
}

/**
 * What a budget run's record (gs-run.json summary, sweep record) keeps of it: the budget, the
 * compact network's parameters and hidden widths, and the starting network's widths and
 * parameters (so prune and report can show where the run started).
 */
export interface BudgetRecord {
  targetParams: number;
  compactParams: number;
  /** Hidden widths of the compact network the run ended with. */
  hidden: number[];
  startWidths: number[];
  startParams: number;
  /** With a budget in multiply-adds: the budget, the compact network's and the starting network's multiply-adds. */
  targetMacs?: number;
  compactMacs?: number;
  startMacs?: number;
  /** With --target-speedup. */
  speed?: SpeedRecord;
}

export function budgetRecord(b: BudgetResult): BudgetRecord {
  return {
    targetParams: b.targetParams,
    compactParams: b.params,
    hidden: b.widths.slice(1, -1),
    startWidths: b.start.widths,
    startParams: b.start.params,
    ...(b.targetMacs !== undefined ? { targetMacs: b.targetMacs, compactMacs: b.macs } : {}),
    ...(b.start.macs !== undefined ? { startMacs: b.start.macs } : {}),
    ...(b.speed ? { speed: b.speed } : {}),
  };
}

/** Starting widths of the network a budget run trains (for resolving a ratio). */
export function startWidths(data: SplitDataset, cfg: TrainConfig, init?: Network): number[] {
  return init ? widthsOf(pruneNetwork(init).network) : [data.train.cols, ...cfg.hidden, data.classLabels.length];
}

/** A budget run's training configuration, its learning rate resolved. */
export interface BudgetConfig {
  config: TrainConfig;
  /** The caller gave no learning rate: `config.lr` is the budget default for the data. */
  lrDefaulted: boolean;
}

/**
 * The training configuration of a budget run: the caller's, checked (resolveTrainConfig), with
 * the learning rate the caller gave or, when none, the budget default for its data:
 * defaultBudgetLr for a run from scratch (SMALL_DATA_BUDGET_LR with adam on fewer than
 * COSINE_FINETUNE_MIN_ROWS training rows), DEFAULT_CONFIG.lr for a run from given weights
 * (`fromWeights`: an init, a size path's later stop). train, sweep and library callers of
 * trainToBudget all resolve through here, so the same settings train the same network.
 */
export function resolveBudgetConfig(trainRows: number, cfg: TrainConfigInput, fromWeights = false): BudgetConfig {
  const checked = resolveTrainConfig({ ...cfg, lr: cfg.lr ?? DEFAULT_CONFIG.lr });
  if (cfg.lr !== undefined) return { config: checked, lrDefaulted: false };
  const lr = fromWeights ? DEFAULT_CONFIG.lr : defaultBudgetLr(trainRows, checked.optimizer, DEFAULT_CONFIG.lr);
  return { config: { ...checked, lr }, lrDefaulted: true };
}

/**
 * Trains to the budget. `asked` may leave the learning rate out (or give any part of a
 * configuration as resolveTrainConfig takes it): the budget default for the data is then used
 * (resolveBudgetConfig) and the result says so.
 */
export async function trainToBudget(
  given: SplitDataset,
  asked: TrainConfigInput,
  opts: BudgetOptions,
  hooks: { train?: TrainOptions; finetune?: TrainOptions } = {},
): Promise<BudgetResult> {
  // the learning-rate default counts the training split as loaded (as train and sweep resolve it)
  const { config: cfg, lrDefaulted } = resolveBudgetConfig(given.train.rows, asked, opts.init !== undefined);
  // the validation rows are carved once, before anything looks at the data: scoring, projection,
  // soft targets and every segment's training see the rows trained on (data.train) only, never
  // a validation or a test row
  const data = withValidation(given, cfg.valFraction ?? 0);
  checkSoftTargetOptions(cfg.labelSmoothing, opts.distill !== undefined);
  const started = process.hrtime.bigint();
  const layered = isLayered(cfg, opts.init);
  const space = layered
    ? channelSpace(data, cfg, opts, opts.init)
    : denseSpace(
        data,
        cfg,
        { ...opts, score: opts.score ?? DEFAULT_UNIT_SCORE, allocation: opts.allocation ?? DEFAULT_ALLOCATION },
        opts.init as Network | undefined,
      );
  const widths = space.startWidths;
  const start = space.start;
  const budget = space.target;
  if (opts.targetParams !== undefined && opts.targetParams >= start.params) {
    const msg = `--target-params ${opts.targetParams} is not below the ${start.params} parameters of the starting network (${widths.join('-')}): nothing is pruned, the dense network trains as it is; give a smaller budget or a wider ${layered ? '--arch' : '--hidden'}`;
    (opts.onNotice ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(msg);
  }
  const speed = opts.targetSpeedup !== undefined ? new SpeedGoal(opts.targetSpeedup, space, opts) : null;
  const kernels = cfg.engine === 'fused-js' ? 'js' : 'auto';
  // the fast-enough networks a speed target finds are told apart by their loss on the same training rows
  const pickRows = speed ? trainEvalSample(data.train.rows, cfg.seed + 5, SPEED_PICK_ROWS) : null;
  const pickTable = speed ? (pickRows ? takeRows(data.train, pickRows) : data.train) : null;
  const speedPickLoss: LossMeter | undefined = pickTable ? (n) => crossEntropyOn(n, pickTable, null, kernels) : undefined;
  const E = cfg.epochs;
  const sched = opts.schedule ?? defaultSchedule(E);
  const history: EpochRecord[] = [];
  const projections: ProjectionRecord[] = [];
  let net: Network<AnyLayer> | undefined = opts.init ? pruneNetwork(opts.init).network : undefined;
  let engine = '';
  // the last epoch before a projection is announced (onEpoch) once the projection's time is in it
  let pending: { rec: EpochRecord; h: TrainOptions | undefined } | null = null;
  const flush = () => {
    if (pending) pending.h?.onEpoch?.(pending.rec);
    pending = null;
  };
  let epoch = 0;
  let segment = 0;
  // channels were removed after the last epoch trained: its record no longer describes the network
  let cutSinceTraining = false;
  const soft = opts.distill
    ? softTargets(
        opts.distill.teacher,
        data.train,
        opts.distill.temperature ?? DEFAULT_DISTILL.temperature,
        opts.distill.alpha ?? DEFAULT_DISTILL.alpha,
      )
    : undefined;
  const run = async (epochs: number, c: TrainConfig, h: TrainOptions | undefined, phase: EpochRecord['phase'], lrSchedule?: LrSchedule) => {
    const offset = phase === 'finetune' ? history.filter((r) => r.phase === 'finetune').length : epoch;
    const r = await trainNetwork(
      data,
      { ...c, epochs, seed: c.seed + 7919 * segment++ },
      {
        ...h,
        init: net,
        phase,
        lrSchedule,
        softTargets: net ? soft : undefined,
        onEpoch: (rec) => {
          flush();
          pending = { rec: { ...rec, epoch: rec.epoch + offset }, h };
        },
        onProgress: (e, d, t) => h?.onProgress?.(e + offset, d, t),
      },
    );
    const recs = r.history.map((rec) => ({ ...rec, epoch: rec.epoch + offset }));
    // the set-up and hand-over around the epochs (data preparation, engine creation) count in the last epoch
    const outside = r.trainSeconds - r.history.reduce((t, rec) => t + rec.seconds, 0);
    if (recs.length > 0) recs[recs.length - 1].seconds += Math.max(0, outside);
    if (pending && recs.length > 0) pending.rec = recs[recs.length - 1];
    history.push(...recs);
    engine = r.engine;
    net = r.network;
    cutSinceTraining = false;
    if (phase !== 'finetune') epoch += epochs;
    const last = r.history[r.history.length - 1];
    if (last && !Number.isFinite(last.dataLoss))
      throw new GsError('BAD_OPTION', 'training diverged (loss is not finite); try a smaller --lr');
  };
  const record = (p: SpaceProjection, allowed: ChannelBudget): ProjectionRecord => ({
    epoch,
    allowed: allowed.params ?? start.params,
    before: p.before.params,
    after: p.after.params,
    ...(budget.macs !== undefined || speed
      ? { allowedMacs: allowed.macs ?? start.macs, beforeMacs: p.before.macs, afterMacs: p.after.macs }
      : {}),
    removed: p.removed,
  });
  const project = async (allowed: ChannelBudget) => {
    const t0 = process.hrtime.bigint();
    // scored on the engine's kernels (WebAssembly unless the run uses the TypeScript ones)
    const from = net as Network<AnyLayer>;
    const projector: Projector = (n, a, time) => space.project(n, a, data.train, cfg.seed + epoch, kernels, time);
    let p = projector(from, allowed);
    if (speed && !speed.met) p = await speed.check(from, p, allowed, projector, budget.macs, speedPickLoss);
    const rec = record(p, allowed);
    net = p.network;
    if (p.removed.some((n) => n > 0)) cutSinceTraining = true;
    if (speed) rec.usPerRow = speed.usPerRow;
    projections.push(rec);
    // scoring and projection (and timing) belong to the epoch they follow
    const last = history[history.length - 1];
    if (last) last.seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    flush();
  };
  /** The size the ramp heads for: the budget; with --target-speedup not yet met, the smallest network in multiply-adds. */
  const rampTarget = (k: (typeof SIZE_KEYS)[number]): number | undefined => {
    if (k !== 'macs' || !speed) return budget[k];
    const floor = speed.frozenMacs ?? space.minimal.macs;
    return Math.min(budget.macs ?? Infinity, floor);
  };
  /** The allowed sizes at this epoch of the ramp (the start's while it has not begun). */
  const allowedAt = (e: number): ChannelBudget => {
    const a: ChannelBudget = {};
    for (const k of SIZE_KEYS) {
      const b = rampTarget(k);
      if (b !== undefined) a[k] = allowedSize(sched, e, start[k], b) ?? start[k];
    }
    return a;
  };
  const finalBudget = (): ChannelBudget => {
    const a: ChannelBudget = {};
    for (const k of SIZE_KEYS) {
      const b = rampTarget(k);
      if (b !== undefined) a[k] = b;
    }
    return a;
  };
  if (speed) await speed.refuseUnreachable(channelStart(data, cfg, opts.init));
  // dense warm-up, then one epoch per step of the ramp, then the rest at the budget
  const trainCfg = { ...cfg };
  await run(sched.warmup, trainCfg, hooks.train, 'train');
  await project(allowedAt(epoch));
  while (epoch < sched.rampEnd) {
    await run(1, trainCfg, hooks.train, 'train');
    await project(allowedAt(epoch));
  }
  if (epoch < E) await run(E - epoch, trainCfg, hooks.train, 'train');
  await project(finalBudget());
  // the last cut comes after the last epoch (the ramp ends with it): the network it left is scored,
  // on the test split alone when fine-tuning follows (its epochs score the rest)
  const cut = cutSinceTraining ? (net as Network<AnyLayer>) : null;
  const cutScores = cut && opts.finetuneEpochs <= 0 ? scoreNetwork(cut, data, { seed: cfg.seed, kernels }) : undefined;
  const cutTest = cut ? (cutScores?.testAccuracy ?? scoreOn(cut, data.test, null, kernels).score) : undefined;
  const accuracyBeforeFinetune = cutTest ?? history[history.length - 1]?.testAccuracy;
  const beforeFinetune = net as unknown as Network;
  if (opts.finetuneEpochs > 0) {
    await run(
      opts.finetuneEpochs,
      finetuneConfig(cfg, opts.finetuneEpochs),
      hooks.finetune,
      'finetune',
      opts.finetuneLrSchedule ?? defaultFinetuneLrSchedule(given.train.rows, cfg.lr, (net?.inputShape?.length ?? 1) > 1),
    );
  }
  flush();
  const final = pruneNetwork(net as Network<AnyLayer>).network;
  const sizes = space.sizes(final);
  const limits = finalBudget();
  for (const k of SIZE_KEYS) {
    const b = limits[k];
    if (b !== undefined && sizes[k] > b) throw new Error(`internal: the budget run ended at ${sizes[k]} ${k}, above its budget ${b}`);
  }
  return {
    // wall time of the whole budget run: every epoch, scoring and projection, fine-tuning
    result: { network: final as unknown as Network, history, engine, trainSeconds: Number(process.hrtime.bigint() - started) / 1e9 },
    config: cfg,
    lrDefaulted,
    targetParams: budget.params ?? start.params,
    params: sizes.params,
    ...(limits.macs !== undefined ? { targetMacs: limits.macs, macs: sizes.macs } : {}),
    projections,
    ...(speed?.record() ? { speed: speed.record() } : {}),
    accuracyBeforeFinetune,
    ...(cutScores ? { final: { ...cutScores, ...networkFigures(final.layers) } } : {}),
    beforeFinetune: beforeFinetune,
    start: opts.start ?? { widths, params: start.params, ...(layered ? { macs: start.macs } : {}) },
    widths: space.widths(final),
  };
}

/** A dense teacher for distillation: the starting network trained `cfg.epochs` epochs without a penalty. */
export async function trainTeacher(data: SplitDataset, cfg: TrainConfig, hooks: TrainOptions = {}): Promise<Network> {
  const r = await trainNetwork(data, { ...cfg, penalty: 'none', lambda: 0 }, hooks);
  return r.network;
}
