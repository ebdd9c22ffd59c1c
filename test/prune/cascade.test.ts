/** Cascades (one removal exposing another), the fully collapsed network, and a randomised fixpoint check. */
import { initNetwork } from '../../src/network/create';
import { logits } from '../../src/network/forward';
import type { Network } from '../../src/network/types';
import { pruneNetwork } from '../../src/prune';
import { Rng } from '../../src/util/rng';
import { expectSameLogits, hiddenSizes, onlyFrom, onlyTo, randomRows, randomScaling, zeroCol, zeroRow } from './helpers';

describe('pruneNetwork cascades', () => {
  test('forward: a unit fed only by constant units becomes constant (folded in order)', () => {
    const net = initNetwork({ inputWidth: 5, hidden: [6, 5], classes: 3 }, 11);
    const [l0, l1] = net.layers;
    zeroCol(l0, 0);
    l0.bias[0] = 0.8;
    zeroCol(l0, 1);
    l0.bias[1] = 0.6;
    onlyFrom(l1, 0, [0, 1]); // hidden-2 unit 0 = relu(-0.5 + 0.8*1 + 0.6*0.5) = 0.6
    l1.kernel[0 * 5 + 0] = 1;
    l1.kernel[1 * 5 + 0] = 0.5;
    l1.bias[0] = -0.5;
    onlyFrom(l1, 1, [0]); // hidden-2 unit 1 = relu(0.1 - 2*0.8) = 0
    l1.kernel[0 * 5 + 1] = -2;
    l1.bias[1] = 0.1;
    const { network, report } = pruneNetwork(net);
    expect(hiddenSizes(network)).toEqual([4, 3]);
    expect(report.hiddenLayers.map((h) => h.removedConstant)).toEqual([2, 2]);
    expectSameLogits(net, network);
  });

  test('backward: a unit that only feeds unused units becomes unused, and so does its only input', () => {
    const net = initNetwork({ inputWidth: 6, hidden: [6, 5], classes: 3 }, 12);
    const [l0, l1, l2] = net.layers;
    zeroRow(l2, 1);
    zeroRow(l2, 2);
    onlyTo(l1, 3, [1, 2]);
    onlyTo(l0, 4, [3]);
    const { network, report } = pruneNetwork(net);
    expect(hiddenSizes(network)).toEqual([5, 3]);
    expect(network.inputIndices).toEqual([0, 1, 2, 3, 5]);
    expect(report.hiddenLayers.map((h) => h.removedUnused)).toEqual([1, 2]);
    expectSameLogits(net, network);
  });

  test.each([
    ['zero output kernel: unused back to the inputs', (net: Network) => net.layers[3].kernel.fill(0)],
    [
      'zero middle kernel: unused upstream, constant (folded) downstream',
      (net: Network) => {
        net.layers[2].kernel.fill(0);
        net.layers[2].bias.set([0.5, -0.2, 0.9]);
      },
    ],
    [
      'zero first kernel: constant all the way down (mixed signs)',
      (net: Network) => {
        net.layers[0].kernel.fill(0);
        net.layers[0].bias.forEach((_, j, b) => (b[j] = j % 2 ? -0.4 : 0.3 + j / 10));
      },
    ],
  ])('collapse (%s): one zero placeholder unit per level, logits are the constant bias', (_, plant) => {
    const net = initNetwork({ inputWidth: 5, hidden: [6, 4, 3], classes: 3 }, 14, { scaling: randomScaling(5, 5) });
    plant(net);
    const { network, report } = pruneNetwork(net);
    expect(hiddenSizes(network)).toEqual([1, 1, 1]);
    expect(network.inputIndices).toEqual([0]);
    expect(report.inputs.placeholder).toBe(true);
    expect(report.hiddenLayers.map((h) => h.placeholder)).toEqual([true, true, true]);
    for (const l of network.layers.slice(0, -1)) {
      expect(Array.from(l.kernel)).toEqual([0]);
      expect(Array.from(l.bias)).toEqual([0]);
    }
    expect(Array.from(network.layers[3].kernel)).toEqual([0, 0, 0]);
    const z = logits(network, randomRows(1, 3, 5), 3);
    expect(Array.from(z.subarray(0, 3))).toEqual(Array.from(network.layers[3].bias));
    expect(Array.from(z.subarray(6, 9))).toEqual(Array.from(network.layers[3].bias));
    expectSameLogits(net, network);
    const again = pruneNetwork(network);
    expect(again.network).toEqual(network);
  });

  test('random planted networks: same logits, and the result has no dead unit left', () => {
    for (let seed = 0; seed < 12; seed++) {
      const rng = new Rng(100 + seed);
      const hidden = Array.from({ length: rng.int(4) }, () => 2 + rng.int(6));
      const net = initNetwork({ inputWidth: 3 + rng.int(6), hidden, classes: 2 + rng.int(3) }, seed, {
        scaling: seed % 2 ? randomScaling(seed, 10) : null,
      });
      if (net.scaling) net.scaling = { mean: net.scaling.mean.slice(0, net.inputWidth), std: net.scaling.std.slice(0, net.inputWidth) };
      net.layers.forEach((layer, l) => {
        for (let i = 0; i < layer.inSize; i++) if (rng.next() < 0.3) zeroRow(layer, i);
        if (l < net.layers.length - 1) {
          for (let j = 0; j < layer.outSize; j++) if (rng.next() < 0.3) zeroCol(layer, j);
        }
        for (let k = 0; k < layer.kernel.length; k++) if (rng.next() < 0.3) layer.kernel[k] = 0;
      });
      const { network, report } = pruneNetwork(net);
      expectSameLogits(net, network, seed);
      expect(network.layers.map((l) => l.outSize).at(-1)).toBe(net.layers.at(-1)!.outSize);
      if (!report.inputs.placeholder) expectFixpoint(network);
      expect(pruneNetwork(network).network).toEqual(network);
    }
  });
});

/** No live row of any kernel is zero, and no hidden unit has a zero incoming column. */
function expectFixpoint(net: Network): void {
  net.layers.forEach((layer, l) => {
    for (let i = 0; i < layer.inSize; i++) {
      expect(layer.kernel.subarray(i * layer.outSize, (i + 1) * layer.outSize).some((v) => v !== 0)).toBe(true);
    }
    if (l < net.layers.length - 1) {
      for (let j = 0; j < layer.outSize; j++) {
        let any = false;
        for (let i = 0; i < layer.inSize; i++) any ||= layer.kernel[i * layer.outSize + j] !== 0;
        expect(any).toBe(true);
      }
    }
  });
}
