/**
 * --target-speedup: the budget trainer shrinks until a measured time is the target times below the
 * starting network's, and keeps the largest network it timed that is fast enough. A stand-in clock
 * (time affine in multiply-adds, as a library caller may give) makes the search checkable; one run
 * times real ONNX exports in onnxruntime; the CLI prints the measured time of each projection.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AnyLayer, Network } from '../../src/network/types';
import { trainToBudget } from '../../src/pipeline/budget';
import { channelWidths } from '../../src/pipeline/budget-space';
import { sizesOf, minimalSizes } from '../../src/train/budget/level-costs';
import { initArchNetwork } from '../../src/network/create-arch';
import { quadrants, SIDE } from '../train-layers/quadrants';
import { runCli } from '../helpers/cli';

const ARCH = 'c8k3p1-bn-m2-c8k3-a2-f12';
const data = { ...quadrants(300, 150, 5), inputShape: [1, SIDE, SIDE] };
const cfg = { arch: ARCH, optimizer: 'adam', lr: 1e-2, epochs: 6, batchSize: 32, seed: 2, valFraction: 0 } as const;

/** A clock whose time is a fixed overhead plus one unit per 100 multiply-adds, counting its calls. */
function affineClock(overhead: number) {
  const clock = { calls: 0, measure: (n: Network<AnyLayer>) => Promise.resolve((clock.calls++, overhead + sizesOf(n).macs / 100)) };
  return clock;
}

test('shrinks until the measured speedup is met, keeps the largest fast-enough network it timed, and records the times', async () => {
  const start = sizesOf(initArchNetwork(ARCH, [1, SIDE, SIDE], 4, 2));
  const clock = affineClock(5);
  const t0 = 5 + start.macs / 100;
  const b = await trainToBudget(data, cfg, { targetSpeedup: 2, finetuneEpochs: 1, measureLatency: clock.measure });
  const final = sizesOf(b.result.network);
  expect(b.speed).toBeDefined();
  const sp = b.speed!;
  expect(sp.startUsPerRow).toBeCloseTo(t0, 6);
  expect(sp.met).toBe(true);
  expect(sp.speedup).toBeGreaterThanOrEqual(2);
  expect(sp.usPerRow).toBeCloseTo(5 + final.macs / 100, 6);
  // not shrunk far beyond what the speed asks: within the search's resolution of the largest fitting size
  const fits = (t0 / 2 - 5) * 100;
  expect(final.macs).toBeLessThanOrEqual(fits);
  expect(final.macs).toBeGreaterThan(minimalSizes(initArchNetwork(ARCH, [1, SIDE, SIDE], 4, 2)).macs);
  expect(final.macs).toBeGreaterThan(0.6 * fits);
  // every projection records the time measured after it; the budget is the network that met the speed
  expect(b.projections.every((p) => p.usPerRow !== undefined && p.afterMacs !== undefined)).toBe(true);
  expect(b.targetMacs).toBe(final.macs);
  // timings stay few: the smallest network and the per-level probes (4 each), 4 per projection and search step
  expect(clock.calls).toBeLessThan(36);
});

test('a machine that gets quieter during the run does not count as speed: each candidate is timed beside the start', async () => {
  // three times slower for the first call (the dense network timed under load), then quiet
  let calls = 0;
  const measure = (n: Network<AnyLayer>) => Promise.resolve((calls++ === 0 ? 3 : 1) * (5 + sizesOf(n).macs / 100));
  const b = await trainToBudget(data, cfg, { targetSpeedup: 2, finetuneEpochs: 0, measureLatency: measure });
  const start = sizesOf(initArchNetwork(ARCH, [1, SIDE, SIDE], 4, 2));
  const final = sizesOf(b.result.network);
  // the speedup under the same load, not against the slow first time
  expect((5 + start.macs / 100) / (5 + final.macs / 100)).toBeGreaterThanOrEqual(2);
  expect(b.speed!.startUsPerRow).toBeCloseTo(5 + start.macs / 100, 6);
  expect(b.speed!.speedup).toBeGreaterThanOrEqual(2);
});

test('a speedup the shape cannot reach is refused before any training, with what its smallest network measured', async () => {
  const shape = initArchNetwork(ARCH, [1, SIDE, SIDE], 4, 2);
  const clock = affineClock(5);
  let epochs = 0;
  const run = trainToBudget(
    data,
    cfg,
    { targetSpeedup: 50, finetuneEpochs: 0, measureLatency: clock.measure },
    { train: { onEpoch: () => epochs++ } },
  );
  await expect(run).rejects.toThrow(
    /--target-speedup 50 is out of reach .* smallest form \(one channel per layer, \d+ multiply-adds\) runs only [\d.]+x faster/,
  );
  const msg = String(await run.catch((e: unknown) => e));
  const best = (5 + sizesOf(shape).macs / 100) / (5 + minimalSizes(shape).macs / 100);
  expect(Number(/only ([\d.]+)x/.exec(msg)![1])).toBeCloseTo(best, 2);
  expect(msg).toContain(`${minimalSizes(shape).macs} multiply-adds`);
  // the clock is the caller's: the message does not claim onnxruntime timed it
  expect(msg).toContain('by the given measure');
  expect(msg).not.toContain('onnxruntime');
  expect(epochs).toBe(0);
  // the start and the smallest network, each timed twice: nothing else
  expect(clock.calls).toBe(4);
  // a target just within reach trains
  const b = await trainToBudget(data, cfg, { targetSpeedup: 0.95 * best, finetuneEpochs: 0, measureLatency: affineClock(5).measure });
  expect(b.speed!.met).toBe(true);
});

