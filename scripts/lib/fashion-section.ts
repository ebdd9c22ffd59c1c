/**
 * The Fashion-MNIST section of reports/import/IMPORT.md (scripts/import-report.ts --only fashion):
 * runs the cells still missing (scripts/lib/fashion-import.ts), then writes the section from every
 * cell done: accuracy, agreement, parameters, multiply-adds, file sizes and onnxruntime-node and
 * onnxruntime-web µs per row of the original and the slim model at 30% and 10% of the multiply-adds,
 * the PyTorch L1 filter-pruning peer at the same multiply-adds, the --target-speedup run, and the
 * issue's targets met or missed with the figures that decide them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { VERSION } from '../../src/version';
import { compare, specCounts } from './cnn-bench';
import { spread, type Spread } from './compress-bench';
import {
  ensureFashionModel,
  FASHION_ARCH,
  gsCell,
  gsName,
  modelFile,
  profileNodes,
  slimFile,
  type NodeTime,
  peerCell,
  peerName,
  prepareData,
  readCell,
  settingsKey,
  speedupName,
  type FashionSettings,
  type GsCell,
  type PeerCell,
} from './fashion-import';
import type { ScriptArgs } from './script-args';

/** What the profiles show (the original first, then the slim models; figures from the table above). */
function profileNote(profiles: { widths?: number[]; nodes: NodeTime[] }[]): string {
  const convs = (p: { nodes: NodeTime[] }) => p.nodes.filter((n) => n.op === 'Conv' || n.op === 'FusedConv');
  const sum = (p: { nodes: NodeTime[] }) => p.nodes.reduce((a, n) => a + n.usPerRow, 0);
  const extra = (p: { nodes: NodeTime[] }) => p.nodes.filter((n) => n.op === 'ReorderOutput').reduce((a, n) => a + n.usPerRow, 0);
  const [o, s30] = profiles;
  if (!o || !s30 || convs(o).length < 2 || convs(s30).length < 2 || !s30.widths) return '';
  const first = profiles.map((p) => convs(p)[0]?.usPerRow ?? NaN);
  const w = s30.widths;
  const macsShare = (w[0] * w[1]) / (16 * 32);
  const timeShare = convs(s30)[1].usPerRow / convs(o)[1].usPerRow;
  return `On this machine onnxruntime runs these convolutions in its blocked NCHWc layout (channels in blocks of 16 with
AVX-512, see reports/cnn/CHANNEL-WIDTHS.md). The profiles show what that costs the slim models. The first convolution
takes about the same time whatever its width (${Math.min(...first).toFixed(2)}-${Math.max(...first).toFixed(2)} µs/row for ${profiles
    .map((p) => p.widths?.[0] ?? '?')
    .join(', ')} channels): one block of 16 either way. The second falls far less than its multiply-adds: at ${w[0]}-${w[1]}
channels it has ${(100 * macsShare).toFixed(0)}% of the original's multiply-adds and takes ${(100 * timeShare).toFixed(0)}% of its time. And a
width off the blocks makes onnxruntime reorder outputs back to plain NCHW (ReorderOutput: ${extra(o).toFixed(2)} µs/row in
the original, ${extra(s30).toFixed(2)} in the ${w[0]}-${w[1]} model) and pool on that layout. So at 30% little is left of the saving
(${sum(o).toFixed(1)} -> ${sum(s30).toFixed(1)} µs/row in these profiles): the budget in multiply-adds
is not a budget in time here, which is what --target-speedup is for.`;
}

const PROFILE_ROUNDS = 5;

/**
 * What the cells say beyond the tables, computed from them (no figure written by hand, so that a run with
 * other code or settings does not inherit another run's words): each seed's test accuracy after every epoch
 * (the figure reported is the last epoch's; no validation split picks one), the largest move from one epoch
 * to the next, and where the multiply-adds went (our widths beside the peer's).
 */
