/**
 * The budget and collapse handling through the command line (main([...]) in process): train
 * --target-params prints the contract's JSON and saves a compact run; a penalty that removes
 * every unit is named on stderr and marked in the JSON; prune refuses to export a constant model
 * unless --allow-constant.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../helpers/cli';
import { parameterCount } from '../../src/network/create';
import { loadRun } from '../../src/network/run-io';
import { Rng } from '../../src/util/rng';
import { loadDataset } from '../../src/data';
import { trainToBudget } from '../../src/pipeline/budget';
import { summarizeTraining } from '../../src/pipeline/summary';
import { completeGrid, expandGrid, readStore } from '../../src/sweep';
import { trainNetwork } from '../../src/train/train';
import { resolveTrainConfig } from '../../src/train/config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-budget-cli-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 400 rows, 8 columns, 3 classes decided by the first three columns. */
function writeCsv(file: string): void {
  const rng = new Rng(5);
  const lines: string[] = [];
  for (let r = 0; r < 400; r++) {
    const x = Array.from({ length: 8 }, () => rng.normal());
    const y = x[0] + x[1] > 0.3 ? 0 : x[2] > x[0] ? 1 : 2;
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},c${y}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

beforeAll(() => writeCsv(p('d.csv')));

describe('train --target-params', () => {
  it('prints the parameters after exact pruning, the budget and the accuracy, and saves the compact run', async () => {
    const r = await run([
      'train',
      '--data',
      p('d.csv'),
      '--hidden',
      '16,16',
      '--target-params',
      '120',
      '--epochs',
      '5',
      '--finetune-epochs',
      '2',
      '--lr',
      '5e-3',
      '--json',
      '--out',
      p('b'),
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { summary: Record<string, number>; config: Record<string, unknown> };
    expect(j.summary.targetParams).toBe(120);
    expect(j.summary.totalParams).toBeLessThanOrEqual(120);
    expect(j.summary.compactParams).toBe(j.summary.totalParams);
    expect(j.summary.testAccuracy).toBeGreaterThan(0.6);
    expect(j.config.targetParams).toBe(120);
    expect(parameterCount(loadRun(p('b')).network)).toBe(j.summary.totalParams);
    const e = await run(['prune', p('b'), '--export', p('b.onnx'), '--json']);
    expect(e.code).toBe(0);
    expect((JSON.parse(e.out) as { report: { parameters: { after: number } } }).report.parameters.after).toBe(j.summary.totalParams);
  });

  it('refuses a budget below the smallest network, and both budget options at once', async () => {
    const small = await run(['train', '--data', p('d.csv'), '--hidden', '16,16', '--target-params', '5', '--epochs', '1']);
    expect(small.code).toBe(1);
    expect(small.err).toMatch(/smallest network/);
    const both = await run(['train', '--data', p('d.csv'), '--target-params', '100', '--target-ratio', '0.5', '--epochs', '1']);
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/not both/);
  });
});

describe('the learning rate of a budget run', () => {
  const train = (extra: string[]) => run(['train', '--data', p('d.csv'), '--hidden', '8', '--epochs', '2', ...extra]);
  const lrOf = (out: string) => (JSON.parse(out) as { config: { lr: number } }).config.lr;

  it('is SMALL_DATA_BUDGET_LR on a small training set without --lr, and says so; --lr wins', async () => {
    const quiet = await train(['--target-params', '60', '--json']);
    expect(quiet.code).toBe(0);
    expect(lrOf(quiet.out)).toBe(5e-3);
    const told = await train(['--target-params', '60']);
    expect(told.code).toBe(0);
    expect(told.err).toMatch(/lr 0\.005: a budget run on 280 training rows \(< 50000\); --lr sets another/);
    const asked = await train(['--target-params', '60', '--lr', '2e-3', '--json']);
    expect(lrOf(asked.out)).toBe(2e-3);
    expect((await train(['--target-params', '60', '--lr', '2e-3'])).err).not.toMatch(/--lr sets another/);
  });

  it('stays the default without a budget, and with another optimizer', async () => {
    expect(lrOf((await train(['--json'])).out)).toBe(1e-3);
    expect(lrOf((await train(['--target-params', '60', '--optimizer', 'rmsprop', '--json'])).out)).toBe(1e-3);
  });
});

describe('train, sweep and the library agree on small data (the budget lr is the library default)', () => {
  const SDD = '/work/shared/data/sensorless_sample2200.txt.gz';
  const common = ['--data', SDD, '--hidden', '16,16', '--epochs', '4', '--seed', '0'];
  /** The figures every caller reports the same way. */
  const figures = (s: Record<string, unknown>) => ({
    testAccuracy: s.testAccuracy,
    trainAccuracy: s.trainAccuracy,
    nonzeroParams: s.nonzeroParams,
    prunedParams: s.prunedParams,
    aliveUnits: s.aliveUnits,
    aliveInputs: s.aliveInputs,
  });

  async function viaCli(extra: string[], name: string) {
    const t = await run(['train', ...common, ...extra, '--json']);
    expect(t.code).toBe(0);
    const j = JSON.parse(t.out) as { config: { lr: number }; summary: Record<string, unknown> };
    const sw = await run(['sweep', ...common, ...extra, '--workers', '0', '--json', '--out', p(name)]);
    expect(sw.code).toBe(0);
    const records = readStore(p(name)).records;
    expect(records).toHaveLength(1);
    return { train: j, sweep: records[0] };
  }

  it('with a budget and no --lr: the same lr (5e-3 on 1540 rows) and the same network', async () => {
    const { train, sweep } = await viaCli(['--target-ratio', '0.25', '--finetune-epochs', '2'], 'sw-budget');
    expect(train.config.lr).toBe(5e-3);
    expect(sweep.config.train.lr).toBe(5e-3);
    const data = await loadDataset({ data: SDD });
    const lib = await trainToBudget(data, { hidden: [16, 16], epochs: 4, seed: 0 }, { targetRatio: 0.25, finetuneEpochs: 2 });
    expect(lib.config.lr).toBe(5e-3);
    expect(lib.lrDefaulted).toBe(true);
    const library = summarizeTraining(lib.result, data.train.cols) as unknown as Record<string, unknown>;
    expect(figures(train.summary)).toEqual(figures(library));
    expect(figures(sweep.summary as unknown as Record<string, unknown>)).toEqual(figures(library));
  });

  it('sweep ids hold the lr trained: a budget grid without lr is the grid listing that lr', () => {
    const grid = (extra: Parameters<typeof completeGrid>[0]) =>
      completeGrid({ data: { data: SDD }, hidden: [[16, 16]], targetRatio: [0.25], ...extra });
    const ids = (g: ReturnType<typeof completeGrid>, rows?: number) => expandGrid(g, process.cwd(), rows).map((q) => q.id);
    expect(ids(grid({}), 1540)).toEqual(ids(grid({ lr: [5e-3] })));
    // on large data the default stays 1e-3: the ids stored before the change are still the ones
    expect(ids(grid({}), 60000)).toEqual(ids(grid({ lr: [1e-3] })));
    expect(() => ids(grid({}))).toThrow(/training rows/);
  });

  it('without a budget: the default lr and the same network', async () => {
    const { train, sweep } = await viaCli([], 'sw-plain');
    expect(train.config.lr).toBe(1e-3);
    expect(sweep.config.train.lr).toBe(1e-3);
    const data = await loadDataset({ data: SDD });
    const lib = await trainNetwork(data, resolveTrainConfig({ hidden: [16, 16], epochs: 4, seed: 0 }));
    const library = summarizeTraining(lib, data.train.cols) as unknown as Record<string, unknown>;
    expect(figures(train.summary)).toEqual(figures(library));
    expect(figures(sweep.summary as unknown as Record<string, unknown>)).toEqual(figures(library));
  });
});

describe('train --label-smoothing', () => {
  const train = (extra: string[]) => run(['train', '--data', p('d.csv'), '--hidden', '8', '--epochs', '2', '--seed', '3', ...extra]);
  type Out = { config: { labelSmoothing?: number }; history: { dataLoss: number }[] };

  it('is recorded in the config and changes the training; absent by default', async () => {
    const plain = await train(['--target-params', '60', '--json']);
    const smooth = await train(['--target-params', '60', '--label-smoothing', '0.2', '--json']);
    expect(smooth.code).toBe(0);
    const a = JSON.parse(plain.out) as Out;
    const b = JSON.parse(smooth.out) as Out;
    expect(b.config.labelSmoothing).toBe(0.2);
    expect('labelSmoothing' in a.config).toBe(false);
    // smoothed labels cost more cross-entropy than the hard ones, epoch for epoch
    b.history.forEach((h, i) => expect(h.dataLoss).toBeGreaterThan(a.history[i].dataLoss));
  });

  it('refuses a value outside [0, 1) and the combination with --distill', async () => {
    const bad = await train(['--label-smoothing', '1']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--label-smoothing 1: expected a number in \[0, 1\)/);
    const both = await train(['--target-params', '60', '--distill', '--label-smoothing', '0.1']);
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/--label-smoothing and --distill cannot be combined/);
  });
});

describe('collapse', () => {
  it('train names the collapse and what to do; prune refuses to export the constant model unless asked', async () => {
    const t = await run([
      'train',
      '--data',
      p('d.csv'),
      '--hidden',
      '8',
      '--penalty',
      'gl',
      '--lambda',
      '5',
      '--epochs',
      '3',
      '--json',
      '--out',
      p('c'),
    ]);
    expect(t.code).toBe(0);
    expect(t.err).toMatch(/warning: every unit of the (inputs|hidden layer 1)/);
    expect(t.err).toMatch(/smaller --lambda \(this run used 5; try 1.25\).*--target-ratio/);
    expect((JSON.parse(t.out) as { summary: { collapsed?: boolean } }).summary.collapsed).toBe(true);
    const refused = await run(['prune', p('c'), '--export', p('c.onnx')]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/constant class.*--allow-constant/);
    expect(fs.existsSync(p('c.onnx'))).toBe(false);
    const allowed = await run(['prune', p('c'), '--export', p('c.onnx'), '--allow-constant']);
    expect(allowed.code).toBe(0);
    expect(fs.existsSync(p('c.onnx'))).toBe(true);
  });

  it('says nothing when the network keeps units', async () => {
    const t = await run(['train', '--data', p('d.csv'), '--hidden', '8', '--epochs', '2', '--json']);
    expect(t.err).not.toMatch(/warning/);
    expect((JSON.parse(t.out) as { summary: { collapsed?: boolean } }).summary.collapsed).toBeUndefined();
  });
});
