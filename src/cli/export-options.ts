/**
 * The export options of `prune`, read from the export-format table (pipeline/export-formats/table.ts):
 * one path option per base format (--export FILE, --export-tfjs DIR), --compact-input (which every
 * format honours; listed after the default format's option) and --quantize (the lossy variants).
 */
import type { Argv } from 'yargs';
import { baseExportFormats, quantizeHelp, quantizeValues, type ExportFormat } from '../pipeline/export-formats/table';

export interface ExportArgs {
  'compact-input': boolean;
  quantize?: string;
}

export function exportOptions<T>(y: Argv<T>): Argv<T & ExportArgs> {
  let out = y as Argv<T & ExportArgs>;
  baseExportFormats().forEach((f, i) => {
    out = out.option(f.option, { type: 'string', group: 'Output:', describe: f.help });
    if (i === 0) {
      out = out.option('compact-input', {
        type: 'boolean',
        default: false,
        group: 'Output:',
        describe: 'ONNX input holds only the kept features (listed in its metadata) instead of all columns',
      }) as Argv<T & ExportArgs>;
    }
  });
  return out.option('quantize', { type: 'string', choices: quantizeValues(), group: 'Output:', describe: quantizeHelp() }) as Argv<
    T & ExportArgs
  >;
}

/** The path the user gave for a base format's option, or undefined. */
export function givenPath(args: object, f: ExportFormat): string | undefined {
  const v = (args as Record<string, unknown>)[f.option];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
