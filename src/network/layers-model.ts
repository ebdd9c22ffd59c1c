/**
 * The dense stack of a Network as a tfjs LayersModel (model.json + one weights file), written
 * and read without tfjs so this layer stays framework-neutral. The files load with
 * tf.loadLayersModel; the stack sees inputs already selected and scaled (see gs-run.json).
 * Hidden activations are the Dense layer's Keras activation string (network/activations.ts), except
 * leaky relu, which Keras and tfjs express as a linear Dense followed by a LeakyReLU layer.
 */
import { GsError } from '../errors';
import { ACTIVATIONS, activationOf, alphaOf, type Activation } from './activations';
import { TASKS, taskOf } from './tasks';
import { parameterCount } from './create';
import type { DenseLayer, Network } from './types';

export const WEIGHTS_FILE = 'weights.bin';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

/** model.json as parsed, before any check: every field may be missing or of the wrong type. */
interface LayersModelJson {
  weightsManifest?: { paths?: unknown; weights?: WeightSpec[] }[];
  modelTopology?: { config?: { layers?: unknown } };
}

interface TopologyLayer {
  class_name?: string;
  config?: { name?: string; units?: number; batch_input_shape?: unknown[]; activation?: string; alpha?: number };
}

export function layerName(i: number, count: number): string {
  return i === count - 1 ? 'output' : `hidden_${i + 1}`;
}

/** model.json text and the weights bytes for a dense stack. */
export function toLayersModel(
  layers: DenseLayer[],
  generatedBy: string,
  output: 'softmax' | 'identity' = 'softmax',
): { modelJson: string; weights: Uint8Array } {
  const specs: WeightSpec[] = [];
  const total = parameterCount(layers);
  const flat = new Float32Array(total);
  let off = 0;
  const topo: { class_name: string; config: Record<string, unknown> }[] = [];
  layers.forEach((l, i) => {
    const name = layerName(i, layers.length);
    specs.push({ name: `${name}/kernel`, shape: [l.inSize, l.outSize], dtype: 'float32' });
    specs.push({ name: `${name}/bias`, shape: [l.outSize], dtype: 'float32' });
    flat.set(l.kernel, off);
    off += l.kernel.length;
    flat.set(l.bias, off);
    off += l.bias.length;
    const last = i === layers.length - 1;
    const act = activationOf(l);
    const tfjsName = ACTIVATIONS[act.name].tfjs;
    const config: Record<string, unknown> = {
      units: l.outSize,
      activation: last ? (output === 'softmax' ? 'softmax' : 'linear') : (tfjsName ?? 'linear'),
      use_bias: true,
      kernel_initializer: { class_name: 'Zeros', config: {} },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
    };
    if (i === 0) {
      config.batch_input_shape = [null, l.inSize];
      config.dtype = 'float32';
    }
    topo.push({ class_name: 'Dense', config });
    if (!last && tfjsName === null) {
      topo.push({ class_name: 'LeakyReLU', config: { alpha: alphaOf(act), name: `${name}_leaky_relu`, trainable: true } });
    }
  });
  return {
    modelJson: JSON.stringify(sequentialModel('gs_compress', topo, specs, WEIGHTS_FILE, generatedBy)),
    weights: new Uint8Array(flat.buffer),
  };
}

