/**
 * The contract of a layer type: what every part of gs-compress asks of a layer (shapes, counts,
 * the reference forward pass, its channels, the physically smaller layer). One entry per type in
 * the table (./table.ts); nothing outside a type's own file learns how it computes.
 */
import type { Activation } from '../activations';
import type { WeightGroups } from './group-view';
import type { OnnxBuilder, OnnxSite } from './onnx-builder';

/**
 * What the residual layers (./residual.ts) keep while a stack is walked in order: per slot number,
 * a saved value (a tensor, its shape, its ONNX name, its gradient). Walkers make one per pass and
 * hand it to every layer; the other layer types ignore it.
 */
export type Slots<T> = Map<number, T>;

/** What a residual layer does to the walk (working-copy.ts and other walkers of levels ask it). */
export interface SlotUse {
  slot: number;
  /** save: keeps the current tensor in the slot; shortcut: keeps the current tensor (the branch's
   * output) and continues from the saved one (a projection's layers follow); add: adds the slot's
   * tensor; concat: joins the slot's tensor and the current one along the channels (./concat.ts). */
  kind: 'save' | 'shortcut' | 'add' | 'concat';
}

export interface LayerType<L> {
  /** The discriminant of the layer values this entry describes. */
  op: string;
  /**
   * How channels flow through it: 'mixing' reads every input channel into every output channel
   * through its weights (dense, convolution): pruning removes its input and output channels;
   * 'channelwise' maps channel c to channel c alone (a per-channel scale, batch norm, pooling): it
   * belongs to the channels of the mixing layer before it and loses the entries of the removed ones.
   */
  role: 'mixing' | 'channelwise';
  /** Residual layers only (./residual.ts): how the layer uses its slot. They are channelwise: they
   * hold no weights, and the channels of the tensors an add sums are one coupled set. */
  slot?(l: L): SlotUse;
  /** A description of what is wrong with the layer's own sizes (buffers vs shapes), or null. */
  invalid(l: L): string | null;
  /** Output shape of one example (no batch dimension) from its input shape; throws when they do not fit.
   * `slots`: the saved shapes of the walk (residual layers only). */
  outShape(l: L, inShape: readonly number[], slots?: Slots<readonly number[]>): number[];
  /** Trainable parameters and stored statistics. */
  params(l: L): number;
  /** Multiply-adds per example. */
  macs(l: L, inShape: readonly number[]): number;
  /** Channels the layer reads and writes (a dense layer's inputs and units). */
  inChannels(l: L): number;
  outChannels(l: L): number;
  /**
   * Reference forward pass in float64: `rows` examples of the input shape, row-major, to the output
   * shape. `hidden`: the layer's activation applies (false for the network's output layer).
   * `slots`: the saved tensors of the walk (residual layers only).
   */
  forward(l: L, x: Float64Array, rows: number, hidden: boolean, inShape: readonly number[], slots?: Slots<Float64Array>): Float64Array;
  /** The layer's weights as penalty groups (one group per input channel: everything of this layer
   * that reads it) and its singleton elements; null for a layer without weights. */
  groups(l: L): WeightGroups | null;
  /** mixing: whether nothing of input channel i reaches a live output (its slice is zero there). */
  inputUnused?(l: L, i: number, liveOut: Uint8Array): boolean;
  /** mixing: whether output channel j reads nothing from the live inputs (its filter is zero there). */
  outputConstant?(l: L, j: number, liveIn: Uint8Array): boolean;
  /** mixing: the output channel's value when it reads nothing: the activation (when hidden) of its
   * bias `b` (given in float64, as pruning folds into it). */
  constantOutput?(l: L, b: number, hidden: boolean): number;
  /** mixing: adds what input channel i, constant at v, contributes to each output to `bias` (float64,
   * laid out like the layer's bias); false (and nothing added) when that is not exact. */
  foldInput?(l: L, i: number, v: number, bias: Float64Array): boolean;
  /** mixing: the per-output-channel bias that constants fold into. */
  bias?(l: L): Float32Array;
  /** channelwise: channel c's output when its input is the constant v (null when it is not exactly
   * constant), or, with v null, when it is constant whatever the input (a zero scale), else null. */
  constantThrough?(l: L, c: number, v: number | null): number | null;
  /** channelwise: how many inputs of the next mixing layer each of its channels becomes (a flatten:
   * the H*W positions of a channel, read as inputs c*spread .. (c+1)*spread - 1); 1 when absent. */
  spread?(l: L): number;
  /** mixing: the same layer followed by y * scale[o] + shift[o] per output channel and then
   * `activation` (a batch norm after it, folded in at export: ./fold-batchnorm.ts); null when the
   * layer applies an activation of its own (the affine cannot pass through it); absent when the type
   * cannot carry one. */
  absorbAffine?(l: L, scale: Float64Array, shift: Float64Array, activation: Activation | null): L | null;
  /** The physically smaller layer that reads only input channels `inKept` and writes only `outKept`
   * (ascending; a channelwise layer gets the same list twice). `bias` replaces a mixing layer's bias. */
  keep(l: L, inKept: readonly number[], outKept: readonly number[], bias?: ArrayLike<number>): L;
  /** Writes the layer's ONNX nodes (its activation included when hidden) and returns its output's name
   * (site.output when given). Tensors are [batch, ...the layer's shape]. */
  onnx(l: L, site: OnnxSite, b: OnnxBuilder): string;
  /** A deep copy (weights copied, not shared). */
  clone(l: L): L;
}
