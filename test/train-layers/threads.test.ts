/**
 * The layers engine on two threads (train/layers-engine/parallel/): each minibatch split between
 * this thread and a worker thread gives the weights (and batch norm's running statistics) of one
 * thread up to float rounding, batch norm normalizing with the whole batch's statistics; the
 * threads setting is checked; a failure on the worker's side surfaces as an error on main's.
 */
import { GsError } from '../../src/errors';
import { initArchNetwork } from '../../src/network/create-arch';
import type { AnyLayer } from '../../src/network/types';
import { resolveTrainConfig } from '../../src/train/config';
import type { FusedConfig } from '../../src/train/fused/engine';
import { wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import { createLayersEngine, trainOp } from '../../src/train/layers-engine';
import { Link, linkBuffers } from '../../src/train/layers-engine/parallel/link';
import { startWorker } from '../../src/train/layers-engine/parallel/thread-entry';
import { chooseThreads, parseThreads } from '../../src/train/layers-engine/parallel/threads';
import type { TrainingData } from '../../src/train/types';
import { Rng } from '../../src/util/rng';

const maybe = wasmPassAvailable() ? describe : describe.skip;

/**
 * Every float array of layer k (trainable buffers and batch norm's running statistics), but with
 * `noBiasBeforeBn` a convolution's bias that batch norm follows, and that batch norm's running mean
 * (which holds the bias): the bias's gradient is 0 up to rounding, which adam scales up to full
 * steps (as in wasm-parity.test.ts).
 */
function arrays(layers: readonly AnyLayer[], k: number, noBiasBeforeBn: boolean): Float32Array[] {
  const l = layers[k];
  const out = [...trainOp(l).params(l)];
  if (noBiasBeforeBn && l.op === 'conv' && layers[k + 1]?.op === 'batchnorm') out.length = 1;
  if (l.op === 'batchnorm') {
    if (!(noBiasBeforeBn && layers[k - 1]?.op === 'conv')) out.push(l.runningMean);
    out.push(l.runningVar);
  }
  return out;
}

/** Largest |a - b| / max(|a|, |b|, floor) over every array of two layer lists. */
function maxRel(a: readonly AnyLayer[], b: readonly AnyLayer[], floor: number, noBiasBeforeBn = false): number {
  let worst = 0;
  a.forEach((_l, k) => {
    const pb = arrays(b, k, noBiasBeforeBn);
    arrays(a, k, noBiasBeforeBn).forEach((buf, i) =>
      buf.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - pb[i][j]) / Math.max(floor, Math.abs(v), Math.abs(pb[i][j]))))),
    );
  });
  return worst;
}

