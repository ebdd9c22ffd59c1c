/**
 * Convolutional networks for the layer tests: random inputs, batch norms with random statistics,
 * LeNet-5 with channels made dead, and the checks that a pruned network computes what it did.
 */
import { initArchNetwork } from '../../../src/network/create-arch';
import type { ConvLayer } from '../../../src/network/layers/conv';
import type { DenseLayer } from '../../../src/network/layers/dense';
import { logits } from '../../../src/network/forward';
import type { AnyLayer, Network } from '../../../src/network/types';
import { exportOnnx } from '../../../src/onnx/export';
import { verifyOnnx } from '../../../src/onnx/verify';
import { Rng } from '../../../src/util/rng';

export function randomInputs(net: Network<AnyLayer>, rows: number, seed = 7): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * net.inputWidth }, () => rng.normal());
}

/** Zeroes filter o of a convolution and sets its bias. */
export function zeroFilter(c: ConvLayer, o: number, bias: number): void {
  const per = c.weight.length / c.cout;
  c.weight.fill(0, o * per, (o + 1) * per);
  c.bias[o] = bias;
}

/** Zeroes what a convolution reads from input channel i. */
export function zeroSlice(c: ConvLayer, i: number): void {
  const k = c.weight.length / (c.cout * c.cin);
  for (let o = 0; o < c.cout; o++) c.weight.fill(0, (o * c.cin + i) * k, (o * c.cin + i + 1) * k);
}

/** LeNet-5 on 1x28x28 with four of its channels dead: conv1 {0: constant, 2: unused}, conv2 {3: constant, 5: unused}. */
export function deadLenet(): Network<AnyLayer> {
  const net = initArchNetwork('lenet5', [1, 28, 28], 10, 3);
  const [c1, , c2, , , d1] = net.layers as [ConvLayer, AnyLayer, ConvLayer, AnyLayer, AnyLayer, DenseLayer];
  zeroFilter(c1, 0, 0.3); // relu(0.3) through max pool into conv2 (no padding): folded
  zeroSlice(c2, 2); // conv1's channel 2 is read by nothing
  zeroFilter(c2, 3, 0.2); // constant 0.2 through pool and flatten into the dense layer: 16 rows folded
  d1.kernel.fill(0, 5 * 16 * 120, 6 * 16 * 120); // the 16 rows of conv2's channel 5: unused
  return net;
}

/** Batch norms with random statistics (in place), so that the blocks compute something non-trivial. */
export function randomBatchNorms(net: Network<AnyLayer>, seed: number): Network<AnyLayer> {
  const rng = new Rng(seed);
  for (const l of net.layers) {
    if (l.op !== 'batchnorm') continue;
    for (let c = 0; c < l.channels; c++) {
      l.gamma[c] = 0.5 + rng.next();
      l.beta[c] = rng.normal() * 0.2;
      l.runningMean[c] = rng.normal() * 0.1;
      l.runningVar[c] = 0.5 + rng.next();
    }
  }
  return net;
}

/** The largest difference between two networks' logits on 12 random rows. */
export function maxLogitDiff(a: Network<AnyLayer>, b: Network<AnyLayer>): number {
  const x = randomInputs(a, 12, 5);
  const za = logits(a, x, 12);
  const zb = logits(b, x, 12);
  return za.reduce((m, v, i) => Math.max(m, Math.abs(v - zb[i])), 0);
}

/** Expects the network's ONNX export (or `bytes`) to give its probabilities in onnxruntime (to 1e-5) on `rows` random rows. */
export async function expectAgreesInOnnx(net: Network<AnyLayer>, rows = 12, bytes?: Uint8Array): Promise<void> {
  const r = await verifyOnnx({
    onnx: bytes ?? exportOnnx(net, { producerVersion: 'test' }),
    reference: net,
    features: randomInputs(net, rows, 9),
    rows,
  });
  expect(r.maxProbDiff).toBeLessThan(1e-5);
  expect(r.ok).toBe(true);
}