export function runNotes(byRatio: { ratio: number; gs: GsCell[]; peers: PeerCell[] }[]): string[] {
  const lines: string[] = [];
  for (const { ratio, gs, peers } of byRatio) {
    const r = `${Math.round(ratio * 100)}%`;
    const timed = gs.filter((c) => (c.epochs?.length ?? 0) > 1);
    if (timed.length > 0) {
      const accs = (c: GsCell, phase: (p: string) => boolean) =>
        (c.epochs ?? []).filter((e) => phase(e.phase)).map((e) => pc(e.testAccuracy));
      const per = timed.map(
        (c) => `seed ${c.seed}: ${accs(c, (p) => p !== 'finetune').join(', ')} | ${accs(c, (p) => p === 'finetune').join(', ')}`,
      );
      const moves = timed.flatMap((c) => {
        const e = c.epochs ?? [];
        return e.slice(1).map((x, i) => Math.abs(x.testAccuracy - e[i].testAccuracy));
      });
      lines.push(
        `- ${r}, test accuracy % after each epoch (budget training | fine-tuning; the last is the figure reported): ${per.join('; ')}. The largest move from one epoch to the next: ${pc(Math.max(...moves))} points.`,
      );
    }
    const peerWidths = [...new Set(peers.map((p) => p.widths.join('-')))];
    lines.push(
      `- ${r}, channels and units: ours ${gs.map((c) => c.slim.widths.slice(0, -1).join('-')).join(', ')}${
        peerWidths.length > 0 ? `; the peer (one ratio for every layer) ${peerWidths.join(', ')}` : ''
      }.`,
    );
  }
  return lines;
}

export const FASHION_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** The issue's targets per MACs ratio: points of accuracy the slim model may lose, speedup at batch 64 in onnxruntime-node. */
const TARGETS: Record<string, { loss: number; speedup: number }> = { '0.3': { loss: 0.5, speedup: 1.5 }, '0.1': { loss: 1.5, speedup: 2 } };

const num = (cli: ScriptArgs, name: string, dflt: number): number => {
  const v = cli.arg(name);
  return v === undefined ? dflt : Number(v);
};

function settingsOf(cli: ScriptArgs, root: string): FashionSettings {
  return {
    root,
    source: cli.arg('--fashion-dir') ?? FASHION_DEFAULT_DIR,
    trainRows: num(cli, '--fashion-train-rows', 10000),
    originalEpochs: num(cli, '--fashion-original-epochs', 3),
    epochs: num(cli, '--fashion-epochs', 4),
    finetuneEpochs: num(cli, '--fashion-finetune-epochs', 2),
    lr: 1e-3,
    batch: 64,
    peer: cli.arg('--peer'),
    python: cli.arg('--python') ?? '/usr/bin/python3',
  };
}

const pc = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? 'n/a' : (100 * v).toFixed(d));
const k = (v: number): string => Math.round(v).toLocaleString('en-US');
const sp = (s: Spread): string => `${(100 * s.mean).toFixed(2)} ± ${(100 * s.sd).toFixed(2)}`;
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

/** Runs the missing cells of the selected kinds, seed by seed (each ratio's seed 0 first). */
async function runCells(cli: ScriptArgs, s: FashionSettings, seeds: number[], ratios: number[], speedup: number): Promise<void> {
  const kinds = new Set((cli.arg('--cells') ?? 'gs,peer,speedup').split(','));
  const dataDir = prepareData(s);
  const model = kinds.has('gs') || kinds.has('speedup') ? ensureFashionModel(s, dataDir) : '';
  const startMacs = specCounts(FASHION_ARCH).macs;
  for (const seed of seeds) {
    for (const ratio of ratios) {
      if (kinds.has('peer') && s.peer) await peerCell(s, dataDir, ratio, Math.max(1, Math.floor(startMacs * ratio)), seed);
      if (kinds.has('gs')) await gsCell(s, dataDir, model, { ratio }, seed);
    }
    if (seed === seeds[0] && speedup > 0 && kinds.has('speedup')) await gsCell(s, dataDir, model, { speedup }, seed);
  }
}