/** The model.json object of a Sequential LayersModel of `layers` whose weights `specs` are in `weightsFile`. */
export function sequentialModel(
  name: string,
  layers: unknown[],
  specs: { name: string; shape: number[]; dtype: string }[],
  weightsFile: string,
  generatedBy: string,
): Record<string, unknown> {
  return {
    format: 'layers-model',
    generatedBy,
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name, layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
}

function bad(file: string, what: string): GsError {
  return new GsError('BAD_MODEL', `${file}: ${what}`);
}

/** The weight file names model.json refers to; each must be a plain relative name inside the run directory. */
export function weightPaths(modelJsonText: string, file: string): string[] {
  let model: LayersModelJson;
  try {
    model = JSON.parse(modelJsonText) as LayersModelJson;
  } catch (e) {
    throw bad(file, `is not valid JSON (${(e as Error).message})`);
  }
  const groups = model?.weightsManifest;
  if (!Array.isArray(groups)) throw bad(file, 'has no weightsManifest');
  const paths: string[] = [];
  for (const g of groups) {
    if (!Array.isArray(g?.paths)) throw bad(file, 'has a weightsManifest entry without paths');
    for (const p of g.paths as unknown[]) {
      if (typeof p !== 'string' || p === '' || p.includes('/') || p.includes('\\') || p === '.' || p === '..') {
        throw bad(file, `refers to weights file ${JSON.stringify(p)}; only plain file names inside the run directory are allowed`);
      }
      paths.push(p);
    }
  }
  return paths;
}

/** Dense stack back from model.json text and the concatenated bytes of its weight files. */
export function fromLayersModel(modelJsonText: string, weightBytes: Uint8Array, file: string): DenseLayer[] {
  const model = JSON.parse(modelJsonText) as LayersModelJson;
  const specs: WeightSpec[] = (model.weightsManifest ?? []).flatMap((g) => g.weights ?? []);
  const layersTopo = model?.modelTopology?.config?.layers as TopologyLayer[] | undefined;
  if (!Array.isArray(layersTopo) || layersTopo.length === 0) throw bad(file, 'has no layers in modelTopology');
  const expected = specs.reduce((s, w) => {
    if (w.dtype !== 'float32' || !Array.isArray(w.shape)) throw bad(file, `weight ${w.name} is not float32 with a shape`);
    return s + w.shape.reduce((a, b) => a * b, 1);
  }, 0);
  if (weightBytes.byteLength !== expected * 4) {
    throw bad(file, `weights hold ${weightBytes.byteLength} bytes, the manifest needs ${expected * 4} (truncated or damaged file?)`);
  }
  const flat = new Float32Array(weightBytes.buffer.slice(weightBytes.byteOffset, weightBytes.byteOffset + weightBytes.byteLength));
  const byName = new Map<string, Float32Array>();
  let off = 0;
  for (const w of specs) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    byName.set(w.name, flat.slice(off, off + n));
    off += n;
  }
  let inSize = Number(layersTopo[0]?.config?.batch_input_shape?.[1]);
  const out: DenseLayer[] = [];
  const lastDense = layersTopo.reduce((a, lt, i) => (lt?.class_name === 'Dense' ? i : a), -1);
  layersTopo.forEach((lt, i) => {
    const name = lt.config?.name;
    if (lt.class_name === 'LeakyReLU' && out.length > 0 && out[out.length - 1].activation?.name === 'identity') {
      const alpha = Number(lt.config?.alpha ?? 0.3);
      out[out.length - 1].activation = { name: 'leaky_relu', alpha };
      return;
    }
    const outSize = Number(lt.config?.units);
    if (lt.class_name !== 'Dense' || !name || !(outSize >= 0)) throw bad(file, `layer ${i + 1} is not a Dense layer gs-compress wrote`);
    const kernel = byName.get(`${name}/kernel`);
    const bias = byName.get(`${name}/bias`);
    if (!kernel || !bias || kernel.length !== inSize * outSize || bias.length !== outSize) {
      throw bad(file, `layer ${name}: weights missing or of the wrong size`);
    }
    const layer: DenseLayer = { op: 'dense', inSize, outSize, kernel, bias };
    const actName = lt.config?.activation ?? 'linear';
    if (i !== lastDense) {
      const act = tfjsActivation(actName);
      if (!act) throw bad(file, `layer ${name}: activation ${JSON.stringify(actName)} is not one gs-compress knows (${tfjsNames()})`);
      if (act.name !== 'relu') layer.activation = act;
    }
    out.push(layer);
    inSize = outSize;
  });
  return out;
}

/** The activation a Keras / tfjs activation string stands for, or null. */
export function tfjsActivation(name: string): Activation | null {
  const hit = Object.values(ACTIVATIONS).find((d) => d.tfjs === name);
  if (hit) return { name: hit.name };
  for (const d of Object.values(ACTIVATIONS)) {
    const alias = d.tfjsImport?.find((t) => t.name === name);
    if (alias) return { name: d.name, ...(alias.alpha !== undefined ? { alpha: alias.alpha } : {}) };
  }
  return null;
}

function tfjsNames(): string {
  return Object.values(ACTIVATIONS)
    .map((d) => d.tfjs)
    .filter((n): n is string => n !== null)
    .join(', ');
}

/** Epsilon of the standardizing BatchNormalization layer: tiny, so (x - mean) / sqrt(std^2 + eps) is (x - mean) / std in float32. */
export const SCALING_EPSILON = 1e-12;

