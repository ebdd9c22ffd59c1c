/**
 * Reading a fully connected network out of an ONNX file as torch.onnx.export, tf2onnx / keras2onnx
 * and skl2onnx write them. The graph is walked from its single input along one chain of tensors:
 *   pass-through  Flatten, Reshape to [batch, -1], Identity, Dropout (inference), Cast to float
 *   scaling       Sub / Add / Div / Mul by a constant, ai.onnx.ml Scaler, BatchNormalization
 *   linear        Gemm (transA=0, transB 0 or 1, alpha, beta), MatMul + Add
 *   activations   Relu, LeakyRelu, Tanh, Sigmoid, Gelu, the Erf form of GELU, Clip(0, 6) (ReLU6), x * Sigmoid(x) (SiLU), (Identity)
 *   output        Softmax / LogSoftmax at the end, or nothing; after it only the label and
 *                 probability tail (ArgMax, ArrayFeatureExtractor, ZipMap, Cast, Reshape, Identity)
 * Anything else (Conv, a residual Add of two computed tensors, branches, several inputs, ops of
 * custom domains) is refused with the node's name and op and what is supported.
 */
import { GsError } from '../errors';
import { decodeOnnx, readModelFile } from '../codec/onnx-file';
import { type Int64Like, onnx, toNum } from '../codec/onnx-proto';
import { attr, attrFloat, attrInt, GraphIndex, type Const, type Node } from './onnx-graph';
import { CNN_MARKERS, SUPPORTED_CNN_OPS, walkCnn } from './onnx-cnn';
import type { AnyLayer, DenseLayer, Network } from '../network/types';
import { assembleSteps } from './assemble';
import { chainConcats } from './onnx-concat-chains';
import type { ImportStep, ImportedModel } from './types';

export const SUPPORTED_ONNX_OPS =
  'Gemm, MatMul + Add, Relu, LeakyRelu, Tanh, Sigmoid, Gelu or its Erf form, Clip(0, 6) (ReLU6), x * Sigmoid(x) (SiLU), Flatten, Reshape, Identity, Dropout, Cast, ' +
  'Sub/Add/Div/Mul by constants, Scaler, BatchNormalization, Softmax/LogSoftmax at the end (then ArgMax, ArrayFeatureExtractor, ZipMap)';

const PASS_THROUGH = new Set(['Identity', 'Dropout', 'Flatten', 'Reshape', 'Cast']);
const TAIL_OPS = new Set([
  'ArgMax',
  'ArrayFeatureExtractor',
  'ZipMap',
  'Cast',
  'Reshape',
  'Identity',
  'Softmax',
  'LogSoftmax',
  'Shape',
  'Gather',
]);
/** Layer ops of other kinds of networks: refused by name wherever they are in the graph. */
const FOREIGN_LAYERS = new Set([
  'Conv',
  'ConvTranspose',
  'ConvInteger',
  'QLinearConv',
  'LSTM',
  'GRU',
  'RNN',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Attention',
  'MultiHeadAttention',
  'Loop',
  'Scan',
]);
const DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft']);

class Walker extends GraphIndex {
  readonly steps: ImportStep[] = [];
  readonly notes: string[] = [];
  /** Rank of the tensor the walk is at (the input's, until a Flatten or Reshape makes it [batch, features]). */
  rank = 2;
  /** The input's name and shape, for messages ("N x 8 x 8"). */
  inputDesc = '';
  /** What the refusals say is supported (the CNN walk sets its own). */
  supported = `chains of fully connected layers (${SUPPORTED_ONNX_OPS})`;

  unsupported(n: Node, why?: string): GsError {
    const o = this.origin(n);
    return new GsError(
      'BAD_MODEL',
      `${this.file}: node "${o.name}" (${o.op}${n.domain ? `, domain ${n.domain}` : ''}) ${why ?? 'is not supported'}: gs-compress imports ${this.supported}`,
    );
  }

