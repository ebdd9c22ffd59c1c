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
import { CNN_TFJS_WEIGHTS_FILE, toCnnLayersModel } from './layers-model-cnn';
import { isRegression, TASKS, taskOf } from './tasks';
import { deserializeLayers, serializeLayers } from './layers/serialize';
import { layerShapes } from './layers/table';
import type { AnyLayer, DenseLayer, ModelIO, Network } from './types';

export const RUN_FILE = 'gs-run.json';
export const MODEL_FILE = 'model.json';
/** The network of a run whose layers are not all dense (see saveRun). */
export const NETWORK_FILE = 'network.json';
const LAYERS_FORMAT = 'gs-compress-layers';

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
  history?: readonly object[];
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

export function saveRun(dir: string, network: Network<AnyLayer>, info: Omit<RunInfo, 'format' | 'version'>): void {
  makeDir(dir);
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
  if (isDenseNetwork(network)) {
    // a dense stack is a tfjs LayersModel (model.json + weights.bin), loadable by tfjs as it is
    const { modelJson, weights } = toLayersModel(network.layers, info.generatedBy, TASKS[taskOf(network)].outputActivation);
    fs.rmSync(path.join(dir, NETWORK_FILE), { force: true });
    writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
    writeFileAtomic(path.join(dir, MODEL_FILE), modelJson);
  } else {
    // other layer types (convolutions, pooling, batch norm, ...): the layers as JSON and one float32 buffer
    const { layers, weights } = serializeLayers(network.layers);
    const stored = { format: LAYERS_FORMAT, version: 1, ...(network.inputShape ? { inputShape: network.inputShape } : {}), layers };
    fs.rmSync(path.join(dir, MODEL_FILE), { force: true });
    writeFileAtomic(path.join(dir, WEIGHTS_FILE), weights);
    writeFileAtomic(path.join(dir, NETWORK_FILE), JSON.stringify(stored));
  }
  writeFileAtomic(path.join(dir, RUN_FILE), JSON.stringify(file, null, 1));
}

/** Whether every layer is dense (the networks every part of gs-compress handles; see loadRun). */
export function isDenseNetwork(net: Network<AnyLayer>): net is Network {
  return net.layers.every((l) => l.op === 'dense');
}

/**
 * A tfjs export for deployment (prune --export-tfjs): the same run files, but model.json reads
 * the ONNX export's input (all raw columns, or the kept ones with compactInput) with the scaling
 * inside (see toDeployableLayersModel). loadRun reads it back as the same network.
 */
