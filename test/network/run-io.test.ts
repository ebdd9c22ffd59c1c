/**
 * Saving and loading a run directory: the round trip is exact, the written model.json +
 * weights.bin are a real tfjs LayersModel, and damaged or unsafe files are refused with a
 * GsError that names the file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { GsError } from '../../src/errors';
import { initNetwork, parameterCount } from '../../src/network/create';
import { logits, softmaxRows } from '../../src/network/forward';
import { weightPaths, WEIGHTS_FILE } from '../../src/network/layers-model';
import { loadRun, MODEL_FILE, RUN_FILE, RUN_RECORD_VERSION, saveRun } from '../../src/network/run-io';
import type { Network } from '../../src/network/types';
import { Rng } from '../../src/util/rng';
import { parseAs } from '../helpers/json';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-run-io-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const D = 7;
const ROWS = 50;

function scaledNet(seed: number): Network {
  const rng = new Rng(seed + 500);
  const scaling = {
    mean: Float32Array.from({ length: D }, () => rng.normal() * 3),
    std: Float32Array.from({ length: D }, () => 0.2 + rng.next() * 4),
  };
  return initNetwork({ inputWidth: D, hidden: [6, 5], classes: 4 }, seed, { scaling, classLabels: ['a', 'b', 'c', 'd'] });
}

/** The network reading only raw columns `keep` (as pruning leaves it): first-kernel rows picked. */
function keepInputs(net: Network, keep: number[]): Network {
  const l0 = net.layers[0];
  const kernel = new Float32Array(keep.length * l0.outSize);
  keep.forEach((c, i) => kernel.set(l0.kernel.subarray(c * l0.outSize, (c + 1) * l0.outSize), i * l0.outSize));
  return { ...net, inputIndices: keep, layers: [{ ...l0, inSize: keep.length, kernel }, ...net.layers.slice(1)] };
}

function data(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: ROWS * D }, () => rng.normal() * 3 + 1);
}

/** What the LayersModel sees: raw rows with inputIndices selected and scaling applied. */
function preprocess(net: Network, x: Float32Array, rows: number): Float32Array {
  const idx = net.inputIndices;
  const out = new Float32Array(rows * idx.length);
  for (let r = 0; r < rows; r++) {
    idx.forEach((c, k) => {
      const v = x[r * net.inputWidth + c];
      out[r * idx.length + k] = net.scaling ? (v - net.scaling.mean[c]) / net.scaling.std[c] : v;
    });
  }
  return out;
}

/** A tfjs IOHandler that reads model.json and its weight files from a directory with plain fs. */
function dirHandler(dir: string): tf.io.IOHandler {
  return {
    load: () => {
      const model = parseAs<tf.io.ModelJSON>(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const groups = model.weightsManifest;
      const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
      return Promise.resolve({
        modelTopology: model.modelTopology,
        format: model.format,
        generatedBy: model.generatedBy,
        convertedBy: model.convertedBy,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      });
    },
  };
}

const CASES: [string, Network][] = [
  ['with scaling and a subset of inputs', keepInputs(scaledNet(3), [0, 2, 3, 6])],
  ['without scaling', initNetwork({ inputWidth: D, hidden: [8], classes: 3 }, 11)],
  ['logistic regression with scaling', initNetwork({ inputWidth: D, hidden: [], classes: 2 }, 12, { scaling: scaledNet(4).scaling })],
];

describe.each(CASES)('round trip: %s', (name, net) => {
  const dir = path.join(root, name.replace(/\W+/g, '-'));
  beforeAll(() => saveRun(dir, net, { generatedBy: 'test', createdAt: '2024-01-01T00:00:00Z', engine: 'fused-js', config: { lr: 0.5 } }));

  it('holds exactly model.json, gs-run.json and the weight files model.json names', () => {
    const named = weightPaths(fs.readFileSync(path.join(dir, MODEL_FILE), 'utf8'), MODEL_FILE);
    expect(named).toEqual([WEIGHTS_FILE]);
    expect(fs.readdirSync(dir).sort()).toEqual([MODEL_FILE, RUN_FILE, ...named].sort());
    expect(fs.statSync(path.join(dir, WEIGHTS_FILE)).size).toBe(4 * parameterCount(net));
  });

  it('loadRun gives back the same network and exactly the same logits', () => {
    const { network: back, info } = loadRun(dir);
    expect(info).toMatchObject({
      format: 'gs-compress-run',
      version: RUN_RECORD_VERSION,
      generatedBy: 'test',
      engine: 'fused-js',
      config: { lr: 0.5 },
    });
    expect(back.inputWidth).toBe(net.inputWidth);
    expect(back.inputIndices).toEqual(net.inputIndices);
    expect(back.classLabels).toEqual(net.classLabels);
    expect(back.featureNames).toEqual(net.featureNames);
    expect(back.scaling === null).toBe(net.scaling === null);
    if (net.scaling && back.scaling) {
      expect(Array.from(back.scaling.mean)).toEqual(Array.from(net.scaling.mean));
      expect(Array.from(back.scaling.std)).toEqual(Array.from(net.scaling.std));
    }
    expect(back.layers.map((l) => [l.inSize, l.outSize])).toEqual(net.layers.map((l) => [l.inSize, l.outSize]));
    back.layers.forEach((l, i) => {
      expect(Array.from(l.kernel)).toEqual(Array.from(net.layers[i].kernel));
      expect(Array.from(l.bias)).toEqual(Array.from(net.layers[i].bias));
    });
    const x = data(7);
    const a = logits(net, x, ROWS);
    const b = logits(back, x, ROWS);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('the files load with tf.loadLayersModel and predict softmax of our logits', async () => {
    const model = await tf.loadLayersModel(dirHandler(dir));
    try {
      const x = data(8);
      const input = preprocess(net, x, ROWS);
      const out = tf.tidy(() => (model.predict(tf.tensor2d(input, [ROWS, net.inputIndices.length])) as tf.Tensor).dataSync().slice());
      const classes = net.layers[net.layers.length - 1].outSize;
      const want = softmaxRows(logits(net, x, ROWS), classes);
      expect(out.length).toBe(want.length);
      let maxDiff = 0;
      for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - want[i]));
      expect(maxDiff).toBeLessThan(1e-5);
      // not a degenerate comparison: the probabilities vary across rows and classes
      expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.1);
    } finally {
      model.dispose();
    }
  });
});

