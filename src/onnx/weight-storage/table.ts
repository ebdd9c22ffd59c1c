/**
 * The table of the ONNX export's weight storages: float32 (exact, the default) and the lossy ones a
 * user opts into with `prune --quantize`, in the order --help lists them. A new storage is its own
 * file in this folder (a WeightStorage, ./types.ts) and its line here; the export, the `--quantize`
 * choices and their help (pipeline/export-formats) follow from the table.
 */
import { FLOAT16 } from './float16';
import { FLOAT32 } from './float32';
import { INT8, INT8_WEIGHTS } from './int8';
import type { WeightStorage } from './types';

/** The lossy storages, the `--quantize` choices. */
export const QUANTIZED_STORAGES = [INT8, INT8_WEIGHTS, FLOAT16] as const;

/** A lossy storage's name (the `quantize` option of the export). */
export type Quantize = (typeof QUANTIZED_STORAGES)[number]['name'];

/** The `--quantize` choices. */
export const QUANTIZE_CHOICES: readonly Quantize[] = QUANTIZED_STORAGES.map((s) => s.name);

/** The storage of an export: a lossy one by name, or float32 for null. */
export function storageOf(quantize: Quantize | null): WeightStorage {
  if (quantize === null) return FLOAT32;
  const s = QUANTIZED_STORAGES.find((x) => x.name === quantize);
  if (!s) throw new Error(`internal: unknown weight storage ${String(quantize)}`);
  return s;
}

export { FLOAT32 };
export type { WeightStorage };
