/**
 * Optimizers over flat Float32Arrays with PyTorch's default semantics (see ../types.ts):
 * adam, adamax, rmsprop, sgd, no weight decay or momentum. Each step can also write the
 * per-coordinate effective step h_i of its diagonal preconditioner, which the proximal step
 * that follows uses (sgd's h is the scalar lr, reported by `scalarStep`).
 */
import type { OptimizerName } from '../types';
import type { KernelExports } from './wasm-pass';

export interface FlatOptimizer {
  /** Update p in place from gradient g; when h is given, also write each coordinate's step h_i. */
  step(p: Float32Array, g: Float32Array, h: Float32Array | null): void;
  /** The constant step h for optimizers without a preconditioner (sgd), else null. */
  readonly scalarStep: number | null;
  /** Steps taken so far. */
  readonly steps: number;
  /** Learning rate of the steps that follow (a schedule changes it between steps). */
  lr: number;
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;
const ALPHA = 0.99;

class Adam implements FlatOptimizer {
  readonly scalarStep = null;
  steps = 0;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  constructor(
    size: number,
    public lr: number,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
  step(p: Float32Array, g: Float32Array, h: Float32Array | null): void {
    const t = ++this.steps;
    const { m, v, lr } = this;
    const stepSize = lr / (1 - Math.pow(B1, t));
    const invBc2Sqrt = 1 / Math.sqrt(1 - Math.pow(B2, t));
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = (m[i] = m[i] + (1 - B1) * (gi - m[i]));
      const vi = (v[i] = B2 * v[i] + (1 - B2) * gi * gi);
      const inv = 1 / (Math.sqrt(vi) * invBc2Sqrt + EPS);
      p[i] -= stepSize * mi * inv;
      if (h !== null) h[i] = lr * inv;
    }
  }
}

class Adamax implements FlatOptimizer {
  readonly scalarStep = null;
  steps = 0;
  private readonly m: Float32Array;
  private readonly u: Float32Array;
  constructor(
    size: number,
    public lr: number,
  ) {
    this.m = new Float32Array(size);
    this.u = new Float32Array(size);
  }
  step(p: Float32Array, g: Float32Array, h: Float32Array | null): void {
    const t = ++this.steps;
    const { m, u } = this;
    const clr = this.lr / (1 - Math.pow(B1, t));
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = (m[i] = m[i] + (1 - B1) * (gi - m[i]));
      const a = B2 * u[i];
      const b = Math.abs(gi) + EPS;
      const ui = (u[i] = a > b ? a : b);
      const hi = clr / ui;
      p[i] -= hi * mi;
      if (h !== null) h[i] = hi;
    }
  }
}

class RmsProp implements FlatOptimizer {
  readonly scalarStep = null;
  steps = 0;
  private readonly v: Float32Array;
  constructor(
    size: number,
    public lr: number,
  ) {
    this.v = new Float32Array(size);
  }
  step(p: Float32Array, g: Float32Array, h: Float32Array | null): void {
    this.steps++;
    const { v, lr } = this;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const vi = (v[i] = ALPHA * v[i] + (1 - ALPHA) * gi * gi);
      const hi = lr / (Math.sqrt(vi) + EPS);
      p[i] -= hi * gi;
      if (h !== null) h[i] = hi;
    }
  }
}

class Sgd implements FlatOptimizer {
  steps = 0;
  constructor(public lr: number) {}
  get scalarStep(): number {
    return this.lr;
  }
  step(p: Float32Array, g: Float32Array): void {
    this.steps++;
    const lr = this.lr;
    for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
  }
}

/** The buffers of one WebAssembly update (byte offsets in the module's memory): parameters,
 * gradients, two moment buffers, and where to write the per-coordinate step h (0: nowhere). */
export interface WasmStepBuffers {
  p: number;
  g: number;
  m: number;
  v: number;
  h: number;
  n: number;
}

/** One entry of the optimizer table. */
export interface OptimizerDef {
  /** The name on the command line and in configurations (the table key). */
  readonly name: OptimizerName;
  /** What it is, for `--optimizer` help. */
  readonly help: string;
  /** Whether its step has a diagonal preconditioner, i.e. writes a per-coordinate step h_i for
   * the proximal step (else the prox takes the scalar lr). */
  readonly preconditioned: boolean;
  /** A fresh TypeScript optimizer with zero state for `size` parameters. */
  create(size: number, lr: number): FlatOptimizer;
  /** Step t (1-based) on the WebAssembly kernels (assembly/update.ts), the same arithmetic in
   * float32 four lanes at a time. */
  wasmStep(ex: KernelExports, b: WasmStepBuffers, lr: number, t: number): void;
}

/** The optimizer table: every optimizer of the fused (and tfjs) engine, TypeScript and
 * WebAssembly step side by side. Adding one: its class above, its kernel in assembly/update.ts,
 * a line here (OPTIMIZERS lists the table's keys), its name in OptimizerName (train/types.ts) and a test. */
export const OPTIMIZER_TABLE: Record<OptimizerName, OptimizerDef> = {
  adam: {
    name: 'adam',
    help: 'Adam (b1 0.9, b2 0.999, eps 1e-8, bias-corrected)',
    preconditioned: true,
    create: (size, lr) => new Adam(size, lr),
    wasmStep: (ex, b, lr, t) =>
      ex.adamStep(b.p, b.g, b.m, b.v, b.h, b.n, lr / (1 - Math.pow(B1, t)), 1 / Math.sqrt(1 - Math.pow(B2, t)), lr),
  },
  adamax: {
    name: 'adamax',
    help: 'AdaMax (b1 0.9, b2 0.999, eps 1e-8)',
    preconditioned: true,
    create: (size, lr) => new Adamax(size, lr),
    wasmStep: (ex, b, lr, t) => ex.adamaxStep(b.p, b.g, b.m, b.v, b.h, b.n, lr / (1 - Math.pow(B1, t))),
  },
  rmsprop: {
    name: 'rmsprop',
    help: 'RMSprop (alpha 0.99, eps 1e-8)',
    preconditioned: true,
    create: (size, lr) => new RmsProp(size, lr),
    wasmStep: (ex, b, lr) => ex.rmspropStep(b.p, b.g, b.v, b.h, b.n, lr),
  },
  sgd: {
    name: 'sgd',
    help: 'plain SGD (no momentum)',
    preconditioned: false,
    create: (_size, lr) => new Sgd(lr),
    wasmStep: (ex, b, lr) => ex.sgdStep(b.p, b.g, b.n, lr),
  },
};

/** The optimizers' names, in table order (what --optimizer accepts). */
export const OPTIMIZERS: readonly OptimizerName[] = Object.keys(OPTIMIZER_TABLE) as OptimizerName[];

/** A fresh optimizer with zero state for `size` parameters. */
export function createOptimizer(name: OptimizerName, size: number, lr: number): FlatOptimizer {
  const def = OPTIMIZER_TABLE[name] as OptimizerDef | undefined;
  if (!def) throw new RangeError(`unknown optimizer '${String(name)}'`);
  return def.create(size, lr);
}