describe('damaged and unsafe run directories', () => {
  const net = scaledNet(5);
  let n = 0;
  /** A fresh, valid run directory to damage. */
  function freshRun(): string {
    const dir = path.join(root, `damaged-${n++}`);
    saveRun(dir, net, { generatedBy: 'test', createdAt: 'now' });
    expect(() => loadRun(dir)).not.toThrow();
    return dir;
  }

  function loadError(dir: string): GsError {
    try {
      loadRun(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(GsError);
      return e as GsError;
    }
    throw new Error(`loadRun(${dir}) did not throw`);
  }

  it('model.json that is not JSON', () => {
    const dir = freshRun();
    fs.writeFileSync(path.join(dir, 'model.json'), '{"format": "layers-model", "modelTopology": {');
    const e = loadError(dir);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain(path.join(dir, 'model.json'));
    expect(e.message).toMatch(/not valid JSON/);
  });

  it('a truncated weights.bin', () => {
    const dir = freshRun();
    const w = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(w);
    fs.writeFileSync(w, bytes.subarray(0, bytes.length - 12));
    const e = loadError(dir);
    expect(e.code).toBe('BAD_MODEL');
    // the message names the run's model files and says what is wrong
    expect(e.message).toContain(dir);
    expect(e.message).toContain(`${bytes.length - 12} bytes`);
    expect(e.message).toContain(`${bytes.length}`);
    expect(e.message).toMatch(/truncated/);
  });

  it('a missing weights.bin', () => {
    const dir = freshRun();
    fs.rmSync(path.join(dir, 'weights.bin'));
    const e = loadError(dir);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain('weights.bin');
  });

  describe.each([
    ['a relative path leaving the directory', (dir: string) => path.join(dir, '..', 'outside.bin'), () => '../outside.bin'],
    ['an absolute path', (dir: string) => path.join(dir, '..', 'outside-abs.bin'), (target: string) => target],
  ])('a weightsManifest path that is %s is refused without reading it', (_label, targetOf, manifestPath) => {
    it('throws BAD_MODEL and never opens the target', () => {
      const dir = freshRun();
      const target = path.resolve(targetOf(dir));
      // the outside file holds valid weights, so reading it would make the load succeed
      fs.copyFileSync(path.join(dir, 'weights.bin'), target);
      const modelPath = path.join(dir, 'model.json');
      const model = parseAs<tf.io.ModelJSON>(fs.readFileSync(modelPath, 'utf8'));
      model.weightsManifest[0].paths = [manifestPath(target)];
      fs.writeFileSync(modelPath, JSON.stringify(model));
      fs.rmSync(path.join(dir, 'weights.bin'));

      // spy on the module object itself (the `import * as fs` namespace is read-only, but it
      // forwards to this object, so loadRun's reads go through the spy)
      const read = jest.spyOn(jest.requireActual<typeof fs>('fs'), 'readFileSync');
      let e: GsError;
      let files: string[];
      try {
        e = loadError(dir);
        files = read.mock.calls.map((c) => path.resolve(String(c[0])));
      } finally {
        read.mockRestore();
      }
      expect(files).toContain(modelPath); // the spy saw loadRun's reads
      expect(files).not.toContain(target);
      expect(e.code).toBe('BAD_MODEL');
      expect(e.message).toContain(modelPath);
      expect(e.message).toContain(JSON.stringify(manifestPath(target)));
    });
  });

  it('a missing gs-run.json', () => {
    const dir = freshRun();
    fs.rmSync(path.join(dir, 'gs-run.json'));
    const e = loadError(dir);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(path.join(dir, 'gs-run.json'));
  });

  it('a gs-run.json that is not JSON', () => {
    const dir = freshRun();
    fs.writeFileSync(path.join(dir, 'gs-run.json'), '{"format": "gs-compress-run",');
    const e = loadError(dir);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain(path.join(dir, 'gs-run.json'));
  });

  it.each([
    ['too few columns', [0, 1, 2]],
    ['a column beyond inputWidth', [0, 1, 2, 3, 4, 5, 7]],
    ['a negative column', [-1, 1, 2, 3, 4, 5, 6]],
    ['a fractional column', [0, 1, 2, 3.5, 4, 5, 6]],
  ])('a gs-run.json whose inputIndices has %s', (_label, indices) => {
    const dir = freshRun();
    const runPath = path.join(dir, 'gs-run.json');
    const run = parseAs<{ network: { inputIndices: number[] } }>(fs.readFileSync(runPath, 'utf8'));
    run.network.inputIndices = indices;
    fs.writeFileSync(runPath, JSON.stringify(run));
    const e = loadError(dir);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain(runPath);
    expect(e.message).toMatch(/inputIndices/);
  });

  it('a directory that does not exist', () => {
    const e = loadError(path.join(root, 'no-such-run'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain('no-such-run');
  });
});
