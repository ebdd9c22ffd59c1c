/**
 * Renders a vega-lite specification to an SVG string in Node: vega-lite compiles it to a vega
 * spec, a headless vega View (renderer 'none', no canvas, text measured by estimate) draws it.
 * Every plot of the report goes through here; nothing builds SVG by hand. vega and vega-lite
 * are loaded on the first render, not when the library is imported.
 */
import type { TopLevelSpec } from 'vega-lite';

/** Shared look of all plots: plain fonts, no outer padding surprises. */
export const PLOT_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.4 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14 },
  view: { stroke: '#888' },
} as const;

/** Compile and render a vega-lite spec; the View is finalized before returning. */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vl.compile({ config: PLOT_CONFIG, ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
