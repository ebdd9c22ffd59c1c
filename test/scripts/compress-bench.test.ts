/**
 * The pure parts of scripts/bench-compress.ts (scripts/lib/compress-bench.ts): the dense
 * baseline's widths for a budget, the JSONL store's resume logic, mean and spread over seeds,
 * the "beats beyond the spread" verdict and the tables; and the paper figures' refresh of an
 * existing REPORT.md (scripts/lib/paper-report.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  aggregate,
  appendBenchRecord,
  bestWithin,
  budgetFor,
  budgetOrder,
  caseTable,
  checkTargets,
  caseLr,
  currentRecords,
  denseWidthsForBudget,
  LEGACY_LR,
  paramCount,
  pendingRuns,
  percentForParams,
  readBenchStore,
  runKey,
  spread,
  targetTable,
  verdict,
  versus,
  algorithmOf,
  gsAlgorithm,
  type BenchRecord,
  type Method,
} from '../../scripts/lib/compress-bench';
import { PAPER_FIGURES, paperCell } from '../../scripts/lib/paper-figures';
import { compactRows, refreshPaperColumns } from '../../scripts/lib/paper-report';

/** A record at the case's current learning rate (what the benchmark would store now). */
function rec(method: Method, seed: number, acc: number, params: number, budgetPercent = 25, c = 'sdd'): BenchRecord {
  const lr = caseLr(c);
  const base = { case: c, budgetPercent, method, seed, epochs: 20, finetuneEpochs: 10, ...(lr !== LEGACY_LR ? { lr } : {}) };
  return {
    ...base,
    key: runKey(base),
    start: [48, 32, 32, 11],
    startParams: 2987,
    budget: budgetFor(2987, budgetPercent),
    layerSizes: [48, 4, 4, 11],
    params,
    testAccuracy: acc,
    seconds: 1,
    detail: {},
    finishedAt: '',
  };
}

describe('parameter counts and budgets', () => {
  test('paramCount counts kernels and biases of a fully connected net', () => {
    expect(paramCount([48, 32, 32, 11])).toBe(2987);
    expect(paramCount([784, 32, 32, 10])).toBe(26506);
    expect(paramCount([784, 300, 100, 10])).toBe(266610);
    expect(paramCount([5, 3])).toBe(18);
  });

  test('budgetFor floors the share, never above it', () => {
    expect(budgetFor(2987, 25)).toBe(746);
    expect(budgetFor(26506, 25)).toBe(6626);
    expect(budgetFor(266610, 10)).toBe(26661);
  });

  test('dense widths: one common factor on the starting widths, the largest that fits', () => {
    const w = denseWidthsForBudget(784, [300, 100], 10, 26661);
    expect(w).not.toBeNull();
    const fits = paramCount([784, ...w!, 10]);
    expect(fits).toBeLessThanOrEqual(26661);
    // the shape keeps the 3:1 ratio of 300,100 (up to rounding)
    expect(Math.abs(w![0] / w![1] - 3)).toBeLessThan(0.2);
    // one step larger in the first layer would not fit
    expect(paramCount([784, w![0] + 1, w![1], 10])).toBeGreaterThan(26661);
    expect(denseWidthsForBudget(48, [32, 32], 11, 746)).toEqual([10, 10]); // 48-10-10-11: 721 parameters
    expect(paramCount([48, 11, 11, 11])).toBeGreaterThan(746);
  });

  test('dense widths: the whole net when it fits, null when even width 1 does not', () => {
    expect(denseWidthsForBudget(48, [32, 32], 11, 5000)).toEqual([32, 32]);
    expect(denseWidthsForBudget(784, [32, 32], 10, 500)).toBeNull(); // 784-1-1-10 has 807
    expect(denseWidthsForBudget(784, [32, 32], 10, 807)).toEqual([1, 1]);
  });
});

