/**
 * Network -> ONNX bytes (ir_version 8, opset 17 of the default domain).
 *
 * Graph: features [batch, d] (raw columns) -> input selection (input-forms.ts: the kept columns
 * as zero rows of the first kernel, a few Slice segments, or a Gather; none with compactInput,
 * where the input is [batch, k]) -> Gemm (+ activation) per hidden layer -> Gemm -> logits ->
 * Softmax = probabilities [batch, C], ArgMax = label int64 [batch]; a regressor's last Gemm is the
 * one output, prediction [batch, k] (network/tasks.ts). Standardization is folded
 * into the first layer (kernel rows scaled by 1/std, the mean subtracted by a Sub node; the mean
 * stays out of the bias on purpose, see foldScaling), so the model takes raw features. `quantize` stores weights as int8 (dynamic activation quantization,
 * MatMulInteger) or float16 (Cast back to float32 at load) — lossy, see quantize.ts.
 * A layer reading 0 inputs makes everything from it on constant: the logits are then a
 * constant row expanded to the batch size (Shape -> Slice -> Concat -> Expand).
 *
 * A convolutional network (net.inputShape [C, H, W] or [C, L]) takes features [batch, C0, H, W] (C0 =
 * inputWidth / (H*W): the raw columns in NCHW order); standardization is applied to that input by
 * Sub and Div nodes of [C0, H, W] constants (not folded into the convolution, which would be inexact
 * at zero-padded borders); a Gather on axis 1 picks the kept channels (none with compactInput, whose
 * input is [batch, ...inputShape]). Each layer type writes its own nodes (Conv, MaxPool, AveragePool,
 * GlobalAveragePool, Flatten; a batch norm right after a linear convolution is folded into it
 * (network/layers/fold-batchnorm.ts), any other is a BatchNormalization node). `quantize` stores
 * dense and convolution weights alike (a convolution computes in float32 from its stored weights). An original
 * interface (io) is kept for convolutional networks too (a Reshape in front when the original took
 * the values in another shape, e.g. flat).
 *
 * An imported network (net.io) keeps its original's interface by default, so the file is a drop-in
 * replacement: the input's name and shape (a Flatten in front when the original took e.g.
 * [batch, 1, 28, 28]), one output with the original's name and meaning (the logits as they are, or
 * their Softmax or LogSoftmax; a regressor's predictions). `extraOutputs` adds our probabilities and
 * label. The batch dimension is always symbolic. The interface is recorded in the metadata (gs.io).
 */
import { GsError } from '../errors';
import { multiplyAdds, parameterCount } from '../network/create';
import { forwardLayers, layerType } from '../network/layers/table';
import { foldBatchNorms } from '../network/layers/fold-batchnorm';
import { isRegression } from '../network/tasks';
import type { AnyLayer, DenseLayer, Layer, ModelIO, Network } from '../network/types';
import type { GraphParts } from './graph-parts';
import { flattenJoins } from './flat-joins';
import { graphBuilder } from './layer-builder';
import { chooseInputForm, readColumns, selectInputs, type InputForm } from './input-forms';
import { META } from './metadata';
import { FLOAT, INT64, floatTensor, int64Tensor, intAttr, node, onnx, valueInfo } from '../codec/onnx-proto';
import { storageOf, type Quantize } from './quantize';

export const IR_VERSION = 8;
export const OPSET = 17;
export const INPUT_NAME = 'features';
export const PROBABILITIES = 'probabilities';
export const LABEL = 'label';
/** The one output of a regression export: [batch, k] float predictions in the target's units. */
export const PREDICTION = 'prediction';

export interface ExportOptions {
  /** Input holds only the kept columns [batch, k] instead of all raw columns [batch, d]. */
  compactInput?: boolean;
  /** How a full-width input picks the kept columns (default 'auto': chosen by measured cost, see input-forms.ts). */
  inputForm?: InputForm | 'auto';
  /** LOSSY: weights as int8 (per output channel, dynamic activation quantization) or float16. */
  quantize?: Quantize | null;
  /** 'segments' form: most Slice ranges (default MAX_SEGMENTS). */
  maxSegments?: number;
  /** The interface to write: an imported network's original one (default: net.io), or null for ours
   * (features -> probabilities, label). */
  io?: ModelIO | null;
  /** With an original interface: also output our `probabilities` and `label` (default false). */
  extraOutputs?: boolean;
  /** Extra metadata_props (training config, parameters before pruning, ...). */
  metadata?: Record<string, string>;
  producerVersion: string;
}

