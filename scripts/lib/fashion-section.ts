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
import { initArchNetwork } from '../../src/network/create-arch';
import { exportOnnx } from '../../src/onnx/export';
import { timeModels } from '../../src/pipeline/compress-speed';
import { VERSION } from '../../src/version';
import { compare, specCounts, withWidths } from './cnn-bench';
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
  restoreCells,
  cellsFile,
  settingsKey,
  speedupName,
  SPEED_TARGETS,
  type FashionSettings,
  type GsCell,
  type PeerCell,
  VARIANTS,
  type CellVariant,
} from './fashion-import';
import type { ScriptArgs } from './script-args';

/** A model profiled: its label, widths (channels, units, outputs) and nodes. */
interface Profiled {
  label: string;
  widths?: number[];
  nodes: NodeTime[];
}

/**
 * What the profiles show (the original first, then the slim models of the first ratio, as is and as each
 * variant, then the others): every figure from the table above, each claim checked against them.
 */
export function profileNote(profiles: Profiled[], firstRatio: string): string {
  const convs = (p: Profiled) => p.nodes.filter((n) => n.op === 'Conv' || n.op === 'FusedConv');
  const sum = (p: Profiled) => p.nodes.reduce((a, n) => a + n.usPerRow, 0);
  const reorders = (p: Profiled) => p.nodes.filter((n) => n.op === 'ReorderOutput').reduce((a, n) => a + n.usPerRow, 0);
  const [o, ...rest] = profiles;
  const atFirst = rest.filter((p) => p.label.startsWith(firstRatio) && p.widths && convs(p).length >= 2);
  if (!o || convs(o).length < 2 || atFirst.length === 0) return '';
  const first = profiles.filter((p) => convs(p).length > 0).map((p) => convs(p)[0].usPerRow);
  const lo = Math.min(...first);
  const hi = Math.max(...first);
  const firstText =
    hi <= 1.25 * lo
      ? `The first convolution takes about the same time whatever its width (${lo.toFixed(2)}-${hi.toFixed(2)} µs/row for ${profiles
          .map((p) => p.widths?.[0] ?? '?')
          .join(', ')} channels): one block of 16 either way.`
      : `The first convolution takes ${lo.toFixed(2)}-${hi.toFixed(2)} µs/row for ${profiles.map((p) => p.widths?.[0] ?? '?').join(', ')} channels.`;
  const second = atFirst.map((p) => {
    const w = p.widths as number[];
    const macsShare = (w[0] * w[1]) / (16 * 32);
    const timeShare = convs(p)[1].usPerRow / convs(o)[1].usPerRow;
    return `${p.label}, ${w[0]} to ${w[1]} channels: ${(100 * macsShare).toFixed(0)}% of the original's multiply-adds, ${(100 * timeShare).toFixed(0)}% of its time`;
  });
  const reorderText = atFirst.map((p) => `${reorders(p).toFixed(2)} in ${p.label}`).join(', ');
  return `On this machine onnxruntime runs these convolutions in its blocked NCHWc layout (channels in blocks of 16 with
AVX-512, see reports/cnn/CHANNEL-WIDTHS.md). ${firstText} The second convolution: ${second.join('; ')}. Where a layer's
width is off the blocks, onnxruntime reorders outputs back to plain NCHW and pools on that layout (ReorderOutput: ${reorders(o).toFixed(2)}
µs/row in the original, ${reorderText}). The sums: ${sum(o).toFixed(1)} µs/row for the original, ${atFirst
    .map((p) => `${sum(p).toFixed(1)} for ${p.label}`)
    .join(', ')}: a budget in multiply-adds is not a budget in time here, which is what --round-channels and --target-speedup are for.`;
}

const PROFILE_ROUNDS = 5;

/**
 * What the cells say beyond the tables, computed from them (no figure written by hand, so that a run with
 * other code or settings does not inherit another run's words): each seed's test accuracy after every epoch
 * (the figure reported is the last epoch's; no validation split picks one), the largest move from one epoch
 * to the next, and where the multiply-adds went (our widths beside the peer's).
 */
