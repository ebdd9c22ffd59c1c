/**
 * A budget run's last cut comes after its last epoch (the ramp reaches the budget there). With no
 * fine-tuning after it, the run's figures must describe the network it saves, not the larger one
 * the last epoch measured: the summary's accuracy is the saved network's (checked against the
 * reference forward pass), its widths are the saved widths. With fine-tuning, the accuracy before
 * fine-tuning is the cut network's too.
 */
import { accuracy } from '../../src/network/forward';
import { parameterCount } from '../../src/network/create';
import { trainToBudget } from '../../src/pipeline/budget';
import { budgetSummary } from '../../src/pipeline/run';
import { quadrants, SIDE } from '../train-layers/quadrants';

const ARCH = 'c8k3p1-bn-m2-c8k3-a2-f12';
const data = { ...quadrants(300, 200, 5), inputShape: [1, SIDE, SIDE] };
// one epoch: the whole cut to a tenth of the multiply-adds comes after it
const cfg = { arch: ARCH, optimizer: 'adam', lr: 1e-2, epochs: 1, batchSize: 32, seed: 3, valFraction: 0.1 } as const;

test('without fine-tuning, the summary scores the network left by the last cut', async () => {
  const b = await trainToBudget(data, cfg, { targetMacsRatio: 0.1, finetuneEpochs: 0 });
  const net = b.result.network;
  const last = b.result.history[b.result.history.length - 1];
  expect(b.projections[b.projections.length - 1].epoch).toBe(1);
  expect(b.final).toBeDefined();
  const s = budgetSummary(b, data, 0);
  const reference = accuracy(net, data.test.features, data.test.labels);
  // float32 kernels against the float64 reference: at most a row apart
  expect(Math.abs((s.testAccuracy as number) - reference)).toBeLessThanOrEqual(1 / data.test.rows + 1e-12);
  expect(b.accuracyBeforeFinetune).toBe(s.testAccuracy);
  // the epoch record (before the cut) saw the wider network: the summary does not repeat it
  expect(last.totalParams).toBeGreaterThan(parameterCount(net));
  expect(s.totalParams).toBe(parameterCount(net));
  expect(s.aliveUnits).toEqual(b.widths.slice(1, -1));
  expect(s.valAccuracy).toBeDefined();
  // the history keeps what the epoch measured
  expect(b.result.history).toHaveLength(1);
});

test("with fine-tuning, the accuracy before it is the cut network's, and the summary is the last fine-tuning epoch's", async () => {
  const b = await trainToBudget(data, cfg, { targetMacsRatio: 0.1, finetuneEpochs: 1 });
  expect(b.final).toBeUndefined();
  const trained = b.result.history.filter((r) => r.phase === 'train');
  const tuned = b.result.history.filter((r) => r.phase === 'finetune');
  expect(tuned).toHaveLength(1);
  expect(trained[trained.length - 1].totalParams).toBeGreaterThan(tuned[0].totalParams);
  const before = accuracy(b.beforeFinetune, data.test.features, data.test.labels);
  expect(Math.abs((b.accuracyBeforeFinetune as number) - before)).toBeLessThanOrEqual(1 / data.test.rows + 1e-12);
  expect(budgetSummary(b, data, 1).testAccuracy).toBe(tuned[0].testAccuracy);
});
