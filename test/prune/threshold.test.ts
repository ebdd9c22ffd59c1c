/** The opt-in lossy threshold: what it zeroes, how it is reported, bad values. */
import { cloneNetwork, initNetwork } from '../../src/network/create';
import { pruneNetwork } from '../../src/prune';
import { thrown } from '../helpers/json';
import { expectSameLogits, hiddenSizes, zeroRow } from './helpers';

describe('pruneNetwork with a threshold', () => {
  test('zeroes small groups and small biases, then prunes exactly; reported lossy', () => {
    const net = initNetwork({ inputWidth: 5, hidden: [6], classes: 3 }, 21);
    const [l0, l1] = net.layers;
    for (const b of [l0.bias, l1.bias]) b.forEach((v, j) => (b[j] = v < 0 ? v - 0.1 : v + 0.1)); // away from 0.0625
    l0.kernel.fill(0.01, 2 * 6, 3 * 6); // input 2: norm 0.0245 <= 0.0625
    l1.kernel.fill(-0.02, 4 * 3, 5 * 3); // hidden unit 4: norm 0.0346 <= 0.0625
    l1.kernel.fill(0.04, 1 * 3, 2 * 3); // hidden unit 1: norm 0.069 > 0.0625, kept
    l0.bias[0] = 0.04; // zeroed
    l1.bias[2] = -0.0625; // zeroed (<=; exact in float32)
    l1.bias[1] = 0.07; // kept
    const snapshot = cloneNetwork(net);
    const { network, report } = pruneNetwork(net, { threshold: 0.0625 });
    expect(net).toEqual(snapshot);
    expect(report.lossy).toBe(true);
    expect(report.threshold).toBe(0.0625);
    expect(report.thresholdZeroed).toEqual({ groups: 2, biases: 2 });
    expect(network.inputIndices).toEqual([0, 1, 3, 4]);
    expect(hiddenSizes(network)).toEqual([5]);

    // Same as zeroing by hand and pruning exactly.
    const manual = cloneNetwork(net);
    zeroRow(manual.layers[0], 2);
    zeroRow(manual.layers[1], 4);
    manual.layers[0].bias[0] = 0;
    manual.layers[1].bias[2] = 0;
    const exact = pruneNetwork(manual);
    expect(exact.report.lossy).toBe(false);
    expect(network).toEqual(exact.network);
    expectSameLogits(manual, network);
  });

  test('threshold 0 is reported lossy but changes nothing on a dense network', () => {
    const net = initNetwork({ inputWidth: 4, hidden: [3], classes: 2 }, 22);
    const { network, report } = pruneNetwork(net, { threshold: 0 });
    expect(network).toEqual(net);
    expect(report.lossy).toBe(true);
    expect(report.thresholdZeroed).toEqual({ groups: 0, biases: 0 });
  });

  test.each([-1, NaN])('rejects threshold %p with BAD_OPTION', (t) => {
    const net = initNetwork({ inputWidth: 2, hidden: [], classes: 2 }, 23);
    expect(thrown(() => pruneNetwork(net, { threshold: t }))).toMatchObject({ code: 'BAD_OPTION' });
  });
});
