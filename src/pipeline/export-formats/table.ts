/**
 * The table of export formats: ONNX with float32 weights (the default), its lossy variants (one per
 * weight storage of onnx/weight-storage/table.ts, chosen with --quantize), and the tfjs LayersModel.
 * Everything that knows the list reads it here: prune's options and their --help, the checks made
 * before the work, the writers, how each is verified, the manifest and the lines that say what was
 * written. A new format is its own file in this folder (an ExportFormat, ./types.ts) and its line
 * here; a new weight storage is a file in onnx/weight-storage/ and appears here by itself.
 */
import { GsError } from '../../errors';
import { DEFAULT_MAX_RMSE_INCREASE } from '../../onnx/verify';
import { FLOAT32, QUANTIZED_STORAGES } from '../../onnx/quantize';
import { onnxFormat } from './onnx';
import { TFJS_LAYERS_MODEL } from './tfjs-layers';
import type { ExportFormat } from './types';

const FORMATS: ExportFormat[] = [onnxFormat(FLOAT32), ...QUANTIZED_STORAGES.map(onnxFormat), TFJS_LAYERS_MODEL];

/** Every export format, in --help order. */
export const EXPORT_FORMATS: readonly ExportFormat[] = FORMATS;

/** The default format (`--export FILE`: ONNX, float32). */
export const DEFAULT_EXPORT_FORMAT = FORMATS[0];

/** Adds a format to the table (one defined outside src/, e.g. a test's); its name must be new. */
export function registerExportFormat(f: ExportFormat): void {
  if (FORMATS.some((x) => x.name === f.name)) throw new Error(`internal: export format ${f.name} registered twice`);
  FORMATS.push(f);
}

/** The base formats, one per output option, in --help order. */
export function baseExportFormats(): ExportFormat[] {
  return FORMATS.filter((f) => f.quantize === null);
}

/** The lossy variants of a base format's option (the --quantize choices of --export). */
export function variantsOf(option: string): ExportFormat[] {
  return FORMATS.filter((f) => f.option === option && f.quantize !== null);
}

/** The format an option writes, given the --quantize value (null: none). */
export function formatFor(option: string, quantize: string | null): ExportFormat {
  const f = FORMATS.find((x) => x.option === option && x.quantize === quantize);
  if (!f) {
    const choices = variantsOf(option).map((v) => v.quantize);
    throw new GsError('BAD_OPTION', `--quantize ${String(quantize)}: expected one of ${choices.join(', ')}`);
  }
  return f;
}

/** A format by name. */
export function exportFormat(name: string): ExportFormat {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) throw new GsError('BAD_OPTION', `unknown export format ${name}; expected one of ${FORMATS.map((x) => x.name).join(', ')}`);
  return f;
}

/** The --quantize values (all variants, whatever their option). */
export function quantizeValues(): string[] {
  return FORMATS.flatMap((f) => (f.quantize === null ? [] : [f.quantize]));
}

/** --quantize's help: every variant's clause, then how they are stored and verified. */
export function quantizeHelp(): string {
  const clauses = FORMATS.filter((f) => f.quantize !== null).map((f) => f.help);
  return (
    `LOSSY, opt-in: ${clauses.join('; ')}. ` +
    'Convolution weights are stored the same way and computed in float32; batch norm is folded into the convolution before it. ' +
    `Verified by accuracy (a regressor: by test RMSE, failing when it is more than ${100 * DEFAULT_MAX_RMSE_INCREASE}% above the float one)`
  );
}

export type { ExportCheck, ExportFormat, ExportJob, ExportWritten } from './types';
