/**
 * Synthetic data for the torch regressor fixture (test/fixtures/import/torch-regressor.onnx): rows
 * like its training problem (6 features, fixed scales and shifts), target = the model's own output
 * plus N(0, 0.05^2), so RMSE 0.05 is the noise floor. Written as CSV; used by the regression tests
 * and scripts/bench-regression.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { importModel } from '../../src/import';
import { runOriginal } from '../../src/pipeline/import-check';
import { Rng } from '../../src/util/rng';

export const TORCH_REGRESSOR = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'import', 'torch-regressor.onnx');

/** Writes `rows` rows (header a..f,target) to `file`, seed 11. */
export async function writeRegressorData(file: string, rows: number): Promise<void> {
  const rng = new Rng(11);
  const scale = [1, 2, 0.5, 3, 1, 1];
  const shift = [0, 5, -1, 10, 0, 2];
  const x = new Float32Array(rows * 6);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal() * scale[i % 6] + shift[i % 6];
  const m = importModel(TORCH_REGRESSOR, { task: 'regression' });
  const y = (await runOriginal(m.original, x, rows)).logits as Float32Array;
  const lines = ['a,b,c,d,e,f,target'];
  for (let r = 0; r < rows; r++)
    lines.push(
      [...x.subarray(r * 6, r * 6 + 6)]
        .map((v) => v.toFixed(5))
        .concat((y[r] + 0.05 * rng.normal()).toFixed(5))
        .join(','),
    );
  fs.writeFileSync(file, lines.join('\n') + '\n');
}
