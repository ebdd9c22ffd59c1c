/**
 * The measured-speed goal of a budget run (--target-speedup): the starting network timed beside
 * each candidate of the ramp (never a time taken now against one taken epochs ago), a refusal
 * before training when even the smallest network of the shape is not fast enough, and, at the
 * first projection that is fast enough, a search between it and the network before it for a
 * larger fast network: by multiply-adds, and cut where the measured time goes (a level whose
 * channels onnxruntime pads to a block loses multiply-adds but no time). Of the fast networks the
 * one whose loss on a sample of training rows is lowest is kept (the channel scores' estimate
 * where no loss is measured), and the ramp stops there.
 * The budget trainer (./budget.ts) owns the ramp; this module owns the clock.
 */
import { GsError } from '../errors';
import type { AnyLayer, Network } from '../network/types';
import { networkLatency, DEFAULT_LATENCY_BATCH, type LatencyOptions } from '../onnx/latency';
import type { ChannelBudget, TimeGoal } from '../train/budget/channel-project';
import { minimalNetwork } from '../train/budget/level-costs';
import type { BudgetSpace, SpaceProjection } from './budget-space';

/** What a --target-speedup run measured: the starting and final network's time and the speedup. */
export interface SpeedRecord {
  target: number;
  /** µs per row of the starting (dense) network and of the final one, timed alternately at the same time. */
  startUsPerRow: number;
  usPerRow: number;
  speedup: number;
  met: boolean;
  batch: number;
  threads: number;
}

export interface SpeedGoalOptions {
  /** How time is measured (default onnxruntime-node, one thread, batch 64). */
  latency?: LatencyOptions;
  /** µs per row of a network (default: its ONNX export timed in onnxruntime, see onnx/latency.ts). */
  measureLatency?: (net: Network<AnyLayer>) => Promise<number>;
}

/** Projects the network the ramp stands at onto `allowed` (and a time goal), as the budget trainer scores it. */
export type Projector = (from: Network<AnyLayer>, allowed: ChannelBudget, time?: TimeGoal) => SpaceProjection;

/** A network's loss measured on a sample of training rows, the same rows for every network; undefined: not measured. */
export type LossMeter = (net: Network<AnyLayer>) => number | undefined;

/** A pair of times taken together: the starting network's and a candidate's, µs per row. */
interface Pair {
  start: number;
  t: number;
}

interface Timed {
  q: SpaceProjection;
  m: Pair;
}

/** Networks each search times between the last too-slow network and the first fast-enough one, at most. */
const SPEED_SEARCH_STEPS = 4;
/** The multiply-add search stops when its two sizes are within this factor. */
const SPEED_SEARCH_RESOLUTION = 1.05;
/** Times each of the starting network and a candidate is measured, alternately, for one comparison. */
const SPEED_PAIR_ROUNDS = 2;
/** A comparison whose speedup is within this fraction of the target is timed again (its verdict is noise otherwise). */
const SPEED_CLOSE = 0.05;
/** The rounds added to a comparison close to the target; the quickest of all rounds is kept. */
const SPEED_CLOSE_ROUNDS = 4;
/** What a projection's removals cost by the scores (Taylor, crowding included); unknown: none. */
const lostOf = (p: SpaceProjection): number => p.lost ?? 0;

/**
 * Of the fast-enough candidates, the one to keep: the lowest measured loss when `loss` measures
 * every one (the scores' Taylor estimate is first-order, least reliable for a large cut of one
 * level such as halving a layer), else the lowest estimate; ties go to the larger network.
 */
function pickFast(fast: Timed[], loss?: LossMeter): Timed {
  const measured = fast.length > 1 && loss ? fast.map((f) => loss(f.q.network)) : [];
  const cost =
    measured.length === fast.length && measured.every((v) => v !== undefined && Number.isFinite(v))
      ? (i: number) => measured[i] as number
      : (i: number) => lostOf(fast[i].q);
  let best = 0;
  for (let i = 1; i < fast.length; i++)
    if (cost(i) < cost(best) || (cost(i) === cost(best) && fast[i].q.after.macs > fast[best].q.after.macs)) best = i;
  return fast[best];
}