const speedAt = (c: GsCell, rt: 'node' | 'web', batch: number) => c[rt].rows.find((r) => r.batch === batch);

/** One row per measure: the original, then the slim model's mean over seeds (and each seed). */
export function ratioTable(gs: GsCell[], peers: PeerCell[]): string[] {
  const o = gs[0].original;
  const seedsOf = (f: (c: GsCell) => number | null | undefined, fmt: (v: number) => string) =>
    gs.map((c) => {
      const v = f(c);
      return v === null || v === undefined ? 'n/a' : fmt(v);
    });
  const us = (v: number) => v.toFixed(1);
  const rows = [
    '| | original (PyTorch) | slim (gs-compress), mean over seeds | per seed |',
    '| --- | --- | --- | --- |',
    `| test accuracy % | ${pc(o.accuracy)} | **${sp(spread(gs.map((c) => c.slim.accuracy ?? 0)))}** | ${seedsOf(
      (c) => c.slim.accuracy,
      (v) => pc(v),
    ).join(', ')} |`,
    `| at the budget, before fine-tuning % | | ${sp(spread(gs.map((c) => c.accuracyBeforeFinetune ?? 0)))} | ${seedsOf(
      (c) => c.accuracyBeforeFinetune,
      (v) => pc(v),
    ).join(', ')} |`,
    `| label agreement with the original % | | ${sp(spread(gs.map((c) => c.agreement ?? 0)))} | ${seedsOf(
      (c) => c.agreement,
      (v) => pc(v),
    ).join(', ')} |`,
    `| multiply-adds per example | ${k(o.macs)} | ${k(mean(gs.map((c) => c.slim.macs)))} (budget ${k(gs[0].targetMacs ?? 0)}) | ${gs.map((c) => k(c.slim.macs)).join(', ')} |`,
    `| multiply-adds after each removal step (seed ${gs[0].seed}) | | ${gs[0].steps.map((x) => (x === undefined ? '?' : k(x))).join(' -> ')} | |`,
    ...(gs[0].epochs
      ? [`| test accuracy after each epoch % (seed ${gs[0].seed}) | | ${gs[0].epochs.map((e) => pc(e.testAccuracy)).join(', ')} | |`]
      : []),
    `| parameters | ${k(o.params)} | ${k(mean(gs.map((c) => c.slim.params)))} | ${gs.map((c) => k(c.slim.params)).join(', ')} |`,
    `| channels and units | 16-32-128 | | ${gs.map((c) => c.slim.widths.slice(0, -1).join('-')).join(', ')} |`,
    `| ONNX file, bytes | ${k(o.bytes)} | ${k(mean(gs.map((c) => c.slim.bytes)))} | ${gs.map((c) => k(c.slim.bytes)).join(', ')} |`,
  ];
  for (const rt of ['node', 'web'] as const) {
    for (const batch of [1, 64]) {
      const got = gs.map((c) => speedAt(c, rt, batch)).filter((r) => r !== undefined);
      if (got.length === 0) continue;
      const orig = mean(got.map((r) => r.originalUsPerRow ?? NaN));
      const slim = mean(got.map((r) => r.slimUsPerRow));
      const ups = got.map((r) => (r.speedup === null ? 'n/a' : `${r.speedup.toFixed(2)}x`));
      rows.push(
        `| onnxruntime-${rt} µs/row, batch ${batch} | ${us(orig)} | ${us(slim)} (${(orig / slim).toFixed(2)}x) | ${ups.join(', ')} |`,
      );
    }
  }
  if (peers.length > 0) {
    const pa = spread(peers.map((p) => p.test_accuracy));
    rows.push(
      `| PyTorch L1 filter-pruning peer: test accuracy % | (its own dense nets: ${sp(spread(peers.map((p) => p.dense_test_accuracy)))}) | **${sp(pa)}** | ${peers.map((p) => pc(p.test_accuracy)).join(', ')} |`,
      `| peer: multiply-adds, widths | | ${k(mean(peers.map((p) => p.macs)))} | ${peers.map((p) => p.widths.join('-')).join(', ')} |`,
    );
  }
  return rows;
}

