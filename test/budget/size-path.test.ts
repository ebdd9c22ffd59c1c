/** The size path: stops nested (each a subset of the one before, never larger), saved per budget, plotted and reported. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { loadRun } from '../../src/network/run-io';
import { sizePath } from '../../src/pipeline/size-path';
import { compactSize, widthsOf } from '../../src/train/budget/project';
import { resolveTrainConfig } from '../../src/train/config';
import { planted } from '../train/helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-path-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sizePath', () => {
  it('walks the budgets largest first; each stop fits its budget and is nested in the one before', async () => {
    const data = planted(800, 300, 11);
    const cfg = resolveTrainConfig({ hidden: [12, 12], epochs: 4, lr: 5e-3, seed: 2, engine: 'fused-js' });
    const stops = await sizePath(data, cfg, { ratios: [0.1, 0.5, 0.25], finetuneEpochs: 1 });
    expect(stops.map((s) => s.ratio)).toEqual([0.5, 0.25, 0.1]);
    const full = 20 * 12 + 12 + 12 * 12 + 12 + 12 * 2 + 2;
    stops.forEach((s) => {
      expect(s.targetParams).toBe(Math.floor((s.ratio as number) * full));
      expect(s.params).toBeLessThanOrEqual(s.targetParams);
      expect(compactSize(s.result.network)).toBe(s.params);
    });
    for (let i = 1; i < stops.length; i++) {
      const prev = stops[i - 1].beforeFinetune;
      const cur = stops[i].beforeFinetune;
      expect(stops[i].params).toBeLessThanOrEqual(stops[i - 1].params);
      // nested: the inputs kept are a subset, every width is no larger
      cur.inputIndices.forEach((c) => expect(prev.inputIndices).toContain(c));
      widthsOf(cur).forEach((w, h) => expect(w).toBeLessThanOrEqual(widthsOf(prev)[h]));
    }
  });
});

describe('train with a list of budgets', () => {
  it('saves one run per budget, the path listing and its plot, and the report draws the path', async () => {
    const rows: string[] = [];
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    for (let r = 0; r < 300; r++) {
      const x = Array.from({ length: 6 }, rand);
      rows.push(`${x.map((v) => v.toFixed(4)).join(',')},c${x[0] + x[1] > 0.3 ? 0 : x[2] > x[0] ? 1 : 2}`);
    }
    fs.writeFileSync(path.join(dir, 'd.csv'), `${rows.join('\n')}\n`);
    const out = path.join(dir, 'p');
    const so = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const se = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    let noOut: number;
    let rep: number;
    try {
      noOut = await main(['train', '--data', path.join(dir, 'd.csv'), '--hidden', '8', '--target-ratio', '0.5,0.2', '--epochs', '2']);
      code = await main([
        'train',
        '--data',
        path.join(dir, 'd.csv'),
        '--hidden',
        '8',
        '--target-ratio',
        '0.5,0.2',
        '--epochs',
        '3',
        '--finetune-epochs',
        '1',
        '--json',
        '--out',
        out,
      ]);
      rep = await main(['report', out, '--out', path.join(dir, 'r.html')]);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(noOut).toBe(1);
    expect(code).toBe(0);
    const listing = JSON.parse(fs.readFileSync(path.join(out, 'size-path.json'), 'utf8')) as {
      stops: { dir: string; compactParams: number }[];
    };
    expect(listing.stops.map((x) => x.dir)).toEqual(['ratio-0.5', 'ratio-0.2']);
    const sizes = listing.stops.map((x) => widthsOf(loadRun(path.join(out, x.dir)).network));
    expect(listing.stops[1].compactParams).toBeLessThanOrEqual(listing.stops[0].compactParams);
    sizes[1].forEach((w, h) => expect(w).toBeLessThanOrEqual(sizes[0][h]));
    expect(fs.readFileSync(path.join(out, 'size-path.svg'), 'utf8')).toMatch(/^<svg/);
    expect(rep).toBe(0);
    const html = fs.readFileSync(path.join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/id="size-paths"/);
    expect(html).toMatch(/size path, 2 stops/);
  });
});
