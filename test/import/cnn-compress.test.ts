/**
 * `gs-compress compress CNN.onnx --target-macs-ratio R`: a convolutional model exported by PyTorch
 * (test/fixtures/import) is imported, trained to the multiply-add budget from its own weights on a
 * small data set (its own labels, --labels-from-model, on rows around its input scaling), pruned,
 * exported with the ORIGINAL's interface, and compared with the original file: accuracy of both,
 * agreement, parameters, multiply-adds, bytes and µs per row in onnxruntime at batch 1 and 64. A
 * model with joins (an Inception block, torchvision's DenseNet) loses channels of its branches, and
 * SqueezeNet's convolutional head compresses. A tfjs original (our own
 * tfjs export) is timed as its exact ONNX form.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli as run } from '../helpers/cli';
import { importModel } from '../../src/import';
import { multiplyAdds, parameterCount } from '../../src/network/create';
import { randomRows, runOriginal } from '../../src/pipeline/import-check';
import { compressModel } from '../../src/pipeline/compress-model';
import { loadDataset } from '../../src/data';
import { onnx } from '../../src/codec/onnx-proto';
import { initArchNetwork } from '../../src/network/create-arch';
import { CNN_TFJS_WEIGHTS_FILE, toCnnLayersModel } from '../../src/network/layers-model-cnn';
import { runOriginalOnnx } from '../../src/onnx/original';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const fx = (f: string) => path.join(FIX, f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cnn-compress-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A CSV of `rows` random rows around the model's scaling, with a placeholder label column. */
function csvFor(file: string, rows: number, seed: number): string {
  const net = importModel(fx(file)).network;
  const d = net.inputWidth;
  const x = randomRows(net, rows, seed);
  const lines = [[...Array.from({ length: d }, (_, c) => `x${c}`), 'y'].join(',')];
  for (let r = 0; r < rows; r++) lines.push(`${Array.from(x.subarray(r * d, (r + 1) * d), (v) => v.toFixed(4)).join(',')},${r % 3}`);
  const out = path.join(tmp, `${path.basename(file, '.onnx')}-${seed}.csv`);
  fs.writeFileSync(out, `${lines.join('\n')}\n`);
  return out;
}

/** The graph input of an ONNX file: name and dims (batch first, symbolic as its name). */
function inputOf(bytes: Uint8Array): { name: string; dims: (number | string)[] } {
  const g = onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
  const i = g.input[0];
  return { name: i.name ?? '', dims: (i.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))) };
}

/** A short library run to `ratio` of the multiply-adds on the original's own labels, timed at batch 8 only. */
const quick = (ratio: number, exportPath: string): Parameters<typeof compressModel>[2] => ({
  targetMacsRatio: ratio,
  labelsFromModel: true,
  epochs: 2,
  finetuneEpochs: 1,
  train: { lr: 3e-3, seed: 0, optimizer: 'adam' },
  exportPath,
  producerVersion: 'test',
  speedBatches: [8],
});

interface CompressJson {
  targetMacs: number;
  original: { parameters: number; macs: number; bytes: number; testAccuracy: number | null };
  slim: { parameters: number; macs: number; bytes: number; testAccuracy: number | null };
  agreement: number;
  speed: { runtime: string; rows: { batch: number; originalUsPerRow: number | null; slimUsPerRow: number; speedup: number | null }[] };
  interface: string;
}

