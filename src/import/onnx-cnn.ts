/**
 * Reading a convolutional network out of an ONNX file as torch.onnx.export writes it (eval mode),
 * into the layer types of network/layers/: the graph is walked from its one input along one chain:
 *   input scaling  Sub / Add / Div / Mul by constants (scalar, per channel or per value) before the
 *                  first layer: the network's scaling, per raw column
 *   reshape        a flat input Reshape'd to [batch, C, H, W] (or [batch, C, L]) before the first layer
 *   convolution    Conv 1-D / 2-D (pads, strides, dilations; group 1, or depthwise: group = channels,
 *                  one filter each), BatchNormalization kept as a
 *                  layer (running statistics), the activation table's ops after either
 *   pooling        MaxPool, AveragePool (count_include_pad 0 or 1; ceil_mode as extra end padding
 *                  where that is exact), GlobalAveragePool, ReduceMean over the spatial axes
 *   dense          Flatten or Reshape to [batch, -1], Gemm / MatMul + Add, activations
 *   pass-through   Identity, Dropout (inference), Cast to float
 *   output         Softmax / LogSoftmax at the end, then only the label tail (ArgMax)
 *   residual       a tensor read by two paths that an Add joins again (torch's BasicBlock): the longer
 *                  path is the branch, the other the shortcut (identity, or a 1x1 convolution and
 *                  batch norm); written as save ... [shortcut ...] add (network/layers/residual.ts),
 *                  the activation after the Add on the add layer. Blocks may nest.
 *   join           a tensor read by paths that a Concat on the channel axis joins again (Inception,
 *                  SqueezeNet's Fire; the tensor itself as one input: DenseNet), in the Concat's
 *                  order, written with the slot layers of network/layers/concat.ts; joins and
 *                  blocks may nest (onnx-forks.ts finds both).
 * An activation after a max pooling moves in front of it when it is monotone (relu(max) = max(relu)).
 * Anything else is refused naming the node and its op and what is supported; a Concat of anything
 * else and grouped convolutions other than depthwise are refused by name.
 */
import { GsError } from '../errors';
import { isNonNegative } from '../network/activations';
import { batchNormLayer } from '../network/layers/batchnorm';
import { convLayer } from '../network/layers/conv';
import { denseLayer } from '../network/layers/dense';
import { depthwiseLayer } from '../network/layers/depthwise';
import { flattenLayer } from '../network/layers/flatten';
import { gapLayer } from '../network/layers/gap';
import { poolLayer } from '../network/layers/pool';
import { joinStepLayer, joinSteps, type JoinStep } from '../network/layers/concat';
import { addLayer, saveLayer, shortcutLayer } from '../network/layers/residual';
import { layerType } from '../network/layers/table';
import type { AnyLayer } from '../network/types';
import { onnx } from '../codec/onnx-proto';
import { setActivation } from './cnn-activation';
import { attrFloat, attrInt, attrInts, attrString, type Const, type GraphIndex, type Node } from './onnx-graph';
import { foldTensor } from './onnx-fold';
import { findBlock, findJoin, type Block, type Join } from './onnx-forks';

