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
 * sum is one set, kept or removed together. A concat (network/layers/concat.ts) joins tensors side
 * by side: whatever reads the join reads each part's level at an offset (`inputs`, `readers`), and
 * the parts keep their own sets.
 */
import { GsError } from '../errors';
import { cloneLayer, layerType } from '../network/layers/table';
import type { AnyLayer, Network } from '../network/types';

/** A level's channels inside a tensor: channel c of `level` is the tensor's channel offset + c. */
export interface Part {
  level: number;
  offset: number;
}

/** What a mixing layer reads: its input tensor's parts (one level at offset 0, or a join's levels
 * side by side), their channels in all, and inputs per channel (a flatten's positions; 1 before it). */
export interface Input {
  parts: Part[];
  channels: number;
  spread: number;
}

/** A mixing layer reading a level: the level's channel c is its inputs (offset + c) * spread .. + spread - 1. */
export interface Reader {
  reader: number;
  offset: number;
  spread: number;
}

export interface WorkingCopy {
  /** Copies of the network's layers (the weights copied; thresholding zeroes them in place). */
  layers: AnyLayer[];
  /** Indices into `layers` of the mixing layers, in order: mixing[h] writes level h + 1 and reads inputs[h]. */
  mixing: number[];
  /** What each mixing layer reads (level h in a chain; another one after a residual layer; several after a concat). */
  inputs: Input[];
  /** Per level: the mixing layers that read it (indices into `mixing`), and where. */
  readers: Reader[][];
  /** Indices of the channelwise layers after mixing layer h (on the channels of level h + 1), residual save and add included. */
  followers: number[][];
  /** Channelwise layers on a joined tensor (after a concat, and the concat itself): they keep `parts`'
   * channels; a concat reads `second` from the walk (the slot holds the rest). */
  joined: { layer: number; parts: Part[]; second?: Part[] }[];
  /** Per level: whether channelwise layers act on it past a join (a batch norm or pooling after a concat). */
  pastJoin: boolean[];
  /** Residual shortcuts (indices into `layers`): they read tensor `from`, the walk continues on tensor `to`. */
  shortcuts: { layer: number; from: Part[]; to: Part[] }[];
  /** Per level: the first level of its coupled set (levels a residual add sums are one set: their
   * channel c lives or dies together); the level itself when it is coupled to none. */
  coupled: number[];
  /** Channels per level: sizes[0] inputs, sizes[h + 1] the outputs of mixing layer h. */
  sizes: number[];
  /** Float64 copies of each mixing layer's bias, which constant folding adds to. */
  biases: Float64Array[];
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

/** The tensor's channels (original numbering) that survive when each level keeps `kept[level]`. */
export function partsKept(parts: readonly Part[], kept: readonly (readonly number[])[]): number[] {
  return parts.flatMap((p) => kept[p.level].map((c) => p.offset + c));
}

/** The inputs of mixing layer h that survive when each level keeps `kept[level]`. */
export function inputKept(work: Pick<WorkingCopy, 'inputs'>, h: number, kept: readonly (readonly number[])[]): number[] {
  return spreadOut(partsKept(work.inputs[h].parts, kept), work.inputs[h].spread);
}

/** Mixing layer h's live inputs as a mask, from the levels' `alive` masks. */
export function inputMask(work: Pick<WorkingCopy, 'inputs'>, h: number, alive: readonly Uint8Array[]): Uint8Array {
  const { parts, channels, spread } = work.inputs[h];
  if (parts.length === 1) return spreadMask(alive[parts[0].level], spread);
  const mask = new Uint8Array(channels);
  for (const p of parts) mask.set(alive[p.level], p.offset);
  return spreadMask(mask, spread);
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
  const inputs: Input[] = [];
  const followers: number[][] = [];
  const joined: WorkingCopy['joined'] = [];
  const shortcuts: WorkingCopy['shortcuts'] = [];
  const parent = [0];
  const root = (h: number): number => (parent[h] === h ? h : (parent[h] = root(parent[h])));
  const slots = new Map<number, Part[]>();
  // the current tensor: its parts, and inputs per channel once a flatten has run
  let cur: Part[] = [{ level: 0, offset: 0 }];
  let spread = 1;
  const channelsOf = (t: readonly Part[]) => t.reduce((n, p) => n + sizes[p.level], 0);
  const follow = (l: number) => (cur.length === 1 ? followers[cur[0].level - 1].push(l) : joined.push({ layer: l, parts: cur }));
  net.layers.forEach((layer, l) => {
    const t = layerType(layer);
    const width = channelsOf(cur) * (t.role === 'mixing' ? spread : 1);
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
      if (spread !== 1) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) comes after a flatten`);
      const saved = slots.get(use.slot);
      if (use.kind !== 'save' && saved === undefined)
        throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) reads slot ${use.slot}, which no earlier save filled`);
      if (use.kind === 'save') {
        slots.set(use.slot, cur);
        follow(l);
      } else if (use.kind === 'shortcut') {
        const to = saved as Part[];
        if (t.outChannels(layer) !== channelsOf(to))
          throw new GsError(
            'BAD_MODEL',
            `layer ${l} (shortcut) continues with ${t.outChannels(layer)} channels, but slot ${use.slot} holds ${channelsOf(to)}`,
          );
        shortcuts.push({ layer: l, from: cur, to });
        slots.set(use.slot, cur);
        cur = to;
      } else if (use.kind === 'concat') {
        const head = saved as Part[];
        const at = channelsOf(head);
        if (t.outChannels(layer) !== at + width)
          throw new GsError(
            'BAD_MODEL',
            `layer ${l} (concat) joins ${t.outChannels(layer) - width} channels, but slot ${use.slot} holds ${at}`,
          );
        const all = [...head, ...cur.map((p) => ({ level: p.level, offset: at + p.offset }))];
        joined.push({ layer: l, parts: all, second: cur });
        cur = all;
      } else {
        const other = saved as Part[];
        if (cur.length !== 1 || other.length !== 1)
          throw new GsError('BAD_MODEL', `layer ${l} (add) sums a joined tensor (a concat's): pruning does not support that yet`);
        const [a, b] = [root(cur[0].level), root(other[0].level)];
        if (sizes[other[0].level] !== sizes[cur[0].level])
          throw new GsError(
            'BAD_MODEL',
            `layer ${l} (add) sums ${sizes[cur[0].level]} channels with slot ${use.slot}'s ${sizes[other[0].level]}`,
          );
        // the two tensors' channels are one coupled set from here on
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
        follow(l);
      }
    } else if (t.role === 'mixing') {
      mixing.push(l);
      inputs.push({ parts: cur, channels: channelsOf(cur), spread });
      followers.push([]);
      sizes.push(t.outChannels(layer));
      parent.push(sizes.length - 1);
      cur = [{ level: sizes.length - 1, offset: 0 }];
      spread = 1;
    } else {
      const s = t.spread?.(layer) ?? 1;
      if (spread !== 1 && s !== 1) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) flattens twice`);
      if (t.outChannels(layer) !== width * s) throw new GsError('BAD_MODEL', `layer ${l} (${layer.op}) changes the channel count`);
      if (s !== 1) spread = s;
      follow(l);
    }
  });
  const readers = sizes.map((): Reader[] => []);
  const pastJoin = sizes.map(() => false);
  inputs.forEach((x, h) => x.parts.forEach((p) => readers[p.level].push({ reader: h, offset: p.offset, spread: x.spread })));
  for (const j of joined) if (!j.second) for (const p of j.parts) pastJoin[p.level] = true;
  const coupled = sizes.map((_, h) => root(h));
  const layers = net.layers.map(cloneLayer);
  const biases = mixing.map((l) => Float64Array.from(layerType(layers[l]).bias!(layers[l])));
  return {
    layers,
    mixing,
    inputs,
    readers,
    followers,
    joined,
    pastJoin,
    shortcuts,
    coupled,
    sizes,
    biases,
    inputSpread: firstIn === 0 ? 1 : inputSpread,
  };
}