describe('the results store', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-bench-store-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a missing store is empty; appended records read back', () => {
    const file = path.join(dir, 'a', 'runs.jsonl');
    expect(readBenchStore(file)).toEqual([]);
    appendBenchRecord(file, rec('gs', 0, 0.9, 700));
    appendBenchRecord(file, rec('dense', 0, 0.8, 721));
    expect(readBenchStore(file).map((r) => r.key)).toEqual(['sdd|25%|gs|seed0|20+10|lr0.005', 'sdd|25%|dense|seed0|20+10|lr0.005']);
  });

  test('a torn last line and junk are skipped (redone); the next append starts on a fresh line', () => {
    const file = path.join(dir, 'b.jsonl');
    fs.writeFileSync(
      file,
      `${JSON.stringify(rec('gs', 0, 0.9, 700))}\nnot json\n{"key":"x"}\n${JSON.stringify(rec('gs', 1, 0.9, 700)).slice(0, 40)}`,
    );
    expect(readBenchStore(file).map((r) => r.seed)).toEqual([0]);
    appendBenchRecord(file, rec('gs', 2, 0.91, 690));
    expect(readBenchStore(file).map((r) => r.seed)).toEqual([0, 2]);
  });

  test('a record whose key does not match its fields is not trusted', () => {
    const file = path.join(dir, 'c.jsonl');
    const bad = { ...rec('gs', 0, 0.9, 700), seed: 3 };
    fs.writeFileSync(file, `${JSON.stringify(bad)}\n`);
    expect(readBenchStore(file)).toEqual([]);
  });

  test('of a repeated key the last line counts; pending runs keep plan order', () => {
    const file = path.join(dir, 'd.jsonl');
    appendBenchRecord(file, rec('peer', 0, 0.5, 697));
    appendBenchRecord(file, rec('peer', 0, 0.6, 697));
    const done = readBenchStore(file);
    expect(done).toHaveLength(1);
    expect(done[0].testAccuracy).toBe(0.6);
    const plan = [rec('peer', 1, 0, 0), rec('peer', 0, 0, 0), rec('gs', 0, 0, 0)].map((r) => ({ key: r.key }));
    expect(pendingRuns(plan, done).map((p) => p.key)).toEqual(['sdd|25%|peer|seed1|20+10|lr0.005', 'sdd|25%|gs|seed0|20+10|lr0.005']);
  });

  test('a gs run of another algorithm is superseded: left out and planned again; peer and dense runs stay', () => {
    const file = path.join(dir, 'e.jsonl');
    const old = rec('gs', 0, 0.85, 730);
    appendBenchRecord(file, old);
    appendBenchRecord(file, { ...rec('gs', 1, 0.86, 730), algorithm: 'budget v1' });
    appendBenchRecord(file, { ...rec('gs', 2, 0.88, 730), algorithm: algorithmOf('gs', 'sdd') });
    appendBenchRecord(file, rec('peer', 0, 0.87, 697));
    const cur = currentRecords(readBenchStore(file));
    expect(cur.map((r) => `${r.method}${r.seed}`)).toEqual(['gs2', 'peer0']);
    const plan = [rec('gs', 0, 0, 0), rec('gs', 2, 0, 0), rec('peer', 0, 0, 0)].map((r) => ({ key: r.key }));
    expect(pendingRuns(plan, cur).map((p) => p.key)).toEqual(['sdd|25%|gs|seed0|20+10|lr0.005']);
    // the rerun's line (tagged) supersedes the old one of the same key
    appendBenchRecord(file, { ...old, testAccuracy: 0.9, algorithm: algorithmOf('gs', 'sdd') });
    const again = currentRecords(readBenchStore(file));
    expect(again.find((r) => r.method === 'gs' && r.seed === 0)?.testAccuracy).toBe(0.9);
    // a tag of another setting's algorithm (constant fine-tuning: small data at lr 1e-3) does not count
    const mnistTagged = { ...rec('gs', 0, 0.97, 6600, 25, 'mnist'), algorithm: gsAlgorithm(1540, 1e-3) };
    expect(currentRecords([mnistTagged])).toEqual([]);
    expect(currentRecords([{ ...mnistTagged, algorithm: algorithmOf('gs', 'mnist') }])).toHaveLength(1);
  });

  test("a run at another learning rate than the case's is superseded, for every method; keys without an lr are 1e-3 runs", () => {
    expect(caseLr('sdd')).toBe(5e-3);
    expect(caseLr('covtype')).toBe(5e-3);
    expect(caseLr('mnist')).toBe(1e-3);
    expect(caseLr('mnist-300-100')).toBe(1e-3);
    expect(caseLr('no such case')).toBe(1e-3);
    const base = { case: 'sdd', budgetPercent: 25, method: 'peer' as Method, seed: 0, epochs: 20, finetuneEpochs: 10 };
    expect(runKey(base)).toBe('sdd|25%|peer|seed0|20+10');
    expect(runKey({ ...base, lr: LEGACY_LR })).toBe('sdd|25%|peer|seed0|20+10');
    expect(runKey({ ...base, lr: 5e-3 })).toBe('sdd|25%|peer|seed0|20+10|lr0.005');
    // an SDD peer stored before records carried an lr ran at 1e-3: kept in the store, left out now
    const old = { ...rec('peer', 0, 0.88, 697), lr: undefined, key: runKey(base) };
    const file = path.join(dir, 'lr.jsonl');
    appendBenchRecord(file, old);
    appendBenchRecord(file, rec('peer', 0, 0.91, 697));
    appendBenchRecord(file, { ...rec('dense', 0, 0.9, 721), lr: 1e-2, key: runKey({ ...base, method: 'dense', lr: 1e-2 }) });
    const stored = readBenchStore(file);
    expect(stored).toHaveLength(3);
    expect(currentRecords(stored).map((r) => `${r.method} ${r.testAccuracy}`)).toEqual(['peer 0.91']);
    // MNIST runs without an lr are current (1e-3 is its lr)
    const mnist = { ...rec('dense', 0, 0.97, 6600, 25, 'mnist') };
    expect(mnist.lr).toBeUndefined();
    expect(currentRecords([mnist])).toHaveLength(1);
    expect(currentRecords([{ ...mnist, lr: 5e-3 }])).toEqual([]);
  });

  test('the tags follow the trainer: the fine-tuning lr schedule by training rows and lr, distillation apart', () => {
    expect(gsAlgorithm(1540, 1e-3)).toMatch(/taylor.*global.*fine-tune lr constant$/);
    expect(gsAlgorithm(1540, 5e-3)).toMatch(/fine-tune lr cosine$/);
    expect(gsAlgorithm(60000, 1e-3)).toMatch(/fine-tune lr cosine$/);
    expect(algorithmOf('gs', 'mnist')).toBe(gsAlgorithm(60000, 1e-3));
    expect(algorithmOf('gs', 'sdd')).toBe(gsAlgorithm(1540, 5e-3));
    expect(algorithmOf('gsd', 'sdd')).toBe(`${gsAlgorithm(1540, 5e-3)}, distill`);
    expect(algorithmOf('gsw', 'mnist')).toBe(`${gsAlgorithm(60000, 1e-3)}, l2 0.0001`);
    expect(algorithmOf('peer', 'sdd')).toBeUndefined();
    expect(algorithmOf('dense', 'mnist')).toBeUndefined();
  });
});