/** A network whose first layer reads [C, H, W] or [C, L] examples (a convolutional network). */
function isSpatial(net: Network<AnyLayer>): boolean {
  return net.inputShape !== undefined && net.inputShape.length > 1 && net.layers[0]?.op !== 'dense';
}

function checkNetwork(net: Network<AnyLayer>): void {
  const bad = (what: string) => new GsError('BAD_MODEL', `cannot export: ${what}`);
  if (net.layers.length === 0) throw bad('the network has no layers');
  const first = net.layers[0];
  const spatial = isSpatial(net);
  if (first.op !== 'dense' && !spatial)
    throw bad(
      `the first layer is a ${String((first as { op: string }).op)} layer; without an input shape the export reads its inputs through a dense layer`,
    );
  const firstIn = layerType(first).inChannels(first);
  const perChannel = spatial ? net.inputShape!.slice(1).reduce((a, b) => a * b, 1) : 1;
  if (net.inputIndices.length !== firstIn * perChannel) {
    throw bad(`inputIndices lists ${net.inputIndices.length} columns, the first layer reads ${firstIn * perChannel}`);
  }
  if (net.inputIndices.some((c) => !Number.isInteger(c) || c < 0 || c >= net.inputWidth)) {
    throw bad(`inputIndices must be columns below ${net.inputWidth}`);
  }
  net.layers.forEach((l, i) => {
    const t = layerType(l);
    if (t.invalid(l) !== null) throw bad(`layer ${i} has inconsistent sizes`);
    const before = i > 0 ? layerType(net.layers[i - 1]).outChannels(net.layers[i - 1]) : firstIn;
    if (i > 0 && t.inChannels(l) !== before) throw bad(`layer ${i} reads ${t.inChannels(l)} units, layer ${i - 1} has ${before}`);
  });
  const classes = outputsOf(net);
  if (classes < 1) throw bad('the output layer has no units');
  if (net.classLabels.length !== classes) throw bad(`${net.classLabels.length} class labels for ${classes} outputs`);
}

/** Output columns of the network (its last layer's channels). */
function outputsOf(net: Network<AnyLayer>): number {
  const last = net.layers[net.layers.length - 1];
  return layerType(last).outChannels(last);
}

/**
 * First layer with standardization folded in: the kernel absorbs 1/std (multiplicative, exact to
 * float32 rounding), and the mean is subtracted by a Sub node in front of it. Folding the mean
 * into the bias as well would save that node but cancels catastrophically in float32 when
 * means are large against stds (seen on SDD: probability errors above 1e-5).
 */
export function foldScaling(net: Network): { layer: DenseLayer; mean: Float32Array | null } {
  const first = net.layers[0];
  if (!net.scaling) return { layer: first, mean: null };
  const { inSize, outSize } = first;
  const kernel = new Float32Array(first.kernel.length);
  const mean = new Float32Array(inSize);
  for (let i = 0; i < inSize; i++) {
    const c = net.inputIndices[i];
    const inv = 1 / net.scaling.std[c];
    mean[i] = net.scaling.mean[c];
    for (let j = 0; j < outSize; j++) kernel[i * outSize + j] = first.kernel[i * outSize + j] * inv;
  }
  return { layer: { op: 'dense', inSize, outSize, kernel, bias: first.bias }, mean };
}

/** 1/std of each column the first layer reads (in the layout `form` gives it; 0 for a dropped column,
 * which the kernel ignores and which must not widen the quantization range). */
function inverseStdOf(net: Network, width: number, form: InputForm, maxSegments?: number): Float32Array {
  const std = (net.scaling as NonNullable<Network['scaling']>).std;
  const kept = net.inputIndices.map((c) => 1 / std[c]);
  if (form === 'compact' || form === 'gather') return Float32Array.from(kept);
  const pos = new Map(net.inputIndices.map((c, k) => [c, k]));
  const cols = readColumns(net, form, maxSegments);
  if (cols.length !== width) throw new Error(`internal: ${cols.length} columns read, the first layer has ${width} rows`);
  return Float32Array.from(cols, (c) => {
    const k = pos.get(c);
    return k === undefined ? 0 : kept[k];
  });
}