export class SpeedGoal {
  /** The speedup was reached: the ramp stops at `frozenMacs`. */
  met = false;
  /** Multiply-adds of the network that met the speedup: the final size. */
  frozenMacs: number | undefined;
  /** The last pair of times kept: the starting network's and the candidate's. */
  private pair: Pair | undefined;
  /** The network the run started from, timed again beside each candidate. */
  private startNet: Network<AnyLayer> | undefined;
  private readonly measure: (net: Network<AnyLayer>) => Promise<number>;

  constructor(
    readonly target: number,
    private readonly space: Pick<BudgetSpace, 'minimal' | 'probes'>,
    private readonly opts: SpeedGoalOptions = {},
  ) {
    this.measure = opts.measureLatency ?? (async (n) => (await networkLatency(n, opts.latency)).usPerRow);
  }

  /** µs per row of the last network checked (after a fast-enough step: the final one's). */
  get usPerRow(): number | undefined {
    return this.pair?.t;
  }

  /**
   * Refuses a target the architecture cannot give, before any training: when even the smallest
   * network of its shape (one channel per layer) is not that much faster than `startNet`, the run
   * would only train down to that network, which predicts little, and still miss the target.
   * Time follows the shapes, not the weights: the smallest network is the start cut, not projected.
   */
  async refuseUnreachable(startNet: Network<AnyLayer>): Promise<void> {
    const [t0, t1] = await this.timeAlternately(startNet, minimalNetwork(startNet));
    const best = t0 / t1;
    if (best >= this.target) return;
    throw new GsError(
      'BAD_OPTION',
      `--target-speedup ${this.target} is out of reach for this network on this machine: even its smallest form (one channel per layer, ${this.space.minimal.macs} multiply-adds) runs only ${best.toFixed(2)}x faster than the starting network (${this.clock()}); nothing was trained. Ask for a smaller speedup (a network near its smallest form keeps little accuracy), or give a budget in multiply-adds (--target-macs-ratio)`,
    );
  }

  /**
   * Times projection `p` of `from` beside the starting network. Once it is fast enough, looks
   * between `from` (too slow) and p for other fast networks (searchByMacs, searchByTime) and
   * returns the one to keep (p or one of them: the lowest `loss`, see pickFast); the goal is then
   * met. Before that, returns p.
   */
  async check(
    from: Network<AnyLayer>,
    p: SpaceProjection,
    allowed: ChannelBudget,
    project: Projector,
    budgetMacs?: number,
    loss?: LossMeter,
  ): Promise<SpaceProjection> {
    this.startNet ??= from;
    // a projection that removed nothing keeps the last times measured
    let m = p.after.macs === p.before.macs && this.pair ? this.pair : await this.timePair(p.network);
    let kept = p;
    if (this.fastEnough(m) && p.before.macs > p.after.macs) {
      // between `from` (too slow) and p (fast enough), two searches each find a network that is fast
      // enough; of p and them, the one that loses least is kept
      const fast = [
        { q: p, m },
        ...(await this.searchByMacs(from, p, allowed, project)),
        ...(await this.searchByTime(from, p, allowed, m, project, budgetMacs)),
      ];
      const pick = pickFast(fast, loss);
      kept = pick.q;
      m = pick.m;
    }
    if (this.fastEnough(m)) {
      this.met = true;
      this.frozenMacs = kept.after.macs;
    }
    this.pair = m;
    return kept;
  }

  /** What the run measured, for its record; undefined before any check. */
  record(): SpeedRecord | undefined {
    if (!this.pair) return undefined;
    return {
      target: this.target,
      startUsPerRow: this.pair.start,
      usPerRow: this.pair.t,
      speedup: this.pair.start / this.pair.t,
      met: this.met,
      batch: this.opts.latency?.batch ?? DEFAULT_LATENCY_BATCH,
      threads: this.opts.latency?.threads ?? 1,
    };
  }

  /** How time is measured, in words. */
  private clock(): string {
    if (this.opts.measureLatency) return 'by the given measure';
    const threads = this.opts.latency?.threads ?? 1;
    return `onnxruntime-node, ${threads} thread${threads > 1 ? 's' : ''}, batch ${this.opts.latency?.batch ?? DEFAULT_LATENCY_BATCH}`;
  }

  private fastEnough(m: Pair): boolean {
    return m.t * this.target <= m.start;
  }