describe('absolute budgets', () => {
  test('a parameter budget keys by its share of the start, rounded down to 3 decimals, and keeps the exact budget', () => {
    expect(percentForParams(266610, 6627)).toEqual({ percent: 2.485, budget: 6627 });
    expect(percentForParams(266610, 2651)).toEqual({ percent: 0.994, budget: 2651 });
    expect(percentForParams(1000, 250)).toEqual({ percent: 25, budget: 250 });
    // never above the starting network
    expect(percentForParams(1000, 5000)).toEqual({ percent: 100, budget: 1000 });
    expect(() => percentForParams(1000, 0)).toThrow(/positive integers/);
    expect(() => percentForParams(1000, 2.5)).toThrow(/positive integers/);
  });
});

describe('aggregation and verdicts', () => {
  test('spread: mean, sample sd, min, max', () => {
    const s = spread([0.9, 0.92, 0.94]);
    expect(s.mean).toBeCloseTo(0.92, 12);
    expect(s.sd).toBeCloseTo(0.02, 12);
    expect([s.min, s.max, s.n]).toEqual([0.9, 0.94, 3]);
    expect(spread([0.5]).sd).toBe(0);
    expect(() => spread([])).toThrow();
  });

  test('versus: beats only when the seed ranges do not overlap', () => {
    expect(versus(spread([0.91, 0.93]), spread([0.88, 0.9]))).toBe('beats');
    expect(versus(spread([0.91, 0.93]), spread([0.88, 0.91]))).toBe('overlaps');
    expect(versus(spread([0.8, 0.85]), spread([0.86, 0.9]))).toBe('loses');
  });

  test('verdict names what it loses to or overlaps with', () => {
    const gs = spread([0.91, 0.93]);
    expect(
      verdict(gs, [
        { label: 'dense', acc: spread([0.8]) },
        { label: 'peer', acc: spread([0.85, 0.9]) },
      ]),
    ).toBe('yes');
    expect(
      verdict(gs, [
        { label: 'dense', acc: spread([0.95, 0.96]) },
        { label: 'peer', acc: spread([0.92]) },
      ]),
    ).toBe('no: loses to dense; within the spread of peer');
    expect(verdict(gs, [{ label: 'peer', acc: undefined }])).toBe('no: peer not run');
    expect(verdict(undefined, [])).toBe('gs-compress not run');
  });

  test('aggregate groups by case, budget and method over seeds; the table has a row per budget', () => {
    const records = [
      rec('gs', 0, 0.9, 700),
      rec('gs', 1, 0.92, 710),
      rec('dense', 0, 0.8, 721),
      rec('dense', 1, 0.82, 721),
      rec('peer', 0, 0.85, 697),
      rec('peer', 1, 0.86, 697),
      rec('gs', 0, 0.7, 140, 5),
    ];
    const cells = aggregate(records);
    expect(cells).toHaveLength(4);
    const gs = cells.find((c) => c.method === 'gs' && c.budgetPercent === 25)!;
    expect(gs.seeds).toEqual([0, 1]);
    expect(gs.params.mean).toBe(705);
    expect(gs.accuracy.mean).toBeCloseTo(0.91, 12);
    const table = caseTable(cells, 'sdd');
    expect(table).toHaveLength(4); // header, rule, 25%, 5%
    expect(table[2]).toMatch(/^\| 25% \(746\) \| 705 \| 0\.9100 ± 0\.0141 \(0\.9000-0\.9200\) \| 721 \|.*\| yes \|$/);
    expect(table[3]).toMatch(
      /^\| 5% \(149\) \| 140 \| 0\.7000 \(1 seed\) \| - \| - \| - \| - \| no: dense from scratch not run; magnitude pruning \(PyTorch\) not run \|$/,
    );
    expect(bestWithin(cells, 746)?.method).toBe('gs');
    expect(bestWithin(cells, 700)?.method).toBe('peer');
    expect(bestWithin(cells, 100)).toBeNull();
  });
});

