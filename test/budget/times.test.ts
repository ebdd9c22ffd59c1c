/** The times a budget run reports count the scoring and projection between epochs (issue 22, item 7). */
import { trainToBudget } from '../../src/pipeline/budget';
import * as stats from '../../src/train/budget/engine-stats';
import { resolveTrainConfig } from '../../src/train/config';
import type { EpochRecord } from '../../src/train/types';
import { planted } from '../train/helpers';

const DELAY = 0.08; // seconds every scoring call takes here (a slow scorer, injected)

function busyWait(seconds: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    // the injected scorer's own work
  }
}

test('epoch records, the announced lines and the total include a slow scorer', async () => {
  const real = stats.engineStats;
  const spy = jest.spyOn(stats, 'engineStats').mockImplementation((...args: Parameters<typeof real>) => {
    busyWait(DELAY);
    return real(...args);
  });
  try {
    const data = planted(400, 200, 3);
    const cfg = resolveTrainConfig({ hidden: '16,16', epochs: 6, lr: 5e-3, engine: 'fused-js', seed: 1 });
    const announced: EpochRecord[] = [];
    const t0 = process.hrtime.bigint();
    const r = await trainToBudget(
      data,
      cfg,
      { targetRatio: 0.3, finetuneEpochs: 2 },
      { train: { onEpoch: (rec) => announced.push(rec) }, finetune: { onEpoch: (rec) => announced.push(rec) } },
    );
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const calls = spy.mock.calls.length;
    // a projection measures unless the network already fits (the last one, after the ramp)
    expect(calls).toBeLessThanOrEqual(r.projections.length);
    expect(calls).toBeGreaterThanOrEqual(Math.max(3, r.projections.length - 1));
    // every epoch a measuring projection follows holds that projection's time
    const train = r.result.history.filter((h) => h.phase !== 'finetune');
    const slowEpochs = r.projections.filter((p) => (train.find((h) => h.epoch === p.epoch) as EpochRecord).seconds >= DELAY);
    expect(slowEpochs.length).toBeGreaterThanOrEqual(calls);
    // the lines shown while training are the records, times included
    expect(announced).toEqual(r.result.history);
    // the total is the wall time: at least the sum of the epochs, at most the time the call took
    const sum = r.result.history.reduce((t, h) => t + h.seconds, 0);
    expect(sum).toBeGreaterThanOrEqual(calls * DELAY);
    expect(r.result.trainSeconds).toBeGreaterThanOrEqual(sum);
    expect(r.result.trainSeconds).toBeLessThanOrEqual(wall);
  } finally {
    spy.mockRestore();
  }
});