test('the search between too slow and fast enough removes the channels that measurably save time', async () => {
  // only the second convolution's width costs time (as a convolution whose input onnxruntime
  // cannot block); the dense layer's units cost multiply-adds but no time, so they stay
  const measure = (n: Network<AnyLayer>) => Promise.resolve(5 + 10 * channelWidths(n)[2] + sizesOf(n).macs / 1e5);
  const b = await trainToBudget(data, cfg, { targetSpeedup: 2, targetMacsRatio: 0.7, finetuneEpochs: 0, measureLatency: measure });
  const widths = channelWidths(b.result.network);
  expect(b.speed!.met).toBe(true);
  expect(b.speed!.speedup).toBeGreaterThanOrEqual(2);
  expect(widths[2]).toBeLessThanOrEqual(3);
  expect(widths[3]).toBe(12);
});

test('with a budget in multiply-adds too, both hold', async () => {
  const b = await trainToBudget(data, cfg, {
    targetSpeedup: 1.2,
    targetMacsRatio: 0.3,
    finetuneEpochs: 0,
    measureLatency: affineClock(5).measure,
  });
  const start = sizesOf(initArchNetwork(ARCH, [1, SIDE, SIDE], 4, 2));
  expect(sizesOf(b.result.network).macs).toBeLessThanOrEqual(Math.floor(0.3 * start.macs));
  expect(b.speed!.speedup).toBeGreaterThanOrEqual(1.2);
});

test('train --target-speedup times ONNX exports in onnxruntime and prints each projection beside its multiply-adds', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-speedup-'));
  try {
    const r = await runCli([
      'train',
      '--data',
      'mnist',
      '--train-rows',
      '400',
      '--test-rows',
      '100',
      '--epochs',
      '3',
      '--arch',
      'c8k5-m2-c12k5-m2-f24',
      '--target-speedup',
      '1.5',
      '--speed-batch',
      '16',
      '--out',
      path.join(dir, 'run'),
    ]);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const m = /speed \(onnxruntime, 1 thread, batch 16\): ([\d.]+) -> ([\d.]+) µs\/row, ([\d.]+)x; target 1.5x (met|NOT met)/.exec(r.out);
    expect(m).not.toBeNull();
    const [before, after, speedup] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(before).toBeGreaterThan(0);
    expect(speedup).toBeCloseTo(before / after, 1);
    if (m![4] === 'met') expect(speedup).toBeGreaterThanOrEqual(1.5);
    expect(r.out).toMatch(/^ {2}epoch \d+: \d+ multiply-adds, [\d.]+ µs\/row \([\d.]+x\)$/m);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'gs-run.json'), 'utf8')) as { summary: { speed?: { batch: number } } };
    expect(saved.summary.speed?.batch).toBe(16);
    // out of reach: refused before training, and the folders made for --out are taken away again
    const far = await runCli([
      ...['train', '--data', 'mnist', '--train-rows', '200', '--test-rows', '50', '--arch', 'c8k5-m2-c12k5-m2-f24'],
      ...['--target-speedup', '50', '--out', path.join(dir, 'new', 'run')],
    ]);
    expect(far.code).not.toBe(0);
    expect(far.err).toMatch(/^error: --target-speedup 50 is out of reach .*nothing was trained/m);
    expect(fs.existsSync(path.join(dir, 'new'))).toBe(false);
    // refusals: an MLP, a missing target, a size path
    const mlp = await runCli(['train', '--data', 'mnist', '--train-rows', '100', '--hidden', '8', '--target-speedup', '2']);
    expect(mlp.code).not.toBe(0);
    expect(mlp.err).toMatch(/--target-speedup applies to --arch networks/);
    const lone = await runCli(['train', '--data', 'mnist', '--train-rows', '100', '--arch', 'c4k3-f8', '--speed-batch', '4']);
    expect(lone.err).toMatch(/--speed-batch sets how --target-speedup times a network/);
    const low = await runCli(['train', '--data', 'mnist', '--train-rows', '100', '--arch', 'c4k3-f8', '--target-speedup', '0.5']);
    expect(low.err).toMatch(/--target-speedup 0.5: expected a number above 1/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
