/**
 * Reading a fully connected network out of a tfjs LayersModel (model.json + weight shards, as
 * tensorflowjs_converter writes from Keras, or tfjs's model.save): a Sequential model of
 * InputLayer, Flatten, Dense (any activation of network/activations.ts, with or without bias),
 * Dropout, Activation, ReLU, LeakyReLU, BatchNormalization (folded) and a final softmax. Layer and
 * weight names are whatever Keras gave them. Anything else is refused naming the layer and its class.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import type { Activation } from '../network/activations';
import { tfjsActivation, weightPaths } from '../network/layers-model';
import { assembleSteps } from './assemble';
import { kerasBatchNorm, reluLayerActivation, TFJS_CNN_LAYERS, tfjsCnnLayers, type TfjsCnnContext, type TfjsLayer } from './tfjs-cnn';
import { isFunctional, JOIN_START, linearizeFunctional, RESIDUAL_SAVE } from './tfjs-functional';
import type { AnyLayer, Network } from '../network/types';
import type { ImportStep, ImportedModel, Origin } from './types';

export const SUPPORTED_TFJS_LAYERS = 'InputLayer, Flatten, Dense, Dropout, Activation, ReLU, LeakyReLU, BatchNormalization, Softmax (last)';

interface LayerJson {
  class_name?: string;
  config?: Record<string, unknown>;
}
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new GsError('NOT_FOUND', `${file} not found (expected a tfjs LayersModel model.json)`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GsError('BAD_MODEL', `${file}: not valid JSON (${(e as Error).message}); the file may be truncated`);
  }
}

/** The Sequential layer list of a model.json, in the layouts the converter and tfjs write (a
 * functional model's layers in walking order, residual blocks marked: tfjs-functional.ts). */
function sequentialLayers(file: string, model: Record<string, unknown>): LayerJson[] {
  const topo = model.modelTopology as Record<string, unknown> | undefined;
  const cfg = (topo?.model_config ?? topo) as { class_name?: string; config?: unknown };
  if (!cfg || typeof cfg !== 'object') throw new GsError('BAD_MODEL', `${file}: no modelTopology (is this a tfjs LayersModel model.json?)`);
  if (isFunctional(cfg) && cfg.config && typeof cfg.config === 'object')
    return linearizeFunctional(file, cfg.config as Record<string, unknown>).map((l) => ({
      class_name: l.class_name,
      config: { ...(l.config ?? {}), name: (l.config?.name as string | undefined) ?? l.name },
    }));
  if (cfg.class_name !== 'Sequential') {
    throw new GsError(
      'BAD_MODEL',
      `${file}: a ${String(cfg.class_name)} model; gs-compress imports Sequential and functional LayersModels (${SUPPORTED_TFJS_LAYERS}). A graph model (tfjs_graph_model) cannot be imported`,
    );
  }
  const layers = Array.isArray(cfg.config) ? cfg.config : (cfg.config as { layers?: unknown })?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new GsError('BAD_MODEL', `${file}: the Sequential model lists no layers`);
  return layers as LayerJson[];
}

function keras(name: unknown): Activation | 'softmax' | 'log_softmax' | null {
  if (name === 'softmax' || name === 'log_softmax') return name;
  return typeof name === 'string' ? tfjsActivation(name) : null;
}

export const SUPPORTED_TFJS_CNN_LAYERS =
  'InputLayer, Permute (channels first to last, in front), Conv1D, Conv2D, ZeroPadding1D/2D (in front of a convolution or pooling), Add (a residual block), Concatenate (a join of branches on the channel axis), Reshape (the pooled vector to 1 x 1 positions and back), MaxPooling1D/2D, AveragePooling1D/2D, GlobalAveragePooling1D/2D, BatchNormalization, Flatten, Dense, Activation, ReLU, LeakyReLU, Dropout, Softmax (last)';

/** The Keras names of the model's input (the InputLayer's, or "<first layer>_input") and of its last layer. */
function kerasNames(layers: LayerJson[]): { input: string; output: string } {
  const names = layers.map((l, i) => (typeof l.config?.name === 'string' ? l.config.name : `layer_${i + 1}`));
  return {
    input: layers[0]?.class_name === 'InputLayer' ? names[0] : `${names[0] ?? 'dense'}_input`,
    output: names[names.length - 1] ?? 'output',
  };
}

/** What comes in front of a convolutional model's first layer: the shape its layers read (channels
 * last), the input scaling per channel, and the layers after them. */
interface CnnFront {
  rest: TfjsLayer[];
  kerasShape: number[];
  /** The model itself makes channels-first input channels last (a Permute first, as gs-compress's export writes). */
  permuted: boolean;
  scaling: { shift: Float64Array; divide: Float64Array } | null;
  notes: string[];
}

