/**
 * Options and the JSON-serializable report of pruning (see prune.ts for the algorithm).
 */
import type { AnyLayer, DenseLayer, Network } from '../network/types';

export interface PruneOptions {
  /**
   * Opt-in, lossy: before exact pruning, zero every kernel row (group) whose L2 norm is <= threshold
   * and every bias element with |b| <= threshold. Omit for exact pruning.
   */
  threshold?: number;
}

/** Unit counts of one hidden layer (the outputs of network.layers[layer]). */
export interface HiddenLayerCounts {
  /** Index into network.layers of the layer that produces these units. */
  layer: number;
  /** Its layer type ('dense', 'conv'); the counts of a convolution are channels. */
  op?: string;
  before: number;
  /** Units in the returned network (1 when the layer is a placeholder). */
  after: number;
  /** Units removed because nothing downstream read them (zero outgoing row). */
  removedUnused: number;
  /** Units removed because their output was constant (zero incoming weights), folded into the next bias. */
  removedConstant: number;
  /** True when every unit was removed and one unit with zero weights stands in for the layer. */
  placeholder: boolean;
}

/** A raw input column the pruned network still reads. */
export interface KeptInput {
  /** Raw column index (an entry of network.inputIndices). */
  index: number;
  name: string;
}

export interface PruneReport {
  /** True when a threshold was applied (the pruned network may differ from the original). */
  lossy: boolean;
  threshold: number | null;
  /** Non-zero groups and bias elements the threshold set to zero; null when exact. */
  thresholdZeroed: { groups: number; biases: number } | null;
  hiddenLayers: HiddenLayerCounts[];
  inputs: {
    before: number;
    /** First-layer inputs of the returned network (1 when it is a placeholder). */
    after: number;
    kept: KeptInput[];
    /** True when no input mattered and one input with zero weights stands in. */
    placeholder: boolean;
  };
  parameters: { before: number; after: number };
  multiplyAdds: { before: number; after: number };
}

export interface PruneResult<L extends AnyLayer = DenseLayer> {
  network: Network<L>;
  report: PruneReport;
}

/** The starting (dense) network of a run trained to a budget, as its record keeps it. */
export interface StartedNetwork {
  /** Inputs, hidden widths, outputs (e.g. [784, 32, 32, 10]). */
  widths: number[];
  params: number;
}
