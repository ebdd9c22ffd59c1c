/**
 * Training curves of one or more runs over epochs, as SVG (vega-lite): the loss curves of the
 * paper's Figures 4-9 (data loss, solid, and data loss + penalty, dashed, one colour per run)
 * and the test-accuracy curves (optionally with training accuracy, dashed). Epochs whose value
 * is not finite (a diverged run) are left out of the plot rather than breaking the scale.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { EpochRecord } from '../sweep/types';
import { renderVegaLiteSvg } from './vega-render';

/** One run's curves: a legend label and its per-epoch history (fields may be missing in old runs). */
export interface RunCurves {
  label: string;
  history: readonly Partial<EpochRecord>[];
}

export interface CurvePlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

interface CurvePoint {
  run: string;
  epoch: number;
  series: string;
  value: number;
}

function points(runs: readonly RunCurves[], series: Record<string, (r: Partial<EpochRecord>) => number | undefined>): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const run of runs) {
    run.history.forEach((r, i) => {
      const epoch = typeof r.epoch === 'number' ? r.epoch : i + 1;
      for (const [name, get] of Object.entries(series)) {
        const value = get(r);
        if (typeof value === 'number' && Number.isFinite(value)) out.push({ run: run.label, epoch, series: name, value });
      }
    });
  }
  return out;
}

function lineSpec(
  values: CurvePoint[],
  yTitle: string,
  seriesOrder: string[],
  o: CurvePlotOptions,
  yDomain?: [number, number],
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(o.title ? { title: o.title } : {}),
    width: o.width ?? 520,
    height: o.height ?? 300,
    data: { values },
    name: 'curves',
    mark: { type: 'line', point: false, strokeWidth: 1.8 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: yDomain ? { domain: yDomain } : { zero: false } },
      color: { field: 'run', type: 'nominal', title: 'run' },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: seriesOrder,
        scale: {
          domain: seriesOrder,
          range: [
            [1, 0],
            [6, 4],
          ],
        },
      },
      detail: [{ field: 'run' }, { field: 'series' }],
    },
  };
}

export const LOSS_SERIES = ['data loss', 'data loss + penalty'];

/** Data loss (solid) and data loss + lambda*R (dashed) per epoch, one colour per run. */
export function lossCurvesSvg(runs: readonly RunCurves[], o: CurvePlotOptions = {}): Promise<string> {
  const values = points(runs, {
    [LOSS_SERIES[0]]: (r) => r.dataLoss,
    [LOSS_SERIES[1]]: (r) => (typeof r.dataLoss === 'number' ? r.dataLoss + (r.penalty ?? 0) : undefined),
  });
  return renderVegaLiteSvg(lineSpec(values, 'loss', LOSS_SERIES, { title: 'Loss over epochs', ...o }));
}

/** Test accuracy (solid) per epoch, one colour per run; with `train: true` also training accuracy (dashed). */
export function accuracyCurvesSvg(runs: readonly RunCurves[], o: CurvePlotOptions & { train?: boolean } = {}): Promise<string> {
  const series: Record<string, (r: Partial<EpochRecord>) => number | undefined> = { 'test accuracy': (r) => r.testAccuracy };
  if (o.train) series['train accuracy'] = (r) => r.trainAccuracy;
  const values = points(runs, series);
  return renderVegaLiteSvg(lineSpec(values, 'accuracy', Object.keys(series), { title: 'Test accuracy over epochs', ...o }));
}
