/**
 * A convolutional (or dense) Network from an --arch spec (arch.ts parseArch) with seeded
 * initialisation as PyTorch's defaults: conv and dense weights and biases uniform in
 * +-1/sqrt(fan_in) (fan_in = C_in*kH*kW for a convolution, in for dense; nn.Conv2d / nn.Linear's
 * kaiming_uniform(a=sqrt 5)), batch norm gamma 1, beta 0, running mean 0, variance 1. Draws go layer
 * by layer, weights then bias, as create.ts does. A linear dense classifier of `classes` outputs ends it.
 * A spec that starts with dense layers on an image input reads the flat NCHW row directly (the
 * implied flatten before it is left out, inputShape absent). `activation` replaces the spec's ReLUs.
 */
import type { Scaling } from '../data/types';
import { Rng } from '../util/rng';
import type { Activation } from './activations';
import { parseArch } from './arch';
import { batchNormLayer } from './layers/batchnorm';
import { convLayer } from './layers/conv';
import { denseLayer } from './layers/dense';
import { depthwiseLayer } from './layers/depthwise';
import { flattenLayer } from './layers/flatten';
import { gapLayer } from './layers/gap';
import { poolLayer } from './layers/pool';
import { concatLayer } from './layers/concat';
import { addLayer, saveLayer, shortcutLayer } from './layers/residual';
import type { AnyLayer, Network } from './types';

export function initArchNetwork(
  spec: string,
  inputShape: readonly number[],
  classes: number,
  seed: number,
  opts: { scaling?: Scaling | null; classLabels?: string[]; featureNames?: string[]; activation?: Activation } = {},
): Network<AnyLayer> {
  const arch = parseArch(spec, inputShape);
  const rng = new Rng(seed);
  const uniform = (n: number, bound: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * bound;
    return a;
  };
  const layers: AnyLayer[] = [];
  arch.layers.forEach((s, k) => {
    if (s.op === 'conv') {
      const cin = s.inShape[0];
      const axes = s.inShape.length - 1;
      const kernel = new Array<number>(axes).fill(s.kernel);
      const fanIn = cin * s.kernel ** axes;
      const bound = 1 / Math.sqrt(fanIn);
      const weight = uniform(s.outChannels * fanIn, bound);
      const bias = uniform(s.outChannels, bound);
      layers.push(
        convLayer(cin, s.outChannels, kernel, weight, bias, {
          strides: new Array<number>(axes).fill(s.stride),
          pads: new Array<number>(axes).fill(s.pad),
          activation: s.activation,
        }),
      );
    } else if (s.op === 'depthwise') {
      // torch's Conv2d(C, C, K, groups=C): fan_in = K (x K)
      const axes = s.inShape.length - 1;
      const fanIn = s.kernel ** axes;
      const bound = 1 / Math.sqrt(fanIn);
      layers.push(
        depthwiseLayer(s.channels, new Array<number>(axes).fill(s.kernel), uniform(s.channels * fanIn, bound), uniform(s.channels, bound), {
          strides: new Array<number>(axes).fill(s.stride),
          pads: new Array<number>(axes).fill(s.pad),
          activation: s.activation,
        }),
      );
    } else if (s.op === 'save') {
      layers.push(saveLayer(s.slot, s.inShape[0]));
    } else if (s.op === 'shortcut') {
      layers.push(shortcutLayer(s.slot, s.inShape[0], s.outShape[0]));
    } else if (s.op === 'add') {
      layers.push(addLayer(s.slot, s.inShape[0], s.activation));
    } else if (s.op === 'concat') {
      layers.push(concatLayer(s.slot, s.first, s.inShape[0]));
    } else if (s.op === 'batchnorm') {
      layers.push(batchNormLayer(s.channels, s.activation));
    } else if (s.op === 'maxpool' || s.op === 'avgpool') {
      const axes = s.inShape.length - 1;
      layers.push(poolLayer(s.op === 'maxpool' ? 'max' : 'avg', s.inShape[0], new Array<number>(axes).fill(s.size)));
    } else if (s.op === 'globalavgpool') {
      layers.push(gapLayer(s.inShape[0]));
    } else if (s.op === 'flatten') {
      if (k > 0) layers.push(flattenLayer(s.inShape));
    } else if (s.op === 'dense') {
      const inF = s.inShape[0];
      const bound = 1 / Math.sqrt(inF);
      layers.push(denseLayer(uniform(inF * s.units, bound), uniform(s.units, bound), inF, s.units));
    }
  });
  // --activation: every ReLU of the spec (after convolutions, batch norm, sums, hidden dense layers) becomes it
  const act = opts.activation;
  if (act && act.name !== 'relu') {
    for (const l of layers) {
      if (l.op === 'dense') l.activation = { ...act };
      else if ('activation' in l && l.activation?.name === 'relu') l.activation = { ...act };
    }
  }
  const f = arch.outputShape[0];
  const bound = 1 / Math.sqrt(f);
  layers.push(denseLayer(uniform(f * classes, bound), uniform(classes, bound), f, classes));
  const width = inputShape.reduce((a, b) => a * b, 1);
  const spatial = layers[0].op !== 'dense' && inputShape.length > 1;
  return {
    inputWidth: width,
    inputIndices: Array.from({ length: width }, (_, i) => i),
    scaling: opts.scaling ?? null,
    layers,
    classLabels: opts.classLabels ?? Array.from({ length: classes }, (_, i) => String(i)),
    featureNames: opts.featureNames ?? Array.from({ length: width }, (_, i) => `x${i}`),
    ...(spatial ? { inputShape: [...inputShape] } : {}),
  };
}
