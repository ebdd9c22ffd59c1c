/**
 * Turning an importer's steps into a Network, exactly: elementwise affine maps before the first
 * linear layer become the network's feature scaling; after a linear layer (BatchNormalization on
 * its outputs) they fold into that layer's kernel columns and bias; after an activation they fold
 * into the next layer's kernel rows and bias. Identity activations between linear layers are kept
 * as layers (pruning and export handle them); every other shape of chain is refused with the step
 * that breaks it. Arithmetic is float64, rounded once to float32 at the end.
 */
import { GsError } from '../errors';
import type { Activation } from '../network/activations';
import type { DenseLayer, Network } from '../network/types';
import type { ImportStep, Origin } from './types';

interface Work {
  inSize: number;
  outSize: number;
  kernel: Float64Array;
  bias: Float64Array;
  activation: Activation | null; // null: not closed yet (pre-activation outputs)
}

const at = (a: Float64Array, i: number) => (a.length === 1 ? a[0] : a[i]);

function refuse(file: string, from: Origin, why: string): GsError {
  return new GsError('BAD_MODEL', `${file}: ${from.op} "${from.name}" ${why}`);
}

export interface Assembled {
  network: Network;
  outputForm: 'logits' | 'softmax' | 'log-softmax';
}

/**
 * steps: the chain in order. inputWidth: raw feature count (the first linear layer's inSize when
 * the file does not say). classLabels: one per output unit, or null for 0..C-1.
 */
export function assembleSteps(file: string, steps: ImportStep[], inputWidth: number | null, classLabels: string[] | null): Assembled {
  const layers: Work[] = [];
  let mean: Float64Array | null = null; // scaling of the raw features, z = (x - mean) / std
  let std: Float64Array | null = null;
  let pending: { shift: Float64Array; divide: Float64Array; from: Origin } | null = null; // affine after an activation
  let outputForm: Assembled['outputForm'] | null = null;
  let width = inputWidth;
  const checkLength = (a: Float64Array, n: number, from: Origin) => {
    if (a.length !== 1 && a.length !== n) throw refuse(file, from, `has ${a.length} values for ${n} units`);
  };

  for (const s of steps) {
    if (outputForm !== null) throw refuse(file, s.from, `comes after the model's output (${outputForm}); nothing may follow it`);
    const last = layers[layers.length - 1];
    switch (s.op) {
      case 'affine': {
        if (!last) {
          // feature scaling of the raw inputs: compose (x - m)/d after (x - mean)/std
          if (width === null) throw refuse(file, s.from, 'scales the inputs, but the input width is unknown');
          checkLength(s.shift, width, s.from);
          checkLength(s.divide, width, s.from);
          mean ??= new Float64Array(width);
          std ??= new Float64Array(width).fill(1);
          for (let c = 0; c < width; c++) {
            mean[c] += at(s.shift, c) * std[c];
            std[c] *= at(s.divide, c);
          }
        } else if (last.activation === null) {
          checkLength(s.shift, last.outSize, s.from);
          checkLength(s.divide, last.outSize, s.from);
          for (let j = 0; j < last.outSize; j++) {
            const d = at(s.divide, j);
            for (let i = 0; i < last.inSize; i++) last.kernel[i * last.outSize + j] /= d;
            last.bias[j] = (last.bias[j] - at(s.shift, j)) / d;
          }
        } else {
          if (pending) throw refuse(file, s.from, 'follows another affine map after an activation; only one is supported there');
          checkLength(s.shift, last.outSize, s.from);
          checkLength(s.divide, last.outSize, s.from);
          pending = s;
        }
        break;
      }
      case 'linear': {
        if (last && last.activation === null) {
          // two linear layers in a row: the first has an identity activation
          last.activation = { name: 'identity' };
        }
        const expectIn = last ? last.outSize : width;
        if (expectIn !== null && s.inSize !== expectIn) {
          throw refuse(file, s.from, `reads ${s.inSize} values but receives ${expectIn}`);
        }
        if (!last && width === null) width = s.inSize;
        const w: Work = { inSize: s.inSize, outSize: s.outSize, kernel: s.kernel.slice(), bias: s.bias.slice(), activation: null };
        if (pending) {
          for (let i = 0; i < w.inSize; i++) {
            const d = at(pending.divide, i);
            const sh = at(pending.shift, i);
            for (let j = 0; j < w.outSize; j++) {
              w.kernel[i * w.outSize + j] /= d;
              w.bias[j] -= sh * w.kernel[i * w.outSize + j];
            }
          }
          pending = null;
        }
        layers.push(w);
        break;
      }
      case 'activation': {
        if (!last)
          throw refuse(file, s.from, 'is applied to the inputs before any linear layer; gs-compress networks start with a linear layer');
        if (last.activation !== null)
          throw refuse(file, s.from, `follows another activation (${last.activation.name}); one activation per layer is supported`);
        last.activation = s.activation;
        break;
      }
      case 'output': {
        if (!last) throw refuse(file, s.from, 'has no linear layer before it');
        if (last.activation !== null) {
          throw refuse(
            file,
            s.from,
            `follows an activation (${last.activation.name}) after the last linear layer; the last linear layer must give the logits`,
          );
        }
        outputForm = s.form;
        break;
      }
    }
  }
  const last = layers[layers.length - 1];
  if (!last) throw new GsError('BAD_MODEL', `${file}: no linear (Dense, Gemm, MatMul) layer found`);
  if (last.activation !== null) {
    throw new GsError(
      'BAD_MODEL',
      `${file}: the model ends with a ${last.activation.name} activation after its last linear layer; gs-compress imports networks whose last linear layer gives the logits (optionally followed by Softmax or LogSoftmax)`,
    );
  }
  if (pending) throw refuse(file, pending.from, 'comes after the last linear layer');
  const d = width ?? layers[0].inSize;
  if (std && std.some((v) => !Number.isFinite(v) || v === 0)) {
    throw new GsError('BAD_MODEL', `${file}: the feature scaling in front of the first layer divides by zero or a non-finite value`);
  }
  const classes = last.outSize;
  if (classLabels && classLabels.length !== classes) {
    throw new GsError('BAD_MODEL', `${file}: ${classLabels.length} class labels for ${classes} outputs`);
  }
  const dense: DenseLayer[] = layers.map((w, k) => {
    const l: DenseLayer = {
      op: 'dense',
      inSize: w.inSize,
      outSize: w.outSize,
      kernel: Float32Array.from(w.kernel),
      bias: Float32Array.from(w.bias),
    };
    if (k < layers.length - 1 && w.activation && w.activation.name !== 'relu') l.activation = w.activation;
    return l;
  });
  const scaled = mean !== null && std !== null && (mean.some((v) => v !== 0) || std.some((v) => v !== 1));
  return {
    network: {
      inputWidth: d,
      inputIndices: Array.from({ length: d }, (_, i) => i),
      scaling: scaled ? { mean: Float32Array.from(mean as Float64Array), std: Float32Array.from(std as Float64Array) } : null,
      layers: dense,
      classLabels: classLabels ?? Array.from({ length: classes }, (_, i) => String(i)),
      featureNames: Array.from({ length: d }, (_, i) => `x${i}`),
    },
    outputForm: outputForm ?? 'logits',
  };
}
