/**
 * A working copy of a Network that pruning may modify freely (thresholding zeroes groups, constant
 * folding adds to biases, in float64), with shape checks, read as channel levels through the layer
 * table: level 0 is the first layer's inputs, level h + 1 the output channels of the h-th mixing
 * layer (dense, convolution) together with the channelwise layers that follow it (a per-channel
 * scale, batch norm, pooling), which hold entries of the same channels. A level's channel is one
 * coupled set: its filter and bias, its entries in every channelwise layer after it, and the slice
 * of the next mixing layer that reads it; it lives or dies as a whole. After a flatten (a channelwise
 * layer with a spread S), the next mixing layer reads channel c as its inputs c*S .. (c+1)*S - 1
 * (`spread`); a convolutional network's input channel c is the H*W raw columns c*H*W .. (`inputSpread`).
 */
import { GsError } from '../errors';
import { cloneLayer, hasResidual, layerType } from '../network/layers/table';
import type { AnyLayer, Network } from '../network/types';

export interface WorkingCopy {
  /** Copies of the network's layers (the weights copied; thresholding zeroes them in place). */
  layers: AnyLayer[];
  /** Indices into `layers` of the mixing layers, in order: mixing[h] connects level h to level h + 1. */
  mixing: number[];
  /** Indices of the channelwise layers after mixing layer h (on the channels of level h + 1). */
  followers: number[][];
  /** Channels per level: sizes[0] inputs, sizes[h + 1] the outputs of mixing layer h. */
  sizes: number[];
  /** Float64 copies of each mixing layer's bias, which constant folding adds to. */
  biases: Float64Array[];
  /** Per level: inputs of the next mixing layer per channel (1, or a flatten's positions per channel). */
  spread: number[];
  /** inputIndices entries per input channel (H*W for a convolutional network's [C, H, W] input; 1 for a flat one). */
  inputSpread: number;
}

/** The mixing layer's inputs that level channels `channels` are, with `spread` inputs per channel. */
export function spreadOut(channels: readonly number[], spread: number): number[] {
  if (spread === 1) return [...channels];
  const out: number[] = [];
  for (const c of channels) for (let p = 0; p < spread; p++) out.push(c * spread + p);
  return out;
}

/** A per-channel mask as a per-input mask of the mixing layer reading it (`spread` inputs per channel). */
export function spreadMask(mask: Uint8Array, spread: number): Uint8Array {
  if (spread === 1) return mask;
  const out = new Uint8Array(mask.length * spread);
  mask.forEach((v, c) => out.fill(v, c * spread, (c + 1) * spread));
  return out;
}

/** Copies the network, after checking that shapes agree and all values are finite. */
export function toWorkingCopy(net: Network<AnyLayer>): WorkingCopy {
  if (net.layers.length === 0) throw new GsError('BAD_MODEL', 'network has no layers');
  if (hasResidual(net.layers)) throw new GsError('UNAVAILABLE', 'pruning networks with residual blocks is not supported yet');
  const first = net.layers[0];
  if (layerType(first).role !== 'mixing')
    throw new GsError('BAD_MODEL', `the first layer (${first.op}) must read the inputs through weights`);
  const firstIn = layerType(first).inChannels(first);
  const inputSpread = net.inputIndices.length / Math.max(1, firstIn);
  const shape = net.inputShape;
  const shapeOk = !shape || shape.reduce((a, b) => a * b, 1) === net.inputIndices.length;
  if (
    !Number.isInteger(inputSpread) ||
    (inputSpread > 1 && shape?.[0] !== firstIn) ||
    !shapeOk ||
    (firstIn === 0 && net.inputIndices.length > 0)
  ) {
    throw new GsError(
      'BAD_MODEL',
      `network reads ${net.inputIndices.length} input columns${shape ? ` of shape ${shape.join('x')}` : ''} but its first layer expects ${firstIn} input channels`,
    );
  }
  for (const c of net.inputIndices) {
    if (!Number.isInteger(c) || c < 0 || c >= net.inputWidth) {
      throw new GsError('BAD_MODEL', `input index ${c} is outside 0..${net.inputWidth - 1}`);
    }
  }
  const sizes = [layerType(first).inChannels(first)];
  const mixing: number[] = [];
  const followers: number[][] = [];
  const spread = [1];
  net.layers.forEach((layer, l) => {
    const t = layerType(layer);
    const width = sizes[sizes.length - 1] * (t.role === 'mixing' ? spread[spread.length - 1] : 1);
    if (t.inChannels(layer) !== width) {
      throw new GsError('BAD_MODEL', `layer ${l} expects ${t.inChannels(layer)} inputs but the previous layer has ${width}`);
    }
    const bad = t.invalid(layer);
    if (bad) throw new GsError('BAD_MODEL', `layer ${l} ${bad}`);
    const parts = t.groups(layer);
    if (parts) {
      for (const [what, a] of [
        ['kernel', parts.w],
        ['bias', parts.b],
      ] as const) {
        const i = a.findIndex((v) => !Number.isFinite(v));
        if (i >= 0) throw new GsError('BAD_MODEL', `layer ${l} ${what}[${i}] is ${a[i]}; pruning needs finite weights`);
      }
    }
    if (t.role === 'mixing') {
      mixing.push(l);
      followers.push([]);
      sizes.push(t.outChannels(layer));
      spread.push(1);
    } else {
      const s = t.spread?.(layer) ?? 1;
      if (spread[spread.length - 1] !== 1 && s !== 1) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) flattens twice`);
      if (t.outChannels(layer) !== width * s) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) changes the channel count`);
      if (s !== 1) spread[spread.length - 1] = s;
      followers[followers.length - 1].push(l);
    }
  });
  const layers = net.layers.map(cloneLayer);
  const biases = mixing.map((l) => Float64Array.from(layerType(layers[l]).bias!(layers[l])));
  return { layers, mixing, followers, sizes, biases, spread, inputSpread: firstIn === 0 ? 1 : inputSpread };
}