/** Logits of the constant tail starting at layer `from`, whose input width is 0. */
function constantLogits(layers: Layer[], from: number): Float32Array {
  return Float32Array.from(forwardLayers(layers.slice(from), new Float64Array(0), 1, [0]));
}

function isIdentity(idx: number[], width: number): boolean {
  return idx.length === width && idx.every((c, i) => c === i);
}

function denseChain(net: Network, input: string, last: string, form: InputForm, opts: ExportOptions, g: GraphParts): void {
  const quantize = opts.quantize ?? null;
  // int8 quantizes the first layer's input with one scale per call: raw columns of very different
  // ranges (covtype: metres beside 0/1 flags) would lose the small ones; and a kernel with 1/std
  // folded in has rows of very different sizes, which one int8 scale per output column cannot hold
  // (SDD: stds down to 1e-5). So with such a storage (its scalesInput) the standardization is applied
  // to the input (Sub, Mul) instead of being folded into the kernel.
  const scaleInput = storageOf(quantize).scalesInput && net.scaling !== null;
  const folded = foldScaling(net);
  const first = selectInputs(net, scaleInput ? { layer: net.layers[0], mean: folded.mean } : folded, form, input, g, opts.maxSegments);
  let cur = first.output;
  if (first.mean) {
    g.inits.push(floatTensor('input_mean', [first.mean.length], first.mean));
    g.nodes.push(node('Sub', [cur, 'input_mean'], ['centered_features'], 'center_inputs'));
    cur = 'centered_features';
  }
  if (scaleInput) {
    const inv = inverseStdOf(net, first.layer.inSize, form, opts.maxSegments);
    g.inits.push(floatTensor('input_inv_std', [inv.length], inv));
    g.nodes.push(node('Mul', [cur, 'input_inv_std'], ['standardized_features'], 'scale_inputs'));
    cur = 'standardized_features';
  }
  // the first layer with the scaling folded in (and its input columns selected)
  layerNodes([{ ...net.layers[0], ...first.layer }, ...net.layers.slice(1)], cur, last, quantize, g);
}

/**
 * The chain of a convolutional network: raw [batch, C0, ...spatial] -> standardized (Sub, then Div or,
 * for float32 weights and a per-channel scaling, 1/std folded into the first convolution) ->
 * kept channels (Gather on axis 1) -> each layer's nodes. Returns the input dims after the batch.
 */
function spatialChain(net: Network<AnyLayer>, input: string, last: string, compact: boolean, opts: ExportOptions, g: GraphParts): number[] {
  const shape = net.inputShape!;
  const rest = shape.slice(1);
  const S = rest.reduce((a, b) => a * b, 1);
  const bad = (what: string) => new GsError('BAD_MODEL', `cannot export: ${what}`);
  if (net.inputWidth % S !== 0) throw bad(`${net.inputWidth} raw columns are not whole channels of ${rest.join('x')} positions`);
  const channels = net.inputIndices.filter((_, k) => k % S === 0).map((c) => c / S);
  if (!net.inputIndices.every((c, k) => c === channels[Math.floor(k / S)] * S + (k % S)) || channels.some((c) => !Number.isInteger(c))) {
    throw bad('the input columns of a convolutional network must be whole channels (blocks of H*W columns)');
  }
  const dims = compact ? [...shape] : [net.inputWidth / S, ...rest];
  let cur = input;
  let layers = net.layers;
  if (net.scaling) {
    const cols = compact ? net.inputIndices : Array.from({ length: net.inputWidth }, (_, c) => c);
    const mean = Float32Array.from(cols, (c) => net.scaling!.mean[c]);
    const std = Float32Array.from(cols, (c) => net.scaling!.std[c]);
    // one value per channel when the scaling is constant within each (per-channel standardization,
    // a torchvision Normalize): broadcast as [C, 1, 1] instead of a value per position
    const perChannel = [mean, std].every((a) => a.every((v, i) => v === a[i - (i % S)]));
    const shapeOf = perChannel ? [dims[0], ...rest.map(() => 1)] : dims;
    const pick = (a: Float32Array) => (perChannel ? Float32Array.from({ length: dims[0] }, (_, ch) => a[ch * S]) : a);
    g.inits.push(floatTensor('input_mean', shapeOf, pick(mean)));
    g.nodes.push(node('Sub', [cur, 'input_mean'], ['centered_features'], 'center_inputs'));
    cur = 'centered_features';
    // 1/std per channel goes into the first convolution's weights (exact: a padded zero stays zero);
    // the mean stays a Sub, as for dense networks (foldScaling)
    const readStd = channels.map((c, i) => std[(compact ? i : c) * S]);
    // float32 weights only: int8 and float16 keep the Div (a weight over a small std can leave their range)
    const folded = perChannel && (opts.quantize ?? null) === null ? divideFirst(layers, readStd) : null;
    if (folded) layers = folded;
    else {
      g.inits.push(floatTensor('input_std', shapeOf, pick(std)));
      g.nodes.push(node('Div', [cur, 'input_std'], ['standardized_features'], 'scale_inputs'));
      cur = 'standardized_features';
    }
  }
  if (!compact && !(channels.length === dims[0] && channels.every((c, i) => c === i))) {
    g.inits.push(int64Tensor('kept_channels', [channels.length], channels));
    g.nodes.push(node('Gather', [cur, 'kept_channels'], ['kept_features'], 'select_channels', [intAttr('axis', 1)]));
    cur = 'kept_features';
  }
  layerNodes(foldBatchNorms(layers), cur, last, opts.quantize ?? null, g);
  return dims;
}

