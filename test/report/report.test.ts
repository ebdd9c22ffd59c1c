/** The HTML report: reading stores (tolerating a truncated last line) and run directories, plots and table rows, the CLI. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { initNetwork } from '../../src/network/create';
import { saveRun } from '../../src/network/run-io';
import { defaultReportFile } from '../../src/report/default-file';
import { buildReport } from '../../src/report/report';
import { loadReportInputs } from '../../src/report/sources';
import { expectWellFormed, history, record } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-report-'));
const p = (f: string) => path.join(dir, f);
const records = [
  record('a1', 'gl', 1e-4, 0.91, 120),
  record('b2', 'gl', 1e-3, 0.905, 60),
  record('c3', 'l1', 1e-4, 0.88, 300),
  record('d4', 'none', 0, 0.92, 1000),
];

beforeAll(() => {
  const lines = records.map((r) => JSON.stringify(r));
  const cut = JSON.stringify(record('zz', 'l1', 1e-2, 0.5, 10)).slice(0, 80); // a sweep killed mid-write
  fs.writeFileSync(p('results.jsonl'), `${lines.join('\n')}\n${cut}`);
  const net = initNetwork({ inputWidth: 4, hidden: [5], classes: 3 }, 7);
  net.layers[0].kernel.fill(0, 0, 5); // input 0 dead
  saveRun(p('run-x'), net, {
    generatedBy: 'test',
    createdAt: 'now',
    config: { hidden: [5], optimizer: 'adam', lr: 0.01, epochs: 3, penalty: 'gl', lambda: 0.001 },
    history: history(3, 0.7),
    summary: { testAccuracy: 0.7, trainSeconds: 0.3 },
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('report inputs', () => {
  it('reads a store, skipping its truncated last line, and a run directory', () => {
    const { runs, sources } = loadReportInputs([p('results.jsonl'), p('run-x')]);
    expect(runs.map((r) => r.id)).toEqual(['a1', 'b2', 'c3', 'd4', 'run-x']);
    expect(sources.map((s) => [s.kind, s.runs, s.skippedLines])).toEqual([
      ['store', 4, 1],
      ['run', 1, 0],
    ]);
    const run = runs[4];
    expect(run.summary.totalParams).toBe(4 * 5 + 5 + 5 * 3 + 3);
    expect(run.summary.nonzeroParams).toBe(run.summary.totalParams - 5);
    expect(run.summary.testAccuracy).toBe(0.7);
    expect(run.history).toHaveLength(3);
  });

  it('accepts a sweep folder, names what is missing', () => {
    expect(loadReportInputs([dir]).runs).toHaveLength(4);
    expect(() => loadReportInputs([p('nope')])).toThrow(/nope not found/);
    fs.mkdirSync(p('empty'), { recursive: true });
    expect(() => loadReportInputs([p('empty')])).toThrow(/neither gs-run.json/);
  });
});

describe('the HTML report', () => {
  it('holds each plot, the selection and a table row for each run', async () => {
    const { html, model } = await buildReport([p('results.jsonl'), p('run-x')], { tolerance: 0.01, generatedAt: 'today' });
    expect(model.best?.id).toBe('d4');
    expect(model.sparsest?.id).toBe('a1'); // 0.91 is within 0.01 of 0.92 with fewer nonzeros than d4; b2 is not
    expect(model.front.map((r) => r.id)).toEqual(['run-x', 'b2', 'a1', 'd4']); // run-x: 33 nonzeros
    expectWellFormed(html.replace(/<(meta|!DOCTYPE)[^>]*>/g, ''));
    for (const id of ['plot-pareto', 'plot-loss', 'plot-accuracy']) {
      expect(html).toMatch(new RegExp(`<figure class="plot" id="${id}">\\s*<svg`));
    }
    expect((html.match(/<svg /g) ?? []).length).toBe(3);
    const runsTable = html.slice(html.indexOf('id="runs-table"'));
    for (const id of ['a1', 'b2', 'c3', 'd4', 'run-x']) expect(runsTable).toContain(`<tr data-run="${id}"`);
    expect((runsTable.match(/<tr data-run=/g) ?? []).length).toBe(5);
    const selection = html.slice(html.indexOf('id="selection-table"'), html.indexOf('id="runs-table"'));
    expect(selection).toContain('best test score'); // these records have no validation score: selected by test, with a note
    expect(html).toContain('the 5 runs record no validation score');
    expect(selection).toContain('sparsest within');
    expect((selection.match(/Pareto front \d\/4/g) ?? []).length).toBe(4);
    expect(html).toContain('1 damaged or truncated line skipped');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });

  it('gs-compress report writes the file atomically and prints the selection', async () => {
    let out = '';
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const se = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const file = p('out/report.html');
    try {
      expect(await main(['report', p('results.jsonl'), p('run-x'), '--out', file])).toBe(0);
      expect(await main(['report', p('missing.jsonl'), '--out', p('never.html')])).toBe(1);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(out).toMatch(/best accuracy\s+d4/);
    expect(out).toContain(`wrote ${file}: 5 runs from 2 sources`);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(fs.readdirSync(p('out'))).toEqual(['report.html']);
    expect(fs.existsSync(p('never.html'))).toBe(false);
  });

  it('without --out writes into the run folder (several sources: their common folder), not the working folder', async () => {
    let out = '';
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const se = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const inCwd = path.resolve('report.html');
    const before = fs.existsSync(inCwd) ? fs.statSync(inCwd).mtimeMs : null;
    try {
      expect(await main(['report', p('run-x')])).toBe(0);
      expect(await main(['report', p('results.jsonl'), p('run-x'), '--json'])).toBe(0);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(fs.readFileSync(p('run-x/report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(out).toContain(`wrote ${p('run-x/report.html')}: 1 run from 1 source`);
    expect(fs.readFileSync(p('report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect((JSON.parse(out.trim().split('\n').pop() as string) as { out: string }).out).toBe(p('report.html'));
    expect(fs.existsSync(inCwd) ? fs.statSync(inCwd).mtimeMs : null).toBe(before);
  });
});

describe('defaultReportFile', () => {
  it('places the report in a source folder, beside a store file, or in the common folder of several', () => {
    expect(defaultReportFile([p('run-x')])).toBe(p('run-x/report.html'));
    expect(defaultReportFile([p('results.jsonl')])).toBe(p('report.html'));
    expect(defaultReportFile([p('runs/a'), p('runs/b/c')])).toBe(p('runs/report.html'));
    expect(defaultReportFile([p('runs/a'), p('runs/ab')])).toBe(p('runs/report.html'));
  });
});
