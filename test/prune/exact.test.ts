/** Exact pruning of planted dead units: sizes, unchanged logits, untouched input. */
import { cloneNetwork, initNetwork } from '../../src/network/create';
import { pruneNetwork } from '../../src/prune';
import { thrown } from '../helpers/json';
import { expectSameLogits, hiddenSizes, randomScaling, zeroCol, zeroRow } from './helpers';

describe('pruneNetwork (exact)', () => {
  test('removes units with zero outgoing rows', () => {
    const net = initNetwork({ inputWidth: 6, hidden: [8, 5], classes: 3 }, 1);
    zeroRow(net.layers[1], 2);
    zeroRow(net.layers[1], 5);
    zeroRow(net.layers[2], 1);
    const { network, report } = pruneNetwork(net);
    expect(hiddenSizes(network)).toEqual([6, 4]);
    expect(network.inputIndices).toEqual([0, 1, 2, 3, 4, 5]);
    expect(report.hiddenLayers.map((h) => h.removedUnused)).toEqual([2, 1]);
    expect(report.lossy).toBe(false);
    expectSameLogits(net, network);
  });

  test('folds constant units (zero incoming) into the next bias; relu matters', () => {
    const net = initNetwork({ inputWidth: 5, hidden: [7, 4], classes: 3 }, 2);
    zeroCol(net.layers[0], 3);
    net.layers[0].bias[3] = 0.7; // constant 0.7, folded
    zeroCol(net.layers[0], 4);
    net.layers[0].bias[4] = -0.3; // constant relu(-0.3) = 0
    zeroCol(net.layers[1], 2);
    net.layers[1].bias[2] = 0.5; // folded into the output bias
    const outBias = net.layers[2].bias.slice();
    const { network, report } = pruneNetwork(net);
    expect(hiddenSizes(network)).toEqual([5, 3]);
    expect(report.hiddenLayers.map((h) => h.removedConstant)).toEqual([2, 1]);
    expect(Array.from(network.layers[2].bias)).not.toEqual(Array.from(outBias));
    expectSameLogits(net, network);
  });

  test('drops zero input rows, keeps inputWidth, with and without scaling', () => {
    for (const scaled of [false, true]) {
      const net = initNetwork({ inputWidth: 6, hidden: [5], classes: 2 }, 3, {
        scaling: scaled ? randomScaling(4, 6) : null,
        featureNames: ['a', 'b', 'c', 'd', 'e', 'f'],
      });
      zeroRow(net.layers[0], 0);
      zeroRow(net.layers[0], 3);
      const { network, report } = pruneNetwork(net);
      expect(network.inputWidth).toBe(6);
      expect(network.inputIndices).toEqual([1, 2, 4, 5]);
      expect(network.layers[0].inSize).toBe(4);
      expect(hiddenSizes(network)).toEqual([5]);
      expect(report.inputs).toEqual({
        before: 6,
        after: 4,
        kept: [
          { index: 1, name: 'b' },
          { index: 2, name: 'c' },
          { index: 4, name: 'e' },
          { index: 5, name: 'f' },
        ],
        placeholder: false,
      });
      expect(network.scaling === null).toBe(!scaled);
      expectSameLogits(net, network);
      // Pruning an already input-pruned network again maps rows to the right raw columns.
      const again = cloneNetwork(network);
      zeroRow(again.layers[0], 1); // raw column 2
      const twice = pruneNetwork(again).network;
      expect(twice.inputIndices).toEqual([1, 4, 5]);
      expectSameLogits(again, twice);
    }
  });

  test('no hidden layer: only inputs are dropped, never outputs', () => {
    const net = initNetwork({ inputWidth: 5, hidden: [], classes: 3 }, 5);
    zeroRow(net.layers[0], 1);
    zeroRow(net.layers[0], 2);
    zeroCol(net.layers[0], 0); // output unit 0 becomes its bias but stays
    const { network, report } = pruneNetwork(net);
    expect(network.layers).toHaveLength(1);
    expect(network.inputIndices).toEqual([0, 3, 4]);
    expect(network.layers[0].outSize).toBe(3);
    expect(report.hiddenLayers).toEqual([]);
    expect(report.parameters).toEqual({ before: 18, after: 12 });
    expectSameLogits(net, network);
  });

  test('does not mutate its input', () => {
    const net = initNetwork({ inputWidth: 4, hidden: [6, 3], classes: 2 }, 6, { scaling: randomScaling(1, 4) });
    zeroCol(net.layers[0], 1);
    net.layers[0].bias[1] = 0.9;
    zeroRow(net.layers[0], 2);
    zeroRow(net.layers[2], 0);
    const snapshot = cloneNetwork(net);
    const { network } = pruneNetwork(net);
    expect(net).toEqual(snapshot);
    expect(network.layers[0].kernel).not.toBe(net.layers[0].kernel);
    expect(network.scaling?.mean).not.toBe(net.scaling?.mean);
  });

  test('an already compact network comes back unchanged', () => {
    const net = initNetwork({ inputWidth: 7, hidden: [6, 4], classes: 3 }, 8, { scaling: randomScaling(2, 7) });
    const { network, report } = pruneNetwork(net);
    expect(network).toEqual(net);
    expect(report.parameters.after).toBe(report.parameters.before);
    expect(report.multiplyAdds.after).toBe(report.multiplyAdds.before);
    expect(report.hiddenLayers.every((h) => h.after === h.before && !h.placeholder)).toBe(true);
  });

  test('rejects inconsistent networks with a typed error', () => {
    const net = initNetwork({ inputWidth: 3, hidden: [2], classes: 2 }, 9);
    net.layers[1].kernel[0] = NaN;
    expect(thrown(() => pruneNetwork(net))).toMatchObject({ code: 'BAD_MODEL' });
    const net2 = initNetwork({ inputWidth: 3, hidden: [2], classes: 2 }, 9);
    net2.inputIndices = [0, 1];
    expect(thrown(() => pruneNetwork(net2))).toMatchObject({ code: 'BAD_MODEL' });
  });
});
