/**
 * One parameter count and one run summary: `gs-compress train --json`, the gs-run.json it saves
 * and a sweep's store record of the same configuration report the same figures, and every count
 * agrees with network/create.ts parameterCount. The choice flags list exactly the tables.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { TrainJson } from '../../src/cli/commands/train';
import { loadDataset } from '../../src/data';
import { parameterCount } from '../../src/network/create';
import { loadRun } from '../../src/network/run-io';
import { zeroCount } from '../../src/penalty';
import { pruneNetwork } from '../../src/prune';
import { summarizeTraining } from '../../src/pipeline/summary';
import { trainRun } from '../../src/pipeline/run';
import { completeGrid, runSweep } from '../../src/sweep';
import { resolveTrainConfig } from '../../src/train/config';
import { trainNetwork } from '../../src/train/train';
import { BACKEND_CHOICES, ENGINES, PROX_STEPS, SOLVERS } from '../../src/train/types';
import { OPTIMIZERS } from '../../src/train/fused/optimizers';
import { PENALTY_KINDS } from '../../src/penalty/types';
import { parseAs } from '../helpers/json';
import { makeTempDir, runCli, writeTinyCsv } from '../sweep/helpers';

const dir = makeTempDir('gs-summary-');
const csv = writeTinyCsv(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FLAGS = ['--hidden', '8,5', '--epochs', '3', '--lr', '0.01', '--penalty', 'gl', '--lambda', '0.02', '--seed', '4'];

test('every parameter count is parameterCount', async () => {
  const data = await loadDataset({ data: csv });
  const cfg = resolveTrainConfig({ hidden: '8,5', epochs: 3, lr: 0.01, penalty: 'gl', lambda: 0.02, seed: 4 });
  const result = await trainNetwork(data, cfg);
  const total = parameterCount(result.network);
  expect(total).toBe(6 * 8 + 8 + 8 * 5 + 5 + 5 * 3 + 3);
  expect(parameterCount(result.network.layers)).toBe(total);
  for (const h of result.history) expect(h.totalParams).toBe(total);
  const pruned = pruneNetwork(result.network);
  expect(pruned.report.parameters.before).toBe(total);
  expect(pruned.report.parameters.after).toBe(parameterCount(pruned.network));
  const s = summarizeTraining(result, data.train.cols);
  expect(s).toMatchObject({ totalParams: total, prunedParams: parameterCount(pruned.network), inputs: 6, engine: result.engine });
  expect(s.nonzeroParams).toBe(total - zeroCount(result.network.layers));
  expect(s.prunedParams).toBeLessThan(total); // the penalty killed something, so the counts differ
  // multiply-adds per example: 6*8 + 8*5 + 5*3 as trained, the pruned widths' products after
  expect(s.totalMacs).toBe(6 * 8 + 8 * 5 + 5 * 3);
  const w = pruned.network.layers;
  expect(s.macs).toBe(w.reduce((n, l) => n + l.inSize * l.outSize, 0));
  expect(s.macs).toBeLessThan(s.totalMacs!);
});

test('train --json, its gs-run.json and a sweep record carry the same summary', async () => {
  const out = path.join(dir, 'run');
  const r = await runCli(['train', '--data', csv, ...FLAGS, '--out', out, '--json']);
  expect(r.code).toBe(0);
  const j = parseAs<TrainJson>(r.out);
  const saved = loadRun(out).info.summary;
  expect(saved).toEqual(JSON.parse(JSON.stringify(j.summary)));
  const sweep = await runSweep({
    grid: completeGrid({
      data: { data: csv },
      hidden: [[8, 5]],
      optimizer: ['adam'],
      lr: [0.01],
      penalty: ['gl'],
      lambda: [0.02],
      seed: [4],
      epochs: [3],
      batchSize: [32],
      solver: ['prox'],
    }),
    out: path.join(dir, 'sweep'),
    workers: 0,
  });
  expect(sweep.records).toHaveLength(1);
  const rec = sweep.records[0].summary;
  const timeless = (o: object) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'seconds' && k !== 'wallSeconds'));
  expect(Object.keys(j.summary).sort()).toEqual(Object.keys(rec).sort());
  expect(timeless(j.summary)).toEqual(timeless(rec));
});

test("train, sweep and the library's trainRun give the same summary for the same settings, also with a budget", async () => {
  const timeless = (o: object) =>
    JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'seconds' && k !== 'wallSeconds')))) as unknown;
  // a budget run without --lr: the library's budget default applies in all three
  const flags = ['--hidden', '8,5', '--epochs', '4', '--seed', '2', '--target-ratio', '0.5', '--finetune-epochs', '2'];
  const r = await runCli(['train', '--data', csv, ...flags, '--json']);
  expect(r.code).toBe(0);
  const viaTrain = parseAs<TrainJson>(r.out).summary;
  const data = await loadDataset({ data: csv });
  const viaLibrary = (
    await trainRun(data, { config: { hidden: '8,5', epochs: 4, seed: 2 }, budget: { targetRatio: 0.5 }, finetuneEpochs: 2 })
  ).summary;
  const sweep = await runSweep({
    grid: completeGrid({ data: { data: csv }, hidden: [[8, 5]], epochs: [4], seed: [2], targetRatio: [0.5], finetuneEpochs: [2] }),
    out: path.join(dir, 'sweep-budget'),
    workers: 0,
  });
  const viaSweep = sweep.records[0].summary;
  expect(viaTrain.compactParams).toBeLessThanOrEqual(viaTrain.targetParams!);
  expect(viaTrain.projections?.length).toBeGreaterThan(0);
  expect(timeless(viaLibrary)).toEqual(timeless(viaTrain));
  expect(timeless(viaSweep)).toEqual(timeless(viaTrain));
});

test('the choice flags of train and sweep list exactly the tables', async () => {
  const helpText = async (cmd: string) => {
    let log = '';
    const cl = jest.spyOn(console, 'log').mockImplementation((...s: unknown[]) => void (log += `${s.join(' ')}\n`));
    try {
      const r = await runCli([cmd, '--help']);
      return r.out + r.err + log;
    } finally {
      cl.mockRestore();
    }
  };
  const train = await helpText('train');
  const sweep = await helpText('sweep');
  const help = (text: string, flag: string) => {
    // the option's own line (other flags' help may mention it)
    const at = text.search(new RegExp(`^\\s+--${flag}\\s`, 'm'));
    expect(at).toBeGreaterThanOrEqual(0);
    const m = /\[choices: ([^\]]*)\]/.exec(text.slice(at));
    return (m?.[1] ?? '').split(', ').map((c) => c.replace(/"/g, ''));
  };
  for (const [flag, list] of [
    ['engine', ENGINES],
    ['backend', BACKEND_CHOICES],
    ['prox-step', PROX_STEPS],
  ] as const) {
    expect(help(train, flag)).toEqual([...list]);
    expect(help(sweep, flag)).toEqual([...list]);
  }
  expect(help(train, 'optimizer')).toEqual([...OPTIMIZERS]);
  expect(help(train, 'penalty')).toEqual([...PENALTY_KINDS]);
  expect(help(train, 'solver')).toEqual([...SOLVERS]);
  for (const e of ENGINES) expect(resolveTrainConfig({ engine: e }).engine).toBe(e);
  expect(() => resolveTrainConfig({ engine: 'torch' })).toThrow(`--engine torch: expected one of ${ENGINES.join(', ')}`);
});