describe('run order and the targets', () => {
  test('budgetOrder: the target budgets 25% and 10% first, then the rest from large to small', () => {
    expect(budgetOrder([50, 25, 10, 5])).toEqual([25, 10, 50, 5]);
    expect(budgetOrder([5, 50, 100])).toEqual([100, 50, 5]);
    expect(budgetOrder([10, 10])).toEqual([10]);
  });

  test('checkTargets: the best gs cell within the size against a fixed threshold or the dense reference', () => {
    const cells = aggregate([
      rec('gs', 0, 0.9, 700),
      rec('gs', 1, 0.92, 740),
      rec('gs', 0, 0.95, 1400, 50),
      rec('dense', 0, 0.93, 2987, 100),
      rec('dense', 1, 0.91, 2987, 100),
      rec('peer', 0, 0.99, 600),
    ]);
    const [vsDense, fixed, none, noRef] = checkTargets(cells, [
      { label: 'sdd vs dense', cases: ['sdd'], maxParams: 746, againstDense: 'sdd' },
      { label: 'sdd >= 0.9', cases: ['sdd'], maxParams: 746, minAccuracy: 0.9 },
      { label: 'tiny', cases: ['sdd'], maxParams: 100, minAccuracy: 0.5 },
      { label: 'other', cases: ['sdd'], maxParams: 746, againstDense: 'covtype' },
    ]);
    // the peer is more accurate but not gs-compress; the 50% cell is too big
    expect(vsDense.best?.budgetPercent).toBe(25);
    expect(vsDense.threshold).toBeCloseTo(0.92, 12);
    expect(vsDense.status).toBe('not met');
    expect(fixed.status).toBe('met');
    expect(none.status).toBe('not measured');
    expect(noRef.status).toBe('not measured');
    const table = targetTable([vsDense, fixed, none, noRef]);
    expect(table[2]).toMatch(
      /^\| sdd vs dense \| 0\.9200 \| sdd 25%: 720 params \(48-4-4-11\) \| 0\.9100 .*\| not met \(short by 1\.00 points\) \|$/,
    );
    expect(table[5]).toMatch(/\| dense reference not run \|/);
  });

  test('weight decay (gsw): its own column and verdict where run, and it may meet a target; distillation (gsd) may not', () => {
    const base = [rec('gs', 0, 0.9, 700), rec('dense', 0, 0.8, 721), rec('peer', 0, 0.85, 697)];
    expect(caseTable(aggregate(base), 'sdd')[0]).not.toMatch(/gsw/);
    const cells = aggregate([...base, rec('gsw', 0, 0.93, 705), rec('gsw', 1, 0.94, 707), rec('gsd', 0, 0.99, 700)]);
    const table = caseTable(cells, 'sdd');
    expect(table[0]).toMatch(/\| gs: params \| gs: test accuracy \| gsw: params \| gsw: test accuracy \| gsd: params /);
    expect(table[2]).toMatch(/\| 706 \| 0\.9350 ± 0\.0071 \(0\.9300-0\.9400\) \|/);
    expect(table[2]).toMatch(/\| yes; gsw: yes \|$/);
    const [k] = checkTargets(cells, [{ label: 'sdd >= 0.92', cases: ['sdd'], maxParams: 746, minAccuracy: 0.92 }]);
    expect(k.best?.method).toBe('gsw');
    expect(k.status).toBe('met');
    expect(targetTable([k])[2]).toMatch(/\| sdd 25% \(gsw\): 706 params /);
  });
});

