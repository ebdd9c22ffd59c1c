/**
 * The penalty and optimizer tables, entry by entry, through every consumer: values, gradients
 * (against finite differences), proximal operators (optimality of the result), the TypeScript
 * and WebAssembly engines (same weights, the gradient-or-prox rule), fine-tuning, the training
 * configuration and the CLI's help. A new entry in either table is tested here without edits.
 */
import { main } from '../../src/cli/main';
import { finetuneConfig } from '../../src/pipeline/finetune';
import {
  addPenaltyGradient,
  addsGradient,
  denseParts,
  isProximal,
  layerRegularizer,
  PENALTIES,
  PENALTY_KINDS,
  penaltyValue,
  proxLayer,
  type PenaltyKind,
} from '../../src/penalty';
import { resolveTrainConfig } from '../../src/train/config';
import { createFusedEngine } from '../../src/train/fused';
import { OPTIMIZERS, OPTIMIZER_TABLE } from '../../src/train/fused/optimizers';
import { SOLVERS } from '../../src/train/types';
import { Rng } from '../../src/util/rng';
import { config, randomData, randomLayers } from '../train-fused/helpers';

const [IN, OUT] = [6, 5];

/** A layer with no zero and no tiny entry (away from every kink). */
function layer(seed: number): { kernel: Float32Array; bias: Float32Array } {
  const rng = new Rng(seed);
  const away = () => (rng.next() < 0.5 ? -1 : 1) * (0.2 + rng.next());
  return { kernel: Float32Array.from({ length: IN * OUT }, away), bias: Float32Array.from({ length: OUT }, away) };
}

test('the tables list every name once, keyed by name, and the types agree', () => {
  expect(PENALTY_KINDS).toEqual(Object.keys(PENALTIES));
  for (const k of PENALTY_KINDS) expect(PENALTIES[k].name).toBe(k);
  expect(Object.keys(OPTIMIZER_TABLE).sort()).toEqual([...OPTIMIZERS].sort());
  for (const o of OPTIMIZERS) expect(OPTIMIZER_TABLE[o].name).toBe(o);
});

describe.each(PENALTY_KINDS)('penalty %s', (kind: PenaltyKind) => {
  const def = PENALTIES[kind];

  test('has a prox exactly when it has a WebAssembly kernel id; isProximal agrees', () => {
    expect(def.prox === null).toBe(def.wasmKernel === null);
    expect(isProximal(kind)).toBe(def.prox !== null);
    if (def.wasmKernel !== null) expect([1, 2, 3]).toContain(def.wasmKernel); // the ids assembly/update.ts proxLayer knows
  });

  test('value: layerRegularizer and penaltyValue use it', () => {
    const { kernel, bias } = layer(1);
    const r = def.value(denseParts(kernel, bias, IN, OUT));
    expect(r).toBeGreaterThanOrEqual(0);
    expect(layerRegularizer(kernel, bias, IN, OUT, kind)).toBe(r);
    const l2 = layer(2);
    const layers = [
      { op: 'dense' as const, inSize: IN, outSize: OUT, kernel, bias },
      { op: 'dense' as const, inSize: IN, outSize: OUT, ...l2 },
    ];
    expect(penaltyValue(layers, kind, 0.3)).toBeCloseTo(0.3 * (r + def.value(denseParts(l2.kernel, l2.bias, IN, OUT))), 12);
  });

  test('gradient: the derivative of lambda * value (central differences, away from kinks)', () => {
    const { kernel, bias } = layer(3);
    const lambda = 0.7;
    const gK = new Float32Array(IN * OUT);
    const gB = new Float32Array(OUT);
    addPenaltyGradient(kernel, bias, IN, OUT, kind, lambda, gK, gB);
    const f = () => lambda * def.value(denseParts(kernel, bias, IN, OUT));
    const eps = 1e-3;
    const check = (buf: Float32Array, g: Float32Array) => {
      for (let i = 0; i < buf.length; i++) {
        const v = buf[i];
        buf[i] = v + eps;
        const up = f();
        buf[i] = v - eps;
        const down = f();
        buf[i] = v;
        expect(g[i]).toBeCloseTo((up - down) / (2 * eps), 2);
      }
    };
    check(kernel, gK);
    check(bias, gB);
  });

  test('fine-tuning keeps it exactly when the table says so', () => {
    const cfg = resolveTrainConfig({ penalty: kind, lambda: kind === 'none' ? 0 : 1e-3 });
    const ft = finetuneConfig(cfg, 2);
    expect(ft.penalty).toBe(def.keptInFinetune ? kind : 'none');
    expect(ft.lambda).toBe(def.keptInFinetune ? cfg.lambda : 0);
  });

  test.each(SOLVERS)('solver %s: the gradient is added unless the prox takes it, on both kernel sets', (solver) => {
    expect(addsGradient(kind, solver, 0.01)).toBe(def.prox === null || solver === 'subgradient');
    expect(addsGradient(kind, solver, 0)).toBe(false);
    const init = randomLayers([12, 9, 4], 8, 1);
    const data = randomData(80, 12, 4, 6, 0.1);
    const order = Int32Array.from({ length: 80 }, (_, i) => (i * 7) % 80);
    const cfg = config({ optimizer: 'adam', lr: 0.01, batchSize: 16, penalty: kind, lambda: kind === 'none' ? 0 : 0.02, solver });
    const flat = (e: ReturnType<typeof createFusedEngine>) => {
      for (let k = 0; k < 3; k++) e.runEpoch(order);
      return e.layers().flatMap((l) => [...l.kernel, ...l.bias]);
    };
    const js = flat(createFusedEngine(init, data, cfg, { kernels: 'js' }));
    const wasm = flat(createFusedEngine(init, data, cfg, { kernels: 'wasm' }));
    const plain = flat(createFusedEngine(init, data, config({ ...cfg, penalty: 'none', lambda: 0 }), { kernels: 'js' }));
    const diff = Math.max(...wasm.map((w, i) => Math.abs(w - js[i])));
    const effect = Math.max(...js.map((w, i) => Math.abs(w - plain[i])));
    expect(diff).toBeLessThan(1e-4);
    if (kind === 'none') expect(effect).toBe(0);
    else expect(effect).toBeGreaterThan(1e-3); // the penalty acted, through its gradient or its prox
    if (def.prox !== null && solver === 'prox') expect(js.filter((w) => w === 0).length).toBe(wasm.filter((w) => w === 0).length);
  });
});

