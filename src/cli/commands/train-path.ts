/**
 * `gs-compress train --target-ratio 0.5,0.25,...` (or a list of --target-params): the size path.
 * Runs the library's sizePath, saves each stop's fine-tuned network as its own run directory
 * (OUT/ratio-R/ or OUT/params-N/), writes OUT/size-path.json and the plot OUT/size-path.svg, and
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
  return s.ratio !== undefined ? `ratio-${s.ratio}` : `params-${s.targetParamsGiven}`;
}

/** A stop's summary: the one run summary (pipeline/run.ts budgetSummary) with the ratio it was asked for. */
function stopSummary(s: PathStop, data: SplitDataset, finetuneEpochs: number) {
  return { ...(s.ratio !== undefined ? { targetRatio: s.ratio } : {}), ...budgetSummary(s, data, finetuneEpochs) };
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
            ...(stop.ratio !== undefined ? { targetRatio: stop.ratio } : { targetParams: stop.targetParamsGiven }),
          },
          engine: stop.result.engine,
          history: stop.result.history as unknown as Record<string, unknown>[],
          summary,
        });
        rows.push({ dir, summary });
        if (!r.json)
          r.bar.log(
            `stop ${rows.length}: ${dir}: ${summary.compactParams} parameters, ${Number.isFinite(summaryScore(summary, 'val')) ? `validation ${summaryScore(summary, 'val').toFixed(4)}, ` : ''}test ${scoreName} ${summaryScore(summary, 'test').toFixed(4)}`,
          );
      },
    },
    r.hooks,
  );
  r.bar.clear();
  const svg = await sizePathSvg(
    rows.map((x) => ({ label: x.dir, params: x.summary.compactParams, testAccuracy: summaryScore(x.summary, 'test') })),
    { title: `Size path on ${r.data.name}` },
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
      ['stop', 'budget', 'parameters', `val ${scoreName}`, `test ${scoreName}`, 'test before fine-tune', 'units', 'inputs'],
      rows.map((x) => [
        x.dir,
        String(x.summary.targetParams),
        String(x.summary.compactParams),
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