describe('the paper figures in REPORT.md', () => {
  test('paperCell: accuracy as the paper gives it, nonzero share, setting and section', () => {
    expect(paperCell(PAPER_FIGURES.sdd.group[0], 2987)).toBe(
      '0.9372, 1970 / 2987 nonzero (66%) (Adam, lr 5e-3, group lasso 1e-4; section 4.1, Figure 5)',
    );
    expect(paperCell(PAPER_FIGURES.covtype.baseline, 3047)).toBe('0.77266 (Adam, lr 3e-4, no weight decay; section 4.3, Figure 8)');
    // the 32-32 networks' parameter counts the paper calls its total neurons
    expect(PAPER_FIGURES.sdd.networkParams).toBe(paramCount([48, 32, 32, 11]));
    expect(PAPER_FIGURES.mnist.networkParams).toBe(paramCount([784, 32, 32, 10]));
    expect(PAPER_FIGURES.covtype.networkParams).toBe(paramCount([54, 32, 32, 7]));
  });

  test('refreshPaperColumns fills the paper column, replaces the note and adds the rows at <= 25%', () => {
    const md = [
      '# Reproducing',
      '',
      'Presets: ...',
      '',
      'The paper column is as quoted in our issue; "see paper" marks figures we have not transcribed.',
      '',
      '## Summary',
      '',
      '| data set | result | test accuracy | paper | nonzero / total params | params after exact pruning | alive neurons (hidden units) | alive inputs |',
      '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |',
      '| sdd (sample) | logistic regression (best of logreg) | 0.5015 | see paper | 539 / 539 | 539 | 0 (no hidden layer) | 48 / 48 |',
      '| sdd (sample) | group sparse, best accuracy | 0.9121 | see paper | 2887 / 2987 | 2855 | 61 / 64 (32, 29) | 48 / 48 |',
      '| mnist | DL baseline (best of baseline) | 0.9730 | 0.9723 | 26506 / 26506 | 26506 | 64 / 64 (32, 32) | 784 / 784 |',
      '',
      '## sdd',
      '| chosen as | configuration |',
    ].join('\n');
    const cells = aggregate([rec('gs', 0, 0.9, 700), rec('gs', 1, 0.92, 720), rec('dense', 0, 0.95, 721), rec('gs', 0, 0.99, 2000, 50)]);
    const out = refreshPaperColumns(md, cells);
    expect(out).not.toMatch(/see paper/);
    expect(out).toMatch(/^The paper column gives the paper's own figures/m);
    expect(out).toMatch(
      /\| sdd \(sample\) \| logistic regression \(best of logreg\) \| 0\.5015 \| 0\.6281 \(lr 1e-3, l2 1e-3; section 4\.1\) \| 539 \/ 539 \|/,
    );
    expect(out).toMatch(
      /\| mnist \| DL baseline \(best of baseline\) \| 0\.9730 \| 0\.9723 \(AdaMax, lr 5e-3, weight decay 1e-4; section 4\.2, Figure 6\); 26506 parameters/,
    );
    // after the last sdd row: gs-compress's best at <= 746 parameters (not the 2000-parameter one), then the better alternative
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('| sdd (sample) | group sparse, best accuracy'));
    expect(lines[at + 1]).toMatch(
      /^\| sdd \(sample\) \| gs-compress at <= 25% \(746 params\), best of bench-compress \(sdd, 48-32-32-11, 25% budget\) \| 0\.9100 ± 0\.0141 \(0\.9000-0\.9200\), 2 seeds \| 0\.9372, 1970 \/ 2987 nonzero/,
    );
    expect(lines[at + 2]).toMatch(/^\| sdd \(sample\) \| best alternative at <= 25% \(746 params\): dense .*\| 0\.9500 \(1 seed\) \|/);
    expect(lines[at + 3]).toMatch(/^\| mnist \| DL baseline/);
    expect(lines[at + 4]).toMatch(/^\| mnist \| gs-compress at <= 25% \(6626 params\): not in reports\/compress\/runs\.jsonl yet \|/);
    // refreshing again changes nothing
    expect(refreshPaperColumns(out, cells)).toBe(out);
    expect(out).toMatch(/## sdd\n\| chosen as/);
  });

  test('the rows at <= 25%: weight decay (gsw) counts as gs-compress, not as an alternative', () => {
    const cells = aggregate([rec('gs', 0, 0.9, 700), rec('gsw', 0, 0.93, 705), rec('peer', 0, 0.92, 697), rec('dense', 0, 0.8, 721)]);
    const rows = compactRows('sdd', cells);
    expect(rows).toHaveLength(1);
    expect(rows[0].result).toBe(
      'gs-compress at <= 25% (746 params), best of bench-compress (sdd, 48-32-32-11, 25% budget, --penalty l2 --lambda 0.0001)',
    );
    const behind = compactRows('sdd', aggregate([rec('gsw', 0, 0.9, 705), rec('peer', 0, 0.92, 697)]));
    expect(behind.map((r) => r.result)).toEqual([
      expect.stringMatching(/^gs-compress at <= 25%.*--penalty l2/),
      expect.stringMatching(/^best alternative at <= 25% \(746 params\): peer /),
    ]);
  });
});
