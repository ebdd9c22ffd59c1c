/** The report layer's public face: SVG plots (vega-lite, rendered in Node), the HTML report, its inputs. */
export { renderVegaLiteSvg } from './vega-render';
export { lossCurvesSvg, accuracyCurvesSvg, LOSS_SERIES } from './curves';
export type { RunCurves, CurvePlotOptions } from './curves';
export { paretoSvg } from './pareto-plot';
export type { ParetoPoint, ChosenPoint, ParetoPlotOptions } from './pareto-plot';
export { loadReportInputs } from './sources';
export type { ReportInputs, SourceInfo } from './sources';
export { runDirRecord } from '../sweep/run-dir-record';
export { defaultReportFile, REPORT_FILE } from './default-file';
export { buildReport, buildReportModel, renderReportHtml, writeReport, DEFAULT_MAX_CURVES } from './report';
export type { ReportModel, ReportOptions } from './report';
export { sizePathSvg } from './size-path-plot';
export type { SizePathPoint } from './size-path-plot';