/**
 * The layers with the first one's weights divided by `std` per input channel (the channels it
 * reads, in order), or null when the first layer is not a convolution (depthwise included) that
 * reads the input straight.
 */
function divideFirst(layers: readonly AnyLayer[], std: number[]): AnyLayer[] | null {
  const first = layers[0];
  if (first?.op === 'conv' && first.cin === std.length) {
    const k = first.weight.length / (first.cout * first.cin);
    const weight = Float32Array.from(first.weight, (w, i) => w / std[Math.floor(i / k) % first.cin]);
    return [{ ...first, weight }, ...layers.slice(1)];
  }
  if (first?.op === 'depthwise' && first.channels === std.length) {
    const k = first.weight.length / first.channels;
    const weight = Float32Array.from(first.weight, (w, i) => w / std[Math.floor(i / k)]);
    return [{ ...first, weight }, ...layers.slice(1)];
  }
  return null;
}

/** Every layer's nodes (each type's own, through the builder) from `input` to `last`. */
function layerNodes(layers: readonly AnyLayer[], input: string, last: string, quantize: Quantize | null, g: GraphParts): void {
  const b = graphBuilder(g, quantize);
  let cur = input;
  const slots = new Map<number, string>();
  layers.forEach((layer, l) => {
    const hidden = l < layers.length - 1;
    cur = layerType(layer).onnx(layer, { input: cur, prefix: `layer${l}`, hidden, slots, ...(hidden ? {} : { output: last }) }, b);
  });
}

function constantChain(net: Network, from: number, input: string, last: string, g: GraphParts): void {
  const c = constantLogits(net.layers, from);
  g.inits.push(floatTensor('constant_logits', [1, c.length], c));
  g.inits.push(int64Tensor('zero', [1], [0]), int64Tensor('one', [1], [1]), int64Tensor('classes', [1], [c.length]));
  g.nodes.push(
    node('Shape', [input], ['input_shape'], 'input_shape'),
    node('Slice', ['input_shape', 'zero', 'one'], ['batch_size'], 'batch_size'),
    node('Concat', ['batch_size', 'classes'], ['logits_shape'], 'logits_shape', [intAttr('axis', 0)]),
    node('Expand', ['constant_logits', 'logits_shape'], [last], 'expand_logits'),
  );
}

