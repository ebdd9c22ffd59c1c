/**
 * A convolutional Network as a tfjs LayersModel (model.json + one weights file), written without
 * tfjs. The model takes what the ONNX export takes: raw values N x C x H x W (N x C x L), all input
 * channels; a Permute makes them channels last (NHWC, what tfjs convolves), a BatchNormalization
 * without gamma and beta applies a per-channel scaling, and the layers follow as Keras layers:
 * Conv2D / Conv1D ('valid', explicit padding as ZeroPadding2D / 1D in front; batch norm folded in
 * first, network/layers/fold-batchnorm.ts), BatchNormalization, MaxPooling / AveragePooling,
 * GlobalAveragePooling, Flatten (the next Dense layer's rows reordered from C, H, W to Keras's
 * H, W, C), Dense, activations (LeakyReLU as its own layer), softmax on the last layer (linear for a
 * regressor). Input channels the network does not read get zero weights in the first convolution.
 * Residual blocks and joins: the same layers wired as a functional model (layers-model-functional.ts:
 * Add, Concatenate).
 * Refused (the ONNX export has them): scaling that differs within a channel, max pooling over
 * padding of a possibly negative input, average pooling that pads without counting the padding.
 */
import { GsError } from '../errors';
import { ACTIVATIONS, alphaOf, isNonNegative, type Activation } from './activations';
import type { ConvLayer } from './layers/conv';
import { foldBatchNorms } from './layers/fold-batchnorm';
import { hasResidual } from './layers/table';
import { functionalTopology, SAVE_MARK, SHORTCUT_MARK } from './layers-model-functional';
import { SCALING_EPSILON, sequentialModel } from './layers-model';
import { TASKS, taskOf } from './tasks';
import type { AnyLayer, Network } from './types';

/** The tfjs weights file of a convolutional export (a run's own weights.bin sits beside it). */
export const CNN_TFJS_WEIGHTS_FILE = 'model.weights.bin';

interface Spec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

const refuse = (why: string) => new GsError('UNAVAILABLE', `the tfjs export of this convolutional network: ${why}; --export writes ONNX`);

/** The first convolution reading every raw input channel (zero weights for the ones the network drops). */
function widenFirst(conv: ConvLayer, kept: number[], channels: number): ConvLayer {
  if (kept.length === channels) return conv;
  const k = conv.weight.length / (conv.cout * conv.cin);
  const weight = new Float32Array(conv.cout * channels * k);
  for (let o = 0; o < conv.cout; o++)
    kept.forEach((c, i) => weight.set(conv.weight.subarray((o * conv.cin + i) * k, (o * conv.cin + i + 1) * k), (o * channels + c) * k));
  return { ...conv, cin: channels, weight };
}

