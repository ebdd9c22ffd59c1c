/**
 * A run directory: model.json + weights.bin (the dense stack as a tfjs LayersModel) and
 * gs-run.json (preprocessing, class labels, data reference, training config, backend, history).
 * Loading checks every path and size, and never reads outside the directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import type { DataRef } from '../data/types';
import { writeFileAtomic } from '../util/fs-atomic';
import { makeDir } from '../util/output-path';
import { readLayersModel, toDeployableLayersModel, toLayersModel, weightPaths, WEIGHTS_FILE } from './layers-model';
import { isRegression, TASKS, taskOf } from './tasks';
import type { DenseLayer, ModelIO, Network } from './types';

export const RUN_FILE = 'gs-run.json';
export const MODEL_FILE = 'model.json';

/**
 * The version of gs-run.json this gs-compress writes. 1: the first; 2: summaries carry `seconds`
 * (never `trainSeconds`) and `wallSeconds`, history and engine always present; 3: a regressor's
 * summary carries its own metrics only (testR2, trainR2, valR2 and RMSEs; no *Accuracy holding R^2). The network part is
 * the same in both; pipeline/run-record.ts reads either as the typed version 2.
 */
export const RUN_RECORD_VERSION = 3;

/** Everything about a run except the weights, as stored (plain JSON; pipeline/run-record.ts types it). */
export interface RunInfo {
  format: 'gs-compress-run';
  version: 1 | 2 | 3;
  generatedBy: string;
  createdAt: string;
  data?: DataRef;
  config?: Record<string, unknown>;
  engine?: string;
  history?: Record<string, unknown>[];
  summary?: Record<string, unknown>;
}

interface RunFile extends RunInfo {
  network: {
    inputWidth: number;
    inputIndices: number[];
    scaling: { mean: number[]; std: number[] } | null;
    classLabels: string[];
    featureNames: string[];
    /** 'regression' (classLabels are then the target names); absent = classification. */
    task?: 'regression';
    /** The imported model's input and output (see ModelIO); absent for networks trained here. */
    io?: ModelIO;
  };
}

export function saveRun(dir: string, network: Network, info: Omit<RunInfo, 'format' | 'version'>): void {
  makeDir(dir);
  const { modelJson, weights } = toLayersModel(network.layers, info.generatedBy, TASKS[taskOf(network)].outputActivation);
  const file: RunFile = {
    format: 'gs-compress-run',
    version: RUN_RECORD_VERSION,
    ...info,
    network: {
      inputWidth: network.inputWidth,
      inputIndices: network.inputIndices,
      scaling: network.scaling ? { mean: Array.from(network.scaling.mean), std: Array.from(network.scaling.std) } : null,
      classLabels: network.classLabels,
      featureNames: network.featureNames,
      ...(isRegression(network) ? { task: 'regression' as const } : {}),
      ...(network.io ? { io: network.io } : {}),
    },
  };
  writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
  writeFileAtomic(path.join(dir, MODEL_FILE), modelJson);
  writeFileAtomic(path.join(dir, RUN_FILE), JSON.stringify(file, null, 1));
}

/**
 * A tfjs export for deployment (prune --export-tfjs): the same run files, but model.json reads
 * the ONNX export's input (all raw columns, or the kept ones with compactInput) with the scaling
 * inside (see toDeployableLayersModel). loadRun reads it back as the same network.
 */
export function saveTfjsExport(dir: string, network: Network, info: Omit<RunInfo, 'format' | 'version'>, compactInput: boolean): void {
  saveRun(dir, network, info);
  const { modelJson, weights } = toDeployableLayersModel(network, info.generatedBy, compactInput);
  writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
  writeFileAtomic(path.join(dir, MODEL_FILE), modelJson);
}

/** The rows of a full-width first layer at the kept columns. */
function keptRows(layer: DenseLayer, kept: number[]): DenseLayer {
  const kernel = new Float32Array(kept.length * layer.outSize);
  kept.forEach((c, k) => kernel.set(layer.kernel.subarray(c * layer.outSize, (c + 1) * layer.outSize), k * layer.outSize));
  return { ...layer, inSize: kept.length, kernel };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new GsError('NOT_FOUND', `${file} not found: is this a run directory written by gs-compress train --out?`);
  }
}