  /** The one other input of a binary node whose input `cur` is computed; it must be a constant. */
  otherConst(n: Node, cur: string): Const {
    const ins = (n.input ?? []).filter((i) => i !== cur);
    if ((n.input ?? []).filter((i) => i === cur).length !== 1 || ins.length !== 1)
      throw this.unsupported(n, 'combines two computed tensors');
    const c = this.konst(ins[0]);
    if (!c) {
      const why =
        n.opType === 'Add' || n.opType === 'Sum'
          ? 'adds two computed tensors (a residual or skip connection)'
          : 'combines two computed tensors';
      throw this.unsupported(n, why);
    }
    return c;
  }

  /** Walks from the graph input; returns the logits tensor and the last tensor of the chain. */
  walk(input: string): { logits: string; end: string } {
    let cur = input;
    let logits: string | null = null;
    let lastLinear: 'matmul' | 'gemm' | null = null;
    for (;;) {
      const nodes = this.next(cur);
      if (logits !== null || nodes.length === 0) break;
      if (nodes.length > 1) {
        const act = this.matchActivationPattern(cur, nodes);
        if (act) {
          this.steps.push({ op: 'activation', activation: act.activation, from: { name: nodes[0].name ?? '', op: act.op } });
          cur = act.out;
          lastLinear = null;
          continue;
        }
        // the only allowed fork: the label / probability tail after the logits or output
        if (nodes.every((n) => TAIL_OPS.has(n.opType ?? '') && n.opType !== 'Softmax' && n.opType !== 'LogSoftmax')) break;
        if (this.takeLabelBesideSoftmax(nodes, TAIL_OPS)) continue;
        const join = nodes.find((n) => ['Add', 'Sum', 'Concat', 'Mul'].includes(n.opType ?? ''));
        if (join)
          throw this.unsupported(
            join,
            `takes tensor "${cur}", which also feeds ${nodes
              .filter((n) => n !== join)
              .map((n) => `"${this.origin(n).name}" (${n.opType})`)
              .join(', ')} (a residual or branching graph)`,
          );
        throw this.unsupported(nodes[1], `branches off tensor "${cur}" (also read by "${this.origin(nodes[0]).name}")`);
      }
      const n = nodes[0];
      const op = n.opType ?? '';
      if (op === 'ArgMax' || op === 'ZipMap' || op === 'ArrayFeatureExtractor') break; // the label tail of a logits output
      if (n.domain && !DOMAINS.has(n.domain)) throw this.unsupported(n, `belongs to the custom domain ${n.domain}`);
      const from = this.origin(n);
      const out = n.output?.[0] ?? '';
      this.used.add(n);
      if ((n.input ?? [])[0] !== cur && !['Add', 'Mul', 'Sub', 'Div', 'Sum'].includes(op))
        throw this.unsupported(n, `reads "${cur}" as a parameter`);
      if (PASS_THROUGH.has(op)) {
        if (op === 'Cast' && attrInt(n, 'to', 1) !== (onnx.TensorProto.DataType.FLOAT as number)) {
          // the label tail (e.g. skl2onnx casts labels) is not on this path; a cast of the features is
          throw this.unsupported(n, 'casts the features to a non-float type');
        }
        if (op === 'Reshape') {
          const shape = this.konst(n.input?.[1]);
          if (!shape || shape.values.length !== 2) {
            const to = shape ? ` [${Array.from(shape.values).join(', ')}]` : '';
            throw this.unsupported(n, `reshapes the features to${to}, not to [batch, features]`);
          }
          this.rank = 2;
        }
        if (op === 'Flatten' && attrInt(n, 'axis', 1) !== 1) throw this.unsupported(n, 'flattens at an axis other than 1');
        if (op === 'Flatten') this.rank = 2;
        if (op === 'Dropout' && attrInt(n, 'training_mode', 0) !== 0) throw this.unsupported(n, 'is in training mode');
        if (op === 'Dropout') this.notes.push(`Dropout "${from.name}" dropped (inference form)`);
        cur = out;
        continue;
      }
      switch (op) {
        case 'Gemm': {
          const B = this.konst(n.input?.[1]);
          const Cc = this.konst(n.input?.[2]);
          if (!B || B.dims.length !== 2) throw this.unsupported(n, 'has a weight that is not a constant matrix');
          if (attrInt(n, 'transA', 0) !== 0) throw this.unsupported(n, 'has transA=1');
          const transB = attrInt(n, 'transB', 0) === 1;
          const alpha = attrFloat(n, 'alpha', 1);
          const beta = attrFloat(n, 'beta', 1);
          const [inSize, outSize] = transB ? [B.dims[1], B.dims[0]] : [B.dims[0], B.dims[1]];
          const kernel = new Float64Array(inSize * outSize);
          for (let i = 0; i < inSize; i++) {
            for (let j = 0; j < outSize; j++)
              kernel[i * outSize + j] = alpha * (transB ? B.values[j * inSize + i] : B.values[i * outSize + j]);
          }
          const bias = new Float64Array(outSize);
          if (Cc) {
            if (Cc.values.length !== 1 && Cc.values.length !== outSize)
              throw this.unsupported(n, `has a bias of ${Cc.values.length} values for ${outSize} units`);
            for (let j = 0; j < outSize; j++) bias[j] = beta * (Cc.values.length === 1 ? Cc.values[0] : Cc.values[j]);
          }
          this.steps.push({ op: 'linear', inSize, outSize, kernel, bias, from });
          lastLinear = 'gemm';
          break;
        }
        case 'MatMul': {
          if (this.rank > 2) {
            throw new GsError(
              'BAD_MODEL',
              `${this.file}: the input ${this.inputDesc} has ${this.rank} dimensions and "${from.name}" (MatMul) multiplies only its last one; ` +
                'gs-compress imports fully connected networks on flat N x F inputs only today (a Flatten, or a Reshape to [batch, -1], before the first linear layer is fine)',
            );
          }
          const W = this.konst(n.input?.[1]);
          if (!W || W.dims.length !== 2) throw this.unsupported(n, 'has a weight that is not a constant matrix');
          this.steps.push({
            op: 'linear',
            inSize: W.dims[0],
            outSize: W.dims[1],
            kernel: W.values.slice(),
            bias: new Float64Array(W.dims[1]),
            from,
          });
          lastLinear = 'matmul';
          break;
        }
        case 'Add':
        case 'Sub':
        case 'Mul':
        case 'Div': {
          const c = this.otherConst(n, cur);
          const prev = this.steps[this.steps.length - 1];
          if (op === 'Add' && lastLinear !== null && prev?.op === 'linear') {
            // the bias of MatMul + Add (or an extra bias after Gemm)
            if (c.values.length !== 1 && c.values.length !== prev.outSize)
              throw this.unsupported(n, `adds ${c.values.length} values to ${prev.outSize} units`);
            for (let j = 0; j < prev.outSize; j++) prev.bias[j] += c.values.length === 1 ? c.values[0] : c.values[j];
            break;
          }
          if ((op === 'Sub' || op === 'Div') && (n.input ?? [])[0] !== cur)
            throw this.unsupported(n, 'has the constant as its first operand');
          const v = c.values;
          const shift = op === 'Sub' ? v.slice() : op === 'Add' ? v.map((x) => -x) : Float64Array.of(0);
          const divide = op === 'Div' ? v.slice() : op === 'Mul' ? v.map((x) => 1 / x) : Float64Array.of(1);
          this.steps.push({ op: 'affine', shift, divide, from });
          break;
        }
        case 'Scaler': {
          const offset = attr(n, 'offset')?.floats ?? [];
          const scale = attr(n, 'scale')?.floats ?? [];
          this.steps.push({
            op: 'affine',
            shift: offset.length ? Float64Array.from(offset) : Float64Array.of(0),
            divide: scale.length ? Float64Array.from(scale, (s) => 1 / s) : Float64Array.of(1),
            from,
          });
          this.notes.push(`Scaler "${from.name}" became the network's feature scaling`);
          break;
        }
        case 'BatchNormalization': {
          const [g, b, m, v] = [1, 2, 3, 4].map((i) => this.konst(n.input?.[i]));
          if (!g || !b || !m || !v) throw this.unsupported(n, 'has parameters that are not constants');
          if ((n.output ?? []).filter(Boolean).length > 1) throw this.unsupported(n, 'is in training mode');
          const eps = attrFloat(n, 'epsilon', 1e-5);
          const k = g.values.length;
          const s = Float64Array.from({ length: k }, (_, i) => g.values[i] / Math.sqrt(v.values[i] + eps));
          // y = s (x - m) + b = (x - (m - b/s)) / (1/s)
          this.steps.push({
            op: 'affine',
            shift: Float64Array.from(m.values, (mi, i) => mi - b.values[i] / s[i]),
            divide: s.map((x) => 1 / x),
            from,
          });
          this.notes.push(`BatchNormalization "${from.name}" folded`);
          break;
        }
        case 'Softmax':
        case 'LogSoftmax': {
          const axis = attrInt(n, 'axis', -1);
          if (axis !== -1 && axis !== 1) throw this.unsupported(n, `works on axis ${axis}, not the class axis`);
          this.steps.push({ op: 'output', form: op === 'Softmax' ? 'softmax' : 'log-softmax', from });
          logits = cur;
          cur = out;
          break;
        }
        default: {
          // activations: the table's ONNX forms (network/activations.ts)
          const activation = this.activationOfNode(n, (why) => this.unsupported(n, why));
          if (!activation) throw this.unsupported(n);
          this.steps.push({ op: 'activation', activation, from });
        }
      }
      if (op !== 'Add') lastLinear = op === 'Gemm' || op === 'MatMul' ? lastLinear : null;
      if (logits === null) cur = out;
    }
    return { logits: logits ?? cur, end: cur };
  }

