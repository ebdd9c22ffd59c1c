/**
 * The size path as SVG (vega-lite): test accuracy against parameters (log x axis) of every stop
 * of a size path, a line through the stops, each labelled with its budget; optional reference
 * points (e.g. the dense network) drawn apart.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from './vega-render';

/** Name of the file that lists a size path's stops, inside its folder (written by train, read by report). */
export const SIZE_PATH_FILE = 'size-path.json';

export interface SizePathPoint {
  label: string;
  /** The size on the x axis: parameters (or, with xTitle saying so, multiply-adds). */
  params: number;
  testAccuracy: number;
}

export function sizePathSvg(
  stops: readonly SizePathPoint[],
  o: { title?: string; reference?: readonly SizePathPoint[]; xTitle?: string } = {},
): Promise<string> {
  const pts = stops.filter((p) => Number.isFinite(p.testAccuracy) && p.params > 0).map((p) => ({ ...p, series: 'size path' }));
  const ref = (o.reference ?? []).filter((p) => Number.isFinite(p.testAccuracy) && p.params > 0).map((p) => ({ ...p, series: p.label }));
  const x = {
    field: 'params',
    type: 'quantitative',
    title: o.xTitle ?? 'parameters after exact pruning (log scale)',
    scale: { type: 'log' },
  } as const;
  const y = { field: 'testAccuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } } as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title ?? 'Size path: test accuracy against parameters',
    width: 520,
    height: 320,
    layer: [
      {
        data: { values: pts },
        mark: { type: 'line', point: { size: 60, filled: true }, color: '#1f77b4' },
        encoding: { x, y, order: { field: 'params', type: 'quantitative' } },
      },
      {
        data: { values: pts },
        mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 11 },
        encoding: { x, y, text: { field: 'label' } },
      },
      ...(ref.length
        ? [
            {
              data: { values: ref },
              mark: { type: 'point', shape: 'diamond', size: 90, filled: true, color: '#d62728' },
              encoding: { x, y, tooltip: [{ field: 'label' }] },
            },
          ]
        : []),
    ],
  };
  return renderVegaLiteSvg(spec as unknown as TopLevelSpec);
}
