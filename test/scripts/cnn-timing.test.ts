/**
 * scripts/lib/cnn-timing.ts: stored timing rounds (beside the accuracy cells, which they must not
 * disturb), the pruned network of a budget, best and median, and the report's training-speed lines.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { macsBudget, narrowSpec, readCells, specCounts, writeCell, type CnnCell } from '../../scripts/lib/cnn-bench';
import {
  bestMedian,
  prunedSpec,
  readTimingRounds,
  summarizeTiming,
  timingLines,
  writeTimingRound,
  type TimingRound,
} from '../../scripts/lib/cnn-timing';

const gsCell = (percent: number, seed: number, widths: number[], acc = 0.95): CnnCell => ({
  case: 'lenet5',
  method: 'gs',
  percent,
  seed,
  budgetMacs: 1,
  testAccuracy: acc,
  params: 1,
  macs: 1,
  widths,
  seconds: 1,
});

const round = (n: number, dense: number, peer1: number, peer2: number, at25: number, load: number): TimingRound => ({
  case: 'lenet5',
  round: n,
  date: `2026-12-04T07:0${n}:00.000Z`,
  loadAverage: [load, 1, 1],
  cores: 2,
  engine: 'layers-wasm',
  dense,
  peer1,
  peer2,
  pruned: [{ percent: 25, spec: 'c3k5-m2-c4k5-m2-f57-f65', from: 'gs', seconds: at25 }],
});

test('best is the least, median the middle value (the mean of the two middle ones for an even count)', () => {
  expect(bestMedian([3, 1, 2])).toEqual({ best: 1, median: 2, n: 3 });
  expect(bestMedian([4, 1, 3, 2])).toEqual({ best: 1, median: 2.5, n: 4 });
  expect(() => bestMedian([])).toThrow(/no values/);
});

test('the pruned network of a budget: the gs cell of the lowest seed, else the uniform shrink, else none', () => {
  const cells = [gsCell(25, 1, [4, 5, 60, 60]), gsCell(25, 0, [3, 4, 57, 65]), gsCell(10, 0, [], NaN)];
  expect(prunedSpec(cells, 'lenet5', 'lenet5', 25)).toEqual({ percent: 25, spec: 'c3k5-m2-c4k5-m2-f57-f65', from: 'gs' });
  // the 10% cell is infeasible (no accuracy): the uniform shrink of 10% of the MACs instead
  const n = narrowSpec('lenet5', macsBudget(specCounts('lenet5').macs, 10));
  expect(prunedSpec(cells, 'lenet5', 'lenet5', 10)).toEqual({ percent: 10, spec: n?.spec, from: 'narrow' });
  // 5% is below one channel per layer
  expect(prunedSpec(cells, 'lenet5', 'lenet5', 5)).toBeNull();
});

test('rounds are stored beside the cells, read back in order, and summarized into the report lines', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-timing-'));
  try {
    writeCell(dir, gsCell(25, 0, [3, 4, 57, 65]));
    for (const r of [round(3, 0.5, 0.52, 0.47, 0.2, 0.4), round(1, 0.6, 0.55, 0.6, 0.22, 0.1), round(2, 0.48, 0.5, 0.9, 0.25, 0.3)])
      writeTimingRound(dir, r);
    // the accuracy cells do not see the timing folder
    expect(readCells(dir)).toHaveLength(1);
    const rounds = readTimingRounds(dir, 'lenet5');
    expect(rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    const s = summarizeTiming(rounds);
    expect(s).not.toBeNull();
    if (!s) return;
    expect(s.dense).toEqual({ best: 0.48, median: 0.5, n: 3 });
    expect(s.peer2).toEqual({ best: 0.47, median: 0.6, n: 3 });
    expect(s.load).toEqual({ min: 0.1, max: 0.4, cores: 2 });
    expect(s.pruned).toHaveLength(1);
    expect(s.pruned[0].best).toBe(0.2);
    const lines = timingLines(s, 5000, 64);
    expect(lines[0]).toContain('training steps alone (5000 rows, batch 64');
    expect(lines[0]).toContain('best / median of 3 interleaved rounds');
    expect(lines[0]).toContain('load average 0.10-0.40 on 2 cores');
    expect(lines[0]).toContain('(2026-12-04 07:01 to 07:03 UTC)');
    const dense = lines.find((l) => l.startsWith('- Dense training'));
    // ours 0.48 best against PyTorch's best of both thread counts, 0.47
    expect(dense).toBe(
      '- Dense training: gs-compress (layers-wasm, one thread) 0.48 / 0.50; PyTorch 1 thread 0.50 / 0.52, 2 threads 0.47 / 0.60; ' +
        "gs-compress's best takes 1.02x the time of PyTorch's best.",
    );
    const slim = lines.find((l) => l.startsWith('- gs-compress at 25%'));
    expect(slim).toContain(`${specCounts('c3k5-m2-c4k5-m2-f57-f65').macs} MACs): 0.20 / 0.22, 0.42x its dense epoch.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without rounds the report says the case was not timed; without the peer only ours is shown', () => {
  expect(summarizeTiming([])).toBeNull();
  expect(timingLines(null, 5000, 64)).toEqual(['Training speed: not timed in these settings (`--timing` measures it).']);
  const r = round(1, 0.5, 0, 0, 0.2, 0.5);
  delete r.peer1;
  delete r.peer2;
  const dense = timingLines(summarizeTiming([r]), 5000, 64).find((l) => l.startsWith('- Dense'));
  expect(dense).toBe('- Dense training: gs-compress (layers-wasm, one thread) 0.50 / 0.50.');
});
