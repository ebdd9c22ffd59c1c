/**
 * Quantized exports (LOSSY, opt-in): float16 bit conversion, int8 per-channel weights, both run
 * in onnxruntime-node and onnxruntime-web (WebAssembly in Node) and stay close to the float
 * network; lossy verification passes within --max-accuracy-drop and fails past it.
 */
import { argmaxRows, predictLabels } from '../../src/network/forward';
import { exportOnnx, runOnnx, verifyOnnx } from '../../src/onnx';
import { fromHalfBits, INT8_WEIGHT_MAX, quantizeKernelInt8, toHalfBits } from '../../src/onnx/quantize';
import { Rng } from '../../src/util/rng';
import { keepInputs, maxAbsDiff, predictProba, randomData, randomNet } from './helpers';

describe('float16 and int8 weights', () => {
  test('float32 -> half bits: exact values, rounding to nearest even, subnormals, overflow', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(0.1)).toBe(0x2e66);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    const rng = new Rng(1);
    for (let i = 0; i < 2000; i++) {
      const v = rng.normal() * 10 ** (rng.next() * 6 - 3);
      const back = fromHalfBits(toHalfBits(v));
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25);
    }
  });

  test('int8 per output channel: the largest weight of each column maps to +-INT8_WEIGHT_MAX, errors within half a step', () => {
    const net = randomNet(20, [6], 3, 2);
    const layer = net.layers[0];
    const { q, scale } = quantizeKernelInt8(layer);
    for (let j = 0; j < layer.outSize; j++) {
      let m = 0;
      for (let i = 0; i < layer.inSize; i++) {
        const k = i * layer.outSize + j;
        m = Math.max(m, Math.abs(q[k]));
        expect(Math.abs(q[k] * scale[j] - layer.kernel[k])).toBeLessThanOrEqual(scale[j] / 2 + 1e-9);
      }
      expect(m).toBe(INT8_WEIGHT_MAX);
    }
  });

  for (const runtime of ['node', 'web'] as const) {
    test(`int8 and float16 exports run in onnxruntime-${runtime} close to the float network`, async () => {
      const net = keepInputs(
        randomNet(60, [32, 16], 5, 3, true),
        Array.from({ length: 40 }, (_, i) => i + 10),
      );
      const rows = 400;
      const x = randomData(rows, 60, 4);
      const ref = predictProba(net, x, rows);
      const refLabels = argmaxRows(ref, 5);
      for (const [quantize, tol, minAgree] of [
        ['float16', 2e-3, 0.99],
        ['int8', 0.1, 0.9],
      ] as const) {
        for (const compactInput of [false, true]) {
          const bytes = exportOnnx(net, { producerVersion: 't', quantize, compactInput });
          const fed = compactInput ? x.filter((_, i) => i % 60 >= 10 && i % 60 < 50) : x;
          const out = await runOnnx(bytes, fed, rows, fed.length / rows, { runtime });
          expect(maxAbsDiff(out.probabilities, ref)).toBeLessThanOrEqual(tol);
          expect(maxAbsDiff(out.probabilities, ref)).toBeGreaterThan(0); // it is lossy
          const agree = out.labels.reduce((s, l, i) => s + (l === refLabels[i] ? 1 : 0), 0) / rows;
          expect(agree).toBeGreaterThanOrEqual(minAgree);
        }
      }
    });
  }

  test('an int8 file is at most 0.3x the float32 file (MNIST-sized first layer; 0.35x compact, where the kept-column list weighs more), float16 about half', () => {
    const net = keepInputs(
      randomNet(784, [32, 24], 10, 7),
      Array.from({ length: 450 }, (_, i) => 150 + i),
    );
    for (const compactInput of [false, true]) {
      const float = exportOnnx(net, { producerVersion: 't', compactInput }).length;
      const int8 = exportOnnx(net, { producerVersion: 't', compactInput, quantize: 'int8' }).length;
      expect(int8).toBeLessThanOrEqual((compactInput ? 0.35 : 0.3) * float);
      expect(exportOnnx(net, { producerVersion: 't', compactInput, quantize: 'float16' }).length).toBeLessThanOrEqual(0.55 * float);
    }
  });

  test('lossy verification passes within the allowed accuracy drop and fails past it', async () => {
    const net = randomNet(30, [24], 4, 5, true);
    const rows = 500;
    const x = randomData(rows, 30, 6);
    const labels = predictLabels(net, x, rows); // the float network is 100% accurate on these labels
    const int8 = exportOnnx(net, { producerVersion: 't', quantize: 'int8' });
    const ok = await verifyOnnx({ onnx: int8, reference: net, features: x, labels, rows, maxAccuracyDrop: 0.2 });
    expect(ok).toMatchObject({ ok: true, mode: 'lossy', referenceAccuracy: 1, maxAccuracyDrop: 0.2 });
    const drop = 1 - (ok.onnxAccuracy ?? 0);
    expect(ok.agreement).toBeCloseTo(1 - drop, 10);
    // a model with a shifted output bias loses accuracy: fails when the drop exceeds the allowance
    const shifted = {
      ...net,
      layers: [net.layers[0], { ...net.layers[1], bias: net.layers[1].bias.map((b, j) => (j === 0 ? b + 3 : b)) }],
    };
    const bad = await verifyOnnx({
      onnx: exportOnnx(shifted, { producerVersion: 't', quantize: 'int8' }),
      reference: net,
      features: x,
      labels,
      rows,
      maxAccuracyDrop: 0.005,
    });
    expect(bad.onnxAccuracy).toBeLessThan(0.995);
    expect(bad).toMatchObject({ ok: false, mode: 'lossy' });
  });

  test('int8-weights: int8 in the file, float compute: outputs within the weight rounding of the float network, in node and web', async () => {
    const net = keepInputs(
      randomNet(200, [32, 16], 4, 31, true),
      Array.from({ length: 120 }, (_, i) => 40 + i),
    );
    const rows = 300;
    const x = randomData(rows, 200, 32);
    const bytes = exportOnnx(net, { producerVersion: 't', quantize: 'int8-weights' });
    const float = exportOnnx(net, { producerVersion: 't' });
    expect(bytes.length).toBeLessThan(0.6 * float.length);
    const ref = predictProba(net, x, rows);
    for (const runtime of ['node', 'web'] as const) {
      const out = await runOnnx(bytes, x, rows, 200, { runtime });
      // per-channel 8-bit weights: a relative error of at most 1/254 per weight
      expect(maxAbsDiff(out.probabilities, ref)).toBeLessThan(0.05);
      expect(maxAbsDiff(out.probabilities, ref)).toBeGreaterThan(0); // it is lossy
    }
  });

  test('int8 keeps columns of very different ranges: a 0/1 flag beside a feature in the thousands (standardized data)', async () => {
    // covtype-like: column 0 in metres (mean 3000, std 300), columns 1-5 flags (0/1), the network reading all of them
    const base = randomNet(6, [16], 3, 21, true);
    const mean = Float32Array.of(3000, 0.5, 0.5, 0.5, 0.5, 0.5);
    const std = Float32Array.of(300, 0.5, 0.5, 0.5, 0.5, 0.5);
    const net = { ...base, scaling: { mean, std } };
    const rows = 2000;
    const rng = new Rng(22);
    const x = new Float32Array(rows * 6);
    for (let r = 0; r < rows; r++) {
      x[r * 6] = 3000 + 300 * rng.normal();
      for (let c = 1; c < 6; c++) x[r * 6 + c] = rng.next() < 0.5 ? 0 : 1;
    }
    const ref = predictLabels(net, x, rows);
    for (const quantize of ['int8', 'int8-weights'] as const) {
      for (const compactInput of [false, true]) {
        const out = await runOnnx(exportOnnx(net, { producerVersion: 't', quantize, compactInput }), x, rows, 6);
        const agree = ref.reduce((n, l, i) => n + (l === out.labels[i] ? 1 : 0), 0) / rows;
        expect(agree).toBeGreaterThan(quantize === 'int8' ? 0.97 : 0.99);
      }
    }
  });
});