function metadataProps(
  net: Network<AnyLayer>,
  compact: boolean,
  form: InputForm | null,
  quantize: Quantize | null,
  extra: Record<string, string>,
  io: { io: ModelIO; extraOutputs: boolean } | null,
): onnx.IStringStringEntryProto[] {
  const sizes = [layerType(net.layers[0]).inChannels(net.layers[0]), ...net.layers.map((l) => layerType(l).outChannels(l))];
  const ours: Record<string, string> = {
    [META.classes]: JSON.stringify(net.classLabels),
    [META.inputWidth]: String(net.inputWidth),
    [META.keptIndices]: JSON.stringify(net.inputIndices),
    [META.compactInput]: String(compact),
    [META.scalingFolded]: String(net.scaling !== null),
    [META.layerSizes]: JSON.stringify(sizes),
    [META.parameters]: String(parameterCount(net)),
    [META.multiplyAdds]: String(multiplyAdds(net)),
    [META.inputForm]: compact ? 'compact' : (form ?? 'all-columns'),
    [META.quantization]: quantize ?? 'none',
    ...(isRegression(net) ? { [META.task]: 'regression' } : {}),
    ...(io ? { [META.io]: JSON.stringify({ ...io.io, extraOutputs: io.extraOutputs }) } : {}),
  };
  // Names only when the data has them (default names x<column> are implied by the indices; they
  // would be a third of a small int8 file).
  const names = net.inputIndices.map((c) => net.featureNames[c] ?? `x${c}`);
  if (names.some((n, i) => n !== `x${net.inputIndices[i]}`)) ours[META.keptNames] = JSON.stringify(names);
  return Object.entries({ ...extra, ...ours }).map(([key, value]) => ({ key, value }));
}

/** Tensor names of an export: its input, the last layer's output, and the graph outputs. */
interface Names {
  input: string;
  last: string;
  outputs: onnx.IValueInfoProto[];
}

/** Nodes after the chain for the chosen interface (Softmax / LogSoftmax / ArgMax) and the graph's outputs. */
function outputNodes(net: Network<AnyLayer>, io: ModelIO | null, extraOutputs: boolean, g: GraphParts): Names {
  const classes = outputsOf(net);
  const regression = isRegression(net);
  if (!io) {
    if (regression) return { input: INPUT_NAME, last: PREDICTION, outputs: [valueInfo(PREDICTION, FLOAT, ['batch', classes])] };
    g.nodes.push(
      node('Softmax', ['logits'], [PROBABILITIES], 'softmax', [intAttr('axis', -1)]),
      node('ArgMax', ['logits'], [LABEL], 'argmax', [intAttr('axis', 1), intAttr('keepdims', 0)]),
    );
    return {
      input: INPUT_NAME,
      last: 'logits',
      outputs: [valueInfo(PROBABILITIES, FLOAT, ['batch', classes]), valueInfo(LABEL, INT64, ['batch'])],
    };
  }
  const taken = new Set([io.inputName, io.outputName]);
  const free = (name: string) => (taken.has(name) ? `gs_${name}` : name);
  const form = regression ? 'logits' : io.outputForm;
  const last = form === 'logits' ? io.outputName : free('logits');
  if (form !== 'logits') {
    const op = form === 'softmax' ? 'Softmax' : 'LogSoftmax';
    g.nodes.push(node(op, [last], [io.outputName], op.toLowerCase(), [intAttr('axis', -1)]));
  }
  const outputs = [valueInfo(io.outputName, FLOAT, ['batch', classes])];
  if (extraOutputs && !regression) {
    const [p, l] = [free(PROBABILITIES), free(LABEL)];
    g.nodes.push(
      node('Softmax', [last], [p], 'extra_softmax', [intAttr('axis', -1)]),
      node('ArgMax', [last], [l], 'extra_argmax', [intAttr('axis', 1), intAttr('keepdims', 0)]),
    );
    outputs.push(valueInfo(p, FLOAT, ['batch', classes]), valueInfo(l, INT64, ['batch']));
  }
  return { input: io.inputName, last, outputs };
}

