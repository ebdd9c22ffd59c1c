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
 * Residual blocks (network/layers/residual.ts): a saved level may have several readers (the branch
 * and a projection shortcut), and the levels a residual add sums are coupled (`coupled`: Torch-
 * Pruning's dependency group): channel c of the block's input, of its branch's output and of the
 * sum is one set, kept or removed together.
 */
import { GsError } from '../errors';
import { cloneLayer, layerType } from '../network/layers/table';
import type { AnyLayer, Network } from '../network/types';

export interface WorkingCopy {
  /** Copies of the network's layers (the weights copied; thresholding zeroes them in place). */
  layers: AnyLayer[];
  /** Indices into `layers` of the mixing layers, in order: mixing[h] writes level h + 1 and reads level reads[h]. */
  mixing: number[];
  /** The level each mixing layer reads (h in a chain; another one after a residual layer). */
  reads: number[];
  /** Per level: the mixing layers (indices into `mixing`) that read it. */
  readers: number[][];
  /** Indices of the channelwise layers after mixing layer h (on the channels of level h + 1), residual save and add included. */
  followers: number[][];
  /** Residual shortcuts (indices into `layers`): they read level `from`, the walk continues on level `to`. */
  shortcuts: { layer: number; from: number; to: number }[];
  /** Per level: the first level of its coupled set (levels a residual add sums are one set: their
   * channel c lives or dies together); the level itself when it is coupled to none. */
  coupled: number[];
  /** Channels per level: sizes[0] inputs, sizes[h + 1] the outputs of mixing layer h. */
  sizes: number[];
  /** Float64 copies of each mixing layer's bias, which constant folding adds to. */
  biases: Float64Array[];
  /** Per level: inputs of its reader per channel (1, or a flatten's positions per channel). */
  spread: number[];
  /** inputIndices entries per input channel (H*W for a convolutional network's [C, H, W] input; 1 for a flat one). */
  inputSpread: number;
}

/** The levels of each coupled set, by its first level (a level coupled to none is a set of one). */
export function coupledSets(work: Pick<WorkingCopy, 'coupled'>): Map<number, number[]> {
  const sets = new Map<number, number[]>();
  work.coupled.forEach((root, h) => {
    const s = sets.get(root);
    if (s) s.push(h);
    else sets.set(root, [h]);
  });
  return sets;
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
  const reads: number[] = [];
  const followers: number[][] = [];
  const shortcuts: WorkingCopy['shortcuts'] = [];
  const spread = [1];
  const parent = [0];
  const root = (h: number): number => (parent[h] === h ? h : (parent[h] = root(parent[h])));
  const slots = new Map<number, number>();
  let cur = 0;
  net.layers.forEach((layer, l) => {
    const t = layerType(layer);
    const width = sizes[cur] * (t.role === 'mixing' ? spread[cur] : 1);
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
    const use = t.slot?.(layer);
    if (use) {
      if (spread[cur] !== 1) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) comes after a flatten`);
      const saved = slots.get(use.slot);
      if (use.kind !== 'save' && saved === undefined)
        throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) reads slot ${use.slot}, which no earlier save filled`);
      if (use.kind === 'save') {
        slots.set(use.slot, cur);
        followers[cur - 1].push(l);
      } else if (use.kind === 'shortcut') {
        const to = saved as number;
        if (t.outChannels(layer) !== sizes[to])
          throw new GsError(
            'BAD_MODEL',
            `layer ${l} (shortcut) continues with ${t.outChannels(layer)} channels, but slot ${use.slot} holds ${sizes[to]}`,
          );
        shortcuts.push({ layer: l, from: cur, to });
        slots.set(use.slot, cur);
        cur = to;
      } else {
        const other = saved as number;
        if (sizes[other] !== sizes[cur])
          throw new GsError('BAD_MODEL', `layer ${l} (add) sums ${sizes[cur]} channels with slot ${use.slot}'s ${sizes[other]}`);
        // the two tensors' channels are one coupled set from here on
        const [a, b] = [root(cur), root(other)];
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
        followers[cur - 1].push(l);
      }
    } else if (t.role === 'mixing') {
      mixing.push(l);
      reads.push(cur);
      followers.push([]);
      sizes.push(t.outChannels(layer));
      spread.push(1);
      parent.push(sizes.length - 1);
      cur = sizes.length - 1;
    } else {
      const s = t.spread?.(layer) ?? 1;
      if (spread[cur] !== 1 && s !== 1) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) flattens twice`);
      if (t.outChannels(layer) !== width * s) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) changes the channel count`);
      if (s !== 1) spread[cur] = s;
      followers[cur - 1].push(l);
    }
  });
  const readers = sizes.map((): number[] => []);
  reads.forEach((lv, h) => readers[lv].push(h));
  const coupled = sizes.map((_, h) => root(h));
  const layers = net.layers.map(cloneLayer);
  const biases = mixing.map((l) => Float64Array.from(layerType(layers[l]).bias!(layers[l])));
  return {
    layers,
    mixing,
    reads,
    readers,
    followers,
    shortcuts,
    coupled,
    sizes,
    biases,
    spread,
    inputSpread: firstIn === 0 ? 1 : inputSpread,
  };
}
