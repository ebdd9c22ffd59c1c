/**
 * The cells of the import report's Fashion-MNIST section (scripts/import-report.ts --only fashion):
 * the data folder (the first rows of Fashion-MNIST's training file and its whole test file, plain
 * IDX), the PyTorch original (scripts/make-import-fixtures.py --fashion-cnn), and one JSON file per
 * finished cell under .cache/import/fashion-cells/SETTINGS/ (a compression by compressModel at a
 * MACs ratio and seed, as is or as a variant (VARIANTS: --round-channels, --distill), the PyTorch L1 filter-pruning peer at the same MACs and seed, the
 * --target-speedup run), so that an interrupted benchmark resumes where it stopped. The cells committed in
 * reports/import/fashion-cells.json are put back into that folder when missing (restoreCells).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeIdxSubset } from './idx-subset';
import { findMnistFiles, loadDataset } from '../../src/data';
import type { SplitDataset } from '../../src/data/types';
import { timeModels } from '../../src/pipeline/compress-speed';
import { compressModel, type CompressModelResult } from '../../src/pipeline/compress-model';
import { VERSION } from '../../src/version';

export const FASHION_ARCH = 'c16k3p1-bn-m2-c32k3p1-bn-m2-f128';
/** The same network in the peer's grammar: batch norm by --bn, not by tokens. */
export const PEER_ARCH = 'c16k3p1-m2-c32k3p1-m2-f128';

export interface FashionSettings {
  root: string;
  /** Folder of Fashion-MNIST's four IDX files (plain or .gz). */
  source: string;
  /** Training rows used by all (the first rows of the training file); 0 = all. */
  trainRows: number;
  /** Epochs the PyTorch original is trained (and the peer's dense epochs). */
  originalEpochs: number;
  /** compressModel: budget epochs, fine-tuning epochs. The peer gets rounds x 1 epoch + the same fine-tuning. */
  epochs: number;
  finetuneEpochs: number;
  lr: number;
  batch: number;
  peer?: string;
  python: string;
}

/** The settings the peer's cells depend on (not on our fine-tuning's learning-rate schedule). */
export const peerSettingsKey = (s: FashionSettings): string =>
  `rows${s.trainRows || 'all'}-o${s.originalEpochs}-e${s.epochs}+${s.finetuneEpochs}-lr${s.lr}-b${s.batch}`;
/**
 * The settings of every cell: the peer's and the fine-tuning schedule compress now takes by default
 * for a CNN (cosine; the cells made before it fine-tuned at a constant rate, under peerSettingsKey).
 */
export const settingsKey = (s: FashionSettings): string =>
  peerSettingsKey(s).replace(`+${s.finetuneEpochs}-`, `+${s.finetuneEpochs}cosine-`);

const workDir = (s: FashionSettings): string => path.join(s.root, '.cache', 'import', 'fashion-cells', settingsKey(s));
export const modelFile = (s: FashionSettings): string => path.join(s.root, '.cache', 'import', 'fashion-cnn.onnx');
const modelKeyFile = (s: FashionSettings): string => `${modelFile(s)}.settings`;
const modelKey = (s: FashionSettings): string => `rows${s.trainRows || 'all'}-o${s.originalEpochs}`;

/** The plain IDX folder every method reads: the first trainRows training rows and the whole test file. */
export function prepareData(s: FashionSettings): string {
  const dir = path.join(s.root, '.cache', 'import', `fashion-data-${s.trainRows || 'all'}`);
  if (findMnistFiles(dir)) return dir;
  const files = findMnistFiles(s.source);
  if (!files) throw new Error(`${s.source}: no Fashion-MNIST IDX files (Debian's dataset-fashion-mnist installs them there)`);
  return writeIdxSubset(files, dir, s.trainRows || Infinity, Infinity);
}

