/**
 * A configuration trained inside a sweep (on a worker process, among others) gives exactly the
 * network and history of the same configuration trained alone with trainNetwork: sweeps change
 * where and how many runs train, never what they compute.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadDataset } from '../../src/data';
import { loadRun } from '../../src/network/run-io';
import { expandGrid, runSweep } from '../../src/sweep';
import { trainNetwork } from '../../src/train/train';
import { makeTempDir, tinyGrid, writeTinyCsv } from './helpers';

test('every run of a 2-worker sweep equals the same configuration trained alone', async () => {
  const dir = makeTempDir();
  try {
    const grid = tinyGrid(writeTinyCsv(dir), { epochs: [2] });
    const points = expandGrid(grid);
    const sweep = await runSweep({ grid, out: path.join(dir, 'sweep'), workers: 2 });
    expect(sweep.ran).toBe(points.length);
    for (const p of points) {
      const rec = sweep.records.find((r) => r.id === p.id);
      expect(rec).toBeDefined();
      const fromSweep = loadRun(path.resolve(dir, 'sweep', rec!.runDir)).network;
      const alone = await trainNetwork(await loadDataset(p.config.data), p.config.train, { standardize: p.config.standardize });
      alone.network.layers.forEach((l, k) => {
        expect(Array.from(fromSweep.layers[k].kernel)).toEqual(Array.from(l.kernel));
        expect(Array.from(fromSweep.layers[k].bias)).toEqual(Array.from(l.bias));
      });
      expect(rec!.history.map((h) => h.testAccuracy)).toEqual(alone.history.map((h) => h.testAccuracy));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