/** The issue's targets at one ratio, each met or missed with the figures. */
export function targetLines(ratio: number, gs: GsCell[], peers: PeerCell[]): string[] {
  const t = TARGETS[String(ratio)];
  const out: string[] = [];
  const orig = gs[0].original.accuracy ?? 0;
  const acc = spread(gs.map((c) => c.slim.accuracy ?? 0));
  const r = `${Math.round(ratio * 100)}%`;
  if (t) {
    const floor = orig - t.loss / 100;
    const below = gs.filter((c) => (c.slim.accuracy ?? 0) < floor).map((c) => c.seed);
    const seedsWord =
      below.length === 0 ? 'met by every seed' : `missed by seed${below.length > 1 ? 's' : ''} ${below.join(', ')} of ${gs.length}`;
    out.push(
      `- ${r}: accuracy >= original - ${t.loss} points (${pc(floor)}%): **${acc.mean >= floor ? 'met' : 'missed'}** on the mean (${pc(acc.mean)}%; lowest seed ${pc(acc.min)}%, ${seedsWord}).`,
    );
    const ups = gs.map((c) => speedAt(c, 'node', 64)?.speedup ?? 0);
    const m = mean(ups);
    const fast = ups.filter((u) => u >= t.speedup).length;
    out.push(
      `- ${r}: >= ${t.speedup}x faster per row at batch 64 in onnxruntime-node: **${m >= t.speedup ? 'met' : 'missed'}** on the mean (${ups.map((u) => `${u.toFixed(2)}x`).join(', ')}; mean ${m.toFixed(2)}x; ${fast} of ${ups.length} seeds at ${t.speedup}x or more).`,
    );
  }
  if (peers.length > 0) {
    const p = spread(peers.map((x) => x.test_accuracy));
    const v = compare(acc, p);
    out.push(
      `- ${r}: ahead of the peer beyond the seed spread: **${v === 'ahead' ? 'met' : 'missed'}** (${v}: ${sp(acc)} against ${sp(p)}, gap ${(100 * (acc.mean - p.mean)).toFixed(2)} points, spreads added ${(100 * (acc.sd + p.sd)).toFixed(2)}).`,
    );
  } else out.push(`- ${r}: ahead of the peer: not measured (no peer cell).`);
  return out;
}

function speedupText(c: GsCell | null, goal: number): string {
  if (!c) return `The \`--target-speedup ${goal}\` run is not done yet.`;
  const b64 = speedAt(c, 'node', 64);
  const b1 = speedAt(c, 'node', 1);
  const reached = b64?.speedup ?? 0;
  return `\`--target-speedup ${goal}\` (compressModel's \`targetSpeedup: ${goal}\`, timed at batch 64 in onnxruntime-node, one thread, while the network shrinks; seed ${c.seed}, same epochs): it stopped at ${k(c.slim.macs)} multiply-adds (${pc(c.slim.macs / c.original.macs)}% of the original's), ${k(c.slim.params)} parameters, widths ${c.slim.widths.slice(0, -1).join('-')}, multiply-adds after each removal step ${c.steps.map((x) => (x === undefined ? '?' : k(x))).join(' -> ')}. Test accuracy ${pc(c.slim.accuracy)}% (original ${pc(c.original.accuracy)}%), agreement ${pc(c.agreement)}%. Measured again after the export, as every compress run does: **${reached.toFixed(2)}x** at batch 64 (${b64 ? `${b64.originalUsPerRow?.toFixed(1)} -> ${b64.slimUsPerRow.toFixed(1)} µs/row` : 'n/a'}), ${b1?.speedup?.toFixed(2) ?? 'n/a'}x at batch 1; target ${goal}x **${reached >= goal ? 'met' : 'missed'}**${reached >= goal ? '' : ' (the timing during the run and the one after it are separate measurements on a shared machine)'}.`;
}