/**
 * Reads a Permute that makes channels-first input channels last (gs-compress's own tfjs export
 * starts so) and a BatchNormalization in front of every other layer (the export's input
 * scaling, or a Keras model that standardizes its input so): (x - shift) / divide per channel.
 */
function readFront(list: TfjsLayer[], given: number[], ctx: TfjsCnnContext): CnnFront {
  let rest = list;
  let kerasShape = given;
  const notes: string[] = [];
  const permute = rest[0]?.className === 'Permute' ? rest[0] : null;
  if (permute) {
    const want = given.length === 3 ? [2, 3, 1] : [2, 1];
    const dims = permute.config.dims;
    if (!Array.isArray(dims) || dims.join() !== want.join())
      throw ctx.refuse(
        permute.from,
        `permutes the axes as ${JSON.stringify(dims)}; gs-compress reads a Permute that makes channels-first input channels last (${JSON.stringify(want)})`,
      );
    kerasShape = [...given.slice(1), given[0]];
    rest = rest.slice(1);
  }
  let scaling: CnnFront['scaling'] = null;
  const bn = rest[0]?.className === 'BatchNormalization' ? rest[0] : null;
  if (bn) {
    const c = bn.config;
    const axis = Array.isArray(c.axis) ? (c.axis as number[]) : [Number(c.axis ?? -1)];
    if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== kerasShape.length))
      throw ctx.refuse(bn.from, `normalizes axis ${JSON.stringify(c.axis)} of the input, not the channels`);
    const { gamma, beta, mean, variance, epsilon } = kerasBatchNorm(c, kerasShape[kerasShape.length - 1], bn.from, ctx.weight);
    // gamma (x - mean) / sd + beta = (x - shift) / divide
    const divide = Float64Array.from(gamma, (g, j) => Math.sqrt(variance[j] + epsilon) / g);
    if (divide.some((v) => !Number.isFinite(v) || v === 0)) throw ctx.refuse(bn.from, 'scales the input by zero or a non-finite value');
    scaling = { shift: Float64Array.from(mean, (m, j) => m - beta[j] * divide[j]), divide };
    notes.push(`BatchNormalization "${bn.from.name}" in front of the first layer became the network's input scaling`);
    rest = rest.slice(1);
  }
  return { rest, kerasShape, permuted: permute !== null, scaling, notes };
}

/** A per-channel scaling spread over a channels-first example of `width` values. */
function spread(s: { shift: Float64Array; divide: Float64Array }, width: number): { mean: Float32Array; std: Float32Array } {
  const S = width / s.shift.length;
  return {
    mean: Float32Array.from({ length: width }, (_, i) => s.shift[Math.floor(i / S)]),
    std: Float32Array.from({ length: width }, (_, i) => s.divide[Math.floor(i / S)]),
  };
}

/** A convolutional LayersModel (see tfjs-cnn.ts). */
function importTfjsCnn(
  file: string,
  model: Record<string, unknown>,
  layers: LayerJson[],
  bytes: Buffer,
  ctx: TfjsCnnContext,
): ImportedModel {
  const list: TfjsLayer[] = layers.map((l, i) => {
    const c = l.config ?? {};
    return {
      className: l.class_name ?? '?',
      config: c,
      from: { name: typeof c.name === 'string' ? c.name : `layer ${i + 1}`, op: l.class_name ?? '?' },
    };
  });
  const first = list[0]?.config ?? {};
  const given = (first.batch_input_shape ?? first.batch_shape) as (number | null)[] | undefined;
  if (!Array.isArray(given) || given.slice(1).some((d) => !(Number(d) > 0)))
    throw ctx.refuse(list[0].from, 'does not give the input shape (batch_input_shape) a convolutional model needs');
  const front = readFront(
    list.filter((l) => l.className !== 'InputLayer'),
    given.slice(1).map(Number),
    ctx,
  );
  const cnn = tfjsCnnLayers(front.rest, front.kerasShape, ctx);
  const width = cnn.inputShape.reduce((a, b) => a * b, 1);
  const last = cnn.layers[cnn.layers.length - 1];
  const classes = last.op === 'dense' ? last.outSize : 0;
  const names = kerasNames(layers);
  const network: Network<AnyLayer> = {
    inputWidth: width,
    inputIndices: Array.from({ length: width }, (_, i) => i),
    scaling: front.scaling && spread(front.scaling, width),
    layers: cnn.layers,
    inputShape: cnn.inputShape,
    classLabels: Array.from({ length: classes }, (_, i) => String(i)),
    featureNames: Array.from({ length: width }, (_, i) => `x${i}`),
    io: { inputName: names.input, inputShape: cnn.inputShape, outputName: names.output, outputForm: cnn.outputForm },
  };
  const notes = [
    ...front.notes,
    ...cnn.notes,
    front.permuted
      ? `the model takes ${cnn.inputShape.join(' x ')} (channels first, as gs-compress reads examples) and makes it channels last itself (Permute)`
      : `the model takes ${cnn.kerasShape.join(' x ')} (channels last); gs-compress reads its examples channels first (${cnn.inputShape.join(' x ')})`,
  ];
  return {
    network,
    format: 'tfjs-layers',
    producer: [model.generatedBy, model.convertedBy].filter((s) => typeof s === 'string').join(', ') || 'unknown producer',
    outputForm: cnn.outputForm,
    notes,
    original: {
      kind: 'tfjs',
      modelJson: JSON.stringify(model),
      weights: new Uint8Array(bytes),
      inputShape: front.permuted ? cnn.inputShape : cnn.kerasShape,
      outputForm: cnn.outputForm,
      channelsFirst: !front.permuted,
    },
  };
}

