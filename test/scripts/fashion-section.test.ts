/** scripts/lib/fashion-section.ts: the import report's Fashion-MNIST targets, met or missed from the cells' figures. */
import type { GsCell, PeerCell } from '../../scripts/lib/fashion-import';
import { ratioTable, runNotes, targetLines } from '../../scripts/lib/fashion-section';

function gs(seed: number, accuracy: number, speedup64: number): GsCell {
  const row = (batch: number, up: number) => ({ batch, originalUsPerRow: 10 * up, slimUsPerRow: 10, speedup: up });
  return {
    kind: 'gs',
    ratio: 0.3,
    seed,
    targetMacs: 365414,
    original: { accuracy: 0.865, params: 207018, macs: 1218048, bytes: 830427 },
    slim: { accuracy, params: 90000, macs: 360000, bytes: 360000, widths: [10, 20, 100, 10] },
    agreement: 0.9,
    accuracyBeforeFinetune: accuracy,
    exportMaxDiff: 1e-6,
    steps: [1218048, 360000],
    node: { runtime: 'onnxruntime-node', rows: [row(1, 1.1), row(64, speedup64)] },
    web: { runtime: 'onnxruntime-web', rows: [row(1, 1.2), row(64, 1.3)] },
    interface: 'input [N, 1, 28, 28] -> logits [N, 10]',
    testRows: 10000,
    minutes: 6,
  };
}

function peer(seed: number, accuracy: number): PeerCell {
  return {
    kind: 'peer',
    ratio: 0.3,
    seed,
    budgetMacs: 365414,
    dense_test_accuracy: 0.86,
    test_accuracy: accuracy,
    widths: [8, 17, 70],
    params: 80000,
    macs: 364000,
    macs_dense: 1218048,
    seconds: 100,
  };
}

describe('Fashion-MNIST section targets', () => {
  test('30%: within half a point and 1.5x at batch 64 are met; ahead of the peer only beyond both spreads', () => {
    const cells = [gs(0, 0.866, 1.6), gs(1, 0.862, 1.7), gs(2, 0.864, 1.5)];
    const lines = targetLines(0.3, cells, [peer(0, 0.85), peer(1, 0.851), peer(2, 0.849)]);
    expect(lines[0]).toMatch(
      /accuracy >= original - 0.5 points \(86\.00%\): \*\*met\*\* on the mean \(86\.40%; lowest seed 86\.20%, met by every seed\)/,
    );
    expect(lines[1]).toMatch(
      />= 1.5x faster .*\*\*met\*\* on the mean \(1\.60x, 1\.70x, 1\.50x; mean 1\.60x; 3 of 3 seeds at 1.5x or more\)/,
    );
    expect(lines[2]).toMatch(/\*\*met\*\* \(ahead: /);
    const close = targetLines(0.3, cells, [peer(0, 0.866), peer(1, 0.858), peer(2, 0.862)]);
    expect(close[2]).toMatch(/\*\*missed\*\* \(within: /);
  });

  test('10%: a loss above 1.5 points and a speedup under 2x are missed', () => {
    const cells = [gs(0, 0.845, 1.9), gs(1, 0.848, 1.8)];
    const lines = targetLines(0.1, cells, []);
    expect(lines[0]).toMatch(
      /original - 1.5 points \(85\.00%\): \*\*missed\*\* on the mean \(84\.65%; lowest seed 84\.50%, missed by seeds 0, 1 of 2\)/,
    );
    expect(lines[1]).toMatch(/>= 2x faster .*\*\*missed\*\* on the mean \(1\.90x, 1\.80x; mean 1\.85x; 0 of 2 seeds at 2x or more\)/);
    expect(lines[2]).toMatch(/not measured/);
  });

  test('the table gives the mean over seeds and each seed, both runtimes and the peer', () => {
    const rows = ratioTable([gs(0, 0.866, 1.6), gs(1, 0.862, 1.7)], [peer(0, 0.85)]).join('\n');
    expect(rows).toContain('| test accuracy % | 86.50 | **86.40 ± 0.28** | 86.60, 86.20 |');
    expect(rows).toContain('| onnxruntime-node µs/row, batch 64 | 16.5 | 10.0 (1.65x) | 1.60x, 1.70x |');
    expect(rows).toContain('| onnxruntime-web µs/row, batch 1 | 12.0 | 10.0 (1.20x) | 1.20x, 1.20x |');
    expect(rows).toMatch(/peer: test accuracy % .* \*\*85\.00 ± 0\.00\*\* \| 85\.00 \|/);
  });

  test("the notes give each seed's accuracy after every epoch, the largest move, and our widths beside the peer's", () => {
    const e = (phase: string, epoch: number, testAccuracy: number) => ({ phase, epoch, testAccuracy });
    const a = { ...gs(0, 0.86, 1.6), epochs: [e('train', 1, 0.87), e('train', 2, 0.855), e('finetune', 1, 0.858), e('finetune', 2, 0.86)] };
    const b = { ...gs(1, 0.85, 1.6), slim: { ...gs(1, 0.85, 1.6).slim, widths: [9, 14, 96, 10] } };
    const lines = runNotes([{ ratio: 0.3, gs: [a, b], peers: [peer(0, 0.85), peer(1, 0.85)] }]);
    expect(lines).toEqual([
      '- 30%, test accuracy % after each epoch (budget training | fine-tuning; the last is the figure reported): seed 0: 87.00, 85.50 | 85.80, 86.00. The largest move from one epoch to the next: 1.50 points.',
      '- 30%, channels and units: ours 10-20-100, 9-14-96; the peer (one ratio for every layer) 8-17-70.',
    ]);
  });
});
