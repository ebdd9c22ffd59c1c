/** The pruning report: counts, JSON round trip, and the plain-text table. */
import { initNetwork } from '../../src/network/create';
import { formatPruneReport, pruneNetwork } from '../../src/prune';
import { zeroCol, zeroRow } from './helpers';

describe('prune report', () => {
  test('counts units, inputs, parameters and multiply-adds; survives JSON', () => {
    const net = initNetwork({ inputWidth: 4, hidden: [5, 3], classes: 2 }, 31, { featureNames: ['w', 'x', 'y', 'z'] });
    zeroRow(net.layers[0], 1);
    zeroRow(net.layers[1], 0);
    zeroCol(net.layers[1], 2);
    const { report } = pruneNetwork(net);
    expect(report.hiddenLayers).toEqual([
      { layer: 0, before: 5, after: 4, removedUnused: 1, removedConstant: 0, placeholder: false },
      { layer: 1, before: 3, after: 2, removedUnused: 0, removedConstant: 1, placeholder: false },
    ]);
    expect(report.inputs.kept.map((k) => k.name)).toEqual(['w', 'y', 'z']);
    expect(report.parameters).toEqual({ before: 4 * 5 + 5 + 5 * 3 + 3 + 3 * 2 + 2, after: 3 * 4 + 4 + 4 * 2 + 2 + 2 * 2 + 2 });
    expect(report.multiplyAdds).toEqual({ before: 20 + 15 + 6, after: 12 + 8 + 4 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);

    const text = formatPruneReport(report);
    expect(text).toMatch(/exact/);
    expect(text).toMatch(/^hidden 1\s+5\s+4\s+1\s+\(1 unused, 0 constant folded\)$/m);
    expect(text).toMatch(/^parameters\s+51\s+32\s+19 \(37\.3%\)$/m);
    expect(text).toMatch(/inputs kept: w, y, z/);
  });

  test('marks placeholders and lossy runs in the table', () => {
    const net = initNetwork({ inputWidth: 3, hidden: [2], classes: 2 }, 32);
    const { report } = pruneNetwork(net, { threshold: 10 });
    const text = formatPruneReport(report);
    expect(report.hiddenLayers[0]).toMatchObject({ after: 1, placeholder: true });
    expect(text).toMatch(/lossy: threshold 10/);
    expect(text).toMatch(/^hidden 1\s+2\s+1\*/m);
    expect(text).toMatch(/inputs kept: none/);
    expect(text).toMatch(/stands in/);
  });
});