/** One model's onnxruntime-node profile as a line: each node's op type and µs per row, in running order. */
function profileLine(label: string, nodes: NodeTime[]): string {
  const sum = nodes.reduce((a, n) => a + n.usPerRow, 0);
  return `| ${label} | ${nodes.map((n) => `${n.op} ${n.usPerRow.toFixed(2)}`).join(', ')} | ${sum.toFixed(1)} |`;
}

/** Profiles of the original and of the first seed's slim model of each ratio (and of the speedup run):
 * PROFILE_ROUNDS interleaved rounds, each node's quickest kept (the machine is shared). */
async function profileTable(
  models: { label: string; file: string; widths?: number[] }[],
): Promise<{ rows: string[]; profiles: { widths?: number[]; nodes: NodeTime[] }[] }> {
  const rows = ['| model | nodes as onnxruntime-node runs them: op µs/row | sum |', '| --- | --- | --- |'];
  const present = models.filter((m) => fs.existsSync(m.file));
  const best: (NodeTime[] | null)[] = present.map(() => null);
  for (let round = 0; round < PROFILE_ROUNDS; round++) {
    for (let i = 0; i < present.length; i++) {
      const got = await profileNodes(fs.readFileSync(present[i].file), 64);
      // each node's quickest round: the nodes line up by running order (onnxruntime may name the reorders it
      // adds differently from one session to the next), checked by op type
      const b = best[i];
      best[i] =
        b === null || b.length !== got.length || b.some((n, k) => n.op !== got[k].op)
          ? (b ?? got)
          : b.map((n, k) => ({ ...n, usPerRow: Math.min(n.usPerRow, got[k].usPerRow) }));
    }
  }
  present.forEach((m, i) => rows.push(profileLine(m.label, best[i] ?? [])));
  return { rows, profiles: present.map((m, i) => ({ widths: m.widths, nodes: best[i] ?? [] })) };
}

/** Every cell done, in one committed file (reports/import/fashion-cells.json), the peer's data path dropped. */
function writeCellsFile(s: FashionSettings, seeds: number[], ratios: number[], speedup: number): void {
  const names = [
    ...ratios.flatMap((r) => seeds.flatMap((x) => [gsName(r, x), peerName(r, x)])),
    ...(speedup > 0 ? [speedupName(speedup, seeds[0]), `${speedupName(speedup, seeds[0])}.before-pair-timing`] : []),
  ];
  const cells = names
    .map((n) => readCell<GsCell | (PeerCell & { config?: Record<string, unknown> })>(s, n))
    .filter((c) => c !== null)
    .map((c) => (c.kind === 'peer' && c.config ? { ...c, config: { ...c.config, idx: undefined } } : c));
  const file = path.join(s.root, 'reports', 'import', 'fashion-cells.json');
  fs.writeFileSync(file, `${JSON.stringify({ settings: settingsKey(s), cells }, null, 1)}\n`);
}

/** The speedup run made before the budget trainer timed each candidate beside the start (kept as its own cell). */
function beforeText(c: GsCell): string {
  const bs = c.budgetSpeed as { startUsPerRow?: number; usPerRow?: number; speedup?: number } | undefined;
  const b64 = speedAt(c, 'node', 64);
  const f = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1));
  return `Made first with the budget trainer as it was before this report (it timed the starting network once, at its first removal, and compared every later candidate with that one time): that run timed the start at ${f(bs?.startUsPerRow)} µs/row and, minutes later, a candidate at ${f(bs?.usPerRow)} µs/row, took it as ${bs?.speedup?.toFixed(2) ?? 'n/a'}x and stopped at ${k(c.slim.macs)} multiply-adds (widths ${c.slim.widths.slice(0, -1).join('-')}, accuracy ${pc(c.slim.accuracy)}%); the original and that model timed side by side after the export (${f(b64?.originalUsPerRow ?? undefined)} and ${f(b64?.slimUsPerRow)} µs/row) were ${b64?.speedup?.toFixed(2) ?? 'n/a'}x apart. The budget trainer now times the start and each candidate alternately (src/pipeline/budget.ts, timePair), and the run above was made with it.`;
}