  /**
   * Refusals that the walk would report at the wrong node: a layer no MLP has (a Conv or LSTM after
   * a Reshape would be blamed on the Reshape), and a BatchNormalization without trained statistics.
   */
  checkLayerKinds(): void {
    const nodes = this.graph.node ?? [];
    const foreign = nodes.find((n) => FOREIGN_LAYERS.has(n.opType ?? ''));
    if (foreign) throw this.unsupported(foreign);
    for (const n of nodes) {
      if (n.opType !== 'BatchNormalization') continue;
      const stats = [3, 4].map((i) => this.konst(n.input?.[i]));
      if (attrInt(n, 'training_mode', 0) === 1 || stats.some((c) => !c)) {
        throw new GsError(
          'BAD_MODEL',
          `${this.file}: BatchNormalization "${this.origin(n).name}" normalizes with each batch's own mean and variance ` +
            '(exported in training mode, or BatchNorm1d(track_running_stats=False)), so it has no trained running statistics to fold into the layer; ' +
            'export the model after model.eval() with running statistics (the default track_running_stats=True), or without the BatchNorm',
        );
      }
    }
  }

  /** Every node must be on the chain, a constant, or in the tail after `ends`. */
  checkRest(ends: string[]): void {
    const tail = new Set<string>(ends);
    const queue = [...ends];
    while (queue.length > 0) {
      const t = queue.pop() as string;
      for (const n of this.consumers.get(t) ?? []) {
        if (this.used.has(n)) continue;
        if (!TAIL_OPS.has(n.opType ?? '')) throw this.unsupported(n, 'follows the output');
        this.used.add(n);
        for (const o of n.output ?? []) {
          if (tail.has(o)) continue;
          tail.add(o);
          queue.push(o);
        }
      }
    }
    const left = (this.graph.node ?? []).find((n) => !this.used.has(n));
    if (left) throw this.unsupported(left, 'is not on the chain from the input to the output');
  }

