/** scripts/reproduce-paper.ts helpers: data sources, grids, the stage log across kills, the report and the model card. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { modelCard, modelsIndex, type ModelRecord } from '../../scripts/lib/paper-models';
import { reportMarkdown, type DatasetView } from '../../scripts/lib/paper-report';
import {
  checkpointStage,
  dataSource,
  readStageLog,
  recordStage,
  stageGrid,
  writeStageLog,
  type StageLog,
} from '../../scripts/lib/paper-repro';
import { expandGrid } from '../../src/sweep/grid';
import { fakeRecord } from '../sweep/helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gs-repro-'));

describe('data sources', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  test('the sample in ../shared/data when the catalog finds no full file, the full file when it does', () => {
    const empty = tmp();
    process.env.XDG_CACHE_HOME = empty;
    delete process.env.GS_DATA_DIR;
    // A shared-data folder of our own (the script looks in ../shared/data), so this always runs.
    const shared = tmp();
    expect(dataSource('sdd', false, empty, shared)).toBeNull(); // no sample, no full file
    fs.writeFileSync(path.join(shared, 'sensorless_sample2200.txt.gz'), '');
    fs.writeFileSync(path.join(shared, 'covtype_sample50k.data.gz'), '');
    const s = dataSource('sdd', false, empty, shared);
    expect(s?.kind).toBe('sample');
    expect(s?.spec).toEqual({ data: path.join(shared, 'sensorless_sample2200.txt.gz'), testFraction: 0.3 });
    expect(dataSource('covtype', true, empty, shared)?.spec).toMatchObject({ testFraction: 0.3, maxTrainRows: 2000, maxTestRows: 1000 });
    fs.writeFileSync(path.join(empty, 'Sensorless_drive_diagnosis.txt'), '1 2 3\n');
    const full = dataSource('sdd', false, empty, shared);
    expect(full?.kind).toBe('full');
    expect(full?.spec).toEqual({ data: 'sdd', dataDir: empty });
  });

  test('paper grids and the reduced quick grids', () => {
    const sizes = (quick: boolean) =>
      (['logreg', 'baseline', 'group'] as const).map((p) => expandGrid(stageGrid(p, { data: 'mnist' }, quick)).length);
    expect(sizes(false)).toEqual([18, 80, 72]);
    expect(sizes(true)).toEqual([2, 4, 8]);
    expect(stageGrid('group', { data: 'mnist' }, true).epochs).toEqual([2]);
  });
});

test('stage log: time accumulates over invocations, a killed stage keeps its checkpointed time, modes do not mix', () => {
  const out = tmp();
  let log = readStageLog(out, false);
  recordStage(log, 'sdd/group', { seconds: 10, worked: true, ran: 5 });
  recordStage(log, 'sdd/logreg', { seconds: 3, worked: false, ran: 0 });
  checkpointStage(log, 'sdd/group', 4, 2); // then killed
  writeStageLog(out, log);
  log = readStageLog(out, false);
  expect(log.stages['sdd/group']).toMatchObject({ seconds: 14, ran: 7, invocations: 2, interrupted: 1 });
  expect(log.stages['sdd/group'].running).toBeUndefined();
  expect(log.stages['sdd/logreg']).toMatchObject({ seconds: 0, invocations: 0 });
  recordStage(log, 'sdd/group', { seconds: 1, worked: true, ran: 1, failed: [{ id: 'x', message: 'boom' }] });
  expect(log.stages['sdd/group']).toMatchObject({ seconds: 15, ran: 8, interrupted: 1, failed: [{ id: 'x' }] });
  expect(() => readStageLog(out, true)).toThrow(/full reproduction/);
});

/** The training settings of the fake group-lasso runs below (hidden sizes given per run). */
const GL_TRAIN = {
  optimizer: 'adam',
  lr: 1e-3,
  epochs: 20,
  batchSize: 32,
  seed: 0,
  penalty: 'gl',
  lambda: 1e-4,
  solver: 'prox',
  engine: 'fused',
  backend: 'auto',
} as const;

