/**
 * One input contract: the tfjs export reads the same raw features as the ONNX export (column
 * selection and standardization inside the model), or with compact input the same kept columns;
 * both run on the test split and agree. Every export has a manifest beside it, and a tfjs export
 * directory still loads back as the same network.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadDataset, type DataSpec } from '../../src/data';
import { selectColumns } from '../../src/data/columns';
import type { SplitDataset } from '../../src/data/types';
import { argmaxRows, predictProba } from '../../src/network/forward';
import type { Manifest } from '../../src/network/manifest';
import { loadRun, saveRun } from '../../src/network/run-io';
import type { Network } from '../../src/network/types';
import { runOnnx } from '../../src/onnx';
import { compressRun } from '../../src/pipeline/compress';
import { resolveTrainConfig } from '../../src/train/config';
import { trainNetwork } from '../../src/train/train';
import { Rng } from '../../src/util/rng';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-contract-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COLS = 8;
const spec: DataSpec = { data: p('data.csv'), testFraction: 0.3 };
let data: SplitDataset;

/** Columns with means far larger than their spread (as in SDD), a header with names. */
function writeCsv(file: string, rows: number): void {
  const rng = new Rng(4);
  const centres = Array.from({ length: 3 }, () => Array.from({ length: COLS }, () => rng.normal()));
  const lines = [`${Array.from({ length: COLS }, (_, c) => `sensor_${c}`).join(',')},label`];
  for (let r = 0; r < rows; r++) {
    const k = rng.int(3);
    lines.push(`${centres[k].map((m, c) => (1000 * (c + 1) + (m + 0.5 * rng.normal()) * 0.01 * (c + 1)).toFixed(6)).join(',')},k${k}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

function dirHandler(d: string): tf.io.IOHandler {
  return {
    load: () => {
      const model = JSON.parse(fs.readFileSync(path.join(d, 'model.json'), 'utf8')) as {
        modelTopology: object;
        format: string;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      const groups = model.weightsManifest;
      const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((f) => fs.readFileSync(path.join(d, f)))));
      return Promise.resolve({
        modelTopology: model.modelTopology,
        format: model.format,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      });
    },
  };
}

async function tfjsPredict(d: string, x: Float32Array, rows: number): Promise<Float32Array> {
  const model = await tf.loadLayersModel(dirHandler(d));
  try {
    return tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, x.length / rows])) as tf.Tensor).dataSync() as Float32Array).slice();
  } finally {
    model.dispose();
  }
}

let trained: Network;
beforeAll(async () => {
  await tf.setBackend('cpu');
  writeCsv(p('data.csv'), 500);
  data = await loadDataset(spec);
  trained = (await trainNetwork(data, resolveTrainConfig({ hidden: [12, 6], epochs: 6, batchSize: 16, lr: 0.01, seed: 3 }))).network;
  // columns 1, 4 and 6 are read by nobody: pruning drops them
  for (const c of [1, 4, 6]) trained.layers[0].kernel.fill(0, c * 12, (c + 1) * 12);
  saveRun(p('run'), trained, { generatedBy: 'test', createdAt: new Date(0).toISOString(), config: { dataSpec: spec } });
});

describe('tfjs and ONNX exports take the same input', () => {
  for (const compactInput of [false, true]) {
    it(`${compactInput ? 'compact input (kept columns)' : 'raw features'}: tfjs and ONNX agree on the test split`, async () => {
      const tag = compactInput ? 'compact' : 'raw';
      const r = await compressRun(p('run'), { exportPath: p(`${tag}.onnx`), exportTfjsDir: p(`${tag}-tfjs`), compactInput });
      expect(r.verification?.ok).toBe(true);
      expect(r.pruned.inputIndices).toEqual([0, 2, 3, 5, 7]);
      const { rows, cols } = data.test;
      const x = compactInput ? selectColumns(data.test.features, rows, cols, r.pruned.inputIndices) : data.test.features;
      const onnx = await runOnnx(p(`${tag}.onnx`), x, rows, x.length / rows);
      const tfjs = await tfjsPredict(p(`${tag}-tfjs`), x, rows);
      expect(tfjs.length).toBe(onnx.probabilities.length);
      let maxDiff = 0;
      for (let i = 0; i < tfjs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(tfjs[i] - onnx.probabilities[i]));
      expect(maxDiff).toBeLessThanOrEqual(1e-5);
      expect(Array.from(argmaxRows(tfjs, 3))).toEqual(Array.from(onnx.labels));
      // and both equal the trained network on raw features
      const ref = predictProba(trained, data.test.features, rows);
      for (let i = 0; i < tfjs.length; i++) expect(Math.abs(tfjs[i] - ref[i])).toBeLessThanOrEqual(1e-5);

      // the manifests say what to feed and what comes out
      for (const [file, format] of [
        [p(`${tag}.manifest.json`), 'onnx'],
        [p(`${tag}-tfjs/manifest.json`), 'tfjs-layers-model'],
      ] as const) {
        const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
        expect(m.modelFormat).toBe(format);
        expect(m.input.kind).toBe(compactInput ? 'kept-columns' : 'raw-columns');
        expect(m.input.width).toBe(x.length / rows);
        expect(m.input.columns).toEqual([0, 2, 3, 5, 7].map((c) => ({ index: c, name: `sensor_${c}` })));
        expect(m.output.classLabels).toEqual(r.pruned.classLabels);
        expect(m.scaling?.mean).toEqual([0, 2, 3, 5, 7].map((c) => trained.scaling!.mean[c]));
        expect(m.producedBy.run).not.toMatch(/^\//); // relative, never absolute
        expect(path.resolve(path.dirname(file), m.producedBy.run!)).toBe(p('run'));
      }

      // the tfjs export directory loads back as the pruned network
      const back = loadRun(p(`${tag}-tfjs`)).network;
      expect(back.inputIndices).toEqual(r.pruned.inputIndices);
      const pruned = r.pruned as Network; // a dense run
      expect(back.layers.map((l) => [l.inSize, l.outSize])).toEqual(pruned.layers.map((l) => [l.inSize, l.outSize]));
      expect(Array.from(back.layers[0].kernel)).toEqual(Array.from(pruned.layers[0].kernel));
    });
  }
});
