/**
 * The Pareto plot of a sweep as SVG (vega-lite): test accuracy against nonzero parameters on a
 * log x axis; every run a point coloured by penalty, the Pareto front (most accurate for its
 * size) a step-free line through its runs in order of size, and the chosen runs circled and
 * labelled. A run with no nonzero parameter is drawn at 1 (log scale).
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from './vega-render';

/** What the plot needs of a run. */
export interface ParetoPoint {
  id: string;
  penalty: string;
  nonzeroParams: number;
  testAccuracy: number;
}

/** A chosen run and why it was chosen (e.g. 'best accuracy'). */
export interface ChosenPoint extends ParetoPoint {
  reason?: string;
}

export interface ParetoPlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

function usable(p: ParetoPoint): boolean {
  return Number.isFinite(p.nonzeroParams) && Number.isFinite(p.testAccuracy);
}

function datum(p: ParetoPoint) {
  return { id: p.id, penalty: p.penalty, nonzero: Math.max(1, p.nonzeroParams), accuracy: p.testAccuracy };
}

export function paretoSvg(
  rows: readonly ParetoPoint[],
  front: readonly ParetoPoint[],
  chosen: readonly ChosenPoint[],
  o: ParetoPlotOptions = {},
): Promise<string> {
  const all = rows.filter(usable).map((p) => ({ ...datum(p), layer: 'run' }));
  const line = [...front]
    .filter(usable)
    .sort((a, b) => a.nonzeroParams - b.nonzeroParams)
    .map((p, i) => ({ ...datum(p), order: i, layer: 'front' }));
  const picks = chosen.filter(usable).map((p) => ({ ...datum(p), reason: p.reason ?? p.id, layer: 'chosen' }));
  const x = { field: 'nonzero', type: 'quantitative', title: 'nonzero parameters (log scale)', scale: { type: 'log' } } as const;
  const y = { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } } as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title ?? 'Test accuracy against nonzero parameters',
    width: o.width ?? 520,
    height: o.height ?? 320,
    layer: [
      {
        name: 'front',
        data: { values: line },
        mark: { type: 'line', color: '#444', strokeWidth: 1.5 },
        encoding: { x, y, order: { field: 'order', type: 'quantitative' } },
      },
      {
        name: 'runs',
        data: { values: all },
        mark: { type: 'point', filled: true, size: 45, opacity: 0.8 },
        encoding: {
          x,
          y,
          color: { field: 'penalty', type: 'nominal', title: 'penalty' },
          tooltip: [{ field: 'id' }, { field: 'penalty' }, { field: 'nonzero' }, { field: 'accuracy' }],
        },
      },
      {
        name: 'chosen',
        data: { values: picks },
        mark: { type: 'point', filled: false, size: 260, strokeWidth: 2, color: '#d62728' },
        encoding: { x, y },
      },
      {
        name: 'chosenLabels',
        data: { values: picks },
        mark: { type: 'text', align: 'left', dx: 10, dy: -10, fontSize: 11, color: '#d62728' },
        encoding: { x, y, text: { field: 'reason' } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return renderVegaLiteSvg(spec as unknown as TopLevelSpec);
}
