/**
 * The penalty's view of a layer: its weights partitioned into groups (network/layers/group-view.ts,
 * given by each layer type) and its singleton elements. Penalties act on these parts only.
 */
import type { WeightGroups } from '../network/layers/group-view';
import { layerType } from '../network/layers/table';
import type { AnyLayer } from '../network/types';

export { blockStart, groupSize, isContiguous, rowGroups, type GroupView } from '../network/layers/group-view';

export type PenaltyParts = WeightGroups;

/** The parts of a layer (null for a layer without weights, e.g. pooling). */
export function partsOf(l: AnyLayer): PenaltyParts | null {
  return layerType(l).groups(l);
}

/** A dense layer's parts from its buffers: kernel rows are the groups, the bias elements singletons. */
export function denseParts(kernel: Float32Array, bias: Float32Array, inSize: number, outSize: number): PenaltyParts {
  return { w: kernel, groups: { offset: 0, count: inSize, groupStride: outSize, blocks: 1, blockStride: 0, blockLen: outSize }, b: bias };
}