maybe('the layers engine on two threads', () => {
  test.each<[string, string, Partial<FusedConfig>]>([
    ['adam, group lasso with prox steps', 'c4k3p1-m2-c6k3-f8', { penalty: 'gl', lambda: 2e-3 }],
    [
      'batch norm, sgd, group lasso with prox steps',
      'c4k3p1-bn-m2-c6k3p1-bn-f8',
      { optimizer: 'sgd', lr: 0.05, penalty: 'gl', lambda: 2e-3 },
    ],
    ['batch norm, adam (but the biases before batch norm)', 'c4k3p1-bn-m2-c6k3p1-bn-f8', {}],
    ['residual blocks with batch norm, sgd', 'c4k3p1-bn-(c4k3p1-bn-c4k3p1-bn)-m2-c6k3-bn', { optimizer: 'sgd', lr: 0.05 }],
  ])('%s: the weights and statistics of one thread', (_name, arch, over) => {
    // batches of 13 over 40 rows: parts of 7 and 6 rows, and a last batch of one row (main alone)
    const cfg: FusedConfig = { optimizer: 'adam', lr: 1e-2, batchSize: 13, penalty: 'none', lambda: 0, solver: 'prox', ...over };
    const inShape = [1, 8, 8];
    const net = initArchNetwork(arch, inShape, 4, 5);
    const cols = 64;
    const ROWS = 40;
    const rng = new Rng(7);
    const x = Float32Array.from({ length: ROWS * cols }, () => rng.normal());
    const y = Int32Array.from({ length: ROWS }, (_, r) => (x[r * cols] > 0 ? 1 : 0) + (x[r * cols + 5] > 0 ? 2 : 0));
    const d: TrainingData = { x, y, rows: ROWS, cols, classes: 4 };
    const one = createLayersEngine(net.layers, inShape, d, cfg, { threads: 1 });
    const two = createLayersEngine(net.layers, inShape, d, cfg, { threads: 2 });
    try {
      expect(one.name).toBe('layers-wasm');
      expect(two.name).toBe('layers-wasm (2 threads)');
      const order = new Rng(11);
      for (let epoch = 0; epoch < 3; epoch++) {
        const o = order.permutation(ROWS);
        const a = one.runEpoch(o);
        const b = two.runEpoch(o);
        expect(Math.abs(a - b)).toBeLessThan(1e-5 * Math.max(1, a));
      }
      expect(maxRel(one.layers(), two.layers(), 1e-2, cfg.optimizer === 'adam')).toBeLessThan(2e-5);
      // the weights did move
      expect(maxRel(one.layers(), net.layers, 1e-2)).toBeGreaterThan(1e-2);
    } finally {
      one.dispose();
      two.dispose();
    }
    expect(() => two.runEpoch(new Int32Array([0]))).toThrow(/disposed/);
  });

  test('the threads setting: auto, 1 or 2, checked', () => {
    expect(parseThreads('auto')).toBe('auto');
    expect(parseThreads('2')).toBe(2);
    expect(parseThreads(1)).toBe(1);
    for (const bad of [3, 0, '1.5', 'two', '']) expect(() => parseThreads(bad)).toThrow(GsError);
    expect(() => parseThreads(3)).toThrow('--threads 3: expected auto, 1 or 2');
    expect(() => resolveTrainConfig({ threads: 'four' })).toThrow('--threads four: expected auto, 1 or 2');
    // the default is stored as absent; 1 and 2 as numbers
    expect(resolveTrainConfig({ threads: 'auto' }).threads).toBeUndefined();
    expect(resolveTrainConfig({ threads: '2' }).threads).toBe(2);
    const net = initArchNetwork('c2k3-f4', [1, 5, 5], 2, 1);
    const d: TrainingData = { x: new Float32Array(50), y: new Int32Array(2), rows: 2, cols: 25, classes: 2 };
    const cfg: FusedConfig = { optimizer: 'adam', lr: 1e-2, batchSize: 2, penalty: 'none', lambda: 0, solver: 'prox' };
    expect(() => createLayersEngine(net.layers, [1, 5, 5], d, cfg, { threads: 3 as never })).toThrow(GsError);
    // auto: one thread off the WebAssembly kernels, for small batches and for few rows
    expect(chooseThreads('auto', false, 64, 50000)).toBe(1);
    expect(chooseThreads('auto', true, 8, 50000)).toBe(1);
    expect(chooseThreads('auto', true, 64, 100)).toBe(1);
    expect(chooseThreads(2, false, 64, 50000)).toBe(1);
    expect(chooseThreads(2, true, 8, 100)).toBe(2);
  });
});

test("the link between the threads: the worker's failure is main's error, a stop ends the worker's loop", () => {
  const bufs = linkBuffers(4);
  const main = new Link(bufs, 0);
  const worker = new Link(bufs, 1);
  main.post(3, 6);
  expect(worker.next()).toEqual({ part: 3, total: 6 });
  worker.done();
  main.awaitDone();
  main.post(2, 4);
  expect(worker.next()).toEqual({ part: 2, total: 4 });
  worker.fail(new Error('boom'));
  expect(() => main.awaitDone()).toThrow('the training worker thread failed: boom');
  const b2 = linkBuffers(4);
  new Link(b2, 0).stop(false);
  expect(new Link(b2, 1).next()).toBeNull();
});

test('a worker thread that fails: its error is thrown on main, and the thread ends', async () => {
  const bufs = linkBuffers(4);
  const sab = (bytes: number) => new SharedArrayBuffer(bytes);
  // a layer type without training kernels: the worker fails while it sets up
  const worker = startWorker({
    link: bufs,
    layers: [{ op: 'bogus' } as unknown as AnyLayer],
    inShape: [4],
    batch: 2,
    params: sab(16),
    grads: sab(16),
    loss: sab(8),
    x: sab(16),
    rows: sab(8),
    cols: 4,
    y: new Int32Array(1),
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  expect(() => new Link(bufs, 0).awaitReady()).toThrow(/the training worker thread failed: .*bogus/);
  await exited;
});
