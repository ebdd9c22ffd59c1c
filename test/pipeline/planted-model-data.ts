/** Test data for compress/export tests: rows around an imported model's scaling, labelled by the model's own predictions. */
import type { SplitDataset } from '../../src/data/types';
import { predictLabels } from '../../src/network/forward';
import { randomRows } from '../../src/pipeline/import-check';
import { loadInit } from '../../src/pipeline/init-from';

/** `trainRows` / `testRows` rows of the model's 6 columns, labelled by its 3-class predictions. */
export async function plantedModelData(model: string, trainRows: number, testRows: number): Promise<SplitDataset> {
  const src = await loadInit(model);
  const mk = (rows: number, seed: number) => {
    const x = randomRows(src.network, rows, seed);
    return { rows, cols: 6, features: x, labels: predictLabels(src.network, x, rows) };
  };
  return {
    name: 'planted',
    train: mk(trainRows, 1),
    test: mk(testRows, 2),
    classLabels: ['0', '1', '2'],
    featureNames: [],
    tabular: true,
    ref: { kind: 'file', path: 'planted.csv', files: [] },
  };
}
