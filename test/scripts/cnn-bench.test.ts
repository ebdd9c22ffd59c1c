/**
 * scripts/lib/cnn-bench.ts: the narrower network of a multiply-add budget (counted by the layer
 * arithmetic of parseArch), width rewriting, stored cells and the report rows.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  archWidths,
  caseRows,
  compare,
  groupCells,
  macsBudget,
  narrowSpec,
  readCells,
  specCounts,
  targetLines,
  widthLines,
  withWidths,
  writeCell,
  type CnnCell,
} from '../../scripts/lib/cnn-bench';
import { spread } from '../../scripts/lib/compress-bench';

test('widths of a preset and of a spec with batch norm are read and replaced in order', () => {
  expect(archWidths('lenet5')).toEqual([6, 16, 120, 84]);
  expect(withWidths('lenet5', [3, 8, 60, 42])).toBe('c3k5-m2-c8k5-m2-f60-f42');
  expect(withWidths('c16k3p1-bn-m2-c32k3p1-bn-m2-f128', [8, 16, 64])).toBe('c8k3p1-bn-m2-c16k3p1-bn-m2-f64');
  expect(() => withWidths('lenet5', [1, 2])).toThrow(/more widths than 2/);
});

test('LeNet-5 on 28 x 28 counts: 44,426 parameters and the multiply-adds of its layers', () => {
  const c = specCounts('lenet5');
  expect(c.params).toBe(6 * 26 + 16 * 151 + 256 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10);
  // conv1 6x1x25 at 24x24, conv2 16x6x25 at 8x8, 256x120, 120x84, 84x10
  expect(c.macs).toBe(6 * 25 * 576 + 16 * 6 * 25 * 64 + 256 * 120 + 120 * 84 + 84 * 10);
});

test('the narrow network is the widest uniform shrink that fits the budget', () => {
  const start = specCounts('lenet5').macs;
  for (const p of [50, 25, 10]) {
    const budget = macsBudget(start, p);
    const n = narrowSpec('lenet5', budget);
    expect(n).not.toBeNull();
    if (!n) return;
    expect(specCounts(n.spec).macs).toBeLessThanOrEqual(budget);
    // a slightly larger factor no longer fits (or rounds to the same widths)
    const wider = archWidths('lenet5').map((w) => Math.max(1, Math.round(w * (n.factor + 0.02))));
    const widerMacs = specCounts(withWidths('lenet5', wider)).macs;
    expect(widerMacs > budget || wider.every((w, i) => w === n.widths[i])).toBe(true);
  }
  // one channel per layer is already above a tiny budget
  expect(narrowSpec('lenet5', 100)).toBeNull();
});

test('cells are stored, read back and grouped into report rows with the verdict', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-cells-'));
  const cell = (method: CnnCell['method'], percent: number, seed: number, acc: number, us64: number | undefined): CnnCell => ({
    case: 'lenet5',
    method,
    percent,
    seed,
    budgetMacs: 1000,
    testAccuracy: acc,
    params: 10,
    macs: 900,
    widths: [1, 2],
    usPerRow1: us64 === undefined ? undefined : us64 * 2,
    usPerRow64: us64,
    seconds: 1,
  });
  const cells = [
    cell('dense', 100, 0, 0.99, 10),
    cell('dense', 100, 1, 0.98, 10),
    cell('gs', 25, 0, 0.97, 5),
    cell('gs', 25, 1, 0.971, 5),
    cell('narrow', 25, 0, 0.95, 6),
    cell('narrow', 25, 1, 0.951, 6),
    cell('peer', 25, 0, 0.97, undefined),
    cell('peer', 25, 1, 0.972, undefined),
    cell('gs16', 25, 0, 0.96, 2.5),
    cell('gs16', 25, 1, 0.962, 2.5),
  ];
  for (const c of cells) writeCell(dir, c);
  const back = readCells(dir);
  expect(back).toHaveLength(cells.length);
  const groups = groupCells(back);
  const gs = groups.find((g) => g.method === 'gs');
  expect(gs?.accuracy.mean).toBeCloseTo(0.9705, 6);
  const rows = caseRows(groups, 'lenet5');
  const row25 = rows.find((r) => r.startsWith('| 25%'));
  expect(row25).toBeDefined();
  // 2x faster than dense at batch 64; ahead of narrow, within the peer's spread
  expect(row25).toContain('2.00x');
  expect(row25).toMatch(/^\| 25% \| gs \| 97\.05 ± 0\.07 \| 95\.05 ± 0\.07 \| 97\.10 ± 0\.14 \|/);
  expect(row25).toMatch(/ahead, within \|$/);
  // the rounded-widths run on the next row: its own speedup and verdict, narrow and peer not repeated
  const row25r = rows[rows.indexOf(row25 as string) + 1];
  expect(row25r).toMatch(/^\| 25% \| gs16 \| 96\.10 ± 0\.14 \| {2}\| {2}\|/);
  expect(row25r).toContain('4.00x');
  expect(row25r).toMatch(/ahead, behind \|$/);
  expect(widthLines(groups, 'lenet5')).toEqual(['- 25%: gs 1-2, 1-2; gs16 1-2, 1-2']);
  // the peer's shape timed (by --retime): its speedup beside its accuracy
  const timedPeer = groupCells(back.map((c) => (c.method === 'peer' ? { ...c, usPerRow64: 8 } : c)));
  const row25p = caseRows(timedPeer, 'lenet5').find((r) => r.startsWith('| 25%'));
  expect(row25p).toMatch(/^\| 25% \| gs \| 97\.05 ± 0\.07 \| 95\.05 ± 0\.07 \| 97\.10 ± 0\.14 \(1\.25x\) \|/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('compare needs a gap larger than both spreads', () => {
  expect(compare(spread([0.9, 0.91]), spread([0.8, 0.81]))).toBe('ahead');
  expect(compare(spread([0.8, 0.81]), spread([0.9, 0.91]))).toBe('behind');
  expect(compare(spread([0.9, 0.95]), spread([0.91, 0.92]))).toBe('within');
});

test("the issue's targets are checked on the rows: the best qualifying method, met or missed by how much", () => {
  const cell = (
    c: string,
    method: CnnCell['method'],
    percent: number,
    seed: number,
    acc: number,
    params: number,
    us64: number,
  ): CnnCell => ({
    ...{ case: c, method, percent, seed, budgetMacs: 1000, testAccuracy: acc, params, macs: 900, widths: [1, 2] },
    ...{ usPerRow1: us64, usPerRow64: us64, seconds: 1 },
  });
  const groups = groupCells([
    cell('fashion', 'dense', 100, 0, 0.876, 1000, 20),
    cell('fashion', 'dense', 100, 1, 0.878, 1000, 20),
    cell('fashion', 'gs', 25, 0, 0.872, 300, 15),
    cell('fashion', 'gs', 25, 1, 0.874, 300, 15),
    cell('fashion', 'gs8t', 25, 0, 0.86, 250, 12),
    cell('fashion', 'gs8t', 25, 1, 0.862, 250, 12),
    cell('fashion', 'gs', 10, 0, 0.85, 100, 11),
    cell('fashion', 'narrow', 25, 0, 0.86, 300, 16),
    cell('lenet5-caffe', 'gs', 10, 0, 0.992, 600, 5),
    cell('lenet5-caffe', 'gsp', 10, 0, 0.9905, 499, 5),
    cell('lenet5-caffe', 'gsp', 10, 1, 0.9903, 500, 5),
  ]);
  const fashion = targetLines(groups, 'fashion', 1000);
  // dense 87.7 - 0.5 = 87.2 needed; gs 87.3 is the best at 25%; gs8t is the fastest there (20 / 12)
  expect(fashion[0]).toMatch(/minus 0\.5 points \(accuracy >= 87\.20%\): best gs 87\.30 ± 0\.14: \*\*met\*\*/);
  expect(fashion[1]).toMatch(/^- Speed at 25% .* best gs8t 1\.67x \(86\.10 ± 0\.14\): \*\*met\*\*, faster than narrow \(1\.25x\)/);
  expect(fashion[2]).toMatch(/^- Speed at 10% .* best gs 1\.82x .*: missed\./);
  // one row meeting both at 25%: only gs8t is 1.5x faster, and it is 1.10 points short
  expect(fashion[3]).toBe(
    '- Both at 25% in one configuration (accuracy >= 87.20% and >= 1.5x): best gs8t 86.10 ± 0.14 at 1.67x: missed by 1.10 points.',
  );
  // gs at 25% against narrow (one seed): ahead; nothing to compare at 10%
  expect(fashion[4]).toBe('- Ahead of narrow and the peer beyond both seed spreads at every budget (our best row per budget): **met**.');
  const close = groupCells([
    cell('fashion', 'gs', 25, 0, 0.87, 300, 15),
    cell('fashion', 'gs', 25, 1, 0.874, 300, 15),
    cell('fashion', 'peer', 25, 0, 0.871, 300, 15),
  ]);
  expect(targetLines(close, 'fashion', 1000).pop()).toBe(
    '- Ahead of narrow and the peer beyond both seed spreads at every budget (our best row per budget): not everywhere: 25% gs vs peer: within (gap +0.10, spreads 0.28).',
  );
  // gs has more than 5% of the parameters (600 of 10000): only gsp qualifies; 99.04% >= 99%
  const caffe = targetLines(groups, 'lenet5-caffe', 10000);
  expect(caffe[0]).toMatch(/^- Error <= 1\.0% .*: best gsp 99\.04 ± 0\.01, at most 500 parameters \(5\.00%\): \*\*met\*\*/);
  expect(targetLines(groups, 'lenet5-caffe', 9990)[0]).toMatch(/no row of ours that fits/);
  // no dense row: the relative target cannot be checked, and no speed line is made
  expect(
    targetLines(
      groups.filter((g) => g.method !== 'dense'),
      'fashion',
      1000,
    ),
  ).toEqual([
    "- Accuracy at 25% of the MACs >= the dense network's minus 0.5 points: no dense row on these settings.",
    '- Ahead of narrow and the peer beyond both seed spreads at every budget (our best row per budget): **met**.',
  ]);
});
