/**
 * Training data as a pass reads it: with its rows holding exactly the network's inputs. Data whose
 * rows keep every column of a data set (TrainingData.inputColumns, a network whose inputs were
 * pruned) is read in place by the WebAssembly pass; the other passes read a copy of the kept columns.
 */
import { selectColumns } from '../data/columns';
import type { TrainingData } from './types';

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
