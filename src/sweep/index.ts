/**
 * The sweep layer's public surface: grids and presets, shards, running a sweep on worker
 * processes, the tolerant results store, merging stores, and choosing runs (best, sparsest
 * within a tolerance, Pareto front).
 */
export type { GridInput, GridPoint, GridSpec, RunRecord, RunSummary, SweepConfig } from './types';
export { canonicalJson, configId } from './config-id';
export { absoluteDataSpec, completeGrid, expandGrid, mergeGridInputs } from './grid';
export { parseHiddenList, parseNumberList, parseOptimizerList, parsePenaltyList, parseSolverList } from './flag-lists';
export { parseGridObject, readGridFile, type GridFile } from './grid-file';
export { PRESETS, PRESET_NAMES, presetGrid, type Preset, type PresetName } from './presets';
export { parseShard, shardOf, type Shard } from './shard';
export { appendRecord, readStore, repairStore, runDirOf, storeFile, writeStore, RUNS_DIR, STORE_FILE, type StoreContents } from './store';
export { mergeStores, type MergeResult } from './merge';
export {
  DEFAULT_TOLERANCE,
  paretoFront,
  rankRuns,
  selectBest,
  selectionMetric,
  sparsestWithin,
  type SelectionKey,
  type SelectionMetric,
} from './select';
export { defaultWorkers, runSweep, type SweepHooks, type SweepOptions, type SweepResult, type SweepStart } from './run-sweep';
export { runOne } from './run-one';
