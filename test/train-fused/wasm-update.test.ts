/**
 * The WebAssembly parameter update against the TypeScript one: the proximal operators give
 * bit-identical results from the same inputs with a scalar step (same float64 arithmetic), and
 * agree to float32 rounding with per-coordinate steps (SIMD group prox); whole engines on
 * either kernel set train a wider network (SIMD blocks and scalar rests, every optimizer,
 * every proximal penalty and step) to the same weights within float32 rounding.
 */
import { proxLayer, proxParts } from '../../src/penalty';
import { isProximal, PENALTIES, PENALTY_KINDS } from '../../src/penalty';
import { createFusedEngine } from '../../src/train/fused';
import { layoutOf } from '../../src/train/fused/layout';
import { WasmNetworkMemory } from '../../src/train/fused/wasm-pass';
import { OPTIMIZERS } from '../../src/train/fused/optimizers';
import { Rng } from '../../src/util/rng';
import { config, randomData, randomLayers } from './helpers';

describe.each(PENALTY_KINDS.filter(isProximal))('wasm proxLayer, %s (every proximal penalty of the table)', (kind) => {
  const [inS, outS] = [9, 13];
  const layers = randomLayers([inS, outS], 5, 1);
  const lay = layoutOf(layers);
  const rng = new Rng(3);
  const h = Float32Array.from({ length: lay.total }, () => 0.05 + 0.2 * rng.next());

  test.each([
    ['per-coordinate step', true],
    ['scalar step', false],
  ])('%s: equal to the TypeScript prox', (_n, diag) => {
    for (const lambda of [0.05, 6]) {
      const mem = new WasmNetworkMemory(lay, new Float32Array(inS), new Int32Array(1), 1);
      const wasmKernel = new Float32Array(mem.params.buffer, mem.pOff, inS * outS);
      const wasmBias = new Float32Array(mem.params.buffer, mem.pOff + 4 * inS * outS, outS);
      wasmKernel.set(layers[0].kernel);
      wasmBias.set(layers[0].bias);
      new Float32Array(mem.params.buffer, mem.hOff, lay.total).set(h);
      const hs = 0.07;
      const hW = diag ? mem.hOff : 0;
      const hb = diag ? mem.hOff + 4 * inS * outS : 0;
      mem.ex.proxLayer(mem.pOff, mem.pOff + 4 * inS * outS, inS, outS, PENALTIES[kind].wasmKernel, lambda, hW, hb, hs);

      const k = layers[0].kernel.slice();
      const b = layers[0].bias.slice();
      proxLayer(k, b, inS, outS, kind, lambda, diag ? h.subarray(0, inS * outS) : hs, diag ? h.subarray(inS * outS) : hs);
      // the same exact zeros; values bit for bit (scalar step) or to float32 rounding (SIMD group prox)
      expect(Array.from(wasmKernel).map((v) => v === 0)).toEqual(Array.from(k).map((v) => v === 0));
      expect(Array.from(wasmBias)).toEqual(Array.from(b));
      if (!diag || kind === 'l1') expect(Array.from(wasmKernel)).toEqual(Array.from(k));
      else wasmKernel.forEach((v, i) => expect(Math.abs(v - k[i])).toBeLessThanOrEqual(2e-6 * Math.abs(k[i]) + 1e-12));
      // the strong lambda zeroes something, the weak one leaves most weights nonzero
      const zeros = k.filter((v) => v === 0).length;
      if (lambda > 0.5) expect(zeros).toBeGreaterThan(0);
      else expect(zeros).toBeLessThan(k.length / 2);
    }
  });
});

