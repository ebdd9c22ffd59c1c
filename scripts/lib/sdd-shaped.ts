/**
 * SDD-shaped synthetic data for benchmarks: 48 gaussian features, 11 classes whose labels come
 * from a fixed random 48-64-11 teacher ReLU network (so accuracy means something), 40956 training
 * and 17553 test rows as in the paper's SDD split.
 */
import type { SplitDataset, Table } from '../../src/data/types';
import { initNetwork } from '../../src/network/create';
import { predictLabels } from '../../src/network/forward';
import { Rng } from '../../src/util/rng';
import { writeTextTable } from './torch-ref';

export function sddShaped(trainRows = 40956, testRows = 17553): SplitDataset {
  const d = 48;
  const classes = 11;
  const teacher = initNetwork({ inputWidth: d, hidden: [64], classes }, 123);
  const rng = new Rng(99);
  const make = (rows: number): Table => {
    const features = Float32Array.from({ length: rows * d }, () => rng.normal());
    return { rows, cols: d, features, labels: predictLabels(teacher, features, rows) };
  };
  const train = make(trainRows);
  const test = make(testRows);
  return {
    name: 'sdd-shaped',
    train,
    test,
    tabular: true,
    classLabels: Array.from({ length: classes }, (_, i) => String(i)),
    featureNames: Array.from({ length: d }, (_, i) => `x${i}`),
    ref: { kind: 'file', files: [] },
  };
}

/** Writes the split as two whitespace-separated text files (label last); returns their paths. */
export function writeSplit(data: SplitDataset, dir: string): { train: string; test: string } {
  const train = `${dir}/sdd-shaped-train.txt`;
  const test = `${dir}/sdd-shaped-test.txt`;
  writeTextTable(train, data.train.features, data.train.labels, data.train.cols);
  writeTextTable(test, data.test.features, data.test.labels, data.test.cols);
  return { train, test };
}
