/**
 * The metadata_props gs-compress writes into an exported model, and reading them back.
 * Values are strings; lists are JSON. Caller-supplied entries (training config, parameter
 * count before pruning, ...) are stored under their own keys next to these.
 */
import { GsError } from '../errors';
import type { ModelIO } from '../network/types';

export const META = {
  classes: 'gs.class_labels', // JSON string[]: output unit -> class label
  inputWidth: 'gs.input_width', // raw feature width the original data has
  keptIndices: 'gs.kept_indices', // JSON number[]: raw columns the model reads
  keptNames: 'gs.kept_names', // JSON string[]: their names
  compactInput: 'gs.compact_input', // 'true' when the input holds only the kept columns
  scalingFolded: 'gs.scaling_folded', // 'true' when standardization is folded into the first layer
  layerSizes: 'gs.layer_sizes', // JSON number[]: input width of the first layer, then each layer's units
  parameters: 'gs.parameters', // weights + biases of the dense layers
  multiplyAdds: 'gs.multiply_adds', // per row
  inputForm: 'gs.input_form', // how the kept columns are picked: zero-rows, segments, gather, compact, all-columns
  quantization: 'gs.quantization', // none, int8 or float16
  task: 'gs.task', // 'regression' (class_labels are then the target names); absent = classification
  io: 'gs.io', // JSON {inputName, inputShape, outputName, outputForm, extraOutputs}: an imported model's original interface
} as const;

/** What the exporter recorded about the model's input and output. */
export interface ModelInterface {
  /** Class labels, or a regressor's target names. */
  classLabels: string[];
  /** 'regression' for a regressor (one `prediction` output); absent = classification. */
  task?: 'regression';
  inputWidth: number;
  keptIndices: number[];
  compactInput: boolean;
  /** The original interface an imported model was exported with (absent: features -> probabilities, label). */
  io?: ModelIO & { extraOutputs: boolean };
}

function parseJson(meta: Record<string, string>, key: string, file: string): unknown {
  try {
    return JSON.parse(meta[key]);
  } catch {
    throw new GsError('BAD_MODEL', `${file}: metadata ${key} is not valid JSON`);
  }
}

/**
 * The interface of a gs-compress model from its metadata, or null when the model was not
 * written by gs-compress (no class labels recorded).
 */
export function modelInterface(meta: Record<string, string>, file: string): ModelInterface | null {
  if (!(META.classes in meta)) return null;
  const classLabels = parseJson(meta, META.classes, file);
  const kept = META.keptIndices in meta ? parseJson(meta, META.keptIndices, file) : null;
  const width = Number(meta[META.inputWidth]);
  if (!Array.isArray(classLabels) || !Number.isInteger(width) || width < 0) {
    throw new GsError('BAD_MODEL', `${file}: metadata ${META.classes} / ${META.inputWidth} are damaged`);
  }
  const keptIndices = Array.isArray(kept) ? kept.map(Number) : Array.from({ length: width }, (_, i) => i);
  if (keptIndices.some((i) => !Number.isInteger(i) || i < 0 || i >= width)) {
    throw new GsError('BAD_MODEL', `${file}: metadata ${META.keptIndices} lists columns outside 0..${width - 1}`);
  }
  return {
    classLabels: classLabels.map(String),
    inputWidth: width,
    keptIndices,
    compactInput: meta[META.compactInput] === 'true',
    ...(meta[META.task] === 'regression' ? { task: 'regression' as const } : {}),
    ...(META.io in meta ? { io: parseIO(meta, file) } : {}),
  };
}

function parseIO(meta: Record<string, string>, file: string): ModelIO & { extraOutputs: boolean } {
  const v = parseJson(meta, META.io, file) as Partial<ModelIO & { extraOutputs: boolean }> | null;
  if (
    !v ||
    typeof v.inputName !== 'string' ||
    typeof v.outputName !== 'string' ||
    !Array.isArray(v.inputShape) ||
    !['logits', 'softmax', 'log-softmax'].includes(String(v.outputForm))
  ) {
    throw new GsError('BAD_MODEL', `${file}: metadata ${META.io} is damaged`);
  }
  return {
    inputName: v.inputName,
    inputShape: v.inputShape.map(Number),
    outputName: v.outputName,
    outputForm: v.outputForm!,
    extraOutputs: v.extraOutputs === true,
  };
}