export function saveTfjsExport(
  dir: string,
  network: Network<AnyLayer>,
  info: Omit<RunInfo, 'format' | 'version'>,
  compactInput: boolean,
): void {
  if (!isDenseNetwork(network)) {
    // a convolutional network: its run files (network.json, weights.bin) and the tfjs model beside them
    if (compactInput)
      throw new GsError('BAD_OPTION', 'the tfjs export of a convolutional network takes all input channels; drop --compact-input');
    const { modelJson, weights } = toCnnLayersModel(network, info.generatedBy);
    saveRun(dir, network, info);
    writeFileAtomic(path.join(dir, CNN_TFJS_WEIGHTS_FILE), weights);
    writeFileAtomic(path.join(dir, MODEL_FILE), modelJson);
    return;
  }
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

/**
 * A run directory of any network: a dense stack (model.json, a tfjs LayersModel) or layers of other
 * types (network.json + weights.bin). Checks every path and size.
 */
export function loadAnyRun(dir: string): { network: Network<AnyLayer>; info: RunInfo } {
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
  if (fs.existsSync(path.join(root, NETWORK_FILE))) {
    if (run?.format !== 'gs-compress-run' || !run.network) throw new GsError('BAD_MODEL', `${runPath}: not a gs-compress run file`);
    if (typeof run.version === 'number' && run.version > RUN_RECORD_VERSION) {
      throw new GsError('BAD_MODEL', `${runPath}: version ${run.version} was written by a newer gs-compress; update gs-compress`);
    }
    return { network: readLayeredRun(root, run), info: infoOf(run) };
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
  return { network, info: infoOf(run) };
}

function infoOf(run: RunFile): RunInfo {
  const { network: _network, ...info } = run;
  return info;
}

/** The network of a run stored as network.json + weights.bin (layers of any type). */
function readLayeredRun(root: string, run: RunFile): Network<AnyLayer> {
  const runPath = path.join(root, RUN_FILE);
  const file = path.join(root, NETWORK_FILE);
  const bad = (what: string) => new GsError('BAD_MODEL', `${file}: ${what}`);
  let stored: { format?: unknown; inputShape?: unknown; layers?: unknown };
  try {
    stored = JSON.parse(readText(file)) as typeof stored;
  } catch (e) {
    if (e instanceof GsError) throw e;
    throw bad(`damaged: ${(e as Error).message}`);
  }
  if (stored.format !== LAYERS_FORMAT) throw bad('not a gs-compress network file');
  let weights: Buffer;
  try {
    weights = fs.readFileSync(path.join(root, WEIGHTS_FILE));
  } catch {
    throw new GsError('NOT_FOUND', `${file} needs ${WEIGHTS_FILE}, which is missing from ${root}`);
  }
  const layers = deserializeLayers(stored.layers, weights, bad);
  const n = run.network;
  const badRun = (what: string) => new GsError('BAD_MODEL', `${runPath}: ${what}`);
  if (!Number.isInteger(n.inputWidth) || n.inputWidth <= 0) throw badRun('network.inputWidth is missing');
  if (!isNumArray(n.inputIndices) || n.inputIndices.some((i) => !Number.isInteger(i) || i < 0 || i >= n.inputWidth)) {
    throw badRun(`network.inputIndices must list columns below ${n.inputWidth}`);
  }
  if (n.scaling && (!isNumArray(n.scaling.mean, n.inputWidth) || !isNumArray(n.scaling.std, n.inputWidth))) {
    throw badRun(`network.scaling must hold ${n.inputWidth} means and stds`);
  }
  if (stored.inputShape !== undefined && !isNumArray(stored.inputShape)) throw bad('inputShape must be a list of sizes');
  const inputShape = stored.inputShape;
  const network: Network<AnyLayer> = {
    inputWidth: n.inputWidth,
    inputIndices: n.inputIndices,
    scaling: n.scaling ? { mean: Float32Array.from(n.scaling.mean), std: Float32Array.from(n.scaling.std) } : null,
    layers,
    ...(inputShape ? { inputShape } : {}),
    classLabels: Array.isArray(n.classLabels) ? n.classLabels.map(String) : [],
    featureNames:
      Array.isArray(n.featureNames) && n.featureNames.length === n.inputWidth
        ? n.featureNames.map(String)
        : Array.from({ length: n.inputWidth }, (_, i) => `x${i}`),
  };
  // the layers must chain from the input shape to one output per class
  let shapes: number[][];
  try {
    shapes = layerShapes(layers, inputShape ?? [n.inputIndices.length]);
  } catch (e) {
    throw bad(`the layers do not fit together: ${(e as Error).message}`);
  }
  const out = shapes[shapes.length - 1].reduce((a, b) => a * b, 1);
  if (network.classLabels.length !== out) throw badRun(`network.classLabels must list ${out} labels`);
  if (n.task === 'regression') network.task = 'regression';
  if (n.io !== undefined) network.io = readIO(n.io, badRun);
  return network;
}

/**
 * A run directory of a dense network (what every command handles); a run of other layer types is
 * refused with a message (loadAnyRun reads it).
 */
export function loadRun(dir: string): { network: Network; info: RunInfo } {
  const { network, info } = loadAnyRun(dir);
  if (!isDenseNetwork(network)) {
    const ops = [...new Set(network.layers.map((l) => l.op).filter((op) => op !== 'dense'))].join(', ');
    throw new GsError('UNAVAILABLE', `${dir} holds a network with ${ops} layers; this command handles dense networks only so far`);
  }
  return { network, info };
}