/** The network as an ONNX model (serialized ModelProto). */
export function exportOnnx(given: Network<AnyLayer>, opts: ExportOptions): Uint8Array {
  checkNetwork(given);
  if (isSpatial(given)) return exportSpatial(given, opts);
  // the first layer is dense (checked): the dense-first export as it always was
  const net = given as Network;
  const compact = opts.compactInput === true;
  const k = net.inputIndices.length;
  const classes = outputsOf(net);
  const io = opts.io === undefined ? (net.io ?? null) : opts.io;
  const extraOutputs = io !== null && opts.extraOutputs === true;
  const tail: GraphParts = { nodes: [], inits: [] };
  const names = outputNodes(net, io, extraOutputs, tail);
  const g: GraphParts = { nodes: [], inits: [] };
  const quantize = opts.quantize ?? null;
  // an original input of several dims after the batch (e.g. [1, 28, 28]) is flattened first
  const shaped = io !== null && !compact && io.inputShape.length > 1;
  if (io && !compact && io.inputShape.reduce((a, b) => a * b, 1) !== net.inputWidth) {
    throw new GsError(
      'BAD_MODEL',
      `cannot export: the original input ${JSON.stringify(io.inputShape)} does not hold ${net.inputWidth} features`,
    );
  }
  let chainInput = names.input;
  if (shaped) {
    g.nodes.push(node('Flatten', [names.input], ['flat_features'], 'flatten_input', [intAttr('axis', 1)]));
    chainInput = 'flat_features';
  }
  let form: InputForm | null = null;
  let constFrom = -1;
  net.layers.forEach((l, i) => {
    if (layerType(l).inChannels(l) === 0) constFrom = i;
  });
  if (constFrom >= 0) {
    constantChain(net, constFrom, chainInput, names.last, g);
  } else {
    if (!compact && !isIdentity(net.inputIndices, net.inputWidth)) {
      form = opts.inputForm && opts.inputForm !== 'auto' ? opts.inputForm : chooseInputForm(net);
    }
    denseChain(net, chainInput, names.last, form ?? 'compact', opts, g);
  }
  g.nodes.push(...tail.nodes);
  const regression = isRegression(net);
  const inputs = compact ? 'kept feature columns' : 'raw features';
  const weights = quantize ? ` (${quantize} weights)` : '';
  const inputDims = compact ? [k] : io ? io.inputShape : [net.inputWidth];
  const docString = regression
    ? `Group-sparse regressor exported by gs-compress: ${inputs} in, ${classes} predicted value(s) out${weights}.`
    : io
      ? `Group-sparse classifier exported by gs-compress with its original's interface: ${inputs} in, ${io.outputForm} out${extraOutputs ? ', plus probabilities and label' : ''}${weights}.`
      : `Group-sparse classifier exported by gs-compress: ${inputs} in, class probabilities and label out${weights}.`;
  const meta = metadataProps(net, compact, form, quantize, opts.metadata ?? {}, io ? { io, extraOutputs } : null);
  return encodeModel(opts, docString, regression, g, names, inputDims, meta);
}

/** The ModelProto of a built graph, serialized: our producer, IR and opset, a symbolic batch dimension. */
function encodeModel(
  opts: ExportOptions,
  docString: string,
  regression: boolean,
  g: GraphParts,
  names: Names,
  inputDims: number[],
  metadataProps: onnx.IStringStringEntryProto[],
): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'gs-compress',
    producerVersion: opts.producerVersion,
    modelVersion: 1,
    docString,
    graph: {
      name: regression ? 'gs_compress_regressor' : 'gs_compress_classifier',
      node: g.nodes,
      initializer: g.inits,
      input: [valueInfo(names.input, FLOAT, ['batch', ...inputDims])],
      output: names.outputs,
    },
    metadataProps,
  };
  return onnx.ModelProto.encode(model).finish();
}

/** exportOnnx of a convolutional network (no original interface, no constant chain: pruning keeps a placeholder channel). */
function exportSpatial(net: Network<AnyLayer>, opts: ExportOptions): Uint8Array {
  const compact = opts.compactInput === true;
  const io = opts.io === undefined ? (net.io ?? null) : opts.io;
  if (io && compact) throw new GsError('BAD_OPTION', "cannot export: a compact input and the original's interface exclude each other");
  const extraOutputs = io !== null && opts.extraOutputs === true;
  const classes = outputsOf(net);
  const tail: GraphParts = { nodes: [], inits: [] };
  const names = outputNodes(net, io, extraOutputs, tail);
  const g: GraphParts = { nodes: [], inits: [] };
  let chainInput = names.input;
  const shape = net.inputShape!;
  const full = [net.inputWidth / shape.slice(1).reduce((a, b) => a * b, 1), ...shape.slice(1)];
  if (io) {
    if (io.inputShape.reduce((a, b) => a * b, 1) !== net.inputWidth)
      throw new GsError(
        'BAD_MODEL',
        `cannot export: the original input ${JSON.stringify(io.inputShape)} does not hold ${net.inputWidth} features`,
      );
    // an original that takes the values in another shape (e.g. flat, reshaped to images inside) is reshaped first
    if (io.inputShape.length !== full.length || io.inputShape.some((d, i) => d !== full[i])) {
      g.inits.push(int64Tensor('image_shape', [full.length + 1], [-1, ...full]));
      g.nodes.push(node('Reshape', [names.input, 'image_shape'], ['image_features'], 'reshape_input'));
      chainInput = 'image_features';
    }
  }
  const chainDims = spatialChain(net, chainInput, names.last, compact, opts, g);
  flattenJoins(g);
  const inputDims = io ? io.inputShape : chainDims;
  g.nodes.push(...tail.nodes);
  const regression = isRegression(net);
  const quantize = opts.quantize ?? null;
  const weights = quantize ? ` (${quantize} weights)` : '';
  const outputs = io
    ? `${io.outputForm}${extraOutputs ? ', plus probabilities and label' : ''}`
    : regression
      ? `${classes} predicted value(s)`
      : 'class probabilities and label';
  const docString = `Group-sparse convolutional ${regression ? 'regressor' : 'classifier'} exported by gs-compress${io ? " with its original's interface" : ''}: [${inputDims.join(', ')}] ${
    compact ? 'kept channels' : 'raw features'
  } in, ${outputs} out${weights}.`;
  const meta = metadataProps(net, compact, null, quantize, opts.metadata ?? {}, io ? { io, extraOutputs } : null);
  return encodeModel(opts, docString, regression, g, names, inputDims, meta);
}