export function runNotes(byRatio: { ratio: number; gs: GsCell[]; peers: PeerCell[]; label?: string }[]): string[] {
  const lines: string[] = [];
  for (const { ratio, gs, peers, label } of byRatio) {
    const r = `${Math.round(ratio * 100)}%${label ? ` (${label})` : ''}`;
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
const TARGETS: Record<string, { loss: number; speedup: number }> = {
  '0.3': { loss: 0.5, speedup: SPEED_TARGETS[30] },
  '0.1': { loss: 1.5, speedup: SPEED_TARGETS[10] },
};

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

/**
 * Runs the missing cells of the selected kinds (--cells: gs, peer, speedup, and a variant's key: gs16, gs8,
 * gsd, gsd8, see VARIANTS), seed by seed (each ratio's seed 0 first), at the section's ratios or --fashion-cell-ratios.
 */
async function runCells(cli: ScriptArgs, s: FashionSettings, seeds: number[], ratios: number[], speedup: number): Promise<void> {
  const kinds = new Set((cli.arg('--cells') ?? 'gs,peer,speedup').split(','));
  const known = ['gs', 'peer', 'speedup', ...VARIANTS.map((v) => v.key)];
  const odd = [...kinds].filter((x) => !known.includes(x));
  if (odd.length > 0) throw new Error(`--cells ${odd[0]}: expected some of ${known.join(', ')}`);
  const variants = VARIANTS.filter((v) => kinds.has(v.key));
  const cellRatios = (cli.arg('--fashion-cell-ratios') ?? ratios.join(',')).split(',').map(Number);
  const dataDir = prepareData(s);
  const model = kinds.has('gs') || kinds.has('speedup') || variants.length > 0 ? ensureFashionModel(s, dataDir) : '';
  const startMacs = specCounts(FASHION_ARCH).macs;
  for (const seed of seeds) {
    for (const ratio of cellRatios) {
      if (kinds.has('peer') && s.peer) await peerCell(s, dataDir, ratio, Math.max(1, Math.floor(startMacs * ratio)), seed);
      if (kinds.has('gs')) await gsCell(s, dataDir, model, { ratio }, seed);
      for (const v of variants) await gsCell(s, dataDir, model, { ratio }, seed, v);
    }
    if (seed === seeds[0] && speedup > 0 && kinds.has('speedup')) await gsCell(s, dataDir, model, { speedup }, seed);
  }
}

const speedAt = (c: GsCell, rt: 'node' | 'web', batch: number) => c[rt].rows.find((r) => r.batch === batch);

/** One way of compressing at a ratio (gs-compress as is, or a variant: --round-channels K, --distill) and its cells over seeds. */
export interface Variant {
  label: string;
  gs: GsCell[];
}

/**
 * One row per measure: the original, then per variant (gs-compress as is first, then the VARIANTS)
 * the slim model's mean over seeds and each seed. Speeds: each cell timed the original beside its slim model;
 * the original's column is the first variant's mean, a later variant's own original is given beside its figure.
 */
export function ratioTable(gsOrVariants: GsCell[] | Variant[], peers: PeerCell[]): string[] {
  const vs: Variant[] =
    gsOrVariants.length > 0 && 'gs' in gsOrVariants[0]
      ? (gsOrVariants as Variant[]).filter((v) => v.gs.length > 0)
      : [{ label: 'gs-compress', gs: gsOrVariants as GsCell[] }];
  const o = vs[0].gs[0].original;
  const perSeed = (gs: GsCell[], f: (c: GsCell) => number | null | undefined, fmt: (v: number) => string) =>
    gs
      .map((c) => {
        const v = f(c);
        return v === null || v === undefined ? 'n/a' : fmt(v);
      })
      .join(', ');
  const us = (v: number) => v.toFixed(1);
  /** A row: its label, the original's column, then (mean, per seed) per variant. */
  const row = (label: string, orig: string, cols: (v: Variant, i: number) => [string, string]) =>
    `|${[label, orig, ...vs.flatMap((v, i) => cols(v, i))].map((c) => (c === '' ? ' ' : ` ${c} `)).join('|')}|`;
  const blank = (): [string, string] => ['', ''];
  const measure = (label: string, orig: string, f: (c: GsCell) => number | null | undefined, bold = false) =>
    row(label, orig, (v) => {
      const m = sp(spread(v.gs.map((c) => f(c) ?? 0)));
      return [bold ? `**${m}**` : m, perSeed(v.gs, f, (x) => pc(x))];
    });
  const rows = [
    `| | original (PyTorch) | ${vs.map((v, i) => `slim (${v.label}), mean over seeds | ${i === 0 ? 'per seed' : `per seed (${v.label})`}`).join(' | ')} |`,
    `| --- | --- | ${vs.map(() => '--- | ---').join(' | ')} |`,
    measure('test accuracy %', pc(o.accuracy), (c) => c.slim.accuracy, true),
    measure('at the budget, before fine-tuning %', '', (c) => c.accuracyBeforeFinetune),
    measure('label agreement with the original %', '', (c) => c.agreement),
    row('multiply-adds per example', k(o.macs), (v) => [
      `${k(mean(v.gs.map((c) => c.slim.macs)))} (budget ${k(v.gs[0].targetMacs ?? 0)})`,
      v.gs.map((c) => k(c.slim.macs)).join(', '),
    ]),
    row(`multiply-adds after each removal step (seed ${vs[0].gs[0].seed})`, '', (v) => [
      v.gs[0].steps.map((x) => (x === undefined ? '?' : k(x))).join(' -> '),
      '',
    ]),
    ...(vs.some((v) => v.gs[0].epochs)
      ? [
          row(`test accuracy after each epoch % (seed ${vs[0].gs[0].seed})`, '', (v) =>
            v.gs[0].epochs ? [v.gs[0].epochs.map((e) => pc(e.testAccuracy)).join(', '), ''] : blank(),
          ),
        ]
      : []),
    row('parameters', k(o.params), (v) => [k(mean(v.gs.map((c) => c.slim.params))), v.gs.map((c) => k(c.slim.params)).join(', ')]),
    row('channels and units', '16-32-128', (v) => ['', v.gs.map((c) => c.slim.widths.slice(0, -1).join('-')).join(', ')]),
    row('ONNX file, bytes', k(o.bytes), (v) => [k(mean(v.gs.map((c) => c.slim.bytes))), v.gs.map((c) => k(c.slim.bytes)).join(', ')]),
  ];
  for (const rt of ['node', 'web'] as const) {
    for (const batch of [1, 64]) {
      const got = vs.map((v) => v.gs.map((c) => speedAt(c, rt, batch)).filter((r) => r !== undefined));
      if (got[0].length === 0) continue;
      const orig = got.map((g) => mean(g.map((r) => r.originalUsPerRow ?? NaN)));
      rows.push(
        row(`onnxruntime-${rt} µs/row, batch ${batch}`, us(orig[0]), (_, i) => {
          if (got[i].length === 0) return ['n/a', ''];
          const slim = mean(got[i].map((r) => r.slimUsPerRow));
          return [
            `${us(slim)} (${(orig[i] / slim).toFixed(2)}x${i === 0 ? '' : `; its original ${us(orig[i])}`})`,
            got[i].map((r) => (r.speedup === null ? 'n/a' : `${r.speedup.toFixed(2)}x`)).join(', '),
          ];
        }),
      );
    }
  }
  if (peers.length > 0) {
    const pa = spread(peers.map((p) => p.test_accuracy));
    rows.push(
      row(
        'PyTorch L1 filter-pruning peer: test accuracy %',
        `(its own dense nets: ${sp(spread(peers.map((p) => p.dense_test_accuracy)))})`,
        (_, i) => (i === 0 ? [`**${sp(pa)}**`, peers.map((p) => pc(p.test_accuracy)).join(', ')] : blank()),
      ),
      row('peer: multiply-adds, widths', '', (_, i) =>
        i === 0 ? [k(mean(peers.map((p) => p.macs))), peers.map((p) => p.widths.join('-')).join(', ')] : blank(),
      ),
    );
  }
  return rows;
}

/** The issue's targets at one ratio, each met or missed with the figures. */
export function targetLines(ratio: number, gs: GsCell[], peers: PeerCell[], label?: string): string[] {
  const t = TARGETS[String(ratio)];
  const out: string[] = [];
  const orig = gs[0].original.accuracy ?? 0;
  const acc = spread(gs.map((c) => c.slim.accuracy ?? 0));
  const r = `${Math.round(ratio * 100)}%${label ? ` (${label})` : ''}`;
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

/** What the variants' cells are and why (empty when none ran). */
function variantsText(s: FashionSettings, seeds: number[], ratios: number[]): string {
  const ran = VARIANTS.map((v) => ({
    v,
    at: ratios.filter((r) => seeds.some((x) => readCell<GsCell>(s, gsName(r, x, v)) !== null)),
  })).filter((x) => x.at.length > 0);
  if (ran.length === 0) return '';
  const items = ran.map((x) => `with \`${x.v.label}\` (cells ${x.v.key}, at ${x.at.map((r) => `${Math.round(r * 100)}%`).join(' and ')})`);
  const list = items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items[0];
  const rounding = ran.some((x) => x.v.roundChannels !== undefined)
    ? ` compressModel's \`roundChannels\` K (\`--round-channels K\`) keeps every width (channels and units)
either below K (any width there) or a multiple of K. The aim: onnxruntime runs these convolutions here in blocks of 16
channels, and a width off the blocks costs partly empty blocks and reorders (see "Where the time goes"), so rounding should
steer the multiply-add budget to widths it runs fast.`
    : '';
  const distilling = ran.some((x) => x.v.distill)
    ? ` \`--distill\` (compressModel's \`distill: true\`) is knowledge distillation from the original: once the removals
start and while fine-tuning, the slim network trains on a mix of the labels and the original model's probabilities softened
at temperature 4 (half each), so it also learns what the original knows beyond the ${s.trainRows ? k(s.trainRows) : 'training'} rows' labels.`
    : '';
  return `
The same compression was also run ${list}.${rounding}${distilling} Run by \`--cells KEY\` (\`--fashion-cell-ratios\` for one
ratio alone); everything else as above.
`;
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
): Promise<{ rows: string[]; profiles: Profiled[] }> {
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
  return { rows, profiles: present.map((m, i) => ({ label: m.label, widths: m.widths, nodes: best[i] ?? [] })) };
}

const SIDE_ROUNDS = 20;

/**
 * The peer does not export its slim network; its time follows its shape alone (weights do not change
 * what onnxruntime computes), so the architecture at the peer's widths is exported by us (random weights,
 * batch norm folded as in our slim models) to a file under the cells' folder and timed beside ours.
 */
function peerShapeFile(s: FashionSettings, widths: number[]): string {
  const file = slimFile(s, `peer-shape-${widths.join('-')}`);
  if (!fs.existsSync(file)) {
    const net = initArchNetwork(withWidths(FASHION_ARCH, widths), [1, 28, 28], 10, 0);
    fs.writeFileSync(file, exportOnnx(net, { producerVersion: VERSION }));
  }
  return file;
}

/**
 * The original and every slim model profiled, timed side by side in onnxruntime-node (one thread, batch 1 and 64,
 * SIDE_ROUNDS interleaved rounds of 0.25 s each, the best kept): one like-with-like comparison of all of them, where
 * each cell's own timing compares only its slim model with the original at the time it ran.
 */
async function sideBySide(models: { label: string; file: string }[]): Promise<string[]> {
  const present = models.filter((m) => fs.existsSync(m.file));
  const bytes = present.map((m) => fs.readFileSync(m.file));
  const at: (number | null)[][] = [];
  // one batch size after the other: two timing loops at once would share the thread and time each other
  for (const b of [1, 64]) at.push((await timeModels(bytes, b, { threads: 1, rounds: SIDE_ROUNDS })).usPerRow);
  const cell = (v: number | null, o: number | null) =>
    v === null ? 'n/a' : `${v.toFixed(1)}${o === null ? '' : ` (${(o / v).toFixed(2)}x)`}`;
  return [
    '| model | µs/row, batch 1 (speedup) | µs/row, batch 64 (speedup) |',
    '| --- | --- | --- |',
    ...present.map((m, i) => `| ${m.label} | ${at.map((u) => cell(u[i], i === 0 ? null : u[0])).join(' | ')} |`),
  ];
}

/** Every cell done, in one committed file (reports/import/fashion-cells.json), the peer's data path dropped. */
function writeCellsFile(s: FashionSettings, seeds: number[], ratios: number[], speedup: number): void {
  const names = [
    ...ratios.flatMap((r) => seeds.flatMap((x) => [gsName(r, x), peerName(r, x), ...VARIANTS.map((v) => gsName(r, x, v))])),
    ...(speedup > 0 ? [speedupName(speedup, seeds[0]), `${speedupName(speedup, seeds[0])}.before-pair-timing`] : []),
  ];
  const cells = names
    .map((n) => readCell<GsCell | (PeerCell & { config?: Record<string, unknown> })>(s, n))
    .map((c, i) => (c === null ? null : { name: names[i], ...c }))
    .filter((c) => c !== null)
    .map((c) => (c.kind === 'peer' && c.config ? { ...c, config: { ...c.config, idx: undefined } } : c));
  const file = cellsFile(s);
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
  const restored = restoreCells(s);
  if (restored.length > 0) console.log(`restored from ${path.relative(root, cellsFile(s))}: ${restored.join(', ')}`);
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
    const rounded = VARIANTS.map((v) => ({
      label: v.label,
      gs: seeds.map((x) => readCell<GsCell>(s, gsName(ratio, x, v))).filter((c): c is GsCell => c !== null),
    })).filter((v) => v.gs.length > 0);
    for (const v of rounded)
      for (const x of seeds) if (!v.gs.some((c) => c.seed === x)) missing.push(`${v.label} at ${Math.round(ratio * 100)}% seed ${x}`);
    if (gs.length === 0) continue;
    first ??= gs[0];
    notes.push(...runNotes([{ ratio, gs, peers }, ...rounded.map((v) => ({ ratio, gs: v.gs, peers: [], label: v.label }))]));
    parts.push(
      `## ${Math.round(ratio * 100)}% of the multiply-adds (seeds ${gs.map((c) => c.seed).join(', ')}; peer seeds ${peers.map((c) => c.seed).join(', ') || 'none'}${rounded
        .map((v) => `; ${v.label} seeds ${v.gs.map((c) => c.seed).join(', ')}`)
        .join('')})`,
      '',
      ...ratioTable([{ label: 'gs-compress', gs }, ...rounded], peers),
      '',
      ...targetLines(ratio, gs, peers),
      ...rounded.flatMap((v) => targetLines(ratio, v.gs, peers, v.label)),
      '',
    );
  }
  const sc = speedup > 0 ? readCell<GsCell>(s, speedupName(speedup, seeds[0])) : null;
  const before = speedup > 0 ? readCell<GsCell>(s, `${speedupName(speedup, seeds[0])}.before-pair-timing`) : null;
  // each ratio's first seed whose slim model is in the cache (cells restored from fashion-cells.json have none)
  const slimOf = (r: number, label: string, round?: CellVariant) => {
    const c = seeds
      .map((x) => readCell<GsCell>(s, gsName(r, x, round)))
      .find((x) => x !== null && fs.existsSync(slimFile(s, gsName(r, x.seed, round))));
    return c
      ? [
          {
            label: `${label} seed ${c.seed} (${c.slim.widths.slice(0, -1).join('-')})`,
            file: slimFile(s, gsName(r, c.seed, round)),
            widths: c.slim.widths,
          },
        ]
      : [];
  };
  const unprofiled = [
    ...ratios.map((r) => ({ r, label: `${Math.round(r * 100)}%`, round: undefined as CellVariant | undefined })),
    ...ratios.flatMap((r) => VARIANTS.map((v) => ({ r, label: `${Math.round(r * 100)}% ${v.label}`, round: v }))),
  ].filter((m) => slimOf(m.r, m.label, m.round).length === 0 && seeds.some((x) => readCell<GsCell>(s, gsName(m.r, x, m.round)) !== null));
  const profiled = [
    { label: 'original', file: modelFile(s), widths: [16, 32, 128, 10] },
    ...ratios.flatMap((r) => [
      ...slimOf(r, `${Math.round(r * 100)}%`),
      ...VARIANTS.flatMap((v) => slimOf(r, `${Math.round(r * 100)}% ${v.label}`, v)),
    ]),
    ...(sc && fs.existsSync(slimFile(s, speedupName(speedup, sc.seed)))
      ? [
          {
            label: `--target-speedup ${speedup} (${sc.slim.widths.slice(0, -1).join('-')})`,
            file: slimFile(s, speedupName(speedup, sc.seed)),
            widths: sc.slim.widths,
          },
        ]
      : []),
  ];
  // the peer's networks (one width per layer for all seeds at a budget): its shape in our export, timed beside ours
  for (const r of ratios) {
    const p = seeds.map((x) => readCell<PeerCell>(s, peerName(r, x))).find((c) => c !== null && c.widths?.length === 3);
    if (p)
      profiled.push({
        label: `${Math.round(r * 100)}% PyTorch peer's shape (${p.widths.join('-')})`,
        file: peerShapeFile(s, p.widths),
        widths: [...p.widths, 10],
      });
  }
  const load = fs.existsSync('/proc/loadavg') ? fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a';
  const side = await sideBySide(profiled);
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
${variantsText(s, seeds, ratios)}${o ? `\nThe original: ${k(o.params)} parameters, ${k(o.macs)} multiply-adds per example, ${k(o.bytes)} bytes, test accuracy ${pc(o.accuracy)}%.\n` : ''}
${parts.join('\n')}
## --target-speedup ${speedup}

${speedupText(sc, speedup)}
${before ? `\n${beforeText(before)}\n` : ''}

${notes.length > 0 ? `## Epoch by epoch, and where the multiply-adds went\n\n${notes.join('\n')}\n` : ''}
## Where the time goes

The original and the slim models kept in this checkout's cache, timed side by side in one process (onnxruntime-node, one thread,
the best of ${SIDE_ROUNDS} interleaved rounds of 0.25 s; speedup against the original in the same rounds; load average at the start
${load}):

${side.join('\n')}

onnxruntime-node's own profiler (one thread, batch 64, 30 runs after 5 of warm-up, each node's quickest of ${PROFILE_ROUNDS} interleaved rounds; the graph as onnxruntime runs it,
after its optimizations: batch norm and ReLU fused into the convolutions, NCHWc layouts and their reorders), µs per row per node:

${profile.rows.join('\n')}

${profileNote(profile.profiles, `${Math.round(ratios[0] * 100)}%`)}${
    unprofiled.length > 0
      ? `\n\nNot profiled here (their slim models are not kept in the repository, and their cells were restored from fashion-cells.json, not run in this checkout): ${unprofiled
          .map((m) => m.label)
          .join(
            ', ',
          )}${sc && !fs.existsSync(slimFile(s, speedupName(speedup, sc.seed))) ? `, --target-speedup ${speedup}` : ''}; their profiles made when they ran are in this file's history.`
      : ''
  }
${missing.length > 0 ? `\nNot run yet (the deadline came first): ${missing.join('; ')}.\n` : ''}`;
}