function view(name: 'mnist' | 'sdd'): DatasetView {
  const rec = (id: string, acc: number, nz: number, hidden: number[]) => {
    const r = fakeRecord(id, acc, nz);
    r.config.train = { hidden, ...GL_TRAIN };
    r.summary.aliveUnits = hidden.map((h) => h - 1);
    r.summary.aliveNeurons = hidden.reduce((a, b) => a + b - 1, 0);
    return r;
  };
  const logreg = rec('lr1', 0.9, 7000, []);
  const base = rec('b1', 0.97, 26506, [32, 32]);
  const best = rec('g1', 0.965, 9000, [32, 32]);
  const sparse = rec('g2', 0.961, 4000, [32, 32]);
  const pv = (preset: 'logreg' | 'baseline' | 'group', records: ReturnType<typeof rec>[], gridSize: number) => ({
    preset,
    storeFile: `/o/sweeps/${name}/${preset}/results.jsonl`,
    gridSize,
    records,
    foreign: 0,
    damaged: 0,
  });
  return {
    name,
    source: {
      name,
      spec: {},
      kind: name === 'sdd' ? 'sample' : 'full',
      location: 'x',
      describe: name === 'sdd' ? 'a 2200-row sample' : 'the full data set',
    },
    presets: { logreg: pv('logreg', [logreg], 18), baseline: pv('baseline', [base], 80), group: pv('group', [best, sparse], 72) },
    logreg,
    baseline: base,
    groupBest: best,
    groupSparsest: sparse,
    model: null,
  };
}

test('REPORT.md: quick banner, paper figures beside ours, sample warning, stage times', () => {
  const log: StageLog = {
    version: 1,
    quick: true,
    command: 'npx tsx scripts/reproduce-paper.ts --quick',
    startedAt: '',
    stages: {},
    data: {},
  };
  recordStage(log, 'mnist/group', { seconds: 75, worked: true, ran: 2 });
  const md = reportMarkdown({
    out: '/o',
    quick: true,
    modelsDir: '/o/models',
    log,
    views: [view('mnist'), view('sdd')],
    groupDesign: null,
    generatedAt: 'T',
  });
  expect(md).toMatch(/QUICK MODE/);
  expect(md).toMatch(
    /\| mnist \| DL baseline \(best of baseline\) \| 0\.9700 \| 0\.9723 \(AdaMax[^|]*section 4\.2, Figure 6\)[^|]*\| 26506 \/ 1000 \|/,
  );
  expect(md).toMatch(/\| mnist \| group sparse, best accuracy \| 0\.9650 \| 0\.9574/);
  expect(md).toMatch(/\| sdd \(sample\) \| DL baseline .*2987 parameters/);
  expect(md).toMatch(/not comparable with the paper/);
  expect(md).toMatch(/\| 1 \/ 18 \|/); // runs done / grid
  expect(md).toMatch(/\| mnist\/group \| 1m15s \| 2 \|/);
  expect(md).toMatch(/\| sdd \(sample\) \| logistic regression \(best of logreg\) \| 0\.9000 \| 0\.6281 /);
  expect(md).toMatch(/\| sdd \(sample\) \| group sparse, sparsest within 0\.5 pt \| 0\.9610 \| 0\.9372, 1970 \/ 2987 nonzero \(66%\)/);
  expect(md).not.toMatch(/see paper/);
  expect(md).toMatch(/\| mnist \| gs-compress at <= 25% \(6626 params\): not in reports\/compress\/runs\.jsonl yet \|/);
});

