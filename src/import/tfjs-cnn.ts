/**
 * The layers of a convolutional tfjs LayersModel (Keras Sequential, channels_last) as layer types
 * of network/layers/: Conv1D / Conv2D ('valid' or 'same' padding, strides, dilation_rate; weights
 * [k..., in, out] to OIHW), DepthwiseConv2D (depth_multiplier 1; depthwise_kernel [kH, kW, C, 1]), MaxPooling1D/2D and AveragePooling1D/2D ('same' padding counts only real
 * values, as TensorFlow does), GlobalAveragePooling1D/2D, BatchNormalization on the channel axis,
 * Flatten (the next Dense layer's rows reordered from Keras's H, W, C order to the network's C, H, W),
 * Dense, activations, Dropout, a Reshape of the pooled vector to 1 x 1 positions and back (Keras
 * MobileNet's head: its 1x1 Conv2D there is a fully connected layer), ZeroPadding1D/2D in front of a window (a convolution's pads; a
 * pooling's, an average counting the zeros, a maximum only over non-negative values). The
 * network reads its examples channels first (C x H x W, as
 * gs-compress reads images); the original, which takes H x W x C, is fed the same values transposed.
 * A functional model's residual blocks come marked (tfjs-functional.ts): ResidualSave, the branch,
 * [ResidualShortcut, the shortcut,] Add become save / shortcut / add layers.
 */
import type { GsError } from '../errors';
import { isNonNegative, type Activation } from '../network/activations';
import { batchNormLayer } from '../network/layers/batchnorm';
import { joinStepLayer, joinSteps, type JoinStep } from '../network/layers/concat';
import { convLayer } from '../network/layers/conv';
import { denseLayer } from '../network/layers/dense';
import { depthwiseLayer } from '../network/layers/depthwise';
import { flattenLayer } from '../network/layers/flatten';
import { gapLayer } from '../network/layers/gap';
import { poolLayer } from '../network/layers/pool';
import { addLayer, saveLayer, shortcutLayer } from '../network/layers/residual';
import { JOIN_NEXT, JOIN_START, RESIDUAL_SAVE, RESIDUAL_SHORTCUT } from './tfjs-functional';
import { layerType } from '../network/layers/table';
import type { AnyLayer } from '../network/types';
import { setActivation } from './cnn-activation';
import type { Origin } from './types';

/** Keras layers with a window (convolutions and pooling): zero padding in front of one is its own padding. */
const WINDOW_LAYERS = ['Conv1D', 'Conv2D', 'DepthwiseConv2D', 'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D'];

/** Keras layer classes that make a LayersModel convolutional. */
export const TFJS_CNN_LAYERS = new Set([...WINDOW_LAYERS, 'GlobalAveragePooling1D', 'GlobalAveragePooling2D']);

/** The activation of a Keras ReLU layer: plain ReLU, or ReLU6 when max_value is 6; a threshold, a negative
 * slope or another max_value is refused through `fail`. */
export function reluLayerActivation(c: Record<string, unknown>, fail: (why: string) => GsError): 'relu' | 'relu6' {
  if (Number(c.threshold ?? 0) !== 0 || Number(c.negative_slope ?? 0) !== 0) throw fail('has threshold or negative_slope set');
  if (c.max_value === undefined || c.max_value === null) return 'relu';
  if (Number(c.max_value) === 6) return 'relu6';
  throw fail(`has max_value ${JSON.stringify(c.max_value)} (only 6, ReLU6, is supported)`);
}

export interface TfjsLayer {
  className: string;
  config: Record<string, unknown>;
  from: Origin;
}

export interface TfjsCnnContext {
  /** The weight `w` of layer `name`, checked to hold `size` values (float64 copies, the file's order). */
  weight: (name: string, w: string, from: Origin, size: number) => Float64Array;
  refuse(from: Origin, why: string): GsError;
  /** Applies a Keras activation name after the last layer, or records the output form; false when unknown. */
  activation(name: unknown, from: Origin, isLast: boolean): Activation | 'softmax' | 'log-softmax' | null;
}

export interface TfjsCnn {
  layers: AnyLayer[];
  /** The network's example shape (channels first) and the Keras one (channels last). */
  inputShape: number[];
  kerasShape: number[];
  outputForm: 'logits' | 'softmax' | 'log-softmax';
  notes: string[];
}

const nums = (v: unknown, r: number, dflt: number[]): number[] => {
  if (v === undefined || v === null) return dflt;
  const a = Array.isArray(v) ? v.map(Number) : [Number(v)];
  return a.length === 1 && r > 1 ? new Array<number>(r).fill(a[0]) : a;
};