  /**
   * µs per row of `a` and of `b`, timed alternately SPEED_PAIR_ROUNDS times each, the quicker kept: a
   * speedup compares two times taken under the same load on the machine.
   */
  private async timeAlternately(a: Network<AnyLayer>, b: Network<AnyLayer>, rounds = SPEED_PAIR_ROUNDS): Promise<[number, number]> {
    let ta = Infinity;
    let tb = Infinity;
    for (let i = 0; i < rounds; i++) {
      ta = Math.min(ta, await this.measure(a));
      tb = Math.min(tb, await this.measure(b));
    }
    return [ta, tb];
  }

  /**
   * µs per row of the starting network and of `n`, timed alternately; when the speedup lands within
   * SPEED_CLOSE of the target, SPEED_CLOSE_ROUNDS more rounds each, the quickest of all kept, so that
   * which side of the target a candidate falls on (and so which widths a run keeps) depends less on
   * what else the machine did during two rounds.
   */
  private async timePair(n: Network<AnyLayer>): Promise<Pair> {
    const startNet = this.startNet as Network<AnyLayer>;
    let [start, t] = await this.timeAlternately(startNet, n);
    if (Math.abs(start / t / this.target - 1) < SPEED_CLOSE) {
      const [s2, t2] = await this.timeAlternately(startNet, n, SPEED_CLOSE_ROUNDS);
      start = Math.min(start, s2);
      t = Math.min(t, t2);
    }
    return { start, t };
  }

  /**
   * What each removable level's channels cost in time, measured: `n` timed beside each of its probes
   * (one removal step of a level gone; space.probes). Returns `n`'s µs per row and, per level, the
   * share of it one channel saves.
   */
  private async timeShares(n: Network<AnyLayer>): Promise<{ t: number; share: number[] } | undefined> {
    const probes = this.space.probes?.(n);
    if (!probes?.length) return undefined;
    const times: [number, number][] = [];
    for (const probe of probes) times.push(await this.timeAlternately(n, probe.network));
    const t = Math.min(...times.map(([tn]) => tn));
    const share: number[] = [];
    probes.forEach((probe, i) => (share[probe.level] = Math.max(0, t - times[i][1]) / (t * probe.channels)));
    return { t, share };
  }

  /**
   * The largest network between p.before and p (fast enough) in multiply-adds that is fast enough:
   * a geometric search, `from` projected onto sizes between by the scores per multiply-add.
   */
  private async searchByMacs(from: Network<AnyLayer>, p: SpaceProjection, allowed: ChannelBudget, project: Projector): Promise<Timed[]> {
    let hi = p.before.macs;
    let lo = p.after.macs;
    let best: Timed | null = null;
    for (let i = 0; i < SPEED_SEARCH_STEPS && hi > lo * SPEED_SEARCH_RESOLUTION; i++) {
      const mid = Math.round(Math.sqrt(hi * lo));
      const q = project(from, { ...allowed, macs: mid });
      if (q.after.macs <= lo || q.after.macs >= hi) break;
      const mq = await this.timePair(q.network);
      if (this.fastEnough(mq)) {
        best = { q, m: mq };
        lo = q.after.macs;
      } else hi = q.after.macs;
    }
    return best ? [best] : [];
  }

  /**
   * `from` cut where its measured time goes (timeShares), by the share of its time the target asks,
   * within the multiply-add budget; while too slow, the shortfall is asked for as well.
   */
  private async searchByTime(
    from: Network<AnyLayer>,
    p: SpaceProjection,
    allowed: ChannelBudget,
    m: Pair,
    project: Projector,
    budgetMacs: number | undefined,
  ): Promise<Timed[]> {
    const probe = await this.timeShares(from);
    let save = probe ? 1 - m.start / this.target / probe.t : 0;
    for (let i = 0; probe && i < SPEED_SEARCH_STEPS && save > 0 && save < 1; i++) {
      const q = project(from, { ...allowed, macs: budgetMacs }, { share: probe.share, save });
      if (q.after.macs <= p.after.macs && lostOf(q) >= lostOf(p)) break;
      const mq = await this.timePair(q.network);
      if (this.fastEnough(mq)) return [{ q, m: mq }];
      save += (mq.t - mq.start / this.target) / probe.t;
    }
    return [];
  }
}