test('model card and index', () => {
  const m: ModelRecord = {
    dataset: 'sdd',
    quick: false,
    runId: 'abc',
    runDir: 'reports/paper/sweeps/sdd/group/runs/abc',
    onnx: 'models/sdd.onnx',
    tfjsDir: 'models/sdd-tfjs',
    onnxBytes: 9000,
    tfjsBytes: 12000,
    config: { hidden: [32, 32], ...GL_TRAIN },
    standardized: true,
    data: {
      kind: 'sample',
      location: '../shared/data/sensorless_sample2200.txt.gz',
      describe:
        'a 2200-row sample (`../shared/data/sensorless_sample2200.txt.gz`, test fraction 0.3) of the 58509-row data set; the full file was not found',
      trainRows: 1540,
      testRows: 660,
      cols: 3,
      classes: 2,
      classLabels: ['1', '2'],
      testFraction: 0.3,
      splitSeed: 0,
      file: 'sensorless_sample2200.txt.gz',
      sha256: `sha256:4ef4${'0'.repeat(60)}`,
    },
    testAccuracy: 0.95,
    onnxAccuracy: 0.95,
    verification: { ok: true, rows: 660, agreement: 1, maxProbDiff: 1e-7, tolerance: 1e-5 },
    paramsBefore: 2987,
    paramsAfter: 900,
    nonzeroBefore: 1000,
    hiddenBefore: [32, 32],
    hiddenAfter: [10, 8],
    inputs: 3,
    keptInputs: [
      { index: 0, name: 'x0' },
      { index: 2, name: 'x2' },
    ],
    classLabels: ['1', '2'],
    example: { features: [1, 2, 3], predicted: '2', trueLabel: '2' },
    createdAt: '2026-01-01T00:00:00Z',
  };
  const card = modelCard(m);
  expect(card).toMatch(/2987 before pruning \(1000 nonzero\), \*\*900 after\*\*/);
  expect(card).toMatch(/2 of 3: `x0`, `x2`/);
  expect(card).toMatch(/InferenceSession\.create\('models\/sdd\.onnx'\)/);
  expect(card).toMatch(/new Float32Array\(\[1, 2, 3\]\)/);
  expect(card).toMatch(/\nnpx gs-compress verify models\/sdd\.onnx --run models\/sdd-tfjs\n/);
  expect(card).toMatch(
    /\nnpx gs-compress verify node_modules\/gs-compress\/models\/sdd\.onnx --run node_modules\/gs-compress\/models\/sdd-tfjs\n/,
  );
  expect(card).toMatch(
    /`sensorless_sample2200\.txt\.gz`, sha256 `4ef4[0-9a-f]{60}` \(check a copy with `sha256sum sensorless_sample2200\.txt\.gz`\)/,
  );
  expect(card).toMatch(/not distributed with gs-compress/);
  expect(card).toMatch(/npx gs-compress data fetch sdd` \(downloads https:\/\/archive\.ics\.uci\.edu\/.*Sensorless_drive_diagnosis\.txt/);
  expect(card).toMatch(/--run models\/sdd-tfjs --data sdd` compares/);
  expect(card).not.toMatch(/\/(tmp|work|home|root)\//);
  const full = modelCard({
    ...m,
    dataset: 'covtype',
    data: { ...m.data, kind: 'full', location: 'covtype.data.gz', file: 'covtype.data.gz', sha256: m.data.sha256 },
  });
  expect(full).toMatch(/get it from UCI with `npx gs-compress data fetch covtype`.*The model was trained on `covtype\.data\.gz`, sha256/);
  expect(modelCard({ ...m, dataset: 'mnist', data: { ...m.data, kind: 'full', sha256: undefined } })).toMatch(
    /MNIST ships with gs-compress/,
  );
  expect(card).toMatch(/not comparable/);
  expect(modelsIndex([m], false)).toMatch(
    /\| sdd \| \[sdd\.onnx\]\(sdd\.onnx\) \(\[card\]\(sdd\.md\)\) \| sample, 1540\/660 rows \| 0\.9500 \| 2987 → 900 \| 64 → 18 \| 2\/3 \|/,
  );
  expect(modelsIndex([], false)).toMatch(/No models yet/);
});
