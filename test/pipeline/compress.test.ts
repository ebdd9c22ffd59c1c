/**
 * The compression pipeline on trained runs: exact pruning of planted dead units (smaller
 * network, same predictions, onnxruntime verification), opt-in lossy thresholding with its
 * accuracy cost reported, and the quick start on a slice of MNIST.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset, type DataSpec } from '../../src/data';
import type { SplitDataset } from '../../src/data/types';
import { GsError } from '../../src/errors';
import { parameterCount } from '../../src/network/create';
import { accuracy, logits, predictLabels } from '../../src/network/forward';
import { loadRun, saveRun } from '../../src/network/run-io';
import type { Network } from '../../src/network/types';
import { compressRun } from '../../src/pipeline/compress';
import { resolveBudgetConfig } from '../../src/pipeline/budget';
import { QUICKSTART_TARGET_RATIO, runQuickstart } from '../../src/pipeline/quickstart';
import { resolveTrainConfig } from '../../src/train/config';
import { trainNetwork } from '../../src/train/train';
import { Rng } from '../../src/util/rng';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-pipeline-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COLS = 6;
const CLASSES = 3;

function writeCsv(file: string, rows: number, seed: number): void {
  const rng = new Rng(seed);
  const centres = Array.from({ length: CLASSES }, () => Array.from({ length: COLS }, () => rng.normal() * 2));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const k = rng.int(CLASSES);
    lines.push(`${centres[k].map((m, c) => ((m + rng.normal()) * (c + 1) - 3 * c).toFixed(5)).join(',')},${k}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

const spec: DataSpec = { data: p('data.csv'), testFraction: 0.3 };
let data: SplitDataset;
let trained: Network;

function save(runDir: string, net: Network): void {
  saveRun(runDir, net, { generatedBy: 'test', createdAt: new Date(0).toISOString(), config: { hidden: [10, 6], dataSpec: spec } });
}

beforeAll(async () => {
  writeCsv(p('data.csv'), 400, 3);
  data = await loadDataset(spec);
  const cfg = resolveTrainConfig({ hidden: [10, 6], epochs: 8, batchSize: 16, lr: 0.01, seed: 2 });
  trained = (await trainNetwork(data, cfg)).network;
  expect(accuracy(trained, data.test.features, data.test.labels)).toBeGreaterThan(0.7);
});

/** Copy of the trained network with dead units and inputs planted (see the test). */
function plantDead(net: Network): Network {
  const layers = net.layers.map((l) => ({ ...l, kernel: l.kernel.slice(), bias: l.bias.slice() }));
  const [l0, l1, l2] = layers;
  const zeroRow = (l: (typeof layers)[0], i: number) => l.kernel.fill(0, i * l.outSize, (i + 1) * l.outSize);
  // inputs 0 and 3 are read by nobody
  zeroRow(l0, 0);
  zeroRow(l0, 3);
  // hidden-1 unit 2 has no incoming weights: a constant relu(bias) to fold into the next bias
  for (let i = 0; i < l0.inSize; i++) l0.kernel[i * l0.outSize + 2] = 0;
  l0.bias[2] = 0.7;
  // hidden-1 unit 5 and hidden-2 unit 1 feed nothing
  zeroRow(l1, 5);
  zeroRow(l2, 1);
  return { ...net, layers };
}

