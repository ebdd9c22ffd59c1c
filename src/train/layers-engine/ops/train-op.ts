/**
 * The training side of a layer type (the reference engine of ../engine.ts): the forward pass in
 * training mode keeping what the backward pass needs, and the backward pass to the input gradient
 * and the parameter gradients. One file per layer type in this folder, keyed by the layer's `op`
 * (./table.ts); the layer contract (network/layers/layer-type.ts) stays what inference, pruning and
 * export need. Arithmetic in float64 (the reference kernels of network/kernels/), parameters float32.
 */

/**
 * A minibatch split between threads (../parallel/): this thread's rows are part of `rows` rows.
 * Batch norm sums its per-channel partial sums over the parts with `sum` (in place; every part
 * calls it, in the same order), so its statistics are the whole batch's.
 */
export interface SplitBatch {
  rows: number;
  sum: (acc: Float64Array) => void;
}

/** What one minibatch pass shares between its layers: what residual layers keep (network/layers/residual.ts),
 * the saved tensors of the forward pass and, going back, the gradient of each slot's tensor; and
 * the split of the batch between threads (absent: this thread holds the whole batch). */
export interface TrainSlots {
  value: Map<number, Float64Array>;
  grad: Map<number, Float64Array>;
  split?: SplitBatch;
}

export const trainSlots = (split?: SplitBatch): TrainSlots => ({ value: new Map(), grad: new Map(), ...(split ? { split } : {}) });

export interface TrainForward {
  /** The layer's output (its activation applied when hidden), [rows, ...outShape]. */
  y: Float64Array;
  /** What backward needs (the input, the pre-activation, batch statistics, argmax indices). */
  cache: unknown;
}

export interface TrainOp<L> {
  op: string;
  /** The layer's trainable buffers in a fixed order; the weights LayerType.groups names (w, b) are among them. */
  params(l: L): Float32Array[];
  /** Points the layer at new buffers (same lengths, same order as params): the engine's flat views. */
  bind(l: L, bufs: Float32Array[]): void;
  /**
   * Forward of `rows` examples of shape `inShape`. training: batch norm normalizes with the batch's
   * statistics and folds them into its running statistics (momentum); else as the layer's reference forward.
   */
  forward(
    l: L,
    x: Float64Array,
    rows: number,
    hidden: boolean,
    inShape: readonly number[],
    training: boolean,
    slots?: TrainSlots,
  ): TrainForward;
  /**
   * From dL/dy of the batch, writes dL/dparam (summed over the batch) into grads (laid out as params)
   * and returns dL/dx, or null when !wantDx.
   */
  backward(
    l: L,
    cache: unknown,
    dy: Float64Array,
    rows: number,
    inShape: readonly number[],
    grads: Float32Array[],
    wantDx: boolean,
    slots?: TrainSlots,
  ): Float64Array | null;
}
