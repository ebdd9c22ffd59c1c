/**
 * Grids: completing partial inputs (preset < grid file < flags) with the training defaults, and
 * expanding a grid into its configurations, each checked by resolveTrainConfig and given a
 * stable id. Order: hidden, optimizer, lr, penalty, lambda, seed, epochs, batch size, solver,
 * label smoothing (the last varies fastest). Penalty none ignores lambda: it runs once, with lambda 0.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import { portableSpec } from '../data/portable';
import type { DataSpec } from '../data/types';
import { resolveBudgetConfig } from '../pipeline/budget';
import { resolveTrainConfig } from '../train/config';
import { DEFAULT_CONFIG } from '../train/defaults';
import { checkSoftTargetOptions } from '../train/soft-targets';
import { configId } from './config-id';
import type { GridInput, GridPoint, GridSpec, SweepBudget } from './types';

/** Merges grid inputs, later ones overriding earlier ones key by key (data specs key by key too). */
export function mergeGridInputs(...inputs: (GridInput | undefined)[]): GridInput {
  const out: GridInput = {};
  for (const input of inputs) {
    if (!input) continue;
    for (const [k, v] of Object.entries(input)) {
      if (v === undefined) continue;
      if (k === 'data') out.data = { ...out.data, ...dropUndefined(v as DataSpec) };
      else (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A complete grid: missing lists become the training defaults (one value each). */
export function completeGrid(input: GridInput): GridSpec {
  const d = DEFAULT_CONFIG;
  const data = dropUndefined(input.data ?? {}) as DataSpec;
  if (!data.data && !(data.train && data.test)) {
    throw new GsError('BAD_OPTION', 'the sweep has no data: give --data NAME|FILE (or --train and --test), or "data" in the grid file');
  }
  const grid: GridSpec = {
    data,
    standardize: input.standardize,
    hidden: input.hidden ?? [d.hidden],
    optimizer: input.optimizer ?? [d.optimizer],
    lr: input.lr ?? [d.lr],
    ...(input.lr ? {} : { lrDefaulted: true }),
    penalty: input.penalty ?? [d.penalty],
    lambda: input.lambda ?? [d.lambda],
    seed: input.seed ?? [d.seed],
    epochs: input.epochs ?? [d.epochs],
    batchSize: input.batchSize ?? [d.batchSize],
    solver: input.solver ?? [d.solver],
    ...(input.labelSmoothing ? { labelSmoothing: input.labelSmoothing } : {}),
    proxStep: input.proxStep,
    ...(input.valFraction !== undefined ? { valFraction: input.valFraction } : {}),
    engine: input.engine ?? d.engine,
    backend: input.backend ?? d.backend,
    ...(input.targetParams ? { targetParams: input.targetParams } : {}),
    ...(input.targetRatio ? { targetRatio: input.targetRatio } : {}),
    ...(input.finetuneEpochs ? { finetuneEpochs: input.finetuneEpochs } : {}),
    ...(input.distill ? { distill: true } : {}),
  };
  if (grid.targetParams && grid.targetRatio)
    throw new GsError('BAD_OPTION', 'the sweep gives both target-params and target-ratio: give one');
  for (const key of ['hidden', 'optimizer', 'lr', 'penalty', 'lambda', 'seed', 'epochs', 'batchSize', 'solver'] as const) {
    if (!Array.isArray(grid[key]) || grid[key].length === 0) throw new GsError('BAD_OPTION', `the sweep's ${key} list is empty`);
  }
  if (grid.labelSmoothing && grid.labelSmoothing.length === 0) throw new GsError('BAD_OPTION', "the sweep's label-smoothing list is empty");
  for (const e of grid.labelSmoothing ?? []) checkSoftTargetOptions(e, grid.distill === true);
  return grid;
}

/** The data spec with existing file paths made absolute, so run directories find their data from anywhere. */
export function absoluteDataSpec(spec: DataSpec, base = process.cwd()): DataSpec {
  const abs = (p?: string) => {
    if (!p) return p;
    const full = path.resolve(base, p);
    return fs.existsSync(full) ? full : p;
  };
  return dropUndefined({
    ...spec,
    data: abs(spec.data),
    train: abs(spec.train),
    test: abs(spec.test),
    dataDir: spec.dataDir ? path.resolve(base, spec.dataDir) : undefined,
  });
}

/** True when the grid's configurations depend on the data's training rows: budget runs without an lr list. */
export function gridNeedsTrainRows(grid: GridSpec): boolean {
  return grid.lrDefaulted === true && (grid.targetParams !== undefined || grid.targetRatio !== undefined);
}

/**
 * Every configuration of the grid, in grid order, without duplicates. Each configuration's data
 * spec is portable (data/portable.ts): paths relative to `base` (the store's folder; default the
 * working folder) with their content hashes, which is what the ids are made of. A budget grid
 * without an lr list needs `trainRows` (gridNeedsTrainRows): its runs take the budget lr the
 * library picks for that many training rows (resolveBudgetConfig, as train does), and their ids
 * hold that lr.
 */
export function expandGrid(grid: GridSpec, base = process.cwd(), trainRows?: number): GridPoint[] {
  if (gridNeedsTrainRows(grid) && trainRows === undefined)
    throw new Error('internal: expandGrid of a budget grid without an lr list needs the training rows');
  const data = portableSpec(grid.data, base);
  const points: GridPoint[] = [];
  const seen = new Set<string>();
  const budgets = budgetsOf(grid);
  for (const hidden of grid.hidden)
    for (const optimizer of grid.optimizer)
      for (const lr of grid.lr)
        for (const penalty of grid.penalty)
          for (const lambda of penalty === 'none' ? [0] : grid.lambda)
            for (const seed of grid.seed)
              for (const epochs of grid.epochs)
                for (const batchSize of grid.batchSize)
                  for (const solver of grid.solver)
                    for (const labelSmoothing of grid.labelSmoothing ?? [0]) {
                      const train = resolveTrainConfig({
                        hidden,
                        optimizer,
                        lr,
                        penalty,
                        lambda,
                        seed,
                        epochs,
                        batchSize,
                        solver,
                        labelSmoothing,
                        proxStep: grid.proxStep,
                        valFraction: grid.valFraction,
                        engine: grid.engine,
                        backend: grid.backend,
                      });
                      for (const budget of budgets) {
                        const lrFromData = budget && grid.lrDefaulted && trainRows !== undefined;
                        const trained = lrFromData ? resolveBudgetConfig(trainRows, { ...train, lr: undefined }).config : train;
                        const config = { train: trained, standardize: grid.standardize, data, ...(budget ? { budget } : {}) };
                        const id = configId(config);
                        if (seen.has(id)) continue;
                        seen.add(id);
                        points.push({ id, config });
                      }
                    }
  return points;
}

/** The budgets a grid crosses with its other settings ([undefined] when it has none). */
function budgetsOf(grid: GridSpec): (SweepBudget | undefined)[] {
  const ft = grid.finetuneEpochs ?? [0];
  for (const f of ft)
    if (!(Number.isInteger(f) && f >= 0)) throw new GsError('BAD_OPTION', `finetune-epochs ${f}: expected an integer >= 0`);
  const distill = grid.distill ? { distill: true } : {};
  if (grid.targetParams) return grid.targetParams.flatMap((n) => ft.map((f) => ({ targetParams: n, finetuneEpochs: f, ...distill })));
  if (grid.targetRatio) return grid.targetRatio.flatMap((r) => ft.map((f) => ({ targetRatio: r, finetuneEpochs: f, ...distill })));
  return [undefined];
}