describe('compressRun', () => {
  it('prunes planted dead units exactly: smaller network, same predictions, verification ok', async () => {
    const planted = plantDead(trained);
    save(p('planted'), planted);
    const r = await compressRun(p('planted'), { exportPath: p('planted.onnx'), exportTfjsDir: p('planted-pruned') });

    expect(r.report.lossy).toBe(false);
    expect(r.report.inputs.before).toBe(COLS);
    expect(r.report.inputs.after).toBe(COLS - 2);
    expect(r.report.inputs.kept.map((k) => k.index)).toEqual([1, 2, 4, 5]);
    expect(r.report.hiddenLayers.map((h) => [h.before, h.after, h.removedUnused, h.removedConstant])).toEqual([
      [10, 8, 1, 1],
      [6, 5, 1, 0],
    ]);
    const before = COLS * 10 + 10 + 10 * 6 + 6 + 6 * CLASSES + CLASSES;
    const after = 4 * 8 + 8 + 8 * 5 + 5 + 5 * CLASSES + CLASSES;
    expect(r.report.parameters).toEqual({ before, after });
    expect(parameterCount(r.pruned)).toBe(after);
    expect((r.pruned as Network).layers.map((l) => [l.inSize, l.outSize])).toEqual([
      [4, 8],
      [8, 5],
      [5, CLASSES],
    ]);

    // exact: the pruned network computes the same function on the test rows
    const rows = data.test.rows;
    const a = logits(planted, data.test.features, rows);
    const b = logits(r.pruned, data.test.features, rows);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(Array.from(predictLabels(r.pruned, data.test.features, rows))).toEqual(
      Array.from(predictLabels(planted, data.test.features, rows)),
    );
    expect(r.accuracyBefore).toBe(accuracy(planted, data.test.features, data.test.labels));
    expect(r.accuracyAfter).toBe(r.accuracyBefore);

    expect(r.onnxPath).toBe(p('planted.onnx'));
    expect(fs.statSync(p('planted.onnx')).size).toBe(r.onnxBytes);
    expect(r.verification).not.toBeNull();
    expect(r.verification?.ok).toBe(true);
    expect(r.verification?.rows).toBe(rows);

    // the tfjs export is the pruned network
    const back = loadRun(p('planted-pruned')).network;
    expect(back.inputIndices).toEqual([1, 2, 4, 5]);
    expect(Array.from(logits(back, data.test.features, rows))).toEqual(Array.from(b));
  });

  it('exact pruning of a dense trained run changes nothing and still verifies', async () => {
    save(p('dense'), trained);
    const r = await compressRun(p('dense'), { exportPath: p('dense.onnx') });
    expect(r.report.parameters.after).toBe(r.report.parameters.before);
    expect(r.verification?.ok).toBe(true);
  });

  it('with a threshold, reports lossy pruning and the accuracy before and after', async () => {
    save(p('thr'), trained);
    // the median first-layer row norm: about half the input groups fall below it
    const l0 = trained.layers[0];
    const norms = Array.from({ length: l0.inSize }, (_, i) =>
      Math.hypot(...Array.from(l0.kernel.subarray(i * l0.outSize, (i + 1) * l0.outSize))),
    ).sort((x, y) => x - y);
    const threshold = (norms[2] + norms[3]) / 2;
    const r = await compressRun(p('thr'), { threshold, exportPath: p('thr.onnx') });
    expect(r.report.lossy).toBe(true);
    expect(r.report.threshold).toBe(threshold);
    expect(r.report.thresholdZeroed?.groups).toBeGreaterThanOrEqual(3);
    expect(r.report.inputs.after).toBe(3);
    expect(r.report.parameters.after).toBeLessThan(r.report.parameters.before);
    expect(r.accuracyBefore).toBe(accuracy(trained, data.test.features, data.test.labels));
    expect(r.accuracyAfter).toBe(accuracy(r.pruned, data.test.features, data.test.labels));
    expect(r.accuracyAfter).not.toBeNull();
    // the export reproduces the thresholded network, which is what gets deployed
    expect(r.verification?.ok).toBe(true);
  });

  it('verifies a run without recorded data on random rows, on real rows when told where the data is, or skips', async () => {
    saveRun(p('nodata'), trained, { generatedBy: 'test', createdAt: 'now' });
    const random = await compressRun(p('nodata'), { exportPath: p('nodata.onnx') });
    expect(random.verifiedOn).toBe('random rows');
    expect(random.verification).toMatchObject({ ok: true, rows: 256 });
    await expect(compressRun(p('nodata'), { exportPath: p('nodata.onnx'), quantize: 'int8' })).rejects.toThrow(GsError);
    await expect(compressRun(p('nodata'), { exportPath: p('nodata.onnx'), quantize: 'int8' })).rejects.toThrow(/does not record its data/);
    const withData = await compressRun(p('nodata'), { exportPath: p('nodata.onnx'), data: spec });
    expect(withData.verification?.ok).toBe(true);
    expect(withData.verifiedOn).toBe('data');
    const skipped = await compressRun(p('nodata'), { exportPath: p('nodata2.onnx'), skipVerify: true });
    expect(skipped.verification).toBeNull();
    expect(skipped.accuracyBefore).toBeNull();
    expect(fs.existsSync(p('nodata2.onnx'))).toBe(true);
  });
});

describe('runQuickstart', () => {
  it('trains a slice of MNIST to the budget, writes model.onnx and verifies it', async () => {
    const out = p('quick');
    const t0 = Date.now();
    const r = await runQuickstart({
      outDir: out,
      data: { data: 'mnist', maxTrainRows: 2000, maxTestRows: 500 },
      config: { epochs: 2 },
      finetuneEpochs: 1,
    });
    expect(Date.now() - t0).toBeLessThan(30000);
    expect(r.config.epochs).toBe(2);
    // the budget path with the library's defaults: no sparsity penalty, the budget learning rate for 2000 rows
    expect(r.config.penalty).toBe('none');
    expect(r.config.lr).toBe(resolveBudgetConfig(2000, { epochs: 2 }).config.lr);
    const dense = 784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10;
    expect(r.start).toEqual({ widths: [784, 32, 32, 10], params: dense });
    expect(r.budget.targetParams).toBe(Math.floor(QUICKSTART_TARGET_RATIO * dense));
    expect(r.targetMet).toBe(true);
    expect(r.budget.params).toBeLessThanOrEqual(r.budget.targetParams);
    expect(r.pruning.parameters.after).toBe(r.budget.params);
    expect(r.onnxPath).toBe(path.resolve(out, 'model.onnx'));
    expect(fs.statSync(r.onnxPath).size).toBe(r.compress.onnxBytes);
    expect(r.train.history.map((h) => h.phase ?? 'train')).toEqual(['train', 'train', 'finetune']);
    expect(r.train.history[0].totalParams).toBe(dense);
    expect(r.compress.verification?.ok).toBe(true);
    expect(r.compress.verification?.rows).toBe(500);
    expect(r.compress.accuracyAfter).toBeGreaterThan(0.5);
    expect(r.compress.started).toEqual(r.start);
    const { network, info } = loadRun(r.runDir);
    expect(network.inputWidth).toBe(784);
    expect(network.classLabels).toHaveLength(10);
    expect(info.data).toMatchObject({ kind: 'catalog', name: 'mnist' });
    expect(info.config).toMatchObject({ targetRatio: QUICKSTART_TARGET_RATIO, finetuneEpochs: 1 });
    expect(info.summary).toMatchObject({ targetParams: r.budget.targetParams, compactParams: r.budget.params, startParams: dense });
  });
});