/** TensorFlow's 'same' padding of one axis: [begin, end] (the odd one at the end). */
function samePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Pads [begin..., end...] of a window for the spatial sizes `dims` ('valid': none). */
function padsOf(padding: unknown, dims: number[], kernel: number[], strides: number[], dilations: number[]): number[] | null {
  if (padding === 'valid' || padding === undefined) return new Array<number>(2 * dims.length).fill(0);
  if (padding !== 'same') return null;
  const p = dims.map((d, a) => samePads(d, kernel[a], strides[a], dilations[a]));
  return [...p.map((x) => x[0]), ...p.map((x) => x[1])];
}

/** A Keras BatchNormalization's parameters for `n` channels (gamma 1 and beta 0 when it has none). */
export interface KerasBatchNorm {
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  epsilon: number;
}

/** Reads a Keras BatchNormalization (config `c`) of `n` channels through `weight`. */
export function kerasBatchNorm(c: Record<string, unknown>, n: number, from: Origin, weight: TfjsCnnContext['weight']): KerasBatchNorm {
  return {
    gamma: c.scale === false ? new Float64Array(n).fill(1) : weight(from.name, 'gamma', from, n),
    beta: c.center === false ? new Float64Array(n) : weight(from.name, 'beta', from, n),
    mean: weight(from.name, 'moving_mean', from, n),
    variance: weight(from.name, 'moving_variance', from, n),
    epsilon: Number(c.epsilon ?? 1e-3),
  };
}

/** Keras ZeroPadding1D / 2D's `padding` as [begin..., end...] of `r` axes (an int, one per axis, or
 * [begin, end] per axis; 1D: an int or [begin, end]); null when it is none of these. */
function zeroPads(padding: unknown, r: number): number[] | null {
  const p = padding ?? 1;
  const whole = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : null);
  if (whole(p) !== null) return new Array<number>(2 * r).fill(p as number);
  if (!Array.isArray(p)) return null;
  const axes: (number | null)[][] =
    r === 1 ? [[whole(p[0]), whole(p[1])]] : p.map((a: unknown) => (Array.isArray(a) ? [whole(a[0]), whole(a[1])] : [whole(a), whole(a)]));
  if (axes.length !== r || axes.some((a) => a.length !== 2 || a[0] === null || a[1] === null)) return null;
  return [...axes.map((a) => a[0] as number), ...axes.map((a) => a[1] as number)];
}

/** Layers whose window reads zero padding in front of them as their own padding. */
const READS_ZERO_PADDING = new Set(WINDOW_LAYERS);

