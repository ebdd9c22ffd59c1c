/**
 * Optimizers over flat Float32Arrays with PyTorch's default semantics (see ../types.ts):
 * adam, adamax, rmsprop, sgd, no weight decay or momentum. Each step can also write the
 * per-coordinate effective step h_i of its diagonal preconditioner, which the proximal step
 * that follows uses (sgd's h is the scalar lr, reported by `scalarStep`).
 */
import type { OptimizerName } from '../types';

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

/** A fresh optimizer with zero state for `size` parameters. */
export function createOptimizer(name: OptimizerName, size: number, lr: number): FlatOptimizer {
  switch (name) {
    case 'adam':
      return new Adam(size, lr);
    case 'adamax':
      return new Adamax(size, lr);
    case 'rmsprop':
      return new RmsProp(size, lr);
    case 'sgd':
      return new Sgd(lr);
    default:
      throw new RangeError(`unknown optimizer '${String(name)}'`);
  }
}