describe('compress a PyTorch CNN to a multiply-add budget', () => {
  test('batch norm kept: CLI --target-macs-ratio 0.5 --json, the figures of both and the original interface', async () => {
    const model = fx('torch-cnn-bn-kept.onnx');
    const csv = csvFor('torch-cnn-bn-kept.onnx', 300, 1);
    const out = path.join(tmp, 'slim-bn-kept.onnx');
    const r = await run([
      'compress',
      model,
      '--data',
      csv,
      '--labels-from-model',
      '--target-macs-ratio',
      '0.5',
      '--epochs',
      '2',
      '--finetune-epochs',
      '1',
      '--lr',
      '0.003',
      '--export',
      out,
      '--json',
    ]);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as CompressJson;
    const orig = importModel(model).network;
    expect(j.original.macs).toBe(multiplyAdds(orig));
    expect(j.targetMacs).toBe(Math.floor(j.original.macs * 0.5));
    expect(j.slim.macs).toBeLessThanOrEqual(j.targetMacs);
    expect(j.slim.parameters).toBeLessThan(j.original.parameters);
    expect(j.original.bytes).toBe(fs.statSync(model).size);
    expect(j.slim.bytes).toBe(fs.statSync(out).size);
    // accuracies are on the data's own (here placeholder) labels; training was on the original's labels
    expect(j.original.testAccuracy).not.toBeNull();
    expect(j.slim.testAccuracy).not.toBeNull();
    expect(j.agreement).toBeGreaterThan(0);
    expect(j.agreement).toBeLessThanOrEqual(1);
    expect(j.speed.rows.map((s) => s.batch)).toEqual([1, 64]);
    for (const s of j.speed.rows) {
      expect(s.originalUsPerRow).toBeGreaterThan(0);
      expect(s.slimUsPerRow).toBeGreaterThan(0);
      expect(s.speedup).toBeCloseTo((s.originalUsPerRow as number) / s.slimUsPerRow, 6);
    }
    // the slim file takes what the original takes: same input name and dims, same output
    const a = inputOf(fs.readFileSync(model));
    const b = inputOf(fs.readFileSync(out));
    expect(b.name).toBe(a.name);
    expect(b.dims.slice(1)).toEqual(a.dims.slice(1));
    expect(j.interface).toMatch(new RegExp(`^input ${a.name} \\[N, ${a.dims.slice(1).join(', ')}\\]`));
  });

  test('a flat input reshaped inside the graph: library call, the slim file reads the same flat rows and agrees as reported', async () => {
    const file = fx('torch-cnn-flat-input.onnx');
    const data = await loadDataset({ data: csvFor('torch-cnn-flat-input.onnx', 300, 2) });
    const out = path.join(tmp, 'slim-flat.onnx');
    const r = await compressModel(file, data, quick(0.5, out));
    expect(r.slim.macs).toBeLessThanOrEqual(Math.floor(r.original.macs * 0.5));
    expect(r.targetMacs).toBe(Math.floor(r.original.macs * 0.5));
    expect(r.speed.rows.map((s) => s.batch)).toEqual([8]);
    // the written file reads [N, 64] rows, and its labels on the test rows agree with the original's as reported
    const bytes = fs.readFileSync(out);
    const input = inputOf(bytes);
    expect(input.dims.slice(1)).toEqual([64]);
    const outName = (onnx.ModelProto.decode(bytes).graph as onnx.GraphProto).output[0].name ?? '';
    const t = data.test;
    const [z] = await runOriginalOnnx(bytes, { inputName: input.name, inputShape: [64], outputs: [outName] }, t.features, t.rows);
    const { probabilities } = await runOriginal(importModel(file).original, t.features, t.rows);
    const k = z.length / t.rows;
    const argmax = (v: Float32Array, i: number) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (v[i * k + c] > v[i * k + best]) best = c;
      return best;
    };
    let same = 0;
    for (let i = 0; i < t.rows; i++) if (argmax(z, i) === argmax(probabilities, i)) same++;
    expect(same / t.rows).toBeCloseTo(r.agreement as number, 10);
  });

  test('a model with joins (Inception, batch norm kept): the budget removes channels of the branches, and the slim file agrees as reported', async () => {
    const file = fx('torch-inception-bn-kept.onnx');
    const data = await loadDataset({ data: csvFor('torch-inception-bn-kept.onnx', 240, 4) });
    const out = path.join(tmp, 'slim-inception.onnx');
    const r = await compressModel(file, data, quick(0.4, out));
    expect(r.slim.macs).toBeLessThanOrEqual(Math.floor(r.original.macs * 0.4));
    // the slim network is what was written: its joins hold what its branches kept
    const slim = importModel(out).network;
    expect(multiplyAdds(slim)).toBe(r.slim.macs);
    const concat = slim.layers.filter((l) => l.op === 'concat');
    expect(concat).toHaveLength(2);
    const last = concat[1];
    const gap = slim.layers.find((l) => l.op === 'gap');
    expect(last.op === 'concat' && gap?.op === 'gap' && last.first + last.second === gap.channels).toBe(true);
    expect(last.op === 'concat' && last.first + last.second).toBeLessThan(9);
    expect(r.agreement).toBeGreaterThan(0.5);
  });

  test("torchvision's DenseNet (every dense layer concatenates every earlier tensor): compressed to 40% of its multiply-adds, the slim file imports with them", async () => {
    const file = fx('torchvision-densenet-small.onnx');
    const data = await loadDataset({ data: csvFor('torchvision-densenet-small.onnx', 240, 6) });
    const out = path.join(tmp, 'slim-densenet.onnx');
    const r = await compressModel(file, data, quick(0.4, out));
    expect(r.slim.macs).toBeLessThanOrEqual(Math.floor(r.original.macs * 0.4));
    const slim = importModel(out).network;
    expect(multiplyAdds(slim)).toBe(r.slim.macs);
    expect(slim.layers.filter((l) => l.op === 'concat')).toHaveLength(4);
    expect(r.agreement).toBeGreaterThan(0.3);
  });

  test("SqueezeNet's convolutional head (no Linear layer): compressed to half its multiply-adds, three classes kept", async () => {
    const file = fx('torch-squeezenet-head.onnx');
    const data = await loadDataset({ data: csvFor('torch-squeezenet-head.onnx', 240, 7) });
    const out = path.join(tmp, 'slim-squeezenet.onnx');
    const r = await compressModel(file, data, quick(0.5, out));
    expect(r.slim.macs).toBeLessThanOrEqual(Math.floor(r.original.macs * 0.5));
    const slim = importModel(out).network;
    expect(multiplyAdds(slim)).toBe(r.slim.macs);
    const last = slim.layers[slim.layers.length - 1];
    expect(last.op === 'dense' && last.outSize).toBe(3);
  });

  test('--target-speedup alone: the budget trainer times the shrinking network and the report says what it measured', async () => {
    const csv = csvFor('torch-cnn-bn-kept.onnx', 240, 5);
    const out = path.join(tmp, 'slim-speed.onnx');
    const r = await run([
      'compress',
      fx('torch-cnn-bn-kept.onnx'),
      '--data',
      csv,
      '--labels-from-model',
      // well within what this small model's smallest form gives (1.25-1.4x at batch 16 here; a
      // target beyond it is refused before training)
      '--target-speedup',
      '1.1',
      '--speed-batch',
      '16',
      '--epochs',
      '3',
      '--finetune-epochs',
      '1',
      '--export',
      out,
      '--json',
    ]);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').pop() as string) as {
      targetSpeedup: { target: number; met: boolean; speedup: number; batch: number; startUsPerRow: number; usPerRow: number };
    };
    const sp = j.targetSpeedup;
    expect([sp.target, sp.batch]).toEqual([1.1, 16]);
    expect(sp.speedup).toBeCloseTo(sp.startUsPerRow / sp.usPerRow, 6);
    if (sp.met) expect(sp.speedup).toBeGreaterThanOrEqual(1.1);
    expect(fs.existsSync(out)).toBe(true);
    const bad = await run([
      'compress',
      fx('torch-cnn-bn-kept.onnx'),
      '--data',
      csv,
      '--speed-batch',
      '4',
      '--export',
      path.join(tmp, 'x.onnx'),
    ]);
    expect(bad.err).toMatch(/give one of --target-ratio R .*--target-speedup S/);
  });

  test('a parameter budget (--target-ratio) on a CNN, text output: the sizes of both, multiply-adds and speed', async () => {
    const model = fx('torch-cnn-bn-folded.onnx');
    const csv = csvFor('torch-cnn-bn-folded.onnx', 240, 3);
    const out = path.join(tmp, 'slim-ratio.onnx');
    const r = await run([
      'compress',
      model,
      '--data',
      csv,
      '--labels-from-model',
      '--target-ratio',
      '0.5',
      '--epochs',
      '2',
      '--finetune-epochs',
      '1',
      '--export',
      out,
    ]);
    expect(r.code).toBe(0);
    const params = importModel(model).network;
    const budget = Math.floor(parameterCount(params) * 0.5);
    expect(r.out).toMatch(
      new RegExp(`^original .*torch-cnn-bn-folded\\.onnx: \\d+ parameters, ${multiplyAdds(params)} multiply-adds per example, `, 'm'),
    );
    const slim = /^slim .*: (\d+) parameters \(budget (\d+)\), (\d+) multiply-adds, /m.exec(r.out);
    expect(slim).not.toBeNull();
    expect(Number(slim?.[2])).toBe(budget);
    expect(Number(slim?.[1])).toBeLessThanOrEqual(budget);
    expect(r.out).toMatch(
      /^speed in onnxruntime-\w+ \S+ \(1 thread\), µs per row: batch 1: original [\d.]+, slim [\d.]+ \([\d.]+x\); batch 64: /m,
    );
    expect(r.out).toMatch(/^interface: input input \[N, 3, 12, 12\] -> output output \[N, 4\]/m);
  });
});