/**
 * The outputs an export has, in order, and what each holds (for the manifest): ours (probabilities and
 * label; a regressor's prediction), or the original's output under its own name and meaning (an imported
 * network, `io`), plus ours with `extraOutputs`. Mirrors outputNodes.
 */
export function exportOutputs(
  net: Network<AnyLayer>,
  opts: { io?: ModelIO | null; extraOutputs?: boolean } = {},
): Array<{ name: string; holds: 'probabilities' | 'logits' | 'log-probabilities' | 'label' | 'prediction' }> {
  const io = opts.io === undefined ? (net.io ?? null) : opts.io;
  const regression = isRegression(net);
  if (!io) {
    return regression
      ? [{ name: PREDICTION, holds: 'prediction' }]
      : [
          { name: PROBABILITIES, holds: 'probabilities' },
          { name: LABEL, holds: 'label' },
        ];
  }
  if (regression) return [{ name: io.outputName, holds: 'prediction' }];
  const holds = io.outputForm === 'logits' ? 'logits' : io.outputForm === 'softmax' ? 'probabilities' : 'log-probabilities';
  const out: ReturnType<typeof exportOutputs> = [{ name: io.outputName, holds }];
  if (opts.extraOutputs) {
    const taken = new Set([io.inputName, io.outputName]);
    const free = (name: string) => (taken.has(name) ? `gs_${name}` : name);
    out.push({ name: free(PROBABILITIES), holds: 'probabilities' }, { name: free(LABEL), holds: 'label' });
  }
  return out;
}

/** One line for messages: "input x [N, 64] -> output y [N, 10]: logits". */
export function describeInterface(
  net: Network<AnyLayer>,
  opts: { io?: ModelIO | null; extraOutputs?: boolean; compactInput?: boolean } = {},
): string {
  const io = opts.io === undefined ? (net.io ?? null) : opts.io;
  const classes = outputsOf(net);
  const regression = isRegression(net);
  const shape = net.inputShape;
  const spatial = !io && shape !== undefined && isSpatial(net);
  const S = shape ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const dims = spatial
    ? opts.compactInput
      ? [...shape]
      : [net.inputWidth / S, ...shape.slice(1)]
    : opts.compactInput
      ? [net.inputIndices.length]
      : io
        ? io.inputShape
        : [net.inputWidth];
  const input = `input ${io ? io.inputName : INPUT_NAME} [N, ${dims.join(', ')}]`;
  if (!io) {
    return regression
      ? `${input} -> output ${PREDICTION} [N, ${classes}]: predictions`
      : `${input} -> outputs ${PROBABILITIES} [N, ${classes}]: probabilities (softmax), ${LABEL} [N]: int64 class index`;
  }
  const meaning = regression
    ? 'predictions'
    : io.outputForm === 'logits'
      ? 'logits'
      : io.outputForm === 'softmax'
        ? 'probabilities (softmax)'
        : 'log-probabilities (log-softmax)';
  const extra = opts.extraOutputs && !regression ? `; plus ${PROBABILITIES} [N, ${classes}] and ${LABEL} [N]` : '';
  return `${input} -> output ${io.outputName} [N, ${classes}]: ${meaning}${extra}`;
}
