/**
 * The sweep layer's values: a grid of training configurations (lists per setting), one point of
 * it (a complete configuration with its stable id), and one finished run as the results store
 * keeps it (a line of results.jsonl).
 */
import type { DataSpec } from '../data/types';
import type { PenaltyKind } from '../penalty/types';
import type { BackendName, EngineName, EpochRecord, OptimizerName, ProxStep, Solver, TrainConfig } from '../train/types';

/** Every setting a sweep varies, as lists; the grid is their cross product. */
export interface GridSpec {
  data: DataSpec;
  /** Standardize features (undefined: the data set's default, on for tabular data). */
  standardize?: boolean;
  hidden: number[][];
  optimizer: OptimizerName[];
  lr: number[];
  penalty: PenaltyKind[];
  /** Ignored by penalty none, which always runs once with lambda 0. */
  lambda: number[];
  seed: number[];
  epochs: number[];
  batchSize: number[];
  solver: Solver[];
  /** Proximal step of every run (undefined: preconditioned). */
  proxStep?: ProxStep;
  engine: EngineName;
  backend: BackendName | 'auto';
}

/** A partial grid (a preset, a grid file or the command line); later inputs override earlier ones key by key. */
export type GridInput = Partial<Omit<GridSpec, 'data'>> & { data?: DataSpec };

/** One complete configuration of a sweep: what is trained on what. */
export interface SweepConfig {
  train: TrainConfig;
  standardize?: boolean;
  /** The data spec with file paths made absolute. */
  data: DataSpec;
}

/** A configuration and its id (a hash of its canonical JSON). */
export interface GridPoint {
  id: string;
  config: SweepConfig;
}

/** Final-epoch figures of a run, the numbers selection and tables work on. */
export interface RunSummary {
  testAccuracy: number;
  trainAccuracy: number;
  /** Parameters (weights and biases) not exactly zero. */
  nonzeroParams: number;
  totalParams: number;
  /** Parameters of the exactly pruned network (dead units and unused inputs removed). */
  prunedParams: number;
  /** Alive units per hidden layer, and their sum. */
  aliveUnits: number[];
  aliveNeurons: number;
  aliveInputs: number;
  inputs: number;
  /** Training time (epochs only) and wall time of the whole run (incl. evaluation and saving). */
  seconds: number;
  wallSeconds: number;
  engine: string;
  /** The loss became non-finite; the run stopped early. */
  diverged: boolean;
  /** Every input or every unit of a hidden layer was removed: the network predicts a constant
   * (absent in records written before it existed). */
  collapsed?: boolean;
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
