/**
 * Pinned MLP results: the same seed and engine give the same weights, bit for bit, as before the
 * layer-model refactor (issue 19). A dense run, a group-lasso run and a budget run on each fused
 * kernel set; the hashes were taken on main before any layer-model change. A change that moves
 * them changes every user's MLP results and must say why.
 */
import { createHash } from 'crypto';
import { trainToBudget } from '../../src/pipeline/budget';
import { resolveTrainConfig } from '../../src/train/config';
import { trainNetwork } from '../../src/train/train';
import type { Network } from '../../src/network/types';
import { blobs } from '../train/helpers';

function weightHash(net: Network): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(net.inputIndices));
  for (const l of net.layers) {
    h.update(`${l.inSize}x${l.outSize}`);
    h.update(Buffer.from(l.kernel.buffer, l.kernel.byteOffset, l.kernel.byteLength));
    h.update(Buffer.from(l.bias.buffer, l.bias.byteOffset, l.bias.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

const data = blobs(600, 200, 12, 4, 7);
// valFraction 0: the training split as before validation existed (the pins predate it)
const base = { hidden: [16, 8], epochs: 3, batchSize: 32, seed: 3, valFraction: 0 } as const;

const PINNED: Record<string, string> = {
  'fused-js dense': '1d859b33d7ee8253',
  'fused-js gl': '282939f16783da9c',
  'fused-js budget': 'b0bea481ccd9ad73',
  'fused dense': 'fa6ff714c4fb3ac4',
  'fused gl': '2910317794a96d5d',
  'fused budget': '8e97255188920bf4',
};

for (const engine of ['fused-js', 'fused'] as const) {
  test(`${engine}: a dense run gives the pinned weights`, async () => {
    const r = await trainNetwork(data, resolveTrainConfig({ ...base, hidden: [...base.hidden], engine, penalty: 'none', lambda: 0 }));
    expect(weightHash(r.network)).toBe(PINNED[`${engine} dense`]);
  });
  test(`${engine}: a group-lasso run gives the pinned weights`, async () => {
    const r = await trainNetwork(data, resolveTrainConfig({ ...base, hidden: [...base.hidden], engine, penalty: 'gl', lambda: 1e-3 }));
    expect(weightHash(r.network)).toBe(PINNED[`${engine} gl`]);
  });
  test(`${engine}: a budget run gives the pinned weights`, async () => {
    const r = await trainToBudget(data, { ...base, hidden: [...base.hidden], engine }, { targetRatio: 0.4, finetuneEpochs: 2 });
    expect(r.result.network.layers.map((l) => l.outSize)).not.toEqual([16, 8, 4]); // it did shrink
    expect(weightHash(r.result.network)).toBe(PINNED[`${engine} budget`]);
  });
}