/** The network in a tfjs LayersModel (model.json and its weight files beside it). Nothing is written. */
export function importTfjs(file: string): ImportedModel {
  const model = readJson(file) as Record<string, unknown>;
  const layers = sequentialLayers(file, model);
  const dir = path.dirname(file);
  const groups = (model.weightsManifest ?? []) as { weights?: WeightSpec[] }[];
  const specs = groups.flatMap((g) => g.weights ?? []);
  const chunks = weightPaths(JSON.stringify(model), file).map((p) => {
    try {
      return fs.readFileSync(path.join(dir, p));
    } catch {
      throw new GsError('NOT_FOUND', `${file} refers to weights file ${p}, which is missing beside it`);
    }
  });
  const bytes = Buffer.concat(chunks);
  let need = 0;
  for (const w of specs) {
    if (w.quantization) throw new GsError('BAD_MODEL', `${file}: weight ${w.name} is quantized; gs-compress imports float32 weights`);
    if (w.dtype !== 'float32')
      throw new GsError('BAD_MODEL', `${file}: weight ${w.name} is ${w.dtype}; gs-compress imports float32 weights`);
    need += w.shape.reduce((a, b) => a * b, 1) * 4;
  }
  if (bytes.length !== need) {
    throw new GsError(
      'BAD_MODEL',
      `${file}: the weight files hold ${bytes.length} bytes, the manifest needs ${need} (truncated or damaged?)`,
    );
  }
  const flat = new Float32Array(new Uint8Array(bytes).buffer);
  const byName = new Map<string, Float64Array>();
  let off = 0;
  for (const w of specs) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    byName.set(w.name, Float64Array.from(flat.subarray(off, off + n)));
    off += n;
  }
  const weight = (layer: string, w: string, from: Origin, size: number): Float64Array => {
    const hit = [...byName.entries()].find(([k]) => k === `${layer}/${w}` || k.endsWith(`/${layer}/${w}`));
    if (!hit) throw new GsError('BAD_MODEL', `${file}: ${from.op} layer "${from.name}" has no weight ${w} in the manifest`);
    if (hit[1].length !== size) throw new GsError('BAD_MODEL', `${file}: weight ${hit[0]} holds ${hit[1].length} values, expected ${size}`);
    return hit[1];
  };

  const refuseCnn = (from: Origin, why: string) =>
    new GsError(
      'BAD_MODEL',
      `${file}: layer "${from.name}" (${from.op}) ${why}; gs-compress imports Sequential models of ${SUPPORTED_TFJS_CNN_LAYERS}`,
    );
  if (layers.some((l) => TFJS_CNN_LAYERS.has(l.class_name ?? ''))) {
    return importTfjsCnn(file, model, layers, bytes, {
      weight,
      refuse: refuseCnn,
      activation: (name, from, isLast) => {
        const a = keras(name);
        if (a === null) throw refuseCnn(from, `has the activation ${JSON.stringify(name)}, which gs-compress does not know`);
        if ((a === 'softmax' || a === 'log_softmax') && !isLast) throw refuseCnn(from, `applies ${a} before the last layer`);
        return a === 'log_softmax' ? 'log-softmax' : a;
      },
    });
  }
  const block = layers.find((l) => l.class_name === RESIDUAL_SAVE || l.class_name === JOIN_START);
  if (block)
    throw new GsError(
      'BAD_MODEL',
      block.class_name === JOIN_START
        ? `${file}: the model concatenates branches at "${String(block.config?.name)}" of fully connected layers; gs-compress reads joins in convolutional models`
        : `${file}: the model adds two branches at "${String(block.config?.name)}" (a residual block) of fully connected layers; gs-compress reads residual blocks in convolutional models`,
    );
  const steps: ImportStep[] = [];
  const notes: string[] = [];
  let inputShape: number[] | null = null;
  let width: number | null = null;
  const refuse = (from: Origin, why: string) =>
    new GsError(
      'BAD_MODEL',
      `${file}: layer "${from.name}" (${from.op}) ${why}; gs-compress imports Sequential fully connected models (${SUPPORTED_TFJS_LAYERS})`,
    );
  layers.forEach((l, i) => {
    const c = l.config ?? {};
    const from: Origin = { name: typeof c.name === 'string' ? c.name : `layer ${i + 1}`, op: l.class_name ?? '?' };
    const shape = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
    if (Array.isArray(shape) && inputShape === null) {
      inputShape = shape.slice(1).map(Number);
      width = inputShape.reduce((a, b) => a * b, 1);
    }
    const act = (name: unknown, isLast: boolean) => {
      const a = keras(name ?? 'linear');
      if (a === null) throw refuse(from, `has the activation ${JSON.stringify(name)}, which gs-compress does not know`);
      if (a === 'softmax' || a === 'log_softmax') {
        if (!isLast) throw refuse(from, `applies ${a} before the last layer`);
        steps.push({ op: 'output', form: a === 'softmax' ? 'softmax' : 'log-softmax', from });
      } else if (a.name !== 'identity') steps.push({ op: 'activation', activation: a, from });
    };
    const isLast = i === layers.length - 1;
    switch (l.class_name) {
      case 'InputLayer':
      case 'Flatten':
        break;
      case 'Dropout':
        notes.push(`Dropout "${from.name}" dropped (inference form)`);
        break;
      case 'Dense': {
        const units = Number(c.units);
        const prev = [...steps].reverse().find((s) => s.op === 'linear');
        const inSize = prev && prev.op === 'linear' ? prev.outSize : width;
        if (inSize === null) throw refuse(from, 'comes before any layer that gives the input width');
        const kernel = weight(from.name, 'kernel', from, inSize * units);
        const bias = c.use_bias === false ? new Float64Array(units) : weight(from.name, 'bias', from, units);
        steps.push({ op: 'linear', inSize, outSize: units, kernel, bias, from });
        act(c.activation, isLast);
        break;
      }
      case 'Activation':
        act(c.activation, isLast);
        break;
      case 'Softmax':
        act('softmax', isLast);
        break;
      case 'ReLU':
        steps.push({ op: 'activation', activation: { name: reluLayerActivation(c, (why) => refuse(from, why)) }, from });
        break;
      case 'LeakyReLU':
        steps.push({
          op: 'activation',
          activation: { name: 'leaky_relu', alpha: Math.fround(Number(c.alpha ?? c.negative_slope ?? 0.3)) },
          from,
        });
        break;
      case 'BatchNormalization': {
        const axis = Array.isArray(c.axis) ? (c.axis as number[]) : [Number(c.axis ?? -1)];
        if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 1))
          throw refuse(from, `normalizes axis ${JSON.stringify(c.axis)}, not the features`);
        const prev = [...steps].reverse().find((s) => s.op === 'linear');
        const n = prev && prev.op === 'linear' ? prev.outSize : width;
        if (n === null) throw refuse(from, 'comes before any layer that gives its width');
        const { gamma, beta, mean, variance, epsilon } = kerasBatchNorm(c, n, from, weight);
        const s = Float64Array.from({ length: n }, (_, j) => gamma[j] / Math.sqrt(variance[j] + epsilon));
        steps.push({ op: 'affine', shift: Float64Array.from(mean, (m, j) => m - beta[j] / s[j]), divide: s.map((x) => 1 / x), from });
        notes.push(`BatchNormalization "${from.name}" folded`);
        break;
      }
      default:
        throw refuse(from, 'is not supported');
    }
  });
  const { network, outputForm } = assembleSteps(file, steps, width, null);
  const names = kerasNames(layers);
  network.io = { inputName: names.input, inputShape: inputShape ?? [network.inputWidth], outputName: names.output, outputForm };
  return {
    network,
    format: 'tfjs-layers',
    producer: [model.generatedBy, model.convertedBy].filter((s) => typeof s === 'string').join(', ') || 'unknown producer',
    outputForm,
    notes,
    original: {
      kind: 'tfjs',
      modelJson: JSON.stringify(model),
      weights: new Uint8Array(bytes),
      inputShape: inputShape ?? [network.inputWidth],
      outputForm,
    },
  };
}