/** model.json text and weights of a convolutional network (see the module comment). */
export function toCnnLayersModel(net: Network<AnyLayer>, generatedBy: string): { modelJson: string; weights: Uint8Array } {
  const shape = net.inputShape;
  if (!shape || shape.length < 2) throw refuse('it has no image or sequence input shape');
  const spatial = shape.slice(1);
  const S = spatial.reduce((a, b) => a * b, 1);
  const C0 = net.inputWidth / S;
  const kept = [...new Set(net.inputIndices.map((i) => Math.floor(i / S)))];
  const residual = hasResidual(net.layers);
  const layers = foldBatchNorms(net.layers);
  if (layers[0].op !== 'conv') throw refuse(`its first layer is ${layers[0].op}, not a convolution`);
  layers[0] = widenFirst(layers[0], kept, C0);
  const rank = spatial.length;
  const topo: { class_name: string; config: Record<string, unknown> }[] = [];
  const specs: Spec[] = [];
  const parts: Float32Array[] = [];
  let n = 0;
  const name = (kind: string) => `${kind}_${++n}`;
  const weight = (layer: string, w: string, dims: number[], data: Float32Array) => {
    specs.push({ name: `${layer}/${w}`, shape: dims, dtype: 'float32' });
    parts.push(data);
  };
  const activation = (a: Activation | null | undefined): string => {
    if (!a) return 'linear';
    const t = ACTIVATIONS[a.name].tfjs;
    return t ?? 'linear';
  };
  const leaky = (a: Activation | null | undefined) => {
    if (a && ACTIVATIONS[a.name].tfjs === null)
      topo.push({ class_name: 'LeakyReLU', config: { name: name('leaky_re_lu'), alpha: alphaOf(a) } });
  };
  topo.push({
    class_name: 'Permute',
    config: { name: 'channels_last', dims: rank === 2 ? [2, 3, 1] : [2, 1], batch_input_shape: [null, C0, ...spatial], dtype: 'float32' },
  });
  if (net.scaling) {
    const { mean, std } = net.scaling;
    const m = Float32Array.from({ length: C0 }, (_, c) => mean[c * S]);
    const s = Float32Array.from({ length: C0 }, (_, c) => std[c * S]);
    for (let c = 0; c < C0; c++)
      for (let p = 0; p < S; p++)
        if (mean[c * S + p] !== m[c] || std[c * S + p] !== s[c]) throw refuse('its input scaling differs within a channel');
    topo.push({
      class_name: 'BatchNormalization',
      config: { name: 'standardize', axis: -1, epsilon: SCALING_EPSILON, center: false, scale: false, trainable: false },
    });
    weight('standardize', 'moving_mean', [C0], m);
    weight(
      'standardize',
      'moving_variance',
      [C0],
      s.map((v) => v * v),
    );
  }
  let cur = [C0, ...spatial];
  const savedShape = new Map<number, number[]>();
  // a Flatten of C x H x W: the next Dense layer's rows go from C, H, W order to H, W, C
  let flattened: number[] | null = null;
  const pad2 = (p: number[]) =>
    rank === 2
      ? [
          [p[0], p[2]],
          [p[1], p[3]],
        ]
      : [p[0], p[1]];
  layers.forEach((l, i) => {
    const last = i === layers.length - 1;
    const hidden = !last;
    switch (l.op) {
      case 'conv': {
        if (l.pads.some((p) => p !== 0))
          topo.push({ class_name: `ZeroPadding${rank}D`, config: { name: name('zero_padding'), padding: pad2(l.pads) } });
        const id = name('conv');
        const k = l.kernel.reduce((a, b) => a * b, 1);
        const w = new Float32Array(k * l.cin * l.cout);
        for (let o = 0; o < l.cout; o++)
          for (let c = 0; c < l.cin; c++) for (let p = 0; p < k; p++) w[(p * l.cin + c) * l.cout + o] = l.weight[(o * l.cin + c) * k + p];
        topo.push({
          class_name: `Conv${rank}D`,
          config: {
            name: id,
            filters: l.cout,
            kernel_size: l.kernel,
            strides: l.strides,
            dilation_rate: l.dilations,
            padding: 'valid',
            data_format: 'channels_last',
            activation: hidden ? activation(l.activation) : 'linear',
            use_bias: true,
          },
        });
        weight(id, 'kernel', [...l.kernel, l.cin, l.cout], w);
        weight(id, 'bias', [l.cout], l.bias);
        if (hidden) leaky(l.activation);
        cur = [
          l.cout,
          ...cur
            .slice(1)
            .map((d, a) => Math.floor((d + l.pads[a] + l.pads[a + rank] - l.dilations[a] * (l.kernel[a] - 1) - 1) / l.strides[a]) + 1),
        ];
        break;
      }
      case 'depthwise': {
        if (rank !== 2) throw refuse('it has a 1-D depthwise convolution (tfjs has no DepthwiseConv1D)');
        if (l.pads.some((p) => p !== 0))
          topo.push({ class_name: 'ZeroPadding2D', config: { name: name('zero_padding'), padding: pad2(l.pads) } });
        const id = name('depthwise_conv2d');
        const k = l.kernel.reduce((a, b) => a * b, 1);
        // [C, kH*kW] -> Keras depthwise_kernel [kH, kW, C, 1]
        const w = new Float32Array(k * l.channels);
        for (let c = 0; c < l.channels; c++) for (let p = 0; p < k; p++) w[p * l.channels + c] = l.weight[c * k + p];
        topo.push({
          class_name: 'DepthwiseConv2D',
          config: {
            name: id,
            kernel_size: l.kernel,
            strides: l.strides,
            dilation_rate: l.dilations,
            depth_multiplier: 1,
            padding: 'valid',
            data_format: 'channels_last',
            activation: hidden ? activation(l.activation) : 'linear',
            use_bias: true,
          },
        });
        weight(id, 'depthwise_kernel', [...l.kernel, l.channels, 1], w);
        weight(id, 'bias', [l.channels], l.bias);
        if (hidden) leaky(l.activation);
        cur = [
          l.channels,
          ...cur
            .slice(1)
            .map((d, a) => Math.floor((d + l.pads[a] + l.pads[a + rank] - l.dilations[a] * (l.kernel[a] - 1) - 1) / l.strides[a]) + 1),
        ];
        break;
      }
      case 'batchnorm': {
        const id = name('batch_normalization');
        topo.push({ class_name: 'BatchNormalization', config: { name: id, axis: -1, epsilon: l.epsilon, center: true, scale: true } });
        weight(id, 'gamma', [l.channels], l.gamma);
        weight(id, 'beta', [l.channels], l.beta);
        weight(id, 'moving_mean', [l.channels], l.runningMean);
        weight(id, 'moving_variance', [l.channels], l.runningVar);
        if (hidden && l.activation) {
          const t = activation(l.activation);
          if (t !== 'linear') topo.push({ class_name: 'Activation', config: { name: name('activation'), activation: t } });
          leaky(l.activation);
        }
        break;
      }
      case 'pool': {
        const padded = l.pads.some((p) => p !== 0);
        if (padded && l.kind === 'avg' && !l.countIncludePad) throw refuse('an average pooling pads without counting the padding');
        if (padded && l.kind === 'max') {
          const prev = layers[i - 1];
          const act = prev && 'activation' in prev ? prev.activation : null;
          if (!isNonNegative(act)) throw refuse('a max pooling pads an input that can be negative');
        }
        if (padded) topo.push({ class_name: `ZeroPadding${rank}D`, config: { name: name('zero_padding'), padding: pad2(l.pads) } });
        topo.push({
          class_name: `${l.kind === 'max' ? 'Max' : 'Average'}Pooling${rank}D`,
          config: {
            name: name(l.kind === 'max' ? 'max_pooling' : 'average_pooling'),
            pool_size: l.kernel,
            strides: l.strides,
            padding: 'valid',
            data_format: 'channels_last',
          },
        });
        cur = [cur[0], ...cur.slice(1).map((d, a) => Math.floor((d + l.pads[a] + l.pads[a + rank] - l.kernel[a]) / l.strides[a]) + 1)];
        break;
      }
      case 'gap':
        topo.push({
          class_name: `GlobalAveragePooling${rank}D`,
          config: { name: name('global_average_pooling'), data_format: 'channels_last' },
        });
        cur = [cur[0]];
        break;
      case 'flatten':
        if (cur.length > 1) {
          flattened = cur[0] > 1 && cur.slice(1).some((d) => d !== 1) ? [...cur] : null;
          topo.push({ class_name: 'Flatten', config: { name: name('flatten') } });
          cur = [cur.reduce((a, b) => a * b, 1)];
        }
        break;
      case 'dense': {
        const id = last ? 'output' : name('dense');
        let kernel = l.kernel;
        if (flattened) {
          const [C, ...sp] = flattened;
          const P = sp.reduce((a, b) => a * b, 1);
          kernel = new Float32Array(l.kernel.length);
          for (let c = 0; c < C; c++)
            for (let p = 0; p < P; p++)
              kernel.set(l.kernel.subarray((c * P + p) * l.outSize, (c * P + p + 1) * l.outSize), (p * C + c) * l.outSize);
          flattened = null;
        }
        const act = l.activation ?? { name: 'relu' };
        topo.push({
          class_name: 'Dense',
          config: {
            name: id,
            units: l.outSize,
            use_bias: true,
            activation: last ? (TASKS[taskOf(net)].outputActivation === 'softmax' ? 'softmax' : 'linear') : activation(act),
          },
        });
        weight(id, 'kernel', [l.inSize, l.outSize], kernel);
        weight(id, 'bias', [l.outSize], l.bias);
        if (hidden) leaky(act);
        cur = [l.outSize];
        break;
      }
      case 'save':
        topo.push({ class_name: SAVE_MARK, config: { slot: l.slot } });
        savedShape.set(l.slot, cur);
        break;
      case 'shortcut': {
        topo.push({ class_name: SHORTCUT_MARK, config: { slot: l.slot } });
        const saved = savedShape.get(l.slot) as number[];
        savedShape.set(l.slot, cur);
        cur = saved;
        break;
      }
      case 'add': {
        topo.push({ class_name: 'Add', config: { name: name('add'), slot: l.slot } });
        const t = hidden ? activation(l.activation) : 'linear';
        if (t !== 'linear') topo.push({ class_name: 'Activation', config: { name: name('activation'), activation: t } });
        if (hidden) leaky(l.activation);
        break;
      }
      case 'concat': {
        // channels last: Keras joins the slot's tensor and the current one on the last axis
        topo.push({ class_name: 'Concatenate', config: { name: name('concatenate'), axis: -1, slot: l.slot } });
        cur = [l.first + l.second, ...cur.slice(1)];
        break;
      }
      default:
        throw refuse(`it has a ${(l as AnyLayer).op} layer`);
    }
  });
  const total = parts.reduce((a, p) => a + p.length, 0);
  const flat = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    flat.set(p, off);
    off += p.length;
  }
  const sequential = sequentialModel('gs_compress_cnn', topo, specs, CNN_TFJS_WEIGHTS_FILE, generatedBy);
  const model = {
    ...sequential,
    // residual blocks: the same layers wired as a functional model
    ...(residual ? { modelTopology: functionalTopology('gs_compress_cnn', topo, [null, C0, ...spatial]) } : {}),
    userDefinedMetadata: { gsCompress: { input: 'raw-channels-first', inputShape: [C0, ...spatial] } },
  };
  return { modelJson: JSON.stringify(model), weights: new Uint8Array(flat.buffer) };
}