/** A recorded ModelIO, checked field by field. */
function readIO(v: unknown, bad: (what: string) => GsError): ModelIO {
  const io = v as Partial<ModelIO> | null;
  const forms = ['logits', 'softmax', 'log-softmax'];
  if (
    !io ||
    typeof io.inputName !== 'string' ||
    typeof io.outputName !== 'string' ||
    !isNumArray(io.inputShape) ||
    !forms.includes(String(io.outputForm))
  ) {
    throw bad('network.io must hold inputName, inputShape, outputName and outputForm (logits, softmax or log-softmax)');
  }
  return { inputName: io.inputName, inputShape: io.inputShape.map(Number), outputName: io.outputName, outputForm: io.outputForm! };
}

function isNumArray(a: unknown, n?: number): a is number[] {
  return Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v)) && (n === undefined || a.length === n);
}

export function loadRun(dir: string): { network: Network; info: RunInfo } {
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new GsError('NOT_FOUND', `${dir} is not a directory (expected a run directory written by gs-compress train --out)`);
  }
  const runPath = path.join(root, RUN_FILE);
  const modelPath = path.join(root, MODEL_FILE);
  let run: RunFile;
  try {
    run = JSON.parse(readText(runPath)) as RunFile;
  } catch (e) {
    if (e instanceof GsError) throw e;
    throw new GsError('BAD_MODEL', `${runPath} is damaged: ${(e as Error).message}`);
  }
  const modelText = readText(modelPath);
  const chunks = weightPaths(modelText, modelPath).map((p) => {
    const full = path.join(root, p);
    if (path.dirname(full) !== root) throw new GsError('BAD_MODEL', `${modelPath}: weights path ${p} leaves the run directory`);
    try {
      return fs.readFileSync(full);
    } catch {
      throw new GsError('NOT_FOUND', `${modelPath} refers to ${p}, which is missing from ${root}`);
    }
  });
  const { layers, rawColumns } = readLayersModel(modelText, Buffer.concat(chunks), modelPath);
  const n = run?.network;
  const bad = (what: string) => new GsError('BAD_MODEL', `${runPath}: ${what}`);
  if (run?.format !== 'gs-compress-run' || !n) throw bad('not a gs-compress run file');
  if (typeof run.version === 'number' && run.version > RUN_RECORD_VERSION) {
    throw bad(
      `version ${run.version} was written by a newer gs-compress (this one reads versions 1 to ${RUN_RECORD_VERSION}); update gs-compress`,
    );
  }
  if (!Number.isInteger(n.inputWidth) || n.inputWidth <= 0) throw bad('network.inputWidth is missing');
  if (rawColumns && layers[0].inSize === n.inputWidth && isNumArray(n.inputIndices) && n.inputIndices.length < n.inputWidth) {
    layers[0] = keptRows(layers[0], n.inputIndices); // a deployable export reading all raw columns
  }
  if (!isNumArray(n.inputIndices, layers[0].inSize) || n.inputIndices.some((i) => !Number.isInteger(i) || i < 0 || i >= n.inputWidth)) {
    throw bad(`network.inputIndices must list ${layers[0].inSize} columns below ${n.inputWidth}`);
  }
  if (n.scaling && (!isNumArray(n.scaling.mean, n.inputWidth) || !isNumArray(n.scaling.std, n.inputWidth))) {
    throw bad(`network.scaling must hold ${n.inputWidth} means and stds`);
  }
  const classes = layers[layers.length - 1].outSize;
  if (!Array.isArray(n.classLabels) || n.classLabels.length !== classes) throw bad(`network.classLabels must list ${classes} labels`);
  const network: Network = {
    inputWidth: n.inputWidth,
    inputIndices: n.inputIndices,
    scaling: n.scaling ? { mean: Float32Array.from(n.scaling.mean), std: Float32Array.from(n.scaling.std) } : null,
    layers,
    classLabels: n.classLabels.map(String),
    featureNames:
      Array.isArray(n.featureNames) && n.featureNames.length === n.inputWidth
        ? n.featureNames.map(String)
        : Array.from({ length: n.inputWidth }, (_, i) => `x${i}`),
  };
  if (n.task !== undefined && n.task !== 'regression')
    throw bad(`network.task ${JSON.stringify(n.task)} is not known; expected regression or none`);
  if (n.task === 'regression') network.task = 'regression';
  if (n.io !== undefined) network.io = readIO(n.io, bad);
  const { network: _network, ...info } = run;
  return { network, info };
}
