/**
 * Training data as a pass reads it: with its rows holding exactly the network's inputs. Data whose
 * rows keep every column of a data set (TrainingData.inputColumns, a network whose inputs were
 * pruned) has its kept columns gathered into the module's memory by the WebAssembly pass
 * (fused/kept-columns.ts); the other passes read a copy of them (compactTrainingData).
 */
import { selectColumns } from '../data/columns';
import type { InputColumns, TrainingData } from './types';

/** `d` with x holding the network's inputs only (the kept columns copied), or `d` itself when it does. */
export function compactTrainingData(d: TrainingData): TrainingData {
  if (!d.inputColumns) return d;
  const { inputColumns, ...rest } = d;
  return { ...rest, x: selectColumns(d.x, d.rows, inputColumns.width, inputColumns.keep) };
}

/** Values per row of the data's x: the network's inputs, or the full rows' width with inputColumns. */
export function rowWidth(d: TrainingData): number {
  return d.inputColumns ? d.inputColumns.width : d.cols;
}

/** Throws unless `c` names `inputs` columns, each within 0..c.width-1. */
export function checkInputColumns(c: InputColumns, inputs: number): void {
  if (c.keep.length !== inputs) throw new RangeError(`${c.keep.length} input columns given for ${inputs} network inputs`);
  for (const k of c.keep) {
    if (!(Number.isInteger(k) && k >= 0 && k < c.width)) throw new RangeError(`input column ${k} is outside 0..${c.width - 1}`);
  }
}