describe.each(PENALTY_KINDS.filter(isProximal))('wasm proxGroups over strided groups, %s', (kind) => {
  // OIHW weights of 3 filters over 4 input channels of 5 positions, grouped by input channel
  const [O, C, KK] = [3, 4, 5];
  const view = { offset: 0, count: C, groupStride: KK, blocks: O, blockStride: C * KK, blockLen: KK };
  const rng = new Rng(8);
  const w = Float32Array.from({ length: O * C * KK }, () => rng.normal());
  for (let o = 0; o < O; o++) for (let k = 0; k < KK; k++) w[o * C * KK + 1 * KK + k] *= 0.02; // a weak channel
  const b = Float32Array.from({ length: O }, () => rng.normal());
  const h = Float32Array.from({ length: w.length }, () => 0.05 + 0.2 * rng.next());
  const lay = layoutOf(randomLayers([C * KK, O], 5, 1)); // room for w, b, their steps and the scratch

  test.each([
    ['per-coordinate step', true],
    ['scalar step', false],
  ])('%s: equal to the TypeScript prox over the same view', (_n, diag) => {
    const mem = new WasmNetworkMemory(lay, new Float32Array(C * KK), new Int32Array(1), 1);
    const W = mem.pOff;
    const B = mem.pOff + 4 * w.length;
    const wasmW = new Float32Array(mem.params.buffer, W, w.length);
    const wasmB = new Float32Array(mem.params.buffer, B, O);
    wasmW.set(w);
    wasmB.set(b);
    new Float32Array(mem.params.buffer, mem.hOff, w.length).set(h);
    new Float32Array(mem.params.buffer, mem.hOff + 4 * w.length, O).fill(0.1);
    const hs = 0.1;
    const { offset, count, groupStride, blocks, blockStride, blockLen } = view;
    const [hW, hb] = diag ? [mem.hOff, mem.hOff + 4 * w.length] : [0, 0];
    mem.ex.proxGroups(
      W,
      w.length,
      B,
      O,
      offset,
      count,
      groupStride,
      blocks,
      blockStride,
      blockLen,
      PENALTIES[kind].wasmKernel,
      0.9,
      hW,
      hb,
      hs,
      mem.mOff,
    );

    const ts = { w: w.slice(), groups: view, b: b.slice() };
    proxParts(ts, kind, 0.9, diag ? h : hs, diag ? new Float32Array(O).fill(0.1) : hs);
    expect(Array.from(wasmW).map((v) => v === 0)).toEqual(Array.from(ts.w).map((v) => v === 0));
    expect(Array.from(wasmB)).toEqual(Array.from(ts.b));
    wasmW.forEach((v, i) => expect(Math.abs(v - ts.w[i])).toBeLessThanOrEqual(2e-6 * Math.abs(ts.w[i]) + 1e-12));
    // the weak input channel is gone from every filter
    if (kind !== 'l1') for (let o = 0; o < O; o++) for (let k = 0; k < KK; k++) expect(wasmW[o * C * KK + KK + k]).toBe(0);
  });
});

const OPTS = OPTIMIZERS;
describe.each(OPTS)('engines on both kernel sets, %s', (optimizer) => {
  const init = randomLayers([22, 18, 7, 5], 8, 1);
  const data = randomData(120, 22, 5, 6, 0.2);
  const order = Int32Array.from({ length: 120 }, (_, i) => (i * 7) % 120);
  test.each([
    ['no penalty', {}],
    ['gl prox', { penalty: 'gl' as const, lambda: 2e-2 }],
    ['sgl prox, lr step', { penalty: 'sgl' as const, lambda: 1e-2, proxStep: 'lr' as const }],
    ['l1 subgradient', { penalty: 'l1' as const, lambda: 1e-2, solver: 'subgradient' as const }],
  ])('%s: the same weights after 3 epochs', (_n, over) => {
    const cfg = config({ optimizer, lr: optimizer === 'sgd' ? 0.1 : 0.01, batchSize: 16, ...over });
    const wasm = createFusedEngine(init, data, cfg, { kernels: 'wasm' });
    const js = createFusedEngine(init, data, cfg, { kernels: 'js' });
    for (let e = 0; e < 3; e++) expect(wasm.runEpoch(order)).toBeCloseTo(js.runEpoch(order), 4);
    const a = wasm.layers().flatMap((l) => [...l.kernel, ...l.bias]);
    const b = js.layers().flatMap((l) => [...l.kernel, ...l.bias]);
    const start = init.flatMap((l) => [...l.kernel, ...l.bias]);
    const moved = Math.max(...b.map((v, i) => Math.abs(v - start[i])));
    const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(moved).toBeGreaterThan(0.02);
    expect(diff).toBeLessThan(1e-3 * moved);
    // exact zeros made by the prox agree
    if ('penalty' in over && (over as { solver?: string }).solver !== 'subgradient') {
      expect(a.filter((v) => v === 0).length).toBe(b.filter((v) => v === 0).length);
    }
  });
});

test('optimizer moments that decay below the smallest normal float32 become exact 0', () => {
  const layers = randomLayers([4, 4], 2, 1);
  const lay = layoutOf(layers);
  const mem = new WasmNetworkMemory(lay, new Float32Array(4), new Int32Array(1), 1);
  const buf = mem.params.buffer;
  const m = new Float32Array(buf, mem.mOff, lay.total);
  const v = new Float32Array(buf, mem.vOff, lay.total);
  m.fill(1.25e-38); // normal; 0.9 * 1.25e-38 is below 1.18e-38 and would be a denormal
  v.fill(1e-37); // 0.999 * 1e-37 stays normal
  mem.grads.fill(0);
  mem.ex.adamStep(mem.pOff, mem.gOff, mem.mOff, mem.vOff, mem.hOff, lay.total, 1e-3, 1, 1e-3);
  expect(Array.from(m)).toEqual(new Array(lay.total).fill(0));
  expect(v.every((x) => x > 9e-38 && x < 1e-37)).toBe(true);
});
