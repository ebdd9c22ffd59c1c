/**
 * Groups as views, the part of the layer contract that penalties read (penalty/ imports it). A
 * penalty never sees a layer: it sees a weight buffer partitioned into groups of equal size, each
 * group a strided view of the buffer, and a buffer of elements that are each their own group
 * (biases). A dense layer's input unit is the kernel row it owns; a convolution's input channel is
 * its slice of every filter; a flattened position's row after Flatten is a dense row again. Layer
 * types say which view is theirs (LayerType.groups), so penalties never change when a layer type
 * is added.
 */

/**
 * `count` groups in one buffer; group g holds, for b < blocks, the blockLen contiguous elements
 * starting at offset + g*groupStride + b*blockStride. Its size is blocks*blockLen.
 */
export interface GroupView {
  offset: number;
  count: number;
  groupStride: number;
  blocks: number;
  blockStride: number;
  blockLen: number;
}

/** A layer's weights as groups, and its elements that are groups of their own (a bias; may be empty). */
export interface WeightGroups {
  w: Float32Array;
  groups: GroupView;
  b: Float32Array;
}

/** The rows of a [rows, cols] row-major matrix as groups: a dense layer's input units. */
export function rowGroups(rows: number, cols: number): GroupView {
  return { offset: 0, count: rows, groupStride: cols, blocks: 1, blockStride: 0, blockLen: cols };
}

export function groupSize(v: GroupView): number {
  return v.blocks * v.blockLen;
}

/** Whether every group is one contiguous run of the buffer. */
export function isContiguous(v: GroupView): boolean {
  return v.blocks === 1 || v.blockStride === v.blockLen;
}

/** Start of group g's block b. */
export function blockStart(v: GroupView, g: number, b: number): number {
  return v.offset + g * v.groupStride + b * v.blockStride;
}