export async function fashionSection(cli: ScriptArgs, root: string, seeds: number[]): Promise<string> {
  const s = settingsOf(cli, root);
  const ratios = (cli.arg('--fashion-ratios') ?? '0.3,0.1').split(',').map(Number);
  const speedup = num(cli, '--fashion-speedup', 2);
  if (!cli.has('--report-only')) await runCells(cli, s, seeds, ratios, speedup);
  const rowsText = s.trainRows ? `the first ${k(s.trainRows)} rows of Fashion-MNIST's training file` : `all 60,000 training rows`;
  const parts: string[] = [];
  const missing: string[] = [];
  let first: GsCell | null = null;
  const notes: string[] = [];
  for (const ratio of ratios) {
    const gs = seeds.map((x) => readCell<GsCell>(s, gsName(ratio, x))).filter((c): c is GsCell => c !== null);
    const peers = seeds.map((x) => readCell<PeerCell>(s, peerName(ratio, x))).filter((c): c is PeerCell => c !== null);
    for (const x of seeds) {
      if (!gs.some((c) => c.seed === x)) missing.push(`gs-compress at ${Math.round(ratio * 100)}% seed ${x}`);
      if (!peers.some((c) => c.seed === x)) missing.push(`peer at ${Math.round(ratio * 100)}% seed ${x}`);
    }
    if (gs.length === 0) continue;
    first ??= gs[0];
    notes.push(...runNotes([{ ratio, gs, peers }]));
    parts.push(
      `## ${Math.round(ratio * 100)}% of the multiply-adds (seeds ${gs.map((c) => c.seed).join(', ')}; peer seeds ${peers.map((c) => c.seed).join(', ') || 'none'})`,
      '',
      ...ratioTable(gs, peers),
      '',
      ...targetLines(ratio, gs, peers),
      '',
    );
  }
  const sc = speedup > 0 ? readCell<GsCell>(s, speedupName(speedup, seeds[0])) : null;
  const before = speedup > 0 ? readCell<GsCell>(s, `${speedupName(speedup, seeds[0])}.before-pair-timing`) : null;
  const profiled = [
    { label: 'original', file: modelFile(s), widths: [16, 32, 128, 10] },
    ...ratios.map((r) => {
      const c = seeds.map((x) => readCell<GsCell>(s, gsName(r, x))).find((x) => x !== null);
      return {
        label: `${Math.round(r * 100)}% seed ${c?.seed ?? '?'} (${c?.slim.widths.slice(0, -1).join('-') ?? ''})`,
        file: c ? slimFile(s, gsName(r, c.seed)) : '',
        widths: c?.slim.widths,
      };
    }),
    ...(sc
      ? [
          {
            label: `--target-speedup ${speedup} (${sc.slim.widths.slice(0, -1).join('-')})`,
            file: slimFile(s, speedupName(speedup, sc.seed)),
            widths: sc.slim.widths,
          },
        ]
      : []),
  ];
  const profile = await profileTable(profiled);
  writeCellsFile(s, seeds, ratios, speedup);
  const o = first?.original;
  const cmd = `nice npx tsx scripts/import-report.ts --only fashion --fashion-train-rows ${s.trainRows} --fashion-original-epochs ${s.originalEpochs} --fashion-epochs ${s.epochs} --fashion-finetune-epochs ${s.finetuneEpochs} --fashion-ratios ${ratios.join(',')} --fashion-speedup ${speedup} --seeds ${seeds.join(',')} --peer cnn_prune_peer.py`;
  const minutes = mean(
    seeds.flatMap((x) => ratios.map((r) => readCell<GsCell>(s, gsName(r, x))?.minutes ?? NaN)).filter((v) => !Number.isNaN(v)),
  );
  return `# Compressing a PyTorch Fashion-MNIST CNN with its batch norm kept

Made by \`${cmd}\` (gs-compress ${VERSION}; settings ${settingsKey(s)}; the peer's path given as its file name). Each
finished cell is kept as JSON under \`.cache/import/fashion-cells/\`, so the run resumes where it stopped; all of them are
in \`reports/import/fashion-cells.json\`.

The original: \`Conv2d(1,16,3,padding=1)\`, \`BatchNorm2d\`, ReLU, \`MaxPool2d(2)\`, \`Conv2d(16,32,3,padding=1)\`, \`BatchNorm2d\`, ReLU,
\`MaxPool2d(2)\`, Flatten, \`Linear(1568,128)\`, ReLU, \`Linear(128,10)\` (\`${FASHION_ARCH}\` in \`--arch\` terms), trained
${s.originalEpochs} epochs on ${rowsText} by \`scripts/make-import-fixtures.py --fashion-cnn\` (PyTorch, Adam lr 1e-3, batch 64,
pixels / 255, torch seed 0) and written by \`torch.onnx.export\` with \`training=TrainingMode.PRESERVE\` and no constant folding, so
the file holds two \`BatchNormalization\` nodes (the script checks it), input \`[N, 1, 28, 28]\`. \`compressModel\` (the library function
behind \`gs-compress compress MODEL --target-macs-ratio R\`) imported it (checked against the file with onnxruntime), trained it to the
budget from its own weights on the same rows (${s.epochs} epochs, Adam lr 1e-3, batch 64: the first half at full size, then the weakest channels and
units removed at the end of each epoch), fine-tuned the compact network ${s.finetuneEpochs} epochs, pruned exactly and exported ONNX with the
original's interface (\`${first?.interface ?? 'n/a'}\`). Both models were run on the ${k(first?.testRows ?? 10000)} test images.
Times: µs per row, one thread, the best of five interleaved timed rounds of the original and the slim model in one process, in
onnxruntime-node (what \`compress\` reports) and in onnxruntime-web's WebAssembly build run in Node (${first?.web.runtime ?? 'n/a'});
the machine has 2 cores shared with other jobs: read the ratios, not the absolute figures. About ${minutes.toFixed(0)} min per compression here.

The PyTorch L1 filter-pruning peer (cnn_prune_peer.py, Torch-Pruning's MagnitudePruner recipe: L1 filter norms, the same ratio for
every layer) starts from the same architecture (\`--arch ${'c16k3p1-m2-c32k3p1-m2-f128'} --bn\`) on the same rows: ${s.originalEpochs} dense epochs
(as the original had), then ${s.epochs} pruning rounds of 1 epoch each to the same multiply-add budget and ${s.finetuneEpochs} fine-tuning
epochs, Adam lr 1e-3, batch 64, one thread: the same ${s.originalEpochs + s.epochs + s.finetuneEpochs} epochs in all as the original's training plus our
compression. It trains its own dense network per seed (its dense accuracy is in the table); ours all start from the one original.
Verdicts against it: ahead or behind when the gap in mean accuracy exceeds the two standard deviations added, else within.
${o ? `\nThe original: ${k(o.params)} parameters, ${k(o.macs)} multiply-adds per example, ${k(o.bytes)} bytes, test accuracy ${pc(o.accuracy)}%.\n` : ''}
${parts.join('\n')}
## --target-speedup ${speedup}

${speedupText(sc, speedup)}
${before ? `\n${beforeText(before)}\n` : ''}

${notes.length > 0 ? `## Epoch by epoch, and where the multiply-adds went\n\n${notes.join('\n')}\n` : ''}
## Where the time goes

onnxruntime-node's own profiler (one thread, batch 64, 30 runs after 5 of warm-up, each node's quickest of ${PROFILE_ROUNDS} interleaved rounds; the graph as onnxruntime runs it,
after its optimizations: batch norm and ReLU fused into the convolutions, NCHWc layouts and their reorders), µs per row per node:

${profile.rows.join('\n')}

${profileNote(profile.profiles)}
${missing.length > 0 ? `\nNot run yet (the deadline came first): ${missing.join('; ')}.\n` : ''}`;
}