  classLabels(): string[] | null {
    for (const n of this.graph.node ?? []) {
      if (n.opType === 'ZipMap') {
        const ints = attr(n, 'classlabels_int64s')?.ints;
        const strs = attr(n, 'classlabels_strings')?.strings;
        if (ints && ints.length) return ints.map((v) => String(toNum(v as Int64Like)));
        if (strs && strs.length) return strs.map((s) => new TextDecoder().decode(s));
      }
    }
    for (const n of this.graph.node ?? []) {
      if (n.opType === 'ArrayFeatureExtractor') {
        const c = this.konst(n.input?.[0]);
        if (c) return Array.from(c.values, String);
      }
    }
    return null;
  }
}

/** Layer ops the CNN walk refuses by name wherever they are (a Transpose in front of an LSTM must not be blamed). */
const FOREIGN_TO_CNN = new Set([
  ...FOREIGN_LAYERS,
  'Resize',
  'Upsample',
  'GlobalMaxPool',
  'LRN',
  'InstanceNormalization',
  'LayerNormalization',
]);

/** The convolutional network of an ONNX file (see onnx-cnn.ts). */
function importCnn(file: string, bytes: Uint8Array, model: onnx.ModelProto, w: Walker, inputName: string, dims: number[]): ImportedModel {
  w.supported = `chains of convolutional and fully connected layers (${SUPPORTED_CNN_OPS})`;
  const foreign = (w.graph.node ?? []).find((n) => FOREIGN_TO_CNN.has(n.opType ?? '') && !CNN_MARKERS.has(n.opType ?? ''));
  if (foreign) throw w.unsupported(foreign);
  const walk = walkCnn(w, inputName, dims, (n, why) => w.unsupported(n, why), TAIL_OPS);
  w.checkRest([walk.logits, walk.end]);
  const width = dims.reduce((a, b) => a * b, 1);
  const lastLayer = walk.layers[walk.layers.length - 1] as DenseLayer;
  const labels = w.classLabels();
  const classes = lastLayer.outSize;
  if (labels && labels.length !== classes) throw new GsError('BAD_MODEL', `${file}: ${labels.length} class labels for ${classes} outputs`);
  const sc = walk.scaling;
  if (sc && sc.divide.some((v) => !Number.isFinite(v) || v === 0))
    throw new GsError('BAD_MODEL', `${file}: the input scaling divides by zero or a non-finite value`);
  const network: Network<AnyLayer> = {
    inputWidth: width,
    inputIndices: Array.from({ length: width }, (_, i) => i),
    scaling: sc ? { mean: Float32Array.from(sc.shift), std: Float32Array.from(sc.divide) } : null,
    layers: walk.layers,
    inputShape: walk.inputShape,
    classLabels: labels ?? Array.from({ length: classes }, (_, i) => String(i)),
    featureNames: Array.from({ length: width }, (_, i) => `x${i}`),
  };
  const graph = w.graph;
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  let outName: string | null = walk.end;
  while (outName !== null && !outputs.includes(outName)) {
    const next: Node[] = w.consumers.get(outName) ?? [];
    outName = next.length === 1 && next[0].opType === 'Identity' ? (next[0].output?.[0] ?? null) : null;
  }
  if (outName === null) {
    outName = walk.outputForm === 'logits' ? 'logits' : walk.outputForm === 'softmax' ? 'probabilities' : 'log_probabilities';
    walk.notes.push(
      `the original's outputs ${outputs.join(', ')} come after a label tail (ArgMax) that exports do not rebuild; exports output ${outName} instead`,
    );
  }
  if (sc) walk.notes.push("the input scaling in front of the first layer became the network's scaling");
  network.io = { inputName, inputShape: dims, outputName: outName, outputForm: walk.outputForm };
  return {
    network: network,
    format: 'onnx',
    producer: `${model.producerName || 'unknown producer'}${model.producerVersion ? ` ${model.producerVersion}` : ''}`,
    outputForm: walk.outputForm,
    notes: walk.notes,
    outputName: outputs.length === 1 ? outputs[0] : walk.logits,
    original: { kind: 'onnx', bytes, inputName, inputShape: dims, logitsName: walk.logits },
  };
}

