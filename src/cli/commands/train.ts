/** `gs-compress train`: train a network with an optional (group) sparsity penalty and save the run. */
import type { Argv, CommandModule } from 'yargs';
import * as path from 'path';
import { loadDataset } from '../../data';
import { valRowCount } from '../../data/split';
import { portableRef, portableSpec } from '../../data/portable';
import type { DataRef, SplitDataset } from '../../data/types';
import { summaryScore, type TaskName } from '../../network/tasks';
import { resolveTrainConfig } from '../../train/config';
import { DEFAULT_CONFIG } from '../../train/defaults';
import { wasmPassAvailable } from '../../train/fused';
import type { TrainOptions } from '../../train/train';
import { DEFAULT_LATENCY_BATCH } from '../../onnx/latency';
import type { Network } from '../../network/types';
import { GsError } from '../../errors';
import { collapseMessage, pruneNetwork } from '../../prune';
import { saveTrainedRun, trainRun, type RunSummaryRecord } from '../../pipeline/run';
import { checkLrSchedule } from '../../train/lr-schedule';
import { resolveBudgetConfig, trainTeacher } from '../../pipeline/budget';
import { runSizePath } from './train-path';
import { type UnitScore } from '../../train/budget/project';
import { checkSoftTargetOptions } from '../../train/soft-targets';
import { COSINE_FINETUNE_MIN_ROWS, defaultSchedule } from '../../train/budget/schedule';
import { alignData, checkInitOptions, loadInit, networkShape } from '../../pipeline/init-from';
import { type EpochRecord, type TrainConfig } from '../../train/types';
import { VERSION } from '../../version';
import { dataOptions, dataSpec, type DataArgs } from '../data-options';
import { configFlags, trainingOptions, type TrainingFlagArgs } from '../training-flags';
import { fmtRmse, formatHistory, testScoreText } from '../history-table';
import { ProgressBar } from '../progress';
import { forceOption, sayReplaced, type ForceArgs } from '../output-options';
import { holdsRun, prepareOutputDir } from '../../util/output-path';
import { UsageError } from '../usage-error';

interface TrainArgs extends DataArgs, TrainingFlagArgs, ForceArgs {
  init?: string;
  'labels-from-model': boolean;
  out?: string;
  json: boolean;
}

/** What `gs-compress train --json` prints: one object. */
export interface TrainJson {
  data: DataRef;
  config: TrainConfig;
  engine: string;
  /** The run summary (as a sweep keeps it), plus the fine-tuning figures when --finetune-epochs > 0. */
  summary: RunSummaryRecord;
  history: EpochRecord[];
  out: string | null;
}

function describeDataset(d: SplitDataset, valFraction: number): string {
  const what = d.task === 'regression' ? `regression target ${d.classLabels.join(', ')}` : `${d.classLabels.length} classes`;
  const nVal = valRowCount(d.train.rows, valFraction);
  const val = nVal > 0 ? ` (${nVal} held out for validation, --val-fraction ${valFraction})` : ' (no validation split)';
  return `${d.name}: train ${d.train.rows} x ${d.train.cols}${val}, test ${d.test.rows}, ${what}`;
}

export function trainOptions<T>(y: Argv<T>): Argv<T & TrainArgs> {
  return forceOption(trainingOptions(dataOptions(y)))
    .option('init', {
      type: 'string',
      group: 'Network:',
      describe:
        'Start from these weights: a run directory, or a model you have (ONNX, tfjs model.json; imported and checked as `import` does). Shape, activation, scaling and classes come from it',
    })
    .option('labels-from-model', {
      type: 'boolean',
      default: false,
      group: 'Network:',
      describe:
        "With --init: train on the starting model's own predictions instead of the data's labels (distillation; the data needs no labels that match)",
    })
    .option('out', {
      type: 'string',
      group: 'Output:',
      describe: 'Save the run here: model.json + weights.bin (tfjs LayersModel) and gs-run.json',
    })
    .option('json', {
      type: 'boolean',
      default: false,
      group: 'Output:',
      describe: 'Print one JSON object (config, history, summary) instead of tables',
    });
}

export function trainConfigFrom(a: TrainArgs): TrainConfig {
  return resolveTrainConfig({ ...configFlags(a), lr: a.lr ?? DEFAULT_CONFIG.lr });
}

