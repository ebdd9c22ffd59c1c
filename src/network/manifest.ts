/**
 * The manifest written beside every export (ONNX file or tfjs directory): what a user needs to
 * feed the model and read its output without gs-compress — input columns by index and name,
 * class labels, the scaling inside the model, and what produced it. Pure: building only; the
 * pipeline writes it atomically.
 */
import { isRegression } from './tasks';
import type { Network, AnyLayer } from './types';

export const MANIFEST_FORMAT = 'gs-compress-manifest';

export interface ManifestColumn {
  /** Position in the raw feature row (0-based). */
  index: number;
  name: string;
}

/** One output of the model file: its name and what it holds. */
export interface ManifestOutput {
  name: string;
  holds: 'probabilities' | 'logits' | 'log-probabilities' | 'label' | 'prediction';
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  /** The model file (or directory's model.json) this describes, relative to the manifest. */
  model: string;
  /** The export format's manifestFormat (pipeline/export-formats/table.ts): 'onnx', 'tfjs-layers-model', ... */
  modelFormat: string;
  input: {
    /** ONNX input name (tfjs: the model's single input). */
    name: string;
    /**
     * 'raw-columns': a row holds all `width` raw columns in data order (column `index` at position
     * `index`; the others are read but ignored); 'kept-columns': a row holds only `columns`, in this order.
     */
    kind: 'raw-columns' | 'kept-columns';
    /** Values per row. */
    width: number;
    /** The input tensor's dims after the batch dimension: [width] for flat rows, [C, H, W] (or [C, L]) for a
     * convolutional network's images, an imported model's own input shape. */
    shape: number[];
    /** The raw columns the model uses, ascending, by index and name. */
    columns: ManifestColumn[];
    dtype: 'float32';
  };
  output: {
    /** classification: probabilities (and a label); regression: one linear `prediction` [N, k] in the target's units. */
    task: 'classification' | 'regression';
    /** Output index -> class label (regression: the target names). */
    classLabels: string[];
    /** The output that holds probabilities and the one that holds the int64 class index, by name, or null
     * when the model has none (a regressor; a compressed model that keeps its original's logits). */
    probabilities: string | null;
    label: string | null;
    /** ONNX: every output of the model, in order, and what it holds. */
    outputs?: ManifestOutput[];
    /** Regression only: the output name and, per output column, the target it predicts. */
    prediction?: string;
    targetNames?: string[];
  };
  /** Standardization applied inside the model to the used columns, or null (features used as given). */
  scaling: { kind: 'standardize'; inside: true; columns: number[]; mean: number[]; std: number[] } | null;
  /** Weight storage: none (float32, exact) or a lossy storage's name (int8, int8-weights, float16: onnx/weight-storage/table.ts). */
  quantization: string;
  producedBy: { tool: 'gs-compress'; version: string; pruning: string; createdAt: string; run: string | null };
}

export interface ManifestOptions {
  model: string;
  modelFormat: Manifest['modelFormat'];
  compactInput: boolean;
  quantization?: string;
  version: string;
  pruning: string;
  createdAt?: string;
  /** The run directory it came from, relative to the manifest (never absolute), or null. */
  run?: string | null;
  inputName?: string;
  outputNames?: { probabilities: string; label: string | null };
  /** The model's outputs and what each holds (ONNX); overrides outputNames. */
  outputs?: ManifestOutput[];
}

/** The name of the output that holds `what`, or null. */
const holding = (outputs: ManifestOutput[], what: ManifestOutput['holds']) => outputs.find((x) => x.holds === what)?.name ?? null;

/** The dims after the batch dimension of the model's input (see Manifest.input.shape). */
function inputDims(net: Network<AnyLayer>, compact: boolean): number[] {
  const shape = net.inputShape;
  const width = compact ? net.inputIndices.length : net.inputWidth;
  if (!compact && net.io) return [...net.io.inputShape];
  if (!shape || shape.length < 2) return [width];
  const spatial = shape.slice(1);
  return [width / spatial.reduce((a, b) => a * b, 1), ...spatial];
}

export function buildManifest(net: Network<AnyLayer>, o: ManifestOptions): Manifest {
  const name = (c: number) => net.featureNames[c] ?? `x${c}`;
  return {
    format: MANIFEST_FORMAT,
    version: 1,
    model: o.model,
    modelFormat: o.modelFormat,
    input: {
      name: o.inputName ?? 'features',
      kind: o.compactInput ? 'kept-columns' : 'raw-columns',
      width: o.compactInput ? net.inputIndices.length : net.inputWidth,
      shape: inputDims(net, o.compactInput),
      columns: net.inputIndices.map((c) => ({ index: c, name: name(c) })),
      dtype: 'float32',
    },
    output: o.outputs
      ? {
          task: isRegression(net) ? 'regression' : 'classification',
          classLabels: [...net.classLabels],
          probabilities: holding(o.outputs, 'probabilities'),
          label: holding(o.outputs, 'label'),
          ...(isRegression(net) ? { prediction: holding(o.outputs, 'prediction') ?? undefined, targetNames: [...net.classLabels] } : {}),
          outputs: o.outputs.map((x) => ({ ...x })),
        }
      : isRegression(net)
        ? {
            task: 'regression',
            classLabels: [...net.classLabels],
            probabilities: null,
            label: null,
            prediction: o.outputNames?.probabilities ?? 'prediction',
            targetNames: [...net.classLabels],
          }
        : {
            task: 'classification',
            classLabels: [...net.classLabels],
            probabilities: o.outputNames?.probabilities ?? 'probabilities',
            label: o.outputNames ? o.outputNames.label : 'label',
          },
    scaling: net.scaling
      ? {
          kind: 'standardize',
          inside: true,
          columns: [...net.inputIndices],
          mean: net.inputIndices.map((c) => net.scaling!.mean[c]),
          std: net.inputIndices.map((c) => net.scaling!.std[c]),
        }
      : null,
    quantization: o.quantization ?? 'none',
    producedBy: {
      tool: 'gs-compress',
      version: o.version,
      pruning: o.pruning,
      createdAt: o.createdAt ?? new Date().toISOString(),
      run: o.run ?? null,
    },
  };
}

/** Manifest JSON text: indented, one line per column and per output. */
export function manifestText(m: Manifest): string {
  const text = JSON.stringify(m, null, 1)
    .replace(/\{\n\s+"index": (\d+),\n\s+"name": ("(?:[^"\\]|\\.)*")\n\s+\}/g, '{ "index": $1, "name": $2 }')
    .replace(/\{\n\s+"name": ("(?:[^"\\]|\\.)*"),\n\s+"holds": ("[a-z-]+")\n\s+\}/g, '{ "name": $1, "holds": $2 }');
  return `${text}\n`;
}

/** Where the manifest of an ONNX file goes: model.onnx -> model.manifest.json. */
export function onnxManifestPath(onnxPath: string): string {
  return `${onnxPath.replace(/\.onnx$/i, '')}.manifest.json`;
}

/** The manifest file inside a tfjs export directory. */
export const TFJS_MANIFEST_FILE = 'manifest.json';
