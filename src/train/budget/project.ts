/**
 * Projection onto a parameter budget: remove whole units (input features and hidden units) from a
 * network until its compact size fits. Each unit is scored by how much its output moves the next
 * layer (the standard deviation of its output on training rows times the norm of its outgoing
 * row) against the parameters it costs (an input: its row; a hidden unit: its incoming column,
 * bias and outgoing row), and the weakest per parameter go first, in one global ranking, so the
 * layers shrink by different factors. A removed unit's mean output is folded into the next bias,
 * so only its variation is lost. Lossy by nature: callers report it and keep training.
 */
import type { Network } from '../../network/types';
import { cloneNetwork } from '../../network/create';
import { pruneNetwork } from '../../prune';
import { stackSize } from './size';
import type { UnitStats } from './stats';

/** global: one ranking over every level (widths shrink by different factors); uniform: one
 * common shrink factor for every level, the weakest units of each level removed. */
export type Allocation = 'global' | 'uniform';

/** How a unit is scored: taylor, the expected squared first-order change of the loss when its
 * output is replaced by its mean (loss units, comparable across layers); variation, (standard
 * deviation of its output x norm of its outgoing row)^2. */
export type UnitScore = 'taylor' | 'variation';
export const UNIT_SCORES: readonly UnitScore[] = ['taylor', 'variation'];
/** The defaults of a budget run (measured: reports/budget/BUDGET.md, reports/compress/COMPRESS.md). */
export const DEFAULT_UNIT_SCORE: UnitScore = 'taylor';
export const DEFAULT_ALLOCATION: Allocation = 'global';

export interface Projection {
  /** The exactly pruned network that fits the budget. */
  network: Network;
  /** Compact size before and after. */
  before: number;
  after: number;
  /** Units removed per level (0 = inputs, then each hidden layer). */
  removed: number[];
}

/** Level widths (inputs, hidden..., outputs) of a network. */
export function widthsOf(net: Network): number[] {
  return [net.layers[0].inSize, ...net.layers.map((l) => l.outSize)];
}

/** Compact size of a network after exact pruning. */
export function compactSize(net: Network): number {
  return stackSize(widthsOf(pruneNetwork(net).network));
}

/**
 * Removes units from `net` (already exactly pruned; `stats` measured on it) until it has at most
 * `allowed` parameters, keeping at least one unit per level; returns the exactly pruned result.
 * Priority of a unit = score / cost; 'taylor' needs stats measured with labels.
 */
export function projectToBudget(
  net: Network,
  stats: UnitStats,
  allowed: number,
  score: UnitScore = DEFAULT_UNIT_SCORE,
  allocation: Allocation = DEFAULT_ALLOCATION,
): Projection {
  const L = net.layers.length;
  const w = widthsOf(net);
  const before = stackSize(w);
  const removed = w.slice(0, L).map(() => 0);
  if (before <= allowed) return { network: net, before, after: before, removed };
  // score of each unit of levels 0..L-1
  if (score === 'taylor' && !stats.taylor) throw new Error('projectToBudget: taylor scores need statistics measured with labels');
  const scores = w.slice(0, L).map((width, h) => {
    const k = net.layers[h].kernel;
    const n = net.layers[h].outSize;
    const s = new Float64Array(width);
    for (let i = 0; i < width; i++) {
      let sq = 0;
      for (let j = 0; j < n; j++) sq += k[i * n + j] * k[i * n + j];
      s[i] = score === 'taylor' && stats.taylor ? stats.taylor[h][i] : stats.std[h][i] ** 2 * sq;
    }
    return s;
  });
  const gone = w.slice(0, L).map((width) => new Uint8Array(width));
  if (allocation === 'uniform') {
    // one common shrink factor for every level (the largest that fits), the weakest of each level go
    const target = (f: number) => w.map((x, h) => (h === L ? x : Math.max(1, Math.round(x * f))));
    let lo = 0;
    let hi = 1;
    for (let it = 0; it < 50; it++) {
      const mid = (lo + hi) / 2;
      if (stackSize(target(mid)) <= allowed) lo = mid;
      else hi = mid;
    }
    const keep = target(lo);
    for (let h = 0; h < L; h++) {
      const order = Array.from(scores[h].keys()).sort((a, b) => scores[h][a] - scores[h][b]);
      for (let q = 0; q < w[h] - keep[h]; q++) gone[h][order[q]] = 1;
      removed[h] = w[h] - keep[h];
      w[h] = keep[h];
    }
  }
  const cost = (h: number) => (h === 0 ? w[1] : w[h - 1] + 1 + w[h + 1]);
  let size = stackSize(w);
  while (size > allowed) {
    let bestH = -1;
    let bestI = -1;
    let best = Infinity;
    for (let h = 0; h < L; h++) {
      if (w[h] <= 1) continue;
      const c = cost(h);
      for (let i = 0; i < scores[h].length; i++) {
        if (gone[h][i]) continue;
        const p = scores[h][i] / c;
        if (p < best) {
          best = p;
          bestH = h;
          bestI = i;
        }
      }
    }
    if (bestH < 0) break; // one unit per level left: the smallest network (resolveBudget rules this out)
    size -= cost(bestH);
    gone[bestH][bestI] = 1;
    w[bestH]--;
    removed[bestH]++;
  }
  const out = cloneNetwork(net);
  for (let h = 0; h < L; h++) {
    const layer = out.layers[h];
    const n = layer.outSize;
    for (let i = 0; i < gone[h].length; i++) {
      if (!gone[h][i]) continue;
      const m = stats.mean[h][i];
      for (let j = 0; j < n; j++) {
        layer.bias[j] += m * layer.kernel[i * n + j];
        layer.kernel[i * n + j] = 0;
      }
    }
  }
  const network = pruneNetwork(out).network;
  return { network, before, after: stackSize(widthsOf(network)), removed };
}
