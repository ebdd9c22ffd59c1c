/**
 * Where an importer puts an activation it meets after a layer of a convolutional network: on the
 * layer before it (a convolution, batch norm, dense layer or residual sum that has none yet), or, when it follows a
 * max pooling and is monotone (relu(max) = max(relu)), on the layer before the pooling.
 */
import type { GsError } from '../errors';
import type { Activation } from '../network/activations';
import type { AnyLayer } from '../network/types';

/** Activations that commute with max pooling (non-decreasing). */
const MONOTONE = new Set(['relu', 'leaky_relu', 'tanh', 'sigmoid', 'relu6', 'identity']);

/** The activation `a` after the last layer: that layer's own, or (monotone, after max pooling) the layer's before it. */
export function setActivation(layers: AnyLayer[], a: Activation, fail: (why: string) => GsError): void {
  let k = layers.length - 1;
  const l = layers[k];
  if (!l) throw fail('is applied to the inputs before any layer');
  if (l.op === 'pool' && l.kind === 'max' && MONOTONE.has(a.name)) k--;
  const target = layers[k];
  const holds =
    target?.op === 'conv' || target?.op === 'depthwise' || target?.op === 'batchnorm' || target?.op === 'dense' || target?.op === 'add';
  if (!holds)
    throw fail(`follows a ${l.op} layer; activations are supported after convolutions, batch norm, dense layers and residual sums`);
  const current = target.activation;
  const free = current === null || current === undefined || current.name === 'identity';
  if (!free) throw fail(`follows another activation (${current.name})`);
  target.activation = { ...a };
}
