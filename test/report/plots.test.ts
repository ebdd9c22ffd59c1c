/** The SVG plots: well-formed SVG with one mark per run, series or point, and the expected axis titles. */
import { accuracyCurvesSvg, lossCurvesSvg } from '../../src/report/curves';
import { paretoSvg } from '../../src/report/pareto-plot';
import { countTags, expectWellFormed, history, markGroups } from './helpers';

const runs = [
  { label: 'run-a gl', history: history(4, 0.9) },
  { label: 'run-b l1', history: history(6, 0.8) },
  { label: 'run-c none', history: history(2, 0.95) },
];

describe('curve plots', () => {
  it('loss curves: a line per run and series, axis titles, legend labels', async () => {
    const svg = await lossCurvesSvg(runs);
    expect(svg.startsWith('<svg')).toBe(true);
    expectWellFormed(svg);
    const lines = markGroups(svg, 'curves');
    expect(lines).toHaveLength(6); // 3 runs x (data loss, data loss + penalty)
    expect(lines.map((g) => countTags(g, 'path'))).toEqual([1, 1, 1, 1, 1, 1]);
    for (const t of ['epoch', 'loss', 'run-a gl', 'run-b l1', 'data loss + penalty']) expect(svg).toContain(t);
  });

  it('accuracy curves: a line per run, train accuracy on request; non-finite epochs are skipped', async () => {
    const svg = await accuracyCurvesSvg(runs);
    expectWellFormed(svg);
    expect(markGroups(svg, 'curves')).toHaveLength(3);
    expect(svg).toContain('accuracy');
    const withTrain = await accuracyCurvesSvg(runs.slice(0, 2), { train: true });
    expect(markGroups(withTrain, 'curves')).toHaveLength(4);
    const broken = [
      {
        label: 'x',
        history: [
          { epoch: 1, testAccuracy: 0.5 },
          { epoch: 2, testAccuracy: NaN },
          { epoch: 3, testAccuracy: 0.6 },
        ],
      },
    ];
    const svg2 = await accuracyCurvesSvg(broken);
    expect(markGroups(svg2, 'curves')).toHaveLength(1);
    expect(svg2).not.toContain('NaN');
  });
});

describe('Pareto plot', () => {
  const rows = [
    { id: 'a', penalty: 'gl', nonzeroParams: 100, testAccuracy: 0.9 },
    { id: 'b', penalty: 'gl', nonzeroParams: 1000, testAccuracy: 0.95 },
    { id: 'c', penalty: 'l1', nonzeroParams: 500, testAccuracy: 0.85 },
    { id: 'd', penalty: 'l1', nonzeroParams: 5000, testAccuracy: 0.96 },
    { id: 'e', penalty: 'none', nonzeroParams: 10000, testAccuracy: 0.94 },
  ];
  it('a point per run, the front as one line, chosen runs circled and labelled', async () => {
    const front = [rows[0], rows[1], rows[3]];
    const svg = await paretoSvg(rows, front, [
      { ...rows[3], reason: 'best accuracy' },
      { ...rows[1], reason: 'sparsest within 0.5 pt' },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expectWellFormed(svg);
    expect(markGroups(svg, 'runs').map((g) => countTags(g, 'path'))).toEqual([5]);
    expect(markGroups(svg, 'front').map((g) => countTags(g, 'path'))).toEqual([1]);
    expect(markGroups(svg, 'chosen').map((g) => countTags(g, 'path'))).toEqual([2]);
    expect(markGroups(svg, 'chosenLabels').map((g) => countTags(g, 'text'))).toEqual([2]);
    for (const t of ['nonzero parameters (log scale)', 'test accuracy', 'best accuracy', 'sparsest within 0.5 pt', 'penalty'])
      expect(svg).toContain(t);
    for (const p of ['gl', 'l1', 'none']) expect(svg).toContain(`>${p}</text>`);
  });
});