test('a tfjs CNN (our own tfjs export): compressed, and its speed timed as its exact ONNX form, said so', async () => {
  const net = initArchNetwork('c6k3p1-bn-m2-c8k3p1-m2-f12', [2, 8, 8], 3, 5);
  net.scaling = {
    mean: Float32Array.from({ length: 128 }, (_, i) => (i < 64 ? 0.5 : -1)),
    std: Float32Array.from({ length: 128 }, (_, i) => (i < 64 ? 2 : 0.5)),
  };
  const dir = path.join(tmp, 'tfjs-own');
  fs.mkdirSync(dir);
  const { modelJson, weights } = toCnnLayersModel(net, 'test');
  fs.writeFileSync(path.join(dir, 'model.json'), modelJson);
  fs.writeFileSync(path.join(dir, CNN_TFJS_WEIGHTS_FILE), weights);
  const x = randomRows(net, 300, 3);
  const lines = [[...Array.from({ length: 128 }, (_, c) => `x${c}`), 'y'].join(',')];
  for (let r = 0; r < 300; r++) lines.push(`${Array.from(x.subarray(r * 128, (r + 1) * 128), (v) => v.toFixed(4)).join(',')},${r % 3}`);
  const csv = path.join(tmp, 'tfjs-own.csv');
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
  const data = await loadDataset({ data: csv });
  const r = await compressModel(path.join(dir, 'model.json'), data, quick(0.5, path.join(tmp, 'slim-tfjs.onnx')));
  expect(r.slim.macs).toBeLessThanOrEqual(Math.floor(multiplyAdds(net) * 0.5));
  expect(r.speed.originalForm).toBe('onnx-export');
  for (const s of r.speed.rows) {
    expect(s.originalUsPerRow).toBeGreaterThan(0);
    expect(s.speedup).toBeCloseTo((s.originalUsPerRow as number) / s.slimUsPerRow, 6);
  }
});
