/** scripts/lib/fashion-section.ts: the import report's Fashion-MNIST targets, met or missed from the cells' figures. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  gsName,
  readCell,
  restoreCells,
  settingsKey,
  type FashionSettings,
  type GsCell,
  type PeerCell,
  VARIANTS,
} from '../../scripts/lib/fashion-import';
import { profileNote, ratioTable, runNotes, targetLines } from '../../scripts/lib/fashion-section';

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

  test('a --round-channels variant gets its own columns beside gs-compress, its speeds against its own original', () => {
    const rounded = [1.9, 2.1].map((up, seed) => ({
      ...gs(seed, 0.87, up),
      roundChannels: 16,
      slim: { ...gs(seed, 0.87, up).slim, widths: [16, 16, 96, 10] },
    }));
    const rows = ratioTable(
      [
        { label: 'gs-compress', gs: [gs(0, 0.866, 1.6), gs(1, 0.862, 1.7)] },
        { label: '--round-channels 16', gs: rounded },
      ],
      [peer(0, 0.85)],
    );
    expect(rows[0]).toBe(
      '| | original (PyTorch) | slim (gs-compress), mean over seeds | per seed | slim (--round-channels 16), mean over seeds | per seed (--round-channels 16) |',
    );
    expect(rows[1]).toBe('| --- | --- | --- | --- | --- | --- |');
    const all = rows.join('\n');
    expect(all).toContain('| test accuracy % | 86.50 | **86.40 ± 0.28** | 86.60, 86.20 | **87.00 ± 0.00** | 87.00, 87.00 |');
    expect(all).toContain('| channels and units | 16-32-128 | | 10-20-100, 10-20-100 | | 16-16-96, 16-16-96 |');
    expect(all).toContain(
      '| onnxruntime-node µs/row, batch 64 | 16.5 | 10.0 (1.65x) | 1.60x, 1.70x | 10.0 (2.00x; its original 20.0) | 1.90x, 2.10x |',
    );
    // the peer's rows fill the first variant's columns only, every row as many columns as the header
    expect(all).toMatch(/peer: test accuracy % .* \*\*85\.00 ± 0\.00\*\* \| 85\.00 \| \| \|/);
    for (const r of rows) expect(r.split('|').length).toBe(rows[0].split('|').length);
    const lines = targetLines(0.1, rounded, [], '--round-channels 16');
    expect(lines[1]).toMatch(
      /^- 10% \(--round-channels 16\): >= 2x faster .*\*\*met\*\* on the mean \(1\.90x, 2\.10x; mean 2\.00x; 1 of 2 seeds/,
    );
  });

  test('the profile note takes its figures from the profiles of the original and the first ratio', () => {
    const n = (op: string, usPerRow: number) => ({ op, node: op, usPerRow });
    const note = profileNote(
      [
        { label: 'original', widths: [16, 32, 128, 10], nodes: [n('Conv', 1.8), n('Conv', 9), n('ReorderOutput', 0.2)] },
        { label: '30% seed 0', widths: [9, 15, 85, 10], nodes: [n('Conv', 1.8), n('Conv', 4.5), n('ReorderOutput', 1.5)] },
        {
          label: '30% --round-channels 16 seed 0',
          widths: [8, 16, 96, 10],
          nodes: [n('Conv', 1.7), n('Conv', 3), n('ReorderOutput', 0.3)],
        },
        { label: '10% seed 0', widths: [5, 7, 55, 10], nodes: [n('Conv', 1.75), n('Conv', 2)] },
      ],
      '30%',
    );
    expect(note).toContain('about the same time whatever its width (1.70-1.80 µs/row for 16, 9, 8, 5 channels)');
    expect(note).toContain("30% seed 0, 9 to 15 channels: 26% of the original's multiply-adds, 50% of its time");
    expect(note).toContain("30% --round-channels 16 seed 0, 8 to 16 channels: 25% of the original's multiply-adds, 33% of its time");
    expect(note).toContain('ReorderOutput: 0.20\nµs/row in the original, 1.50 in 30% seed 0, 0.30 in 30% --round-channels 16 seed 0');
    expect(note).toContain('11.0 µs/row for the original, 7.8 for 30% seed 0, 5.0 for 30% --round-channels 16 seed 0');
    expect(profileNote([{ label: 'original', nodes: [n('Conv', 1)] }], '30%')).toBe('');
  });

  test('committed cells with these settings are put back in the cache when missing, never over a cell there', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-fashion-'));
    try {
      const s: FashionSettings = {
        root,
        source: '',
        trainRows: 10000,
        originalEpochs: 3,
        epochs: 4,
        finetuneEpochs: 2,
        lr: 1e-3,
        batch: 64,
        python: '',
      };
      fs.mkdirSync(path.join(root, 'reports', 'import'), { recursive: true });
      const file = path.join(root, 'reports', 'import', 'fashion-cells.json');
      const a = { name: gsName(0.3, 0), ...gs(0, 0.866, 1.6) };
      const gs16 = VARIANTS.find((v) => v.key === 'gs16');
      const b = { name: gsName(0.3, 1, gs16), ...gs(1, 0.87, 1.9), roundChannels: 16 };
      fs.writeFileSync(file, JSON.stringify({ settings: 'rows60000-other', cells: [a] }));
      expect(restoreCells(s)).toEqual([]);
      fs.writeFileSync(file, JSON.stringify({ settings: settingsKey(s), cells: [a, b, { ...gs(2, 0.8, 1) }] }));
      expect(restoreCells(s)).toEqual(['gs-30-s0', 'gs16-30-s1']);
      expect(readCell<GsCell>(s, 'gs16-30-s1')?.slim.accuracy).toBe(0.87);
      fs.writeFileSync(file, JSON.stringify({ settings: settingsKey(s), cells: [{ ...a, slim: { ...a.slim, accuracy: 0.5 } }] }));
      expect(restoreCells(s)).toEqual([]);
      expect(readCell<GsCell>(s, 'gs-30-s0')?.slim.accuracy).toBe(0.866);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('variant cells are named by their key; the --round-channels cells keep their names and settings', () => {
    const byKey = Object.fromEntries(VARIANTS.map((v) => [v.key, v]));
    expect(gsName(0.3, 2)).toBe('gs-30-s2');
    expect(gsName(0.3, 2, byKey.gs16)).toBe('gs16-30-s2');
    expect(gsName(0.1, 0, byKey.gs8)).toBe('gs8-10-s0');
    expect(gsName(0.1, 1, byKey.gsd)).toBe('gsd-10-s1');
    expect(gsName(0.3, 0, byKey.gsd8)).toBe('gsd8-30-s0');
    expect([byKey.gs16.roundChannels, byKey.gs16.distill, byKey.gs8.roundChannels]).toEqual([16, undefined, 8]);
    expect([byKey.gsd.roundChannels, byKey.gsd.distill, byKey.gsd8.roundChannels, byKey.gsd8.distill]).toEqual([undefined, true, 8, true]);
  });
});
