/**
 * Building the compact Network from the surviving units: drop rows, columns, bias entries and
 * inputIndices entries of removed units.
 *
 * Empty levels. If every unit of a hidden level dies, so does everything around it: the level
 * before has no live reader (all its units become unused, back to the inputs) and the levels after
 * have no live input (all their units become constant and fold forward), so the logits are the
 * folded output bias. Rather than emit zero-sized tensors (a 0-unit layer, an empty Gather) that
 * ONNX runtimes and tfjs handle unevenly, such a level keeps exactly one placeholder unit whose
 * incoming weights, bias and outgoing weights are all zero: it outputs act(0) (0 for relu; 0.5 for
 * sigmoid) times zero outgoing weights, so it adds nothing whatever the activation.
 * An empty input level likewise keeps its first raw column with a zero row. The network keeps its
 * depth, so before/after counts line up per layer, and pruning the result again gives the same sizes.
 */
import { blockStart, type WeightGroups } from '../network/layers/group-view';
import { layerType } from '../network/layers/table';
import type { AnyLayer, Network } from '../network/types';
import { inputKept, partsKept, spreadOut, type Part, type WorkingCopy } from './working-copy';

export interface Shrunk<L extends AnyLayer = AnyLayer> {
  network: Network<L>;
  /** Per level (inputs, hidden...; not the outputs): true when it is a placeholder. */
  placeholder: boolean[];
}

export function shrinkNetwork<L extends AnyLayer>(net: Network<L>, work: WorkingCopy, alive: Uint8Array[]): Shrunk<L> {
  const L = work.mixing.length;
  const placeholder = work.sizes.map(() => false);
  const kept = alive.map((a, h) => {
    const idx: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i]) idx.push(i);
    if (idx.length === 0 && a.length > 0 && h < L) {
      placeholder[h] = true;
      idx.push(0);
    }
    return idx;
  });
  // coupled levels (a residual add's) keep the same channels: their first level's
  work.coupled.forEach((root, h) => {
    if (root === h) return;
    kept[h] = kept[root];
    placeholder[h] = placeholder[root];
  });

  const layers: AnyLayer[] = [...work.layers];
  work.mixing.forEach((l, h) => {
    // the working copy's weights (thresholded, constants folded into the float64 bias), kept channels only
    const src = work.layers[l];
    const layer = layerType(src).keep(src, inputKept(work, h, kept), kept[h + 1], work.biases[h]);
    // a placeholder level reads and writes nothing (see above); in a join, only its own channel's slice
    const parts = layerType(layer).groups(layer);
    const from = work.inputs[h].parts;
    if (parts && placeholder[h + 1]) {
      parts.w.fill(0);
      parts.b.fill(0);
    } else if (parts && from.some((p) => placeholder[p.level]))
      zeroPlaceholderInputs(parts, from, kept, placeholder, work.inputs[h].spread);
    layers[l] = layer;
    for (const f of work.followers[h]) layers[f] = layerType(work.layers[f]).keep(work.layers[f], kept[h + 1], kept[h + 1]);
  });
  for (const s of work.shortcuts)
    layers[s.layer] = layerType(work.layers[s.layer]).keep(work.layers[s.layer], partsKept(s.from, kept), partsKept(s.to, kept));
  for (const j of work.joined) {
    const all = partsKept(j.parts, kept);
    layers[j.layer] = layerType(work.layers[j.layer]).keep(work.layers[j.layer], j.second ? partsKept(j.second, kept) : all, all);
  }

  return {
    network: {
      inputWidth: net.inputWidth,
      inputIndices: spreadOut(kept[0], work.inputSpread).map((i) => net.inputIndices[i]),
      scaling: net.scaling ? { mean: net.scaling.mean.slice(), std: net.scaling.std.slice() } : null,
      // the layer types keep their kind (a dense layer stays dense)
      layers: layers as L[],
      ...(net.inputShape ? { inputShape: work.inputSpread > 1 ? [kept[0].length, ...net.inputShape.slice(1)] : [kept[0].length] } : {}),
      classLabels: [...net.classLabels],
      featureNames: [...net.featureNames],
      ...(net.task ? { task: net.task } : {}),
      ...(net.io ? { io: { ...net.io, inputShape: [...net.io.inputShape] } } : {}),
    },
    placeholder: placeholder.slice(0, L),
  };
}

/** Zeroes the input groups `g` of a shrunk mixing layer that read a placeholder channel (a join's other parts stay). */
function zeroPlaceholderInputs(
  g: WeightGroups,
  parts: readonly Part[],
  kept: readonly number[][],
  placeholder: readonly boolean[],
  spread: number,
): void {
  let at = 0;
  for (const p of parts) {
    if (placeholder[p.level])
      for (let q = 0; q < spread; q++)
        for (let b = 0; b < g.groups.blocks; b++) {
          const start = blockStart(g.groups, at * spread + q, b);
          g.w.fill(0, start, start + g.groups.blockLen);
        }
    at += kept[p.level].length;
  }
}
