/**
 * `gs-compress train --target-ratio 0.5,0.25,...` (or a list of --target-params, --target-macs-ratio,
 * --target-macs): the size path. Runs the library's sizePath, saves each stop's fine-tuned network as
 * its own run directory (OUT/ratio-R/, OUT/params-N/, OUT/macs-ratio-R/, OUT/macs-N/), writes OUT/size-path.json and the plot OUT/size-path.svg, and
 * prints a table (or one JSON object with --json).
 */
import * as path from 'path';
import type { DataRef, SplitDataset } from '../../data/types';
import { GsError } from '../../errors';
import { saveRun } from '../../network/run-io';
import { summaryScore, taskOf, TASKS } from '../../network/tasks';
import { budgetSummary } from '../../pipeline/run';
import { sizePath, type PathStop, type SizePathOptions } from '../../pipeline/size-path';
import { SIZE_PATH_FILE, sizePathSvg } from '../../report/size-path-plot';
import type { TrainOptions } from '../../train/train';
import type { TrainConfig } from '../../train/types';
import { writeFileAtomic } from '../../util/fs-atomic';
import { VERSION } from '../../version';
import type { ProgressBar } from '../progress';
import { formatTable } from '../table';

export interface SizePathRun {
  data: SplitDataset;
  cfg: TrainConfig;
  opts: SizePathOptions;
  out: string | undefined;
  json: boolean;
  hooks: (index: number) => { train?: TrainOptions; finetune?: TrainOptions };
  /** What a stop's gs-run.json records of the data and configuration, given the stop's directory. */
  record: (dir: string) => { dataRef: DataRef; config: Record<string, unknown> };
  bar: ProgressBar;
}

function stopDir(s: PathStop): string {
  if (s.ratio !== undefined) return `ratio-${s.ratio}`;
  if (s.macsRatio !== undefined) return `macs-ratio-${s.macsRatio}`;
  return s.targetMacsGiven !== undefined ? `macs-${s.targetMacsGiven}` : `params-${s.targetParamsGiven}`;
}

/** The budget a stop was asked for, as its run records it. */
function stopBudget(s: PathStop): Record<string, number> {
  if (s.ratio !== undefined) return { targetRatio: s.ratio };
  if (s.macsRatio !== undefined) return { targetMacsRatio: s.macsRatio };
  return s.targetMacsGiven !== undefined ? { targetMacs: s.targetMacsGiven } : { targetParams: s.targetParamsGiven as number };
}

/** A stop's summary: the one run summary (pipeline/run.ts budgetSummary) with the ratio it was asked for. */
function stopSummary(s: PathStop, data: SplitDataset, finetuneEpochs: number) {
  return {
    ...(s.ratio !== undefined ? { targetRatio: s.ratio } : {}),
    ...(s.macsRatio !== undefined ? { targetMacsRatio: s.macsRatio } : {}),
    ...budgetSummary(s, data, finetuneEpochs),
  };
}

export async function runSizePath(r: SizePathRun): Promise<void> {
  if (!r.out) throw new GsError('BAD_OPTION', 'a size path (a list of budgets) saves one run directory per budget: give --out DIR');
  const out = r.out;
  const rows: { dir: string; summary: ReturnType<typeof stopSummary> }[] = [];
  const scoreName = TASKS[taskOf(r.data)].scoreName;
  await sizePath(
    r.data,
    r.cfg,
    {
      ...r.opts,
      onStop: (stop) => {
        const dir = stopDir(stop);
        const summary = stopSummary(stop, r.data, r.opts.finetuneEpochs);
        const abs = path.resolve(out, dir);
        const rec = r.record(abs);
        saveRun(abs, stop.result.network, {
          generatedBy: `gs-compress ${VERSION}`,
          createdAt: new Date().toISOString(),
          data: rec.dataRef,
          config: {
            ...rec.config,
            ...stopBudget(stop),
          },
          engine: stop.result.engine,
          history: stop.result.history,
          summary,
        });
        rows.push({ dir, summary });
        if (!r.json)
          r.bar.log(
            `stop ${rows.length}: ${dir}: ${summary.compactParams} parameters, ${summary.compactMacs !== undefined ? `${summary.compactMacs} multiply-adds, ` : ''}${Number.isFinite(summaryScore(summary, 'val')) ? `validation ${summaryScore(summary, 'val').toFixed(4)}, ` : ''}test ${scoreName} ${summaryScore(summary, 'test').toFixed(4)}`,
          );
      },
    },
    r.hooks,
  );
  r.bar.clear();
  const inMacs = r.opts.macs !== undefined || r.opts.macsRatios !== undefined;
  const svg = await sizePathSvg(
    rows.map((x) => ({
      label: x.dir,
      params: inMacs ? (x.summary.compactMacs ?? NaN) : x.summary.compactParams,
      testAccuracy: summaryScore(x.summary, 'test'),
    })),
    { title: `Size path on ${r.data.name}`, ...(inMacs ? { xTitle: 'multiply-adds per example after exact pruning (log scale)' } : {}) },
  );
  writeFileAtomic(path.join(out, 'size-path.svg'), svg);
  const listing = { generatedBy: `gs-compress ${VERSION}`, stops: rows.map((x) => ({ dir: x.dir, ...x.summary, projections: undefined })) };
  writeFileAtomic(path.join(out, SIZE_PATH_FILE), `${JSON.stringify(listing, null, 2)}\n`);
  if (r.json) {
    process.stdout.write(
      `${JSON.stringify({ data: r.data.ref, config: r.record(path.resolve(out)).config, path: rows.map((x) => ({ dir: path.join(out, x.dir), ...x.summary })), svg: path.join(out, 'size-path.svg') })}\n`,
    );
    return;
  }
  process.stdout.write(
    `${formatTable(
      [
        'stop',
        'budget',
        'parameters',
        ...(inMacs ? ['multiply-adds'] : []),
        `val ${scoreName}`,
        `test ${scoreName}`,
        'test before fine-tune',
        'units',
        'inputs',
      ],
      rows.map((x) => [
        x.dir,
        String(inMacs ? x.summary.targetMacs : x.summary.targetParams),
        String(x.summary.compactParams),
        ...(inMacs ? [String(x.summary.compactMacs)] : []),
        score4(summaryScore(x.summary, 'val')),
        score4(summaryScore(x.summary, 'test')),
        x.summary.testAccuracyBeforeFinetune?.toFixed(4) ?? '-',
        x.summary.aliveUnits?.join(',') ?? '-',
        String(x.summary.aliveInputs),
      ]),
    )}\n`,
  );
  process.stdout.write(
    `saved ${rows.length} runs under ${out}; plot ${path.join(out, 'size-path.svg')} (next: gs-compress report ${out})\n`,
  );
}

const score4 = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '-');
