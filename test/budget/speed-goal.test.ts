/**
 * SpeedGoal (pipeline/budget-speed.ts) on stand-in clocks: a candidate whose two timed rounds land
 * close to the target is timed again, so that a slow round does not decide which side of the target
 * it falls on; one far from the target is not. Of several fast-enough networks, the one with the
 * lowest measured loss is kept.
 */
import type { AnyLayer, Network } from '../../src/network/types';
import { SpeedGoal, type Projector } from '../../src/pipeline/budget-speed';
import type { SpaceProjection } from '../../src/pipeline/budget-space';

const net = (name: string) => ({ name }) as unknown as Network<AnyLayer>;
const start = net('start');
const cand = net('candidate');
const sizes = (macs: number) => ({ macs, params: macs });
const step: SpaceProjection = { network: cand, before: sizes(100), after: sizes(50), removed: [0, 1], lost: 0 };
// the searches between `start` and the step find nothing else to time
const project: Projector = () => step;
const space = { minimal: sizes(1), probes: undefined };

/** A clock: the start always 10 µs/row, the candidate the given times in turn (the last one after that). */
function clock(candidate: number[]) {
  const calls: string[] = [];
  let i = 0;
  const measure = (n: Network<AnyLayer>) => {
    calls.push((n as unknown as { name: string }).name);
    return Promise.resolve(n === start ? 10 : candidate[Math.min(i++, candidate.length - 1)]);
  };
  return { calls, measure };
}

test('a candidate timed just short of the target is timed again, and met when its quicker rounds are fast enough', async () => {
  // two slow rounds (10 / 5.2 = 1.92x, within 5% of 2x), then its usual 4.9 (2.04x)
  const c = clock([5.2, 5.2, 4.9]);
  const goal = new SpeedGoal(2, space, { measureLatency: c.measure });
  const kept = await goal.check(start, step, { macs: 50 }, project);
  expect(kept).toBe(step);
  expect(goal.met).toBe(true);
  expect(goal.record()?.speedup).toBeCloseTo(10 / 4.9, 9);
  // 2 rounds, then 4 more, of both networks
  expect(c.calls.filter((n) => n === 'candidate')).toHaveLength(6);
  expect(c.calls.filter((n) => n === 'start')).toHaveLength(6);
});

test('a candidate far from the target is timed twice and no more', async () => {
  const c = clock([8]);
  const goal = new SpeedGoal(2, space, { measureLatency: c.measure });
  await goal.check(start, step, { macs: 50 }, project);
  expect(goal.met).toBe(false);
  expect(goal.record()?.speedup).toBeCloseTo(1.25, 9);
  expect(c.calls).toHaveLength(4);
});

test('a candidate timed just past the target is timed again too: a quick round does not decide it', async () => {
  // two quick rounds (10 / 4.9 = 2.04x), then slower ones: the quickest rounds are kept, it stays met
  const c = clock([4.9, 4.9, 5.5]);
  const goal = new SpeedGoal(2, space, { measureLatency: c.measure });
  await goal.check(start, step, { macs: 50 }, project);
  expect(goal.met).toBe(true);
  expect(c.calls).toHaveLength(12);
});

describe('of several fast-enough networks', () => {
  // the ramp's step (50 multiply-adds) and a larger network the multiply-add search finds (70);
  // the channel scores rank the step's removals as cheaper
  const larger = net('larger');
  const found: SpaceProjection = { network: larger, before: sizes(100), after: sizes(70), removed: [0, 1], lost: 3 };
  const stepLost: SpaceProjection = { ...step, lost: 1 };
  const searching: Projector = (_from, allowed) => ((allowed.macs ?? 0) >= 70 ? found : stepLost);
  // both 2.5x faster than the start: fast enough for 2x, far from it
  const fast = () => clock([4]).measure;

  test('the one with the lowest measured loss is kept, not the lowest estimate', async () => {
    const goal = new SpeedGoal(2, space, { measureLatency: fast() });
    const loss = (n: Network<AnyLayer>) => (n === larger ? 0.4 : 0.6);
    expect(await goal.check(start, stepLost, { macs: 50 }, searching, undefined, loss)).toBe(found);
    expect(goal.met).toBe(true);
    expect(goal.frozenMacs).toBe(70);
  });

  test('without a measured loss for each, the scores decide', async () => {
    const none = new SpeedGoal(2, space, { measureLatency: fast() });
    expect(await none.check(start, stepLost, { macs: 50 }, searching)).toBe(stepLost);
    const partial = new SpeedGoal(2, space, { measureLatency: fast() });
    const loss = (n: Network<AnyLayer>) => (n === larger ? 0.4 : undefined);
    expect(await partial.check(start, stepLost, { macs: 50 }, searching, undefined, loss)).toBe(stepLost);
    expect(partial.frozenMacs).toBe(50);
  });
});