/** Reads the layers (after the InputLayer) of a Keras CNN whose input is `kerasShape` (channels last). */
export function tfjsCnnLayers(list: TfjsLayer[], kerasShape: number[], ctx: TfjsCnnContext): TfjsCnn {
  if (kerasShape.length !== 2 && kerasShape.length !== 3)
    throw ctx.refuse(
      list[0]?.from ?? { name: 'input', op: 'InputLayer' },
      `takes examples of shape ${kerasShape.join('x')}; a convolutional model needs L x C or H x W x C`,
    );
  const inputShape = [kerasShape[kerasShape.length - 1], ...kerasShape.slice(0, -1)];
  let shape = [...inputShape];
  const layers: AnyLayer[] = [];
  const notes: string[] = [];
  let outputForm: TfjsCnn['outputForm'] = 'logits';
  // a Flatten of a C x H x W tensor: the next Dense layer reads Keras's H, W, C order
  let flattened: number[] | null = null;
  const slotShapes = new Map<number, readonly number[]>();
  let open = 0;
  // the flat tensor stands for C x 1 x 1 (a Reshape to [1, 1, C] after pooling): 1x1 convolutions are dense
  let pointwise = false;
  // zero padding (ZeroPadding1D / 2D) waiting for the window that reads it, and where it came from
  let zero: { pads: number[]; from: Origin } | null = null;
  /** The window's own pads (null: unreadable) plus the zero padding in front of it, computed on the padded sizes. */
  const windowPads = (padding: unknown, kernel: number[], strides: number[], dilations: number[]): number[] | null => {
    const z = zero?.pads ?? new Array<number>(2 * kernel.length).fill(0);
    const r = kernel.length;
    const own = padsOf(
      padding,
      shape.slice(1).map((d, a) => d + z[a] + z[a + r]),
      kernel,
      strides,
      dilations,
    );
    return own && own.map((p, i) => p + z[i]);
  };
  // open joins: their slot layers (joinSteps) and the slots they took
  const joins: { after: (k: number) => JoinStep[]; branches: number }[] = [];
  const joinStep = (s: JoinStep, from: Origin) => push(joinStepLayer(s, shape[0], slotShapes), from);
  const push = (l: AnyLayer, from: Origin) => {
    try {
      shape = layerType(l).outShape(l, shape, slotShapes);
    } catch (e) {
      throw ctx.refuse(from, `does not fit its input of shape ${shape.join('x')} (${(e as Error).message})`);
    }
    layers.push(l);
  };
  const act = (name: unknown, from: Origin, isLast: boolean) => {
    const a = ctx.activation(name ?? 'linear', from, isLast);
    if (a === 'softmax' || a === 'log-softmax') outputForm = a;
    else if (a && a.name !== 'identity') setActivation(layers, a, (why) => ctx.refuse(from, why));
  };
  list.forEach((l, i) => {
    const c = l.config;
    const from = l.from;
    const isLast = i === list.length - 1;
    if (c.data_format !== undefined && c.data_format !== 'channels_last')
      throw ctx.refuse(from, `uses data_format ${JSON.stringify(c.data_format)}`);
    if (zero && !READS_ZERO_PADDING.has(l.className))
      throw ctx.refuse(
        from,
        `follows zero padding ("${zero.from.name}"); gs-compress reads zero padding in front of a convolution or a pooling`,
      );
    const padded = zero !== null;
    switch (l.className) {
      case 'ZeroPadding1D':
      case 'ZeroPadding2D': {
        const r = l.className === 'ZeroPadding1D' ? 1 : 2;
        if (shape.length !== r + 1) throw ctx.refuse(from, `pads a tensor of shape ${shape.join('x')}`);
        const pads = zeroPads(c.padding, r);
        if (!pads) throw ctx.refuse(from, `has padding ${JSON.stringify(c.padding)}`);
        zero = { pads: zero ? zero.pads.map((p, i) => p + pads[i]) : pads, from };
        // continue: the window after it takes the padding
        return;
      }
      case 'Reshape': {
        // Keras MobileNet's head: the pooled vector as 1 x 1 positions for a 1x1 convolution, and back
        const target = Array.isArray(c.target_shape) ? c.target_shape.map(Number) : [];
        const n = target[target.length - 1];
        if (shape.length !== 1 || n !== shape[0] || target.slice(0, -1).some((d) => d !== 1))
          throw ctx.refuse(
            from,
            `reshapes a tensor of shape ${shape.join('x')} to ${JSON.stringify(c.target_shape)}; gs-compress reads a Reshape only between a pooled vector and 1 x 1 positions (as Keras MobileNet's head)`,
          );
        pointwise = target.length > 1;
        break;
      }
      case 'Conv1D':
      case 'Conv2D': {
        const r = l.className === 'Conv1D' ? 1 : 2;
        if (pointwise) {
          // a convolution of 1 x 1 positions: a fully connected layer (Keras [1, 1, in, out] is [in, out])
          const kernel = nums(c.kernel_size, r, [1]);
          if (kernel.some((k) => k !== 1)) throw ctx.refuse(from, `has a ${kernel.join('x')} kernel on 1 x 1 positions`);
          const cin = shape[0];
          const cout = Number(c.filters);
          const w = Float32Array.from(ctx.weight(from.name, 'kernel', from, cin * cout));
          const bias = c.use_bias === false ? new Float32Array(cout) : Float32Array.from(ctx.weight(from.name, 'bias', from, cout));
          push(denseLayer(w, bias, cin, cout, { name: 'identity' }), from);
          notes.push(`the 1x1 ${l.className} "${from.name}" on 1 x 1 positions became a fully connected layer`);
          act(c.activation, from, isLast);
          break;
        }
        if (shape.length !== r + 1) throw ctx.refuse(from, `reads a tensor of shape ${shape.join('x')}`);
        if (Number(c.groups ?? 1) !== 1)
          throw ctx.refuse(from, `is a grouped convolution (groups ${String(c.groups)}): only groups 1 is supported yet`);
        const kernel = nums(c.kernel_size, r, [1]);
        const strides = nums(c.strides, r, new Array<number>(r).fill(1));
        const dilations = nums(c.dilation_rate, r, new Array<number>(r).fill(1));
        const pads = windowPads(c.padding, kernel, strides, dilations);
        if (!pads) throw ctx.refuse(from, `uses padding ${JSON.stringify(c.padding)}`);
        zero = null;
        const cin = shape[0];
        const cout = Number(c.filters);
        const k = kernel.reduce((a, b) => a * b, 1);
        const w = ctx.weight(from.name, 'kernel', from, k * cin * cout);
        // Keras [k..., in, out] -> OIHW [out, in, k...]
        const weight = new Float32Array(cout * cin * k);
        for (let p = 0; p < k; p++)
          for (let ci = 0; ci < cin; ci++) for (let o = 0; o < cout; o++) weight[(o * cin + ci) * k + p] = w[(p * cin + ci) * cout + o];
        const bias = c.use_bias === false ? new Float32Array(cout) : Float32Array.from(ctx.weight(from.name, 'bias', from, cout));
        push(convLayer(cin, cout, kernel, weight, bias, { strides, pads, dilations, activation: null }), from);
        act(c.activation, from, isLast);
        break;
      }
      case 'DepthwiseConv2D': {
        if (shape.length !== 3) throw ctx.refuse(from, `reads a tensor of shape ${shape.join('x')}`);
        const mult = Number(c.depth_multiplier ?? 1);
        if (mult !== 1) throw ctx.refuse(from, `has depth_multiplier ${String(c.depth_multiplier)}: only depth_multiplier 1 is supported`);
        const kernel = nums(c.kernel_size, 2, [1]);
        const strides = nums(c.strides, 2, [1, 1]);
        const dilations = nums(c.dilation_rate, 2, [1, 1]);
        const pads = windowPads(c.padding, kernel, strides, dilations);
        if (!pads) throw ctx.refuse(from, `uses padding ${JSON.stringify(c.padding)}`);
        zero = null;
        const C = shape[0];
        const k = kernel[0] * kernel[1];
        const w = ctx.weight(from.name, 'depthwise_kernel', from, k * C);
        // Keras [kH, kW, C, 1] -> [C, 1, kH, kW]
        const weight = new Float32Array(C * k);
        for (let p = 0; p < k; p++) for (let ch = 0; ch < C; ch++) weight[ch * k + p] = w[p * C + ch];
        const bias = c.use_bias === false ? new Float32Array(C) : Float32Array.from(ctx.weight(from.name, 'bias', from, C));
        push(depthwiseLayer(C, kernel, weight, bias, { strides, pads, dilations, activation: null }), from);
        act(c.activation, from, isLast);
        break;
      }
      case 'MaxPooling1D':
      case 'MaxPooling2D':
      case 'AveragePooling1D':
      case 'AveragePooling2D': {
        const r = l.className.endsWith('1D') ? 1 : 2;
        if (shape.length !== r + 1) throw ctx.refuse(from, `reads a tensor of shape ${shape.join('x')}`);
        const kernel = nums(c.pool_size, r, new Array<number>(r).fill(2));
        const strides = nums(c.strides, r, kernel);
        const max = l.className.startsWith('Max');
        const pads = windowPads(c.padding, kernel, strides, new Array<number>(r).fill(1));
        if (!pads) throw ctx.refuse(from, `uses padding ${JSON.stringify(c.padding)}`);
        if (padded) {
          // zeros in the window: an average counts them (count_include_pad), a maximum ignores them
          // only where its input is never negative
          const prev = layers[layers.length - 1];
          if (max && !isNonNegative(prev && 'activation' in prev ? prev.activation : null))
            throw ctx.refuse(from, `pools the zero padding of "${zero?.from.name}" over an input that can be negative`);
          if (!max && pads.some((p, i) => p !== zero?.pads[i]))
            throw ctx.refuse(
              from,
              `pads ('same') after the zero padding of "${zero?.from.name}": its average would count only part of the padding`,
            );
        }
        zero = null;
        push(poolLayer(max ? 'max' : 'avg', shape[0], kernel, { strides, pads, countIncludePad: padded && !max }), from);
        break;
      }
      case 'GlobalAveragePooling1D':
      case 'GlobalAveragePooling2D': {
        if (c.keepdims === true) throw ctx.refuse(from, 'keeps the pooled dimensions');
        push(gapLayer(shape[0]), from);
        push(flattenLayer(shape), from);
        break;
      }
      case 'BatchNormalization': {
        const axis = Array.isArray(c.axis) ? (c.axis as number[]) : [Number(c.axis ?? -1)];
        if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== shape.length))
          throw ctx.refuse(from, `normalizes axis ${JSON.stringify(c.axis)}, not the channels`);
        if (shape.length < 2)
          throw ctx.refuse(from, 'normalizes a flat tensor; in a convolutional model batch norm is supported after a convolution');
        const n = shape[0];
        const k = kerasBatchNorm(c, n, from, ctx.weight);
        const bn = batchNormLayer(n, null);
        bn.gamma.set(k.gamma);
        bn.beta.set(k.beta);
        bn.runningMean.set(k.mean);
        bn.runningVar.set(k.variance);
        bn.epsilon = k.epsilon;
        push(bn, from);
        break;
      }
      case 'Flatten': {
        pointwise = false;
        if (shape.length > 1) {
          flattened = shape.length > 1 && shape.slice(1).some((d) => d !== 1) && shape[0] > 1 ? [...shape] : null;
          push(flattenLayer(shape), from);
        }
        break;
      }
      case 'Dense': {
        if (shape.length !== 1) throw ctx.refuse(from, `reads a tensor of shape ${shape.join('x')}; a Flatten before it is needed`);
        const units = Number(c.units);
        const inSize = shape[0];
        const k = ctx.weight(from.name, 'kernel', from, inSize * units);
        const kernel = new Float32Array(inSize * units);
        if (flattened) {
          // Keras flattens H, W, C; the network flattens C, H, W
          const [C, ...sp] = flattened;
          const S = sp.reduce((a, b) => a * b, 1);
          for (let ch = 0; ch < C; ch++)
            for (let p = 0; p < S; p++) kernel.set(k.subarray((p * C + ch) * units, (p * C + ch + 1) * units), (ch * S + p) * units);
          notes.push(`the rows of Dense "${from.name}" were reordered from Keras's channels-last Flatten`);
        } else kernel.set(k);
        flattened = null;
        const bias = c.use_bias === false ? new Float32Array(units) : Float32Array.from(ctx.weight(from.name, 'bias', from, units));
        push(denseLayer(kernel, bias, inSize, units, { name: 'identity' }), from);
        act(c.activation, from, isLast);
        break;
      }
      case 'Activation':
        act(c.activation, from, isLast);
        break;
      case 'Softmax':
        act('softmax', from, isLast);
        break;
      case 'ReLU':
        act(
          reluLayerActivation(c, (why) => ctx.refuse(from, why)),
          from,
          isLast,
        );
        break;
      case 'LeakyReLU':
        setActivation(layers, { name: 'leaky_relu', alpha: Math.fround(Number(c.alpha ?? c.negative_slope ?? 0.3)) }, (why) =>
          ctx.refuse(from, why),
        );
        break;
      case 'Dropout':
        notes.push(`Dropout "${from.name}" dropped (inference form)`);
        break;
      case RESIDUAL_SAVE:
        if (shape.length < 2)
          throw ctx.refuse(from, 'adds two branches of a flat tensor; residual blocks are read on images and sequences');
        flattened = null;
        push(saveLayer(open++, shape[0]), from);
        break;
      case RESIDUAL_SHORTCUT:
        push(shortcutLayer(open - 1, shape[0], (slotShapes.get(open - 1) as readonly number[])[0]), from);
        break;
      case JOIN_START: {
        // Keras joins channels last: axis -1 (or the last axis by number) is the channel axis here
        const axis = Number(c.axis ?? -1);
        const cat = { ...from, op: 'Concatenate' };
        if (shape.length < 2) throw ctx.refuse(cat, 'concatenates branches of a flat tensor; joins are read on images and sequences');
        if (axis !== -1 && axis !== shape.length) throw ctx.refuse(cat, `concatenates on axis ${axis}, not the channel axis (the last)`);
        flattened = null;
        const plan = joinSteps(Number(c.branches), open, open + 1);
        open += 2;
        joins.push({ after: plan.after, branches: Number(c.branches) });
        plan.start.forEach((s) => joinStep(s, from));
        break;
      }
      case JOIN_NEXT: {
        const j = joins[joins.length - 1];
        const k = Number(c.branch);
        j.after(k).forEach((s) => joinStep(s, from));
        if (k === j.branches - 1) {
          joins.pop();
          open -= 2;
        }
        break;
      }
      case 'Add':
        if (open === 0) throw ctx.refuse(from, 'adds tensors outside a residual block');
        push(addLayer(--open, shape[0], null), from);
        break;
      default:
        throw ctx.refuse(from, 'is not supported');
    }
  });
  const unread = zero as { from: Origin } | null;
  if (unread) throw ctx.refuse(unread.from, 'pads zeros that no convolution or pooling reads');
  const final = layers[layers.length - 1];
  if (!final || final.op !== 'dense') throw ctx.refuse(list[list.length - 1].from, 'ends the model, which must end in a Dense layer');
  if (final.activation && final.activation.name !== 'identity')
    throw ctx.refuse(
      list[list.length - 1].from,
      `ends the model with a ${final.activation.name} activation; the last Dense layer must give the logits`,
    );
  for (const l of layers) if (l.op === 'dense' && l !== final && l.activation?.name === 'relu') delete l.activation;
  delete final.activation;
  return { layers, inputShape, kerasShape, outputForm, notes };
}