/** Ops that make a graph a convolutional network (the CNN walk reads it instead of the MLP walk). */
export const CNN_MARKERS = new Set(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool']);

export const SUPPORTED_CNN_OPS =
  'Conv (1-D, 2-D, group 1 or depthwise), residual Add of two paths from one tensor, Concat on the channel axis of paths from one tensor, BatchNormalization, MaxPool, AveragePool, GlobalAveragePool, ReduceMean over the spatial axes, ' +
  'Flatten, Reshape, Gemm, MatMul + Add, the activations (Relu, LeakyRelu, Tanh, Sigmoid, Gelu, Clip(0, 6) as ReLU6, x * Sigmoid(x) as SiLU), Identity, Dropout, ' +
  'Sub/Add/Div/Mul by constants before the first layer, Softmax/LogSoftmax at the end (then ArgMax)';

const PASS = new Set(['Identity', 'Dropout', 'Cast']);

export interface CnnWalk {
  layers: AnyLayer[];
  /** The example shape the first layer reads (after an in-graph Reshape of a flat input). */
  inputShape: number[];
  /** Per raw column: x' = (x - shift) / divide, or null when the input is used as it is. */
  scaling: { shift: Float64Array; divide: Float64Array } | null;
  outputForm: 'logits' | 'softmax' | 'log-softmax';
  /** The tensor holding the logits, and the last tensor of the chain. */
  logits: string;
  end: string;
  notes: string[];
}

type Refuse = (n: Node, why?: string) => GsError;

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The value of a constant broadcast (numpy rules, aligned right against [batch, ...shape]) at each of the `shape` positions. */
function broadcast(c: Const, shape: readonly number[]): Float64Array | null {
  const full = [1, ...shape];
  const dims = c.dims.length === 0 ? [] : c.dims;
  if (dims.length > full.length) return null;
  const pad = full.length - dims.length;
  const cd = full.map((_, i) => (i < pad ? 1 : dims[i - pad]));
  if (cd.some((d, i) => d !== 1 && d !== full[i]) || cd[0] !== 1) return null;
  const n = size(shape);
  const out = new Float64Array(n);
  const strides = cd.map((_, i) => size(cd.slice(i + 1)));
  for (let k = 0; k < n; k++) {
    let rest = k;
    let idx = 0;
    for (let a = full.length - 1; a >= 1; a--) {
      const pos = rest % full[a];
      rest = Math.floor(rest / full[a]);
      if (cd[a] !== 1) idx += pos * strides[a];
    }
    out[k] = c.values[idx];
  }
  return out;
}

/** Walks the CNN chain from the graph's input (example dims `dims`, no batch). */
export function walkCnn(g: GraphIndex, input: string, dims: number[], refuse: Refuse, tailOps: ReadonlySet<string>): CnnWalk {
  const layers: AnyLayer[] = [];
  const notes: string[] = [];
  let shape = [...dims];
  let inputShape = [...dims];
  let shift: Float64Array | null = null;
  let divide: Float64Array | null = null;
  let cur = input;
  let logits: string | null = null;
  let outputForm: CnnWalk['outputForm'] = 'logits';
  const width = size(dims);
  const last = () => layers[layers.length - 1];
  // a Pad node's spatial padding, merged into the convolution or pooling that reads its output
  let pendingPad: { node: Node; pads: number[] } | null = null;
  const takePad = (pads: number[], what: 'conv' | 'avg' | 'max'): number[] => {
    if (!pendingPad) return pads;
    const p = pendingPad.pads;
    if (what === 'max') {
      const prev = last();
      const act = prev && 'activation' in prev ? prev.activation : null;
      if (!isNonNegative(act))
        throw refuse(pendingPad.node, 'pads with zeros before a max pooling whose input can be negative (max pooling pads never win)');
    }
    pendingPad = null;
    return pads.map((v, i) => v + p[i]);
  };
  const slotShapes = new Map<number, readonly number[]>();
  let openBlocks = 0;
  const push = (l: AnyLayer, n: Node) => {
    try {
      shape = layerType(l).outShape(l, shape, slotShapes);
    } catch (e) {
      throw refuse(n, `does not fit its input of shape ${shape.join('x')} (${(e as Error).message})`);
    }
    layers.push(l);
  };
  const constOf = (n: Node, i: number, what: string): Const => {
    const c = g.konst(n.input?.[i]);
    if (!c) throw refuse(n, `has a ${what} that is not a constant`);
    return c;
  };
  // shapes and pads computed in the graph from constants and the batch size (torch's ZeroPad2d,
  // x.view(x.size(0), -1)): folded to constants (onnx-fold.ts)
  const producers = new Map<string, Node>();
  for (const p of g.graph.node ?? []) for (const o of p.output ?? []) if (o) producers.set(o, p);
  const shapes = new Map<string, number[]>();
  const folded = (n: Node, i: number): Const | null => {
    const name = n.input?.[i];
    return name ? foldTensor(g, producers, (t) => shapes.get(t) ?? null, name) : null;
  };

  /** A residual block at the fork of `cur` (see findBlock): its branch, its shortcut, the Add. */
  const residual = (block: Block): void => {
    const from = cur;
    const slot = openBlocks++;
    push(saveLayer(slot, shape[0]), block.add);
    // the branch first, with the shortcut's first node (or the Add) held back from the walk
    const held = block.shortcut?.start ?? block.add;
    g.used.add(held);
    walk(block.branch.end);
    g.used.delete(held);
    if (block.shortcut) {
      const savedShape = slotShapes.get(slot) as readonly number[];
      push(shortcutLayer(slot, shape[0], savedShape[0]), block.shortcut.start);
      cur = from;
      walk(block.shortcut.end);
    }
    push(addLayer(slot, shape[0], null), block.add);
    g.used.add(block.add);
    openBlocks--;
    cur = block.add.output?.[0] ?? '';
  };

  /** A join at the fork of `cur` (see findJoin): each branch walked in the Concat's order from the
   * forked tensor, the others held back, with the slot layers of joinSteps between them. */
  const join = (j: Join): void => {
    const from = cur;
    const plan = joinSteps(j.branches.length, openBlocks, openBlocks + 1);
    openBlocks += 2;
    const emit = (steps: readonly JoinStep[]) => {
      for (const s of steps) {
        push(joinStepLayer(s, shape[0], slotShapes), j.concat);
        if (s.op === 'shortcut') cur = from;
      }
    };
    const starts = j.branches.map((b) => b?.starts ?? []);
    emit(plan.start);
    j.branches.forEach((b, k) => {
      if (b) {
        // the branches after this one and the Concat wait (the ones before are walked)
        const held = [
          ...starts
            .slice(k + 1)
            .flat()
            .filter((n) => !g.used.has(n)),
          j.concat,
          ...j.inner,
        ];
        held.forEach((n) => g.used.add(n));
        walk(b.end);
        held.forEach((n) => g.used.delete(n));
      }
      emit(plan.after(k));
    });
    [j.concat, ...j.inner].forEach((n) => g.used.add(n));
    openBlocks -= 2;
    cur = j.concat.output?.[0] ?? '';
  };

  /** The walk from `cur` until `stop` (a block's path end) or the end of the graph. */
  function walk(stop: string | null): void {
    for (;;) {
      if (cur === stop) return;
      step();
      if (done) {
        if (stop !== null)
          throw new GsError('BAD_MODEL', `${g.file}: a path of a residual block or join ends before the node that joins it ("${stop}")`);
        return;
      }
    }
  }

  let done = false;
  /** One node of the chain from `cur` (or a whole residual block); sets done at the graph's end. */
  function step(): void {
    shapes.set(cur, shape);
    // Shape nodes read the tensor's size only: taken when a Reshape or Pad folds them
    const nodes = g.next(cur).filter((x) => x.opType !== 'Shape');
    if (logits !== null || nodes.length === 0) {
      done = true;
      return;
    }
    if (nodes.length > 1) {
      const act = g.matchActivationPattern(cur, nodes);
      if (act) {
        setActivation(layers, act.activation, (why) => refuse(nodes[0], why));
        cur = act.out;
        return;
      }
      if (g.takeLabelBesideSoftmax(nodes, tailOps)) return;
      if (nodes.every((n) => tailOps.has(n.opType ?? '') && n.opType !== 'Softmax' && n.opType !== 'LogSoftmax')) {
        done = true;
        return;
      }
      const block = nodes.length === 2 && !pendingPad ? findBlock(g, cur, nodes) : null;
      if (block) {
        if (shape.length < 2)
          throw refuse(block.add, 'adds two paths of a flat tensor; residual blocks are supported on images and sequences');
        residual(block);
        return;
      }
      const joined = pendingPad ? null : findJoin(g, cur, nodes, shape.length + 1, (n) => attrInt(n, 'axis', 1));
      if (joined) {
        if (shape.length < 2) throw refuse(joined.concat, 'joins paths of a flat tensor; joins are supported on images and sequences');
        join(joined);
        return;
      }
      const concat = nodes.find((n) => n.opType === 'Concat');
      if (concat)
        throw refuse(concat, `joins tensor "${cur}" with paths that do not all start there, or on an axis other than the channels`);
      throw refuse(nodes[1], `branches off tensor "${cur}" (also read by "${g.origin(nodes[0]).name}")`);
    }
    const n = nodes[0];
    const op = n.opType ?? '';
    if (op === 'ArgMax') {
      done = true;
      return;
    }
    const out = n.output?.[0] ?? '';
    const from = g.origin(n);
    g.used.add(n);
    const binary = ['Add', 'Sub', 'Mul', 'Div'].includes(op);
    if ((n.input ?? [])[0] !== cur && !binary) throw refuse(n, `reads "${cur}" as a parameter`);
    if (PASS.has(op)) {
      if (op === 'Cast' && attrInt(n, 'to', 1) !== (onnx.TensorProto.DataType.FLOAT as number))
        throw refuse(n, 'casts the features to a non-float type');
      if (op === 'Dropout') notes.push(`Dropout "${from.name}" dropped (inference form)`);
      cur = out;
      return;
    }
    if (pendingPad && !['Conv', 'AveragePool', 'MaxPool'].includes(op))
      throw refuse(pendingPad.node, `pads a tensor read by ${op}; padding is supported before a convolution or a pooling`);
    switch (op) {
      case 'Pad': {
        const mode = attrString(n, 'mode') ?? 'constant';
        const padsC = folded(n, 1);
        const value = n.input?.[2] ? folded(n, 2) : null;
        if (n.input?.[2] && !value) throw refuse(n, 'pads with a value that is not a constant');
        if (mode !== 'constant' || (value && value.values.some((v) => v !== 0)) || !padsC || n.input?.[3])
          throw refuse(n, 'pads with something other than constant zeros on all axes');
        const all = Array.from(padsC.values);
        const rank = shape.length + 1;
        if (all.length !== 2 * rank || all[0] !== 0 || all[1] !== 0 || all[rank] !== 0 || all[rank + 1] !== 0 || all.some((v) => v < 0))
          throw refuse(n, 'pads the batch or channel axis, or crops');
        const r = rank - 2;
        const spatial = [...all.slice(2, rank), ...all.slice(rank + 2)];
        if (spatial.some((v) => v !== 0)) pendingPad = { node: n, pads: spatial.slice(0, 2 * r) };
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const ins = n.input ?? [];
        const other = ins.find((i) => i !== cur);
        const c = other !== undefined ? g.konst(other) : undefined;
        if (!c || ins.filter((i) => i === cur).length !== 1) {
          throw refuse(
            n,
            op === 'Add' ? 'adds two computed tensors (a residual block): not supported yet' : 'combines two computed tensors',
          );
        }
        const prev = last();
        if (op === 'Add' && prev?.op === 'dense' && prev.activation?.name === 'identity' && c.values.length === prev.outSize) {
          // the bias of MatMul + Add
          for (let j = 0; j < prev.outSize; j++) prev.bias[j] += c.values[j];
          break;
        }
        if (layers.length > 0) throw refuse(n, 'scales a computed tensor; only the input may be scaled by constants');
        if ((op === 'Sub' || op === 'Div') && ins[0] !== cur) throw refuse(n, 'has the constant as its first operand');
        const v = broadcast(c, shape);
        if (!v)
          throw refuse(
            n,
            `has a constant of shape ${c.dims.join('x') || 'scalar'} that does not broadcast to the input ${shape.join('x')}`,
          );
        shift ??= new Float64Array(width);
        divide ??= new Float64Array(width).fill(1);
        // x' = (x - shift) / divide, then: - c, + c, * c, / c
        for (let k = 0; k < width; k++) {
          if (op === 'Sub') shift[k] += v[k] * divide[k];
          else if (op === 'Add') shift[k] -= v[k] * divide[k];
          else if (op === 'Mul') divide[k] /= v[k];
          else divide[k] *= v[k];
        }
        break;
      }
      case 'Reshape': {
        const target = folded(n, 1);
        if (!target) throw refuse(n, 'has a shape that is neither a constant nor computed from the batch size');
        const t = Array.from(target.values);
        const total = size(shape);
        if (t.length === 2 && (t[1] === -1 || t[1] === total)) {
          if (shape.length > 1) push(flattenLayer(shape), n);
          break;
        }
        if (layers.length > 0) throw refuse(n, `reshapes a computed tensor to [${t.join(', ')}]`);
        const rest = t.slice(1).map((d, i) => (d === 0 ? shape[i] : d));
        const known = size(rest.filter((d) => d !== -1));
        const resolved = rest.map((d) => (d === -1 ? total / known : d));
        if (size(resolved) !== total || !resolved.every((d) => Number.isInteger(d) && d > 0) || resolved.length < 2 || resolved.length > 3)
          throw refuse(
            n,
            `reshapes the ${total} input values to [${t.join(', ')}]; a flat input reshaped to [batch, C, H, W] or [batch, C, L] is supported`,
          );
        shape = resolved;
        inputShape = resolved;
        notes.push(`the flat input is reshaped to ${resolved.join('x')} inside the graph`);
        break;
      }
      case 'Flatten': {
        if (attrInt(n, 'axis', 1) !== 1) throw refuse(n, 'flattens at an axis other than 1');
        if (shape.length > 1) push(flattenLayer(shape), n);
        break;
      }
      case 'Conv': {
        const W = constOf(n, 1, 'weight');
        const B = g.konst(n.input?.[2]);
        const group = attrInt(n, 'group', 1);
        const autoPad = attrString(n, 'auto_pad');
        if (autoPad && autoPad !== 'NOTSET' && autoPad !== 'VALID')
          throw refuse(n, `uses auto_pad ${autoPad}; explicit pads are supported`);
        const [cout, cin, ...kernel] = W.dims;
        // depthwise: one filter per channel (group = channels in = channels out)
        const depthwise = group !== 1 && group === shape[0] && cout === group && cin === 1;
        if (group !== 1 && !depthwise) {
          throw refuse(
            n,
            `is a grouped convolution (group ${group}, ${cout} filters of ${cin} channels on ${shape[0]}): only group 1 and depthwise convolutions (group = channels, one filter per channel) are supported`,
          );
        }
        if ((!depthwise && cin !== shape[0]) || kernel.length !== shape.length - 1)
          throw refuse(n, `has a weight of shape ${W.dims.join('x')} for an input of shape ${shape.join('x')}`);
        const r = kernel.length;
        const bias = B ? Float32Array.from(B.values) : new Float32Array(cout);
        const own =
          autoPad === 'VALID' ? new Array<number>(2 * r).fill(0) : (attrInts(n, 'pads', null) ?? new Array<number>(2 * r).fill(0));
        const o = {
          strides: attrInts(n, 'strides', null) ?? new Array<number>(r).fill(1),
          pads: takePad(own, 'conv'),
          dilations: attrInts(n, 'dilations', null) ?? new Array<number>(r).fill(1),
          activation: null,
        };
        const weight = Float32Array.from(W.values);
        push(depthwise ? depthwiseLayer(cout, kernel, weight, bias, o) : convLayer(cin, cout, kernel, weight, bias, o), n);
        break;
      }
      case 'BatchNormalization': {
        const [gm, bt, mn, vr] = [1, 2, 3, 4].map((i) => constOf(n, i, 'parameter'));
        if ((n.output ?? []).filter(Boolean).length > 1 || attrInt(n, 'training_mode', 0) === 1) throw refuse(n, 'is in training mode');
        if (shape.length < 2) throw refuse(n, 'normalizes a flat tensor; batch norm is supported after a convolution');
        const bn = batchNormLayer(shape[0], null);
        bn.gamma.set(gm.values);
        bn.beta.set(bt.values);
        bn.runningMean.set(mn.values);
        bn.runningVar.set(vr.values);
        bn.epsilon = attrFloat(n, 'epsilon', 1e-5);
        push(bn, n);
        break;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const kernel = attrInts(n, 'kernel_shape', null);
        if (!kernel || kernel.length !== shape.length - 1) throw refuse(n, 'has no kernel_shape for its input');
        const r = kernel.length;
        if ((attrInts(n, 'dilations', null) ?? []).some((d) => d !== 1)) throw refuse(n, 'pools with dilation');
        const autoPad = attrString(n, 'auto_pad');
        if (autoPad && autoPad !== 'NOTSET' && autoPad !== 'VALID') throw refuse(n, `uses auto_pad ${autoPad}`);
        if ((n.output ?? []).filter(Boolean).length > 1) throw refuse(n, 'also outputs its indices');
        const strides = attrInts(n, 'strides', null) ?? new Array<number>(r).fill(1);
        let pads = [...(attrInts(n, 'pads', null) ?? new Array<number>(2 * r).fill(0))];
        let countIncludePad = op === 'AveragePool' && attrInt(n, 'count_include_pad', 0) === 1;
        if (pendingPad && op === 'AveragePool') {
          // zeros padded in front count in every window: count_include_pad over the merged padding
          if (!countIncludePad && pads.some((v) => v !== 0)) throw refuse(n, 'pads without counting after a Pad that counts');
          countIncludePad = true;
        }
        pads = takePad(pads, op === 'MaxPool' ? 'max' : 'avg');
        if (attrInt(n, 'ceil_mode', 0) === 1) {
          // ceil mode = floor mode with the end padded so the last partial window counts, where
          // padding never counts (max pooling; average pooling without count_include_pad)
          for (let a = 0; a < r; a++) {
            const L = shape[a + 1] + pads[a] + pads[a + r];
            const floorOut = Math.floor((L - kernel[a]) / strides[a]) + 1;
            let ceilOut = Math.ceil((L - kernel[a]) / strides[a]) + 1;
            // PyTorch and ONNX drop a last window that would start in the end padding
            if ((ceilOut - 1) * strides[a] >= shape[a + 1] + pads[a]) ceilOut--;
            if (ceilOut === floorOut) continue;
            if (countIncludePad) throw refuse(n, 'uses ceil_mode with count_include_pad; not supported');
            pads[a + r] += (ceilOut - 1) * strides[a] + kernel[a] - L;
          }
          notes.push(`${from.op} "${from.name}" ceil_mode became end padding`);
        }
        push(poolLayer(op === 'MaxPool' ? 'max' : 'avg', shape[0], kernel, { strides, pads, countIncludePad }), n);
        break;
      }
      case 'GlobalAveragePool': {
        push(gapLayer(shape[0]), n);
        break;
      }
      case 'ReduceMean': {
        const axesC = g.konst(n.input?.[1]);
        const axes = (axesC ? Array.from(axesC.values) : (attrInts(n, 'axes', null) ?? [])).map((a) => (a < 0 ? a + shape.length + 1 : a));
        const spatial = shape.slice(1).map((_, i) => i + 2);
        if (shape.length < 2 || axes.length !== spatial.length || !spatial.every((a) => axes.includes(a)))
          throw refuse(n, `averages over axes [${axes.join(', ')}]; the mean over the spatial axes (global average pooling) is supported`);
        push(gapLayer(shape[0]), n);
        if (attrInt(n, 'keepdims', 1) === 0) push(flattenLayer(shape), n);
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        if (shape.length > 1 && shape.slice(1).some((d) => d !== 1))
          throw refuse(n, `multiplies a ${shape.join('x')} tensor; a Flatten before it is needed`);
        if (shape.length > 1) push(flattenLayer(shape), n);
        const B = constOf(n, 1, 'weight');
        if (B.dims.length !== 2) throw refuse(n, 'has a weight that is not a matrix');
        const transB = op === 'Gemm' && attrInt(n, 'transB', 0) === 1;
        if (op === 'Gemm' && attrInt(n, 'transA', 0) !== 0) throw refuse(n, 'has transA=1');
        const alpha = op === 'Gemm' ? attrFloat(n, 'alpha', 1) : 1;
        const beta = op === 'Gemm' ? attrFloat(n, 'beta', 1) : 1;
        const [inSize, outSize] = transB ? [B.dims[1], B.dims[0]] : [B.dims[0], B.dims[1]];
        if (inSize !== shape[0]) throw refuse(n, `reads ${inSize} values but receives ${shape[0]}`);
        const kernel = new Float32Array(inSize * outSize);
        for (let i = 0; i < inSize; i++)
          for (let j = 0; j < outSize; j++)
            kernel[i * outSize + j] = alpha * (transB ? B.values[j * inSize + i] : B.values[i * outSize + j]);
        const bias = new Float32Array(outSize);
        const C = op === 'Gemm' ? g.konst(n.input?.[2]) : undefined;
        if (C) for (let j = 0; j < outSize; j++) bias[j] = beta * (C.values.length === 1 ? C.values[0] : C.values[j]);
        push(denseLayer(kernel, bias, inSize, outSize, { name: 'identity' }), n);
        break;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        const axis = attrInt(n, 'axis', -1);
        if (axis !== -1 && axis !== 1) throw refuse(n, `works on axis ${axis}, not the class axis`);
        outputForm = op === 'Softmax' ? 'softmax' : 'log-softmax';
        logits = cur;
        break;
      }
      default: {
        const activation = g.activationOfNode(n, (why) => refuse(n, why));
        if (!activation) throw refuse(n);
        setActivation(layers, activation, (why) => refuse(n, why));
      }
    }
    cur = out;
  }
  walk(null);
  // (set inside the walk's closures, which TypeScript's narrowing does not follow)
  const leftPad = pendingPad as { node: Node } | null;
  if (leftPad) throw refuse(leftPad.node, 'pads a tensor that no convolution or pooling reads next');
  // a classifier head of a convolution whose channels are the classes, pooled and flattened
  // (SqueezeNet: Conv 1x1, Relu, GlobalAveragePool, Flatten): an identity layer gives the logits
  const head = last();
  const pooled = layers.slice(-2).map((l) => l.op);
  if (head && shape.length === 1 && pooled[0] === 'gap' && pooled[1] === 'flatten') {
    const C = shape[0];
    const kernel = new Float32Array(C * C);
    for (let i = 0; i < C; i++) kernel[i * C + i] = 1;
    layers.push(denseLayer(kernel, new Float32Array(C), C, C, { name: 'identity' }));
    notes.push(
      `the network ends in ${C} pooled channels, one per class (a convolutional head): an identity fully connected layer was appended to give the logits (exact; it trains like any layer)`,
    );
  }
  const final = last();
  if (!final || final.op !== 'dense')
    throw new GsError(
      'BAD_MODEL',
      `${g.file}: the network does not end in a fully connected (Gemm, MatMul) layer, nor in channels pooled to one value each (its output has shape ${shape.join('x')})`,
    );
  if (final.activation && final.activation.name !== 'identity') {
    throw new GsError(
      'BAD_MODEL',
      `${g.file}: the model ends with a ${final.activation.name} activation after its last linear layer; gs-compress imports networks whose last linear layer gives the logits`,
    );
  }
  // dense layers: no activation field means relu (the layer type's default)
  for (const l of layers) if (l.op === 'dense' && l !== final && l.activation?.name === 'relu') delete l.activation;
  delete final.activation;
  return {
    layers,
    inputShape,
    scaling: shift && divide ? { shift, divide } : null,
    outputForm,
    logits: logits ?? cur,
    end: cur,
    notes,
  };
}