interface WrittenModelJson {
  modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

/**
 * A deployable tfjs LayersModel that reads the same input as the ONNX export: all raw columns
 * (the first Dense kernel gets a zero row for each dropped column) or, with compactInput, only
 * the kept ones; standardization is a leading BatchNormalization layer (moving mean = mean,
 * moving variance = std^2, no gamma/beta). The files are also a run directory's model
 * (readLayersModel strips the BatchNormalization and the zero rows again).
 */
export function toDeployableLayersModel(
  net: Pick<Network, 'inputWidth' | 'inputIndices' | 'scaling' | 'layers' | 'task'>,
  generatedBy: string,
  compactInput: boolean,
): { modelJson: string; weights: Uint8Array } {
  const cols = compactInput ? net.inputIndices : Array.from({ length: net.inputWidth }, (_, c) => c);
  const first = net.layers[0];
  const kernel = new Float32Array(cols.length * first.outSize);
  const pos = new Map(cols.map((c, i) => [c, i]));
  net.inputIndices.forEach((c, k) =>
    kernel.set(first.kernel.subarray(k * first.outSize, (k + 1) * first.outSize), pos.get(c)! * first.outSize),
  );
  const layers = [{ ...first, inSize: cols.length, kernel }, ...net.layers.slice(1)];
  const base = toLayersModel(layers, generatedBy, TASKS[taskOf(net)].outputActivation);
  const model = JSON.parse(base.modelJson) as WrittenModelJson;
  model.userDefinedMetadata = { gsCompress: { input: compactInput ? 'kept-columns' : 'raw-columns', inputWidth: cols.length } };
  if (!net.scaling) return { modelJson: JSON.stringify(model), weights: base.weights };
  const { mean, std } = net.scaling;
  const bnMean = Float32Array.from(cols, (c) => mean[c]);
  const bnVar = Float32Array.from(cols, (c) => std[c] * std[c]);
  const topo = model.modelTopology.config.layers;
  delete topo[0].config.batch_input_shape;
  delete topo[0].config.dtype;
  topo.unshift({
    class_name: 'BatchNormalization',
    config: {
      name: 'standardize',
      trainable: false,
      batch_input_shape: [null, cols.length],
      dtype: 'float32',
      axis: -1,
      momentum: 0.99,
      epsilon: SCALING_EPSILON,
      center: false,
      scale: false,
      beta_initializer: { class_name: 'Zeros', config: {} },
      gamma_initializer: { class_name: 'Ones', config: {} },
      moving_mean_initializer: { class_name: 'Zeros', config: {} },
      moving_variance_initializer: { class_name: 'Ones', config: {} },
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
    },
  });
  model.weightsManifest[0].weights.unshift(
    { name: 'standardize/moving_mean', shape: [cols.length], dtype: 'float32' },
    { name: 'standardize/moving_variance', shape: [cols.length], dtype: 'float32' },
  );
  const weights = new Uint8Array(8 * cols.length + base.weights.byteLength);
  weights.set(new Uint8Array(bnMean.buffer), 0);
  weights.set(new Uint8Array(bnVar.buffer), 4 * cols.length);
  weights.set(base.weights, 8 * cols.length);
  return { modelJson: JSON.stringify(model), weights };
}

/**
 * Dense stack of a run directory's model.json, written by saveRun (the stack on selected, scaled
 * inputs) or as a deployable export (toDeployableLayersModel): a leading BatchNormalization is
 * dropped (the scaling lives in gs-run.json too), and `inSize` of the first layer is what the
 * file says; rawColumns tells that its first kernel spans all raw columns (the caller picks the kept rows).
 */
export function readLayersModel(
  modelJsonText: string,
  weightBytes: Uint8Array,
  file: string,
): { layers: DenseLayer[]; rawColumns: boolean } {
  let model: WrittenModelJson;
  try {
    model = JSON.parse(modelJsonText) as WrittenModelJson;
  } catch (e) {
    throw bad(file, `is not valid JSON (${(e as Error).message})`);
  }
  const ours = model?.userDefinedMetadata?.gsCompress as { input?: string } | undefined;
  const rawColumns = ours?.input === 'raw-columns';
  const topo = model?.modelTopology?.config?.layers;
  if (!Array.isArray(topo) || topo[0]?.class_name !== 'BatchNormalization') {
    return { layers: fromLayersModel(modelJsonText, weightBytes, file), rawColumns };
  }
  const bn = topo[0];
  const width = Number((bn.config.batch_input_shape as unknown[] | undefined)?.[1]);
  const specs = model.weightsManifest.flatMap((g) => g.weights ?? []);
  const bnSpecs = specs.filter((w) => w.name.startsWith(`${String(bn.config.name)}/`));
  if (!(width >= 0) || bnSpecs.length !== 2 || specs[0] !== bnSpecs[0] || specs[1] !== bnSpecs[1]) {
    throw bad(file, 'has a BatchNormalization layer gs-compress did not write');
  }
  const rest = topo.slice(1);
  rest[0] = { ...rest[0], config: { ...rest[0].config, batch_input_shape: [null, width], dtype: 'float32' } };
  const stripped = {
    ...model,
    modelTopology: { ...model.modelTopology, config: { ...model.modelTopology.config, layers: rest } },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs.slice(2) }],
  };
  return { layers: fromLayersModel(JSON.stringify(stripped), weightBytes.subarray(8 * width), file), rawColumns };
}
