/** The report's hidden column shows each stop of a size path at its own widths (the configured ones beside them). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRun } from '../../src/network/run-io';
import { RUN_COLUMNS, runCells } from '../../src/report/run-format';
import { loadReportInputs } from '../../src/report/sources';
import { runCli } from '../helpers/cli';
import { record } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-path-hidden-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const HIDDEN = RUN_COLUMNS.indexOf('hidden');

describe('report of a size path', () => {
  it("shows each stop's own hidden widths", async () => {
    let s = 5;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const rows: string[] = [];
    for (let r = 0; r < 300; r++) {
      const x = Array.from({ length: 6 }, rand);
      rows.push(`${x.map((v) => v.toFixed(4)).join(',')},c${x[0] + x[1] > 0.3 ? 0 : x[2] > x[0] ? 1 : 2}`);
    }
    fs.writeFileSync(path.join(dir, 'd.csv'), `${rows.join('\n')}\n`);
    const out = path.join(dir, 'p');
    const t = await runCli([
      'train',
      '--data',
      path.join(dir, 'd.csv'),
      '--hidden',
      '12,12',
      '--target-ratio',
      '0.6,0.15',
      '--epochs',
      '3',
      '--out',
      out,
    ]);
    expect(t.code).toBe(0);
    const { runs } = loadReportInputs([out]);
    expect(runs).toHaveLength(2);
    const own = ['ratio-0.6', 'ratio-0.15'].map((d) =>
      loadRun(path.join(out, d))
        .network.layers.slice(0, -1)
        .map((l) => l.outSize),
    );
    expect(own[0]).not.toEqual(own[1]);
    const cells = runs.map((r) => runCells(r)[HIDDEN]);
    cells.forEach((c, i) => expect(c.startsWith(own[i].join(','))).toBe(true));
    expect(cells[0]).not.toBe(cells[1]);
    cells.forEach((c) => expect(c).toMatch(/\(from 12,12\)$/));
    expect(runs.map((r) => r.summary.startWidths)).toEqual([
      [6, 12, 12, 3],
      [6, 12, 12, 3],
    ]);
  });

  it('a run without recorded widths keeps its configured ones', () => {
    expect(runCells(record('a', 'gl', 1e-3, 0.9, 50))[HIDDEN]).toBe('8');
  });
});