describe.each(PENALTY_KINDS.filter(isProximal))('proximal penalty %s', (kind) => {
  const def = PENALTIES[kind];

  test.each([
    ['uniform step', false],
    ['per-coordinate step', true],
  ])('prox, %s: no nearby point has a lower prox objective, and a large lambda gives exact zeros', (_n, diag) => {
    for (const lambda of [0.05, 5]) {
      const v = layer(4);
      const rng = new Rng(5);
      const hK = diag ? Float32Array.from({ length: IN * OUT }, () => 0.05 + 0.3 * rng.next()) : 0.2;
      const hB = diag ? Float32Array.from({ length: OUT }, () => 0.05 + 0.3 * rng.next()) : 0.2;
      const x = { kernel: v.kernel.slice(), bias: v.bias.slice() };
      proxLayer(x.kernel, x.bias, IN, OUT, kind, lambda, hK, hB);
      const h = (step: Float32Array | number, i: number) => (typeof step === 'number' ? step : step[i]);
      const objective = (k: Float32Array, b: Float32Array) => {
        let q = 0;
        for (let i = 0; i < k.length; i++) q += (k[i] - v.kernel[i]) ** 2 / (2 * h(hK, i));
        for (let j = 0; j < b.length; j++) q += (b[j] - v.bias[j]) ** 2 / (2 * h(hB, j));
        return q + lambda * def.value(denseParts(k, b, IN, OUT));
      };
      const best = objective(x.kernel, x.bias);
      for (let t = 0; t < 40; t++) {
        const k = x.kernel.map((w) => w + 1e-2 * rng.normal());
        const b = x.bias.map((w) => w + 1e-2 * rng.normal());
        expect(objective(k, b)).toBeGreaterThanOrEqual(best - 1e-9);
      }
      const zeros = [...x.kernel, ...x.bias].filter((w) => w === 0).length;
      if (lambda > 1) expect(zeros).toBeGreaterThan(0);
    }
  });
});

describe.each(OPTIMIZERS)('optimizer %s', (name) => {
  const def = OPTIMIZER_TABLE[name];
  test('preconditioned exactly when its TypeScript step has no scalar step', () => {
    expect(def.create(4, 0.1).scalarStep === null).toBe(def.preconditioned);
  });
  test('the TypeScript and WebAssembly steps train to the same weights, with and without a prox', () => {
    const init = randomLayers([10, 7, 3], 4, 1);
    const data = randomData(64, 10, 3, 2, 0);
    const order = Int32Array.from({ length: 64 }, (_, i) => (i * 5) % 64);
    for (const over of [{}, { penalty: 'gl' as const, lambda: 0.02 }]) {
      const cfg = config({ optimizer: name, lr: name === 'sgd' ? 0.1 : 0.01, batchSize: 8, ...over });
      const run = (kernels: 'js' | 'wasm') => {
        const e = createFusedEngine(init, data, cfg, { kernels });
        for (let k = 0; k < 2; k++) e.runEpoch(order);
        return e.layers().flatMap((l) => [...l.kernel, ...l.bias]);
      };
      const a = run('js');
      const b = run('wasm');
      const start = init.flatMap((l) => [...l.kernel, ...l.bias]);
      expect(Math.max(...a.map((w, i) => Math.abs(w - start[i])))).toBeGreaterThan(1e-3);
      expect(Math.max(...a.map((w, i) => Math.abs(w - b[i])))).toBeLessThan(1e-4);
    }
  });
});

test('train --help describes every penalty and optimizer from the tables; every one is accepted', async () => {
  let log = '';
  const cl = jest.spyOn(console, 'log').mockImplementation((...s: unknown[]) => void (log += `${s.join(' ')}\n`));
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((log += String(s)), true));
  try {
    expect(await main(['train', '--help'])).toBe(0);
  } finally {
    cl.mockRestore();
    so.mockRestore();
  }
  const flat = log.replace(/\s+/g, ' ');
  for (const k of PENALTY_KINDS) {
    expect(flat).toContain(`${k} (${PENALTIES[k].help})`);
    expect(resolveTrainConfig({ penalty: k, lambda: k === 'none' ? 0 : 1e-4 }).penalty).toBe(k);
  }
  for (const o of OPTIMIZERS) {
    expect(flat).toContain(`${o} (${OPTIMIZER_TABLE[o].help})`);
    expect(resolveTrainConfig({ optimizer: o }).optimizer).toBe(o);
  }
});
