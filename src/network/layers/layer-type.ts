/**
 * The contract of a layer type: what every part of gs-compress asks of a layer (shapes, counts,
 * the reference forward pass, its channels, the physically smaller layer). One entry per type in
 * the table (./table.ts); nothing outside a type's own file learns how it computes.
 */
import type { WeightGroups } from './group-view';

export interface LayerType<L> {
  /** The discriminant of the layer values this entry describes. */
  op: string;
  /** Output shape of one example (no batch dimension) from its input shape; throws when they do not fit. */
  outShape(l: L, inShape: readonly number[]): number[];
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
   */
  forward(l: L, x: Float64Array, rows: number, hidden: boolean, inShape: readonly number[]): Float64Array;
  /** The layer's weights as penalty groups (one group per input channel: everything of this layer
   * that reads it) and its singleton elements; null for a layer without weights. */
  groups(l: L): WeightGroups | null;
  /** The physically smaller layer that reads only input channels `inKept` and writes only `outKept` (ascending). */
  keep(l: L, inKept: readonly number[], outKept: readonly number[]): L;
  /** A deep copy (weights copied, not shared). */
  clone(l: L): L;
}