/** Trains the PyTorch original with the fixture script when missing (or made with other settings). */
export function ensureFashionModel(s: FashionSettings, dataDir: string): string {
  const file = modelFile(s);
  const key = fs.existsSync(modelKeyFile(s)) ? fs.readFileSync(modelKeyFile(s), 'utf8').trim() : '';
  if (fs.existsSync(file) && key === modelKey(s)) return file;
  console.log(`training the PyTorch Fashion-MNIST CNN (scripts/make-import-fixtures.py --fashion-cnn, ${s.originalEpochs} epochs)...`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const script = path.join(s.root, 'scripts', 'make-import-fixtures.py');
  const r = spawnSync(s.python, [script, '--fashion-cnn', dataDir, file, String(s.originalEpochs)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the fixture script failed');
  fs.writeFileSync(modelKeyFile(s), modelKey(s));
  return file;
}

export interface SpeedCell {
  batch: number;
  originalUsPerRow: number | null;
  slimUsPerRow: number;
  speedup: number | null;
}

/** One compression by compressModel, as stored. */
export interface GsCell {
  kind: 'gs';
  /** The cell's name (gsName, speedupName); absent in cells written before it was kept. */
  name?: string;
  /** compressModel's roundChannels (every width below it or a multiple of it); absent: 1, any width. */
  roundChannels?: number;
  /** compressModel's distill (the original's softened probabilities mixed into the labels); absent: false. */
  distill?: boolean;
  ratio: number;
  seed: number;
  targetMacs: number | undefined;
  targetSpeedup?: number;
  original: { accuracy: number | null; params: number; macs: number; bytes: number };
  slim: { accuracy: number | null; params: number; macs: number; bytes: number; widths: number[] };
  agreement: number | null;
  accuracyBeforeFinetune: number | undefined;
  exportMaxDiff: number;
  steps: (number | undefined)[];
  /** Test accuracy after each epoch (budget training, then fine-tuning); absent in cells written before it was kept. */
  epochs?: { phase: string; epoch: number; testAccuracy: number }[];
  budgetSpeed?: unknown;
  node: { runtime: string | null; rows: SpeedCell[] };
  web: { runtime: string; rows: SpeedCell[] };
  interface: string;
  testRows: number;
  minutes: number;
}

/** One run of the peer, as it printed it. */
export interface PeerCell {
  kind: 'peer';
  name?: string;
  ratio: number;
  seed: number;
  budgetMacs: number;
  dense_test_accuracy: number;
  test_accuracy: number;
  widths: number[];
  params: number;
  macs: number;
  macs_dense: number;
  seconds: number;
}

const cellPath = (s: FashionSettings, name: string): string => path.join(workDir(s), `${name}.json`);
/** The slim model of a compression cell (ONNX), kept beside its JSON. */
export const slimFile = (s: FashionSettings, name: string): string => path.join(workDir(s), `${name}.onnx`);
/** A variant of the compression: compressModel options set beside its defaults, named by its cells' prefix. */
export interface CellVariant {
  /** The cells' prefix (KEY-PCT-sSEED) and the --cells kind that runs them. */
  key: string;
  /** The CLI flags that ask compress for the same. */
  label: string;
  roundChannels?: number;
  distill?: boolean;
  /** --target-speedup beside the MACs budget, per budget in percent (the speed targets: 1.5x at 30%, 2x at 10%). */
  speedupAt?: Record<number, number>;
}

/** The speed targets the report holds the slim model to, per MACs budget in percent. */
export const SPEED_TARGETS: Record<number, number> = { 30: 1.5, 10: 2 };

/** The variants the section shows beside gs-compress as is, in this order (--cells KEY runs one). */
export const VARIANTS: CellVariant[] = [
  { key: 'gs16', label: '--round-channels 16', roundChannels: 16 },
  { key: 'gs8', label: '--round-channels 8', roundChannels: 8 },
  { key: 'gsd', label: '--distill', distill: true },
  { key: 'gsd8', label: '--distill --round-channels 8', distill: true, roundChannels: 8 },
  {
    key: 'gs8t',
    label: '--round-channels 8 --target-speedup S (1.5 at 30%, 2 at 10%)',
    roundChannels: 8,
    speedupAt: SPEED_TARGETS,
  },
  {
    key: 'gsd8t',
    label: '--distill --round-channels 8 --target-speedup S (1.5 at 30%, 2 at 10%)',
    distill: true,
    roundChannels: 8,
    speedupAt: SPEED_TARGETS,
  },
];

/** A compression's cell name: gs-PCT-sSEED, or with a variant KEY-PCT-sSEED. */
export const gsName = (ratio: number, seed: number, variant?: CellVariant): string =>
  `${variant?.key ?? 'gs'}-${Math.round(ratio * 100)}-s${seed}`;
export const peerName = (ratio: number, seed: number): string => `peer-${Math.round(ratio * 100)}-s${seed}`;
export const speedupName = (speedup: number, seed: number): string => `speedup-${speedup}-s${seed}`;

export function readCell<T>(s: FashionSettings, name: string): T | null {
  const f = cellPath(s, name);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as T) : null;
}

/** The committed cells file (reports/import/fashion-cells.json). */
export const cellsFile = (s: FashionSettings): string => path.join(s.root, 'reports', 'import', 'fashion-cells.json');

/**
 * Puts the committed cells (reports/import/fashion-cells.json, when made with these settings) back under
 * .cache/import/fashion-cells/SETTINGS/ where missing, so that a fresh checkout does not run them again
 * (their slim ONNX files are not committed: the profiles need a cell run here). Returns the names restored.
 */
export function restoreCells(s: FashionSettings): string[] {
  const f = cellsFile(s);
  if (!fs.existsSync(f)) return [];
  const saved = JSON.parse(fs.readFileSync(f, 'utf8')) as { settings: string; cells: { name?: string; kind?: string }[] };
  // cells of earlier settings that differ only in our fine-tuning schedule: the peer's still hold
  const peersOnly = saved.settings === peerSettingsKey(s) && saved.settings !== settingsKey(s);
  if (saved.settings !== settingsKey(s) && !peersOnly) return [];
  const restored: string[] = [];
  for (const c of saved.cells) {
    if (!c.name || fs.existsSync(cellPath(s, c.name)) || (peersOnly && c.kind !== 'peer')) continue;
    writeCell(s, c.name, c);
    restored.push(c.name);
  }
  return restored;
}

function writeCell(s: FashionSettings, name: string, cell: unknown): void {
  fs.mkdirSync(workDir(s), { recursive: true });
  const f = cellPath(s, name);
  fs.writeFileSync(`${f}.part`, JSON.stringify(cell, null, 1));
  fs.renameSync(`${f}.part`, f);
}

/** onnxruntime-web (WebAssembly, one thread) µs per row of the slim and the original model at each batch. */
async function webSpeeds(slim: Uint8Array, original: Uint8Array, batches: number[]): Promise<GsCell['web']> {
  const before = process.env.GS_COMPRESS_ORT;
  process.env.GS_COMPRESS_ORT = 'web';
  try {
    const rows: SpeedCell[] = [];
    let runtime = '';
    for (const batch of batches) {
      const t = await timeModels([slim, original], batch, { threads: 1 });
      runtime = t.runtime;
      const [sl, or] = t.usPerRow;
      if (sl === null) throw new Error(`the slim model does not run in onnxruntime-web at batch ${batch}`);
      rows.push({ batch, originalUsPerRow: or, slimUsPerRow: sl, speedup: or === null ? null : or / sl });
    }
    return { runtime, rows };
  } finally {
    if (before === undefined) delete process.env.GS_COMPRESS_ORT;
    else process.env.GS_COMPRESS_ORT = before;
  }
}

let dataCache: SplitDataset | null = null;
async function data(dir: string): Promise<SplitDataset> {
  dataCache ??= await loadDataset({ data: dir });
  return dataCache;
}

/** Runs (or reads) one compression: to `ratio` of the MACs, or to `speedup` times faster at batch 64. */
export async function gsCell(
  s: FashionSettings,
  dataDir: string,
  model: string,
  goal: { ratio: number } | { speedup: number },
  seed: number,
  variant?: CellVariant,
): Promise<GsCell> {
  const name = 'ratio' in goal ? gsName(goal.ratio, seed, variant) : speedupName(goal.speedup, seed);
  const roundChannels = variant?.roundChannels;
  const distill = variant?.distill === true;
  // a --target-speedup run, or a variant's speed target beside its MACs ratio
  const speedup = 'speedup' in goal ? goal.speedup : variant?.speedupAt?.[Math.round(goal.ratio * 100)];
  const done = readCell<GsCell>(s, name);
  if (done) return done;
  const t0 = Date.now();
  const r: CompressModelResult = await compressModel(model, await data(dataDir), {
    ...('ratio' in goal ? { targetMacsRatio: goal.ratio } : {}),
    ...(speedup !== undefined ? { targetSpeedup: speedup, speedBatch: 64 } : {}),
    ...(roundChannels !== undefined ? { roundChannels } : {}),
    ...(distill ? { distill } : {}),
    epochs: s.epochs,
    finetuneEpochs: s.finetuneEpochs,
    train: { lr: s.lr, optimizer: 'adam', seed, batchSize: s.batch },
    producerVersion: VERSION,
    onStatus: (m) => console.log(`${name}: ${m}`),
    onEpoch: (phase, e) =>
      console.log(
        `  ${phase} epoch ${e.epoch}: loss ${e.dataLoss.toFixed(4)} test acc ${e.testAccuracy.toFixed(4)} (${e.seconds.toFixed(1)} s)`,
      ),
  });
  const original = fs.readFileSync(model);
  const web = await webSpeeds(r.onnx, original, [1, 64]);
  fs.mkdirSync(workDir(s), { recursive: true });
  fs.writeFileSync(slimFile(s, name), r.onnx);
  const cell: GsCell = {
    kind: 'gs',
    name,
    ...(roundChannels !== undefined ? { roundChannels } : {}),
    ...(distill ? { distill } : {}),
    ratio: 'ratio' in goal ? goal.ratio : r.slim.macs / r.original.macs,
    seed,
    targetMacs: r.targetMacs,
    ...(speedup !== undefined ? { targetSpeedup: speedup } : {}),
    original: { accuracy: r.original.testAccuracy, params: r.original.parameters, macs: r.original.macs, bytes: r.original.bytes },
    slim: {
      accuracy: r.slim.testAccuracy,
      params: r.slim.parameters,
      macs: r.slim.macs,
      bytes: r.slim.bytes,
      widths: r.slim.layers.slice(1),
    },
    agreement: r.agreement,
    accuracyBeforeFinetune: r.accuracyBeforeFinetune,
    exportMaxDiff: r.exportMaxDiff,
    steps: r.projections.map((p) => p.afterMacs ?? p.after),
    epochs: r.history.map((e) => ({ phase: e.phase ?? 'budget', epoch: e.epoch, testAccuracy: e.testAccuracy })),
    budgetSpeed: r.budgetSpeed,
    node: { runtime: r.speed.runtime, rows: r.speed.rows },
    web,
    interface: r.interface,
    testRows: r.testRows,
    minutes: (Date.now() - t0) / 60000,
  };
  writeCell(s, name, cell);
  return cell;
}

/** Runs a child process; resolves with its stdout. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} exited ${code}: ${err.trim().slice(-2000)}`)),
    );
  });
}

/** Runs (or reads) the peer at `budgetMacs` from the same architecture, data and epochs. */
export async function peerCell(
  s: FashionSettings,
  dataDir: string,
  ratio: number,
  budgetMacs: number,
  seed: number,
): Promise<PeerCell | null> {
  const name = peerName(ratio, seed);
  const done = readCell<PeerCell>(s, name);
  if (done || !s.peer) return done;
  console.log(`${name}: the PyTorch peer at ${budgetMacs} multiply-adds...`);
  const out = await run(s.python, [
    s.peer,
    '--idx',
    dataDir,
    '--arch',
    PEER_ARCH,
    '--bn',
    '--budget-macs',
    String(budgetMacs),
    '--epochs',
    String(s.originalEpochs),
    '--rounds',
    String(s.epochs),
    '--round-epochs',
    '1',
    '--finetune',
    String(s.finetuneEpochs),
    '--lr',
    String(s.lr),
    '--batch',
    String(s.batch),
    '--threads',
    '1',
    '--seed',
    String(seed),
  ]);
  const json = JSON.parse(out.trim().split('\n').pop() ?? '') as Omit<PeerCell, 'kind' | 'ratio' | 'seed' | 'budgetMacs'>;
  const cell: PeerCell = { ...json, kind: 'peer', name, ratio, seed, budgetMacs };
  writeCell(s, name, cell);
  return cell;
}

/** One node's kernel time in an onnxruntime-node profile: its op type and µs per row. */
export interface NodeTime {
  op: string;
  node: string;
  usPerRow: number;
}

/**
 * Where a model's time goes in onnxruntime-node (one thread, `batch` random rows, `runs` runs after a
 * warm-up of 5): onnxruntime's own profiler, each node's kernel time summed over the runs, per row, in the
 * order the nodes first ran (the graph after onnxruntime's optimizations: fused nodes, NCHWc reorders).
 */
export async function profileNodes(bytes: Uint8Array, batch = 64, runs = 30): Promise<NodeTime[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-profile-'));
  try {
    const s = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'p'),
    });
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: batch * 784 }, (_, i) => ((i * 7919) % 256) / 255),
      [batch, 1, 28, 28],
    );
    const feed = { [s.inputNames[0]]: x };
    const warm = 5;
    for (let i = 0; i < warm + runs; i++) await s.run(feed);
    s.endProfiling();
    await s.release();
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) throw new Error('onnxruntime wrote no profile');
    const events = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      cat?: string;
      name?: string;
      dur?: number;
      args?: { op_name?: string };
    }[];
    const out = new Map<string, NodeTime & { seen: number }>();
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time')) continue;
      const node = e.name.slice(0, -'_kernel_time'.length);
      const t = out.get(node) ?? { op: e.args?.op_name ?? '?', node, usPerRow: 0, seen: 0 };
      // the warm-up runs are profiled too (the session profiles from its start): skip them
      if (t.seen++ >= warm) t.usPerRow += (e.dur ?? 0) / (runs * batch);
      out.set(node, t);
    }
    return [...out.values()].map(({ op, node, usPerRow }) => ({ op, node, usPerRow }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