/** A list of budgets ('0.5,0.25'), or undefined when the option is absent. */
function parseBudgetList(name: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const list = String(text)
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map(Number);
  if (list.length === 0 || list.some((v) => !Number.isFinite(v))) {
    throw new GsError('BAD_OPTION', `--${name} ${JSON.stringify(text)}: expected a number or a comma-separated list of numbers`);
  }
  return list;
}

function listOrOne(l: number[] | undefined): number | number[] | undefined {
  return l && l.length === 1 ? l[0] : l;
}

/** Whether the run has a budget (in parameters or multiply-adds). */
function isBudgeted(a: TrainArgs): boolean {
  return ['target-params', 'target-ratio', 'target-macs', 'target-macs-ratio', 'target-speedup'].some(
    (k) => a[k as keyof TrainArgs] !== undefined,
  );
}

/** The budget options of a run, for its record (empty when no budget was asked for). */
function budgetConfig(a: TrainArgs): Record<string, unknown> {
  if (!isBudgeted(a)) return {};
  const macs = a['target-macs'] !== undefined || a['target-macs-ratio'] !== undefined;
  const params = a['target-params'] !== undefined || a['target-ratio'] !== undefined;
  return {
    ...(!params
      ? {}
      : a['target-params'] !== undefined
        ? { targetParams: listOrOne(parseBudgetList('target-params', a['target-params'])) }
        : { targetRatio: listOrOne(parseBudgetList('target-ratio', a['target-ratio'])) }),
    ...(!macs
      ? {}
      : a['target-macs'] !== undefined
        ? { targetMacs: listOrOne(parseBudgetList('target-macs', a['target-macs'])) }
        : { targetMacsRatio: listOrOne(parseBudgetList('target-macs-ratio', a['target-macs-ratio'])) }),
    finetuneLrSchedule: a['finetune-lr-schedule'],
    budgetWarmup: a['budget-warmup'],
    budgetRamp: a['budget-ramp'],
    budgetScore: a['budget-score'],
    ...(a['round-channels'] !== undefined ? { roundChannels: a['round-channels'] } : {}),
    ...(a['target-speedup'] !== undefined
      ? { targetSpeedup: a['target-speedup'], speedBatch: a['speed-batch'] ?? DEFAULT_LATENCY_BATCH }
      : {}),
    ...(a.distill ? { distill: true, distillTemperature: a['distill-temperature'], distillAlpha: a['distill-alpha'] } : {}),
  };
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train a network (ReLU or --activation), optionally with a (group) sparsity penalty, and save the run',
  builder: (y) =>
    trainOptions(y)
      .example('$0 train --data mnist --penalty gl --lambda 1e-4 --optimizer adam --lr 5e-3 --out runs/mnist-gl', 'group lasso on MNIST')
      .example('$0 train --data my.csv --label-column species --hidden 16 --out runs/mine', 'your own CSV, one hidden layer')
      .example('$0 train --data sdd --hidden "" --penalty l1 --lambda 1e-4', 'logistic regression with lasso')
      .example(
        '$0 train --data houses.csv --label-column price --task regression --hidden 32 --penalty gl --lambda 1e-3 --out runs/price',
        'a regressor: mean squared error, RMSE and R^2 reported',
      )
      .check((a) => {
        if (!a.data && !(a.train && a.test)) throw new UsageError('Give --data NAME|FILE, or --train FILE and --test FILE');
        return true;
      }),
  handler: async (a) => {
    if (a['labels-from-model'] && !a.init) throw new GsError('BAD_OPTION', '--labels-from-model needs --init RUN_OR_MODEL');
    const init = a.init ? await loadInit(a.init, { task: a.task as TaskName | undefined }) : null;
    if (init) {
      checkInitOptions(init.network, a.init as string, {
        hidden: a.hidden,
        activation: a.activation,
        standardize: a.standardize,
        task: a.task,
      });
      if (init.network.task === 'regression') a.task = 'regression'; // the data's label column is then a numeric target
      const shape = networkShape(init.network);
      a.hidden = shape.hidden.join(',');
      if (!shape.activation.includes('+')) a.activation = shape.activation;
    }
    const budgeted = isBudgeted(a);
    checkSoftTargetOptions(a['label-smoothing'], a.distill);
    const asked = trainConfigFrom(a);
    // the output is checked before the data is read and the network trained, not after
    const outDir = a.out ? prepareOutputDir(a.out, { option: '--out', force: a.force }) : null;
    const replacing = outDir !== null && outDir.existed && holdsRun(outDir.path);
    if (asked.engine !== 'tfjs' && asked.backend !== 'auto') {
      process.stderr.write(`note: --backend ${asked.backend} applies to --engine tfjs; the fused engines do not use tfjs\n`);
    }
    if (asked.engine === 'fused' && !wasmPassAvailable()) {
      process.stderr.write(
        'note: the WebAssembly SIMD kernels are unavailable (build/kernels.wasm missing, or no SIMD in this runtime; `npm run build` makes them): training on the slower TypeScript kernels\n',
      );
    }
    const bar = new ProgressBar(!a.json && Boolean(process.stderr.isTTY));
    const loaded = await loadDataset(dataSpec(a));
    const data = init ? await alignData(loaded, init, a['labels-from-model']) : loaded;
    if (!a.json) process.stderr.write(`${describeDataset(data, asked.valFraction ?? 0)}\n`);
    // a budget run without --lr takes the library's budget default for its data (resolveBudgetConfig)
    const resolved = budgeted
      ? resolveBudgetConfig(data.train.rows, { ...asked, lr: a.lr }, init !== null)
      : { config: asked, lrDefaulted: false };
    const cfg = resolved.config;
    if (resolved.lrDefaulted && cfg.lr !== DEFAULT_CONFIG.lr && !a.json) {
      process.stderr.write(
        `lr ${cfg.lr}: a budget run on ${data.train.rows} training rows (< ${COSINE_FINETUNE_MIN_ROWS}); --lr sets another\n`,
      );
    }
    if (init && !a.json) {
      process.stderr.write(`starting from ${init.describe}${a['labels-from-model'] ? "; labels: the model's predictions" : ''}\n`);
    }
    if (
      init?.network.task === 'regression' &&
      a['labels-from-model'] &&
      cfg.proxStep === 'preconditioned' &&
      cfg.solver === 'prox' &&
      !a.json
    ) {
      process.stderr.write(
        "note: a regressor fits its own predictions exactly, so the optimizer's per-coordinate steps grow without bound and the preconditioned proximal step can remove the whole network; --prox-step lr avoids that (compress uses it here)\n",
      );
    }
    const ftEpochs = a['finetune-epochs'];
    if (!(Number.isInteger(ftEpochs) && ftEpochs >= 0))
      throw new GsError('BAD_OPTION', `--finetune-epochs ${ftEpochs}: expected an integer >= 0`);
    const hooks = (phase: string, epochs: number): TrainOptions => ({
      standardize: a.standardize,
      ...(init && phase === '' ? { init: init.network as Network } : {}),
      onProgress: (epoch, done, total) => bar.update(`${phase}epoch ${epoch}/${epochs}`, done, total),
      onEpoch: (r) =>
        !a.json &&
        bar.log(
          `${phase}epoch ${r.epoch}/${epochs}  loss ${r.dataLoss.toFixed(4)}  ${testScoreText(r)}  zero ${r.zeroParams}/${r.totalParams}  units ${r.aliveUnits.join(',') || '-'}  inputs ${r.aliveInputs}  ${r.seconds.toFixed(2)}s`,
        ),
    });
    if (a['target-params'] !== undefined && a['target-ratio'] !== undefined) {
      throw new GsError('BAD_OPTION', 'give --target-params or --target-ratio, not both');
    }
    const targetParams = parseBudgetList('target-params', a['target-params']);
    const targetRatio = parseBudgetList('target-ratio', a['target-ratio']);
    if (a['target-macs'] !== undefined && a['target-macs-ratio'] !== undefined) {
      throw new GsError('BAD_OPTION', 'give --target-macs or --target-macs-ratio, not both');
    }
    const targetMacs = parseBudgetList('target-macs', a['target-macs']);
    const targetMacsRatio = parseBudgetList('target-macs-ratio', a['target-macs-ratio']);
    const lists = [targetParams, targetRatio, targetMacs, targetMacsRatio].filter((l) => l !== undefined);
    if (lists.some((l) => l.length > 1) && lists.length > 1) {
      throw new GsError(
        'BAD_OPTION',
        'a size path (a list of budgets) walks one measure: give only that list, not another budget beside it',
      );
    }
    const budgetOpts = {
      score: a['budget-score'] as UnitScore,
      ...(a['round-channels'] !== undefined ? { roundChannels: a['round-channels'] } : {}),
      ...(a['target-speedup'] !== undefined
        ? { targetSpeedup: a['target-speedup'], latency: { batch: a['speed-batch'] ?? DEFAULT_LATENCY_BATCH } }
        : {}),
      finetuneEpochs: ftEpochs,
      ...(a['finetune-lr-schedule'] === 'auto' ? {} : { finetuneLrSchedule: checkLrSchedule(a['finetune-lr-schedule']) }),
      schedule: defaultSchedule(cfg.epochs, a['budget-warmup'], a['budget-ramp']),
    };
    if (a['speed-batch'] !== undefined && a['target-speedup'] === undefined)
      throw new GsError('BAD_OPTION', '--speed-batch sets how --target-speedup times a network: give --target-speedup S too');
    if (a['speed-batch'] !== undefined && !(Number.isInteger(a['speed-batch']) && a['speed-batch'] >= 1))
      throw new GsError('BAD_OPTION', `--speed-batch ${a['speed-batch']}: expected a positive integer`);
    if (lists.some((l) => l.length > 1)) {
      if (a['target-speedup'] !== undefined)
        throw new GsError('BAD_OPTION', '--target-speedup gives one network: not with a size path (a list of budgets)');
      const teacher = a.distill ? await trainTeacher(data, cfg, hooks('teacher ', cfg.epochs)) : null;
      await runSizePath({
        data,
        cfg,
        opts: {
          ...budgetOpts,
          ratios: targetRatio,
          params: targetParams,
          macsRatios: targetMacsRatio,
          macs: targetMacs,
          ...(init ? { start: init.network } : {}),
          ...(teacher ? { distill: { teacher, temperature: a['distill-temperature'], alpha: a['distill-alpha'] } } : {}),
        },
        out: a.out,
        json: a.json,
        hooks: (i) => ({ train: hooks(`stop ${i + 1} `, cfg.epochs), finetune: hooks(`stop ${i + 1} fine-tune `, ftEpochs) }),
        record: (dir) => ({
          dataRef: portableRef(data.ref, dir),
          config: { ...cfg, finetuneEpochs: ftEpochs, ...budgetConfig(a), dataSpec: portableSpec(dataSpec(a), dir, { keepDataDir: true }) },
        }),
        bar,
      });
      return;
    }
    if (a['round-channels'] !== undefined && !budgeted)
      throw new GsError(
        'BAD_OPTION',
        '--round-channels shapes the widths a budget leaves: give --target-macs-ratio, --target-ratio, ... too',
      );
    if (a.distill && !budgeted)
      throw new GsError('BAD_OPTION', '--distill needs a budget (--target-params, --target-ratio, --target-macs or --target-macs-ratio)');
    // the one run pipeline (pipeline/run.ts), as sweep runs and the quickstart train
    const run = await trainRun(
      data,
      {
        config: cfg,
        finetuneEpochs: ftEpochs,
        ...(!budgeted && a['finetune-lr-schedule'] !== 'auto' ? { finetuneLrSchedule: checkLrSchedule(a['finetune-lr-schedule']) } : {}),
        ...(budgeted
          ? {
              budget: {
                targetParams: targetParams?.[0],
                targetRatio: targetRatio?.[0],
                targetMacs: targetMacs?.[0],
                targetMacsRatio: targetMacsRatio?.[0],
                ...budgetOpts,
              },
            }
          : {}),
        ...(a.distill ? { distill: { temperature: a['distill-temperature'], alpha: a['distill-alpha'] } } : {}),
        ...(init ? { init: init.network } : {}),
      },
      { teacher: hooks('teacher ', cfg.epochs), train: hooks('', cfg.epochs), finetune: hooks('fine-tune ', ftEpochs) },
    );
    const { result } = run;
    bar.clear();
    const collapse = collapseMessage(pruneNetwork(result.network).report, cfg.lambda);
    const summary: TrainJson['summary'] = run.summary;
    if (a.out) {
      const out = path.resolve(a.out);
      saveTrainedRun(out, run, {
        generatedBy: `gs-compress ${VERSION}`,
        data: portableRef(data.ref, out),
        config: {
          finetuneEpochs: ftEpochs,
          ...budgetConfig(a),
          dataSpec: portableSpec(dataSpec(a), out, { keepDataDir: true }),
          ...(init ? { init: init.describe, labelsFromModel: a['labels-from-model'] } : {}),
        },
        summary,
      });
      if (replacing) sayReplaced(outDir, a.out);
    }
    if (a.json) {
      const json: TrainJson = {
        data: data.ref,
        config: { ...cfg, ...budgetConfig(a) },
        engine: result.engine,
        summary,
        history: result.history,
        out: a.out ?? null,
      };
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else {
      process.stdout.write(`${formatHistory(result.history)}\n\n`);
      process.stdout.write(
        `engine ${result.engine}; ${summary.testRmse !== undefined ? `test RMSE ${fmtRmse(summary.testRmse)}, R^2 ${fixed4(summary.testR2)}` : `test accuracy ${fixed4(summary.testAccuracy)}`}` +
          `${!Number.isFinite(summaryScore(summary, 'val')) ? '' : summary.testRmse !== undefined ? ` (validation RMSE ${fmtRmse(summary.valRmse ?? NaN)}, R^2 ${fixed4(summary.valR2)})` : ` (validation ${fixed4(summary.valAccuracy)})`}; ` +
          `zero parameters ${summary.totalParams - summary.nonzeroParams}/${summary.totalParams}; ` +
          `pruned parameters ${summary.prunedParams}${summary.macs !== undefined ? `, multiply-adds ${summary.macs}` : ''}; alive units ${summary.aliveUnits.join(',') || '-'}; ` +
          `alive inputs ${inputsText(summary.aliveInputs, result.network.inputShape, data.train.cols)}; wall time ${result.trainSeconds.toFixed(1)} s\n`,
      );
      const met = budgetMetText(summary);
      if (met) process.stdout.write(`${met}\n`);
      const speed = speedText(summary);
      if (speed) process.stdout.write(`${speed}\n`);
      if (a.out) process.stdout.write(`saved run to ${a.out} (next: gs-compress prune ${a.out} --export ${a.out}/model.onnx)\n`);
    }
    if (collapse) process.stderr.write(`warning: ${collapse}\n`);
    if (summary.diverged) {
      process.stderr.write('error: training diverged (loss is not finite); try a smaller --lr\n');
      process.exitCode = 1;
    }
  },
};

const fixed4 = (v: number | undefined) => (v ?? NaN).toFixed(4);

/** "budget met: ..." for a budget run: each limited measure, the network's count, the budget and the start. */
function budgetMetText(s: TrainJson['summary']): string | null {
  if (s.targetParams === undefined || s.compactParams === undefined || s.startParams === undefined) return null;
  const parts: string[] = [];
  if (s.targetMacs !== undefined && s.compactMacs !== undefined && s.startMacs !== undefined)
    parts.push(`multiply-adds ${s.compactMacs} <= ${s.targetMacs} (started at ${s.startMacs})`);
  if (s.targetMacs === undefined || s.targetParams < s.startParams)
    parts.push(`parameters ${s.compactParams} <= ${s.targetParams} (started at ${s.startParams})`);
  return `budget met: ${parts.join('; ')}`;
}

/** With --target-speedup: each projection's multiply-adds beside its measured time, and the result. */
function speedText(s: TrainJson['summary']): string | null {
  const sp = s.speed;
  if (!sp) return null;
  const rows = (s.projections ?? [])
    .filter((p) => p.usPerRow !== undefined && p.afterMacs !== undefined)
    // only the steps that changed the network (once the speed is met, or at the budget, the size stays)
    .filter((p, i, all) => i === 0 || p.afterMacs !== all[i - 1].afterMacs)
    .map(
      (p) =>
        `  epoch ${p.epoch}: ${p.afterMacs} multiply-adds, ${(p.usPerRow as number).toFixed(1)} µs/row (${(sp.startUsPerRow / (p.usPerRow as number)).toFixed(2)}x)`,
    );
  const head = `speed (onnxruntime, ${sp.threads} thread${sp.threads === 1 ? '' : 's'}, batch ${sp.batch}): ${sp.startUsPerRow.toFixed(1)} -> ${sp.usPerRow.toFixed(1)} µs/row, ${sp.speedup.toFixed(2)}x`;
  const verdict = sp.met
    ? `target ${sp.target}x met`
    : `target ${sp.target}x NOT met: even the smallest network of this shape measured ${sp.speedup.toFixed(2)}x (fixed costs per call dominate); a lower --target-speedup keeps more of the network`;
  return [`${head}; ${verdict}`, ...rows].join('\n');
}

/** Alive inputs of all: columns of a flat network, channels of one with an example shape (a CNN). */
const inputsText = (alive: number, shape: number[] | undefined, cols: number) =>
  shape && shape.length > 1 ? `${alive}/${shape[0]} channels` : `${alive}/${cols}`;
