/**
 * reports/regression/REGRESSION.md: regression end to end on real data and on a synthetic problem
 * with a known noise floor.
 *
 * 1. covtype sample (../shared/data/covtype_sample50k.data.gz), target column 0 (elevation, metres)
 *    predicted from the other 54 columns (cover type included): a dense network, group lasso, and a
 *    parameter budget (--target-ratio), each over several seeds, with test RMSE and R^2 of the
 *    trained and of the exactly pruned network, parameters, and the ONNX export verified by
 *    onnxruntime; a dense PyTorch peer (scripts/regression_peer.py) on the same split and settings.
 * 2. `gs-compress compress` (the library function behind it) of test/fixtures/import/torch-regressor.onnx
 *    on rows like its training problem, labelled with its own output plus noise of standard
 *    deviation 0.05 (so RMSE 0.05 is the floor), at two budgets.
 *
 *   npx tsx scripts/bench-regression.ts [--seeds 3] [--epochs 10] [--rows N]
 *
 * Skips part 1 when the covtype sample is absent, and the peer when /usr/bin/python3 has no torch.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset } from '../src/data';
import type { SplitDataset } from '../src/data/types';
import { importModel } from '../src/import';
import { parameterCount } from '../src/network/create';
import { logits } from '../src/network/forward';
import { regressionMetrics } from '../src/network/tasks';
import type { Network } from '../src/network/types';
import { exportOnnx, verifyOnnx } from '../src/onnx';
import { trainToBudget } from '../src/pipeline/budget';
import { compressModel } from '../src/pipeline/compress-model';
import { runOriginal } from '../src/pipeline/import-check';
import { pruneNetwork } from '../src/prune';
import { resolveTrainConfig } from '../src/train/config';
import { trainNetwork } from '../src/train/train';
import { writeRegressorData } from './lib/regressor-data';
import { VERSION } from '../src/version';
import { scriptArgs } from './lib/script-args';

const ROOT = path.resolve(__dirname, '..');
const COVTYPE = path.resolve(ROOT, '..', 'shared', 'data', 'covtype_sample50k.data.gz');
const OUT = path.join(ROOT, 'reports', 'regression', 'REGRESSION.md');

const cli = scriptArgs({
  command: 'npx tsx scripts/bench-regression.ts',
  describe:
    'Regression end to end on the covtype sample and on a synthetic problem with a known noise floor; writes reports/regression/REGRESSION.md.',
  options: [
    { name: '--seeds', value: 'N', describe: 'Seeds per method (default 3)' },
    { name: '--epochs', value: 'N', describe: 'Training epochs (default 10)' },
    { name: '--rows', value: 'N', describe: 'Rows of the covtype sample used' },
  ],
});

function arg(name: string, dflt: number): number {
  const v = cli.arg(`--${name}`);
  return v !== undefined ? Number(v) : dflt;
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const sd = (v: number[]) => (v.length < 2 ? 0 : Math.sqrt(v.reduce((s, x) => s + (x - mean(v)) ** 2, 0) / (v.length - 1)));
const ms = (v: number[], digits: number) => `${mean(v).toFixed(digits)} ± ${sd(v).toFixed(digits)}`;

interface Row {
  trainedRmse: number;
  trainedR2: number;
  prunedRmse: number;
  prunedR2: number;
  params: number;
  prunedParams: number;
  onnxMaxDiff: number;
  onnxOk: boolean;
  seconds: number;
}

async function measure(net: Network, data: SplitDataset, seconds: number, dense: number): Promise<Row> {
  const t = data.test;
  const y = t.targets as Float32Array;
  const trained = regressionMetrics(logits(net, t.features, t.rows), y, 1);
  const pruned = pruneNetwork(net).network;
  const after = regressionMetrics(logits(pruned, t.features, t.rows), y, 1);
  const v = await verifyOnnx({
    onnx: exportOnnx(pruned, { producerVersion: VERSION }),
    reference: net,
    features: t.features,
    targets: y,
    rows: t.rows,
  });
  return {
    trainedRmse: trained.rmse,
    trainedR2: trained.r2,
    prunedRmse: after.rmse,
    prunedR2: after.r2,
    params: dense,
    prunedParams: parameterCount(pruned),
    onnxMaxDiff: v.regression?.maxAbsDiff ?? NaN,
    onnxOk: v.ok,
    seconds,
  };
}

function writeCsv(file: string, t: SplitDataset['train']): void {
  const y = t.targets as Float32Array;
  const lines: string[] = [];
  for (let r = 0; r < t.rows; r++) lines.push([...t.features.subarray(r * t.cols, (r + 1) * t.cols), y[r]].join(','));
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

function peer(
  data: SplitDataset,
  seeds: number[],
  epochs: number,
  lr: number,
): { rmse: number; r2: number; params: number; seconds: number }[] | null {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-reg-peer-'));
  try {
    writeCsv(path.join(dir, 'train.csv'), data.train);
    writeCsv(path.join(dir, 'test.csv'), data.test);
    return seeds.map((seed) => {
      const r = spawnSync(
        '/usr/bin/python3',
        [
          path.join(ROOT, 'scripts', 'regression_peer.py'),
          '--train',
          path.join(dir, 'train.csv'),
          '--test',
          path.join(dir, 'test.csv'),
          '--hidden',
          '64,32',
          '--epochs',
          String(epochs),
          '--lr',
          String(lr),
          '--seed',
          String(seed),
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`regression_peer.py failed: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop() as string) as { rmse: number; r2: number; params: number; seconds: number };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function covtypePart(seeds: number[], epochs: number, maxRows: number | undefined): Promise<string[]> {
  if (!fs.existsSync(COVTYPE)) return [`covtype sample not found at ../shared/data: part 1 skipped.`];
  const data = await loadDataset({ data: COVTYPE, labelColumn: '0', task: 'regression', maxTrainRows: maxRows });
  const lr = 3e-3;
  const base = { hidden: [64, 32], epochs, lr, batchSize: 32 };
  const settings: { name: string; run: (seed: number) => Promise<{ net: Network; seconds: number }> }[] = [
    {
      name: 'dense (no penalty)',
      run: async (seed) =>
        trainNetwork(data, resolveTrainConfig({ ...base, seed })).then((r) => ({ net: r.network, seconds: r.trainSeconds })),
    },
    ...[1e-4, 1e-3].map((lambda) => ({
      name: `group lasso, lambda ${lambda}`,
      run: async (seed: number) =>
        trainNetwork(data, resolveTrainConfig({ ...base, seed, penalty: 'gl', lambda })).then((r) => ({
          net: r.network,
          seconds: r.trainSeconds,
        })),
    })),
    {
      name: 'budget --target-ratio 0.1 (+5 fine-tune epochs)',
      run: async (seed) =>
        trainToBudget(data, resolveTrainConfig({ ...base, seed }), { targetRatio: 0.1, finetuneEpochs: 5 }).then((b) => ({
          net: b.result.network,
          seconds: b.result.trainSeconds,
        })),
    },
  ];
  const dense = (data.train.cols + 1) * 64 + 65 * 32 + 33;
  const lines = [
    `Data: covtype sample, target column 0 (elevation in metres; test standard deviation ${stdOf(data.test.targets as Float32Array).toFixed(1)}), ` +
      `${data.train.rows} training and ${data.test.rows} test rows, ${data.train.cols} feature columns. Network 54-64-32-1 (ReLU), Adam lr ${lr}, batch 32, ` +
      `${epochs} epochs, seeds ${seeds.join(', ')} (mean ± sd). Targets standardized in training; figures in metres.`,
    '',
    '| setting | test RMSE (trained) | test R^2 (trained) | test RMSE (pruned) | test R^2 (pruned) | dense parameters | after exact pruning | ONNX max abs diff | ONNX verified | train s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of settings) {
    const rows: Row[] = [];
    for (const seed of seeds) {
      const { net, seconds } = await s.run(seed);
      rows.push(await measure(net, data, seconds, dense));
      console.error(`${s.name}, seed ${seed}: R^2 ${rows[rows.length - 1].prunedR2.toFixed(4)}`);
    }
    const col = (f: (r: Row) => number, d: number) => ms(rows.map(f), d);
    lines.push(
      `| ${s.name} | ${col((r) => r.trainedRmse, 2)} | ${col((r) => r.trainedR2, 4)} | ${col((r) => r.prunedRmse, 2)} | ${col((r) => r.prunedR2, 4)} | ` +
        `${rows[0].params} | ${col((r) => r.prunedParams, 0)} | ${Math.max(...rows.map((r) => r.onnxMaxDiff)).toExponential(1)} | ` +
        `${rows.every((r) => r.onnxOk) ? 'all' : 'NOT all'} | ${col((r) => r.seconds, 1)} |`,
    );
  }
  // quantized exports (lossy) of one group-lasso network, judged by test RMSE against the float network
  const q = (await trainNetwork(data, resolveTrainConfig({ ...base, seed: 0, penalty: 'gl', lambda: 1e-4 }))).network;
  const qp = pruneNetwork(q).network;
  const quant: string[] = [
    '',
    'Quantized exports (lossy) of the group lasso lambda 1e-4 network, seed 0, verified by test RMSE against the float network (fails above +2%):',
    '',
    '| weights | bytes | test RMSE onnx | test RMSE float network | max abs output diff | verified |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const quantize of [null, 'float16', 'int8', 'int8-weights'] as const) {
    const bytes = exportOnnx(qp, { producerVersion: VERSION, quantize });
    const t = data.test;
    const v = await verifyOnnx({
      onnx: bytes,
      reference: qp,
      features: t.features,
      targets: t.targets,
      rows: t.rows,
      ...(quantize ? { maxRmseIncrease: 0.02 } : {}),
    });
    const g = v.regression;
    quant.push(
      `| ${quantize ?? 'float32'} | ${bytes.length} | ${g?.onnxRmse?.toFixed(2)} | ${g?.referenceRmse?.toFixed(2)} | ${g?.maxAbsDiff.toExponential(1)} | ${v.ok ? 'yes' : 'FAILED'} |`,
    );
  }
  const p = peer(data, seeds, epochs, lr);
  if (p) {
    lines.push(
      `| PyTorch peer, dense (scripts/regression_peer.py) | ${ms(
        p.map((r) => r.rmse),
        2,
      )} | ${ms(
        p.map((r) => r.r2),
        4,
      )} | | | ${p[0].params} | | | | ${ms(
        p.map((r) => r.seconds),
        1,
      )} |`,
    );
  } else lines.push('', '(PyTorch peer skipped: /usr/bin/python3 has no torch.)');
  return [...lines, ...quant];
}

function stdOf(v: Float32Array): number {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
}

async function compressPart(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-reg-compress-'));
  try {
    const csv = path.join(dir, 'reg.csv');
    await writeRegressorData(csv, 2000);
    const data = await loadDataset({ data: csv, task: 'regression' });
    const model = path.join(ROOT, 'test', 'fixtures', 'import', 'torch-regressor.onnx');
    const lines = [
      `Data: 2000 rows like the torch fixtures' training problem (6 features), target = torch-regressor.onnx's own output + N(0, 0.05^2), ` +
        `so the original's test RMSE is the noise floor 0.05; 30% test split. Settings: budget training from its weights (no penalty, as \`compress\` does by default), 20 epochs, then 10 fine-tune epochs, Adam lr 3e-3.`,
      '',
      '| target ratio | parameters original -> slim (budget) | bytes original -> slim | test RMSE original | test RMSE slim | test R^2 original | test R^2 slim | RMSE slim vs original outputs |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    for (const ratio of [0.5, 0.25]) {
      const r = await compressModel(model, data, {
        targetRatio: ratio,
        task: 'regression',
        epochs: 20,
        finetuneEpochs: 10,
        train: { lr: 3e-3, seed: 0, optimizer: 'adam' },
        producerVersion: VERSION,
      });
      const f = (v: number | undefined, d: number) => (v === undefined ? '-' : v.toFixed(d));
      lines.push(
        `| ${ratio} | ${r.original.parameters} -> ${r.slim.parameters} (${r.targetParams}) | ${r.original.bytes} -> ${r.slim.bytes} | ` +
          `${f(r.original.testRmse, 4)} | ${f(r.slim.testRmse, 4)} | ${f(r.original.testR2, 5)} | ${f(r.slim.testR2, 5)} | ${f(r.outputRmse, 4)} |`,
      );
      console.error(`compress ratio ${ratio}: slim R^2 ${f(r.slim.testR2, 5)}`);
      // the same budget with the budget trainer (train --init MODEL --target-ratio R), from the imported weights
      const src = importModel(model, { task: 'regression' });
      const cfg = resolveTrainConfig({ hidden: [12], epochs: 20, lr: 3e-3, seed: 0 });
      const b = await trainToBudget(data, cfg, { targetRatio: ratio, finetuneEpochs: 10, init: src.network });
      const t = data.test;
      const out = logits(b.result.network, t.features, t.rows);
      const orig = (await runOriginal(src.original, t.features, t.rows)).logits as Float32Array;
      const m = regressionMetrics(out, t.targets as Float32Array, 1);
      const om = regressionMetrics(orig, t.targets as Float32Array, 1);
      lines.push(
        `| ${ratio}, \`train --init --target-ratio\` instead | ${r.original.parameters} -> ${b.params} (${b.targetParams}) | | ` +
          `${om.rmse.toFixed(4)} | ${m.rmse.toFixed(4)} | ${om.r2.toFixed(5)} | ${m.r2.toFixed(5)} | ${regressionMetrics(out, orig, 1).rmse.toFixed(4)} |`,
      );
    }
    lines.push(
      '',
      `Command form: \`gs-compress compress test/fixtures/import/torch-regressor.onnx --task regression --data reg.csv --target-ratio 0.25 --epochs 20 --finetune-epochs 10 --lr 3e-3 --export slim.onnx\`.`,
    );
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seeds = Array.from({ length: arg('seeds', 3) }, (_, i) => i);
  const epochs = arg('epochs', 10);
  const rowsArg = arg('rows', 0);
  const cov = await covtypePart(seeds, epochs, rowsArg > 0 ? rowsArg : undefined);
  const comp = await compressPart();
  const text = [
    '# Regression',
    '',
    `Made by \`npx tsx scripts/bench-regression.ts --seeds ${seeds.length} --epochs ${epochs}${rowsArg > 0 ? ` --rows ${rowsArg}` : ''}\` (gs-compress ${VERSION}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}).`,
    "Loss: mean squared error (as nn.MSELoss) of the standardized target; RMSE and R^2 = 1 - SSE/SST on the test split, in the target's units.",
    '',
    '## Training on real data: covtype elevation',
    '',
    ...cov,
    '',
    '## `compress` of a PyTorch regressor',
    '',
    ...comp,
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  process.stdout.write(text);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