/** The network in an ONNX file, or a GsError naming what is not supported. Nothing is written. */
export function importOnnx(file: string, bytes: Uint8Array = readModelFile(file)): ImportedModel {
  const model = decodeOnnx(bytes, file);
  const g = chainConcats(model.graph as onnx.GraphProto);
  const initNames = new Set((g.initializer ?? []).map((t) => t.name));
  const inputs = (g.input ?? []).filter((v) => !initNames.has(v.name ?? ''));
  if (inputs.length !== 1) {
    throw new GsError(
      'BAD_MODEL',
      `${file}: the graph has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); gs-compress imports models with one feature input`,
    );
  }
  for (const o of model.opsetImport ?? []) {
    if (o.domain && !DOMAINS.has(o.domain))
      throw new GsError('BAD_MODEL', `${file}: uses the custom operator domain ${o.domain}, which gs-compress cannot read`);
  }
  const input = inputs[0];
  const dims = (input.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? null : toNum(d.dimValue as Int64Like)));
  const featureDims = dims.slice(1);
  const known = featureDims.every((d): d is number => d !== null && d > 0);
  const w = new Walker(file, g);
  w.rank = Math.max(2, dims.length);
  w.inputDesc = `"${input.name ?? ''}" (${['N', ...featureDims.map((d) => (d === null ? '?' : String(d)))].join(' x ')})`;
  if ((g.node ?? []).some((n) => CNN_MARKERS.has(n.opType ?? ''))) {
    if (!known)
      throw new GsError(
        'BAD_MODEL',
        `${file}: the input ${w.inputDesc} has dimensions the file does not give; a convolutional network needs them`,
      );
    return importCnn(file, bytes, model, w, input.name ?? '', featureDims);
  }
  w.checkLayerKinds();
  const { logits: logitsName, end } = w.walk(input.name ?? '');
  w.checkRest([logitsName, end]);
  const firstLinear = w.steps.find((s) => s.op === 'linear');
  const width = known && featureDims.length > 0 ? featureDims.reduce((a, b) => a * b, 1) : (firstLinear?.inSize ?? null);
  const { network, outputForm } = assembleSteps(file, w.steps, width, w.classLabels());
  const producer = `${model.producerName || 'unknown producer'}${model.producerVersion ? ` ${model.producerVersion}` : ''}`;
  // skl2onnx names a regressor's output `variable` (MLPRegressor: no Softmax, no label tail)
  const outputs = (g.output ?? []).map((o) => o.name ?? '');
  const regressor =
    model.producerName === 'skl2onnx' && outputs.length === 1 && /^variable\d*$/.test(outputs[0]) && outputForm === 'logits';
  if (network.scaling && !w.notes.some((s) => s.startsWith('Scaler')))
    w.notes.push("feature scaling in front of the first layer became the network's scaling");
  // the interface exports keep: the graph output the chain ends in (through Identity nodes), else a
  // name for what it holds when only a label tail (ArgMax, ZipMap) reaches the outputs
  let outName: string | null = end;
  while (outName !== null && !outputs.includes(outName)) {
    const next: Node[] = w.consumers.get(outName) ?? [];
    outName = next.length === 1 && next[0].opType === 'Identity' ? (next[0].output?.[0] ?? null) : null;
  }
  if (outName === null) {
    outName = outputForm === 'logits' ? 'logits' : outputForm === 'softmax' ? 'probabilities' : 'log_probabilities';
    w.notes.push(
      `the original's outputs ${outputs.join(', ')} come after a label tail (ArgMax, ZipMap) that exports do not rebuild; exports output ${outName} instead`,
    );
  }
  network.io = {
    inputName: input.name ?? '',
    inputShape: known && featureDims.length > 0 ? featureDims : [network.inputWidth],
    outputName: outName,
    outputForm,
  };
  return {
    network,
    format: 'onnx',
    producer,
    outputForm,
    notes: w.notes,
    ...(regressor ? { regressor } : {}),
    outputName: outputs.length === 1 ? outputs[0] : logitsName,
    original: {
      kind: 'onnx',
      bytes,
      inputName: input.name ?? '',
      inputShape: known && featureDims.length > 0 ? featureDims : [network.inputWidth],
      logitsName,
    },
  };
}
