/**
 * The sweep layer's values: a grid of training configurations (lists per setting), one point of
 * it (a complete configuration with its stable id), and one finished run as the results store
 * keeps it (a line of results.jsonl).
 */
import type { DataSpec } from '../data/types';
import type { PenaltyKind } from '../penalty/types';
import type { BackendName, EngineName, EpochRecord, OptimizerName, ProxStep, Solver, TrainConfig } from '../train/types';
import type { TrainSummary } from '../pipeline/summary';

export type { EpochRecord };

/** Every setting a sweep varies, as lists; the grid is their cross product. */
export interface GridSpec {
  data: DataSpec;
  /** Standardize features (undefined: the data set's default, on for tabular data). */
  standardize?: boolean;
  hidden: number[][];
  optimizer: OptimizerName[];
  lr: number[];
  /** No lr list was given: budget runs take the library's budget default for the data (resolveBudgetConfig), others DEFAULT_CONFIG.lr. */
  lrDefaulted?: boolean;
  penalty: PenaltyKind[];
  /** Ignored by penalty none, which always runs once with lambda 0. */
  lambda: number[];
  seed: number[];
  epochs: number[];
  batchSize: number[];
  solver: Solver[];
  /** Label smoothing epsilons (absent: [0], no smoothing; 0 keeps a configuration's id unchanged). */
  labelSmoothing?: number[];
  /** Validation share of the training split of every run (undefined: DEFAULT_VAL_FRACTION; one
   * value for the whole sweep, so its runs are compared on the same validation rows). */
  valFraction?: number;
  /** Proximal step of every run (undefined: preconditioned). */
  proxStep?: ProxStep;
  engine: EngineName;
  backend: BackendName | 'auto';
  /** Budgets (train to at most N parameters / a ratio of the starting network); absent: no budget. */
  targetParams?: number[];
  targetRatio?: number[];
  /** Fine-tuning epochs after each budget run (default 0). */
  finetuneEpochs?: number[];
  /** Distil budget runs from a dense teacher. */
  distill?: boolean;
}

/** A partial grid (a preset, a grid file or the command line); later inputs override earlier ones key by key. */
export type GridInput = Partial<Omit<GridSpec, 'data'>> & { data?: DataSpec };

/** One complete configuration of a sweep: what is trained on what. */
export interface SweepConfig {
  train: TrainConfig;
  standardize?: boolean;
  /** The data spec as records keep it: file paths relative to the store's folder, with their content hashes (data/portable.ts). */
  data: DataSpec;
  /** Train to a budget (absent in configurations without one, so their ids are unchanged). */
  budget?: SweepBudget;
}

/** The budget of a sweep configuration: one of targetParams and targetRatio. */
export interface SweepBudget {
  targetParams?: number;
  targetRatio?: number;
  finetuneEpochs: number;
  distill?: boolean;
}

/** A configuration and its id (a hash of its canonical JSON). */
export interface GridPoint {
  id: string;
  config: SweepConfig;
}

/** A sweep run's summary: the training summary (pipeline/summary.ts) and the wall time of the
 * whole run (training, evaluation and saving). */
export interface RunSummary extends TrainSummary {
  wallSeconds: number;
  /** The budget of a budget run (parameters after exact pruning). */
  targetParams?: number;
  /** A budget run: parameters of its compact network, its hidden widths, and the starting network's widths and parameters. */
  compactParams?: number;
  hidden?: number[];
  startWidths?: number[];
  startParams?: number;
}

/** One line of results.jsonl. */
export interface RunRecord {
  id: string;
  config: SweepConfig;
  /** The saved run, relative to the store's folder (runs/<id>) or absolute. */
  runDir: string;
  summary: RunSummary;
  history: EpochRecord[];
  finishedAt: string;
}
