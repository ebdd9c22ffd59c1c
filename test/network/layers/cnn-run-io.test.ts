/**
 * Run directories of networks with other layer types than dense: a CNN (conv, batch norm, pooling,
 * flatten, dense) is saved as network.json + weights.bin and loads back equal, weights, running
 * statistics and input shape included, and gives the same logits; commands that handle dense
 * networks only refuse it with a message; damaged files are refused naming the file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initArchNetwork } from '../../../src/network/create-arch';
import { logits } from '../../../src/network/forward';
import { loadAnyRun, loadRun, MODEL_FILE, NETWORK_FILE, RUN_FILE, saveRun } from '../../../src/network/run-io';
import { pruneNetwork } from '../../../src/prune';
import { Rng } from '../../../src/util/rng';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-cnn-run-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const net = initArchNetwork('c4k3p1-bn-m2-c6k3-f10', [1, 10, 10], 3, 5);
const rng = new Rng(2);
const x = Float32Array.from({ length: 8 * 100 }, () => rng.normal());

test('a CNN run saves as network.json + weights.bin and loads back equal', () => {
  const d = path.join(dir, 'cnn');
  saveRun(d, net, { generatedBy: 'test', createdAt: '2026-12-03T00:00:00Z', summary: { seconds: 1, wallSeconds: 1 } });
  expect(fs.existsSync(path.join(d, NETWORK_FILE))).toBe(true);
  expect(fs.existsSync(path.join(d, MODEL_FILE))).toBe(false);
  const back = loadAnyRun(d).network;
  expect(back.inputShape).toEqual([1, 10, 10]);
  expect(back.layers.map((l) => l.op)).toEqual(net.layers.map((l) => l.op));
  expect(JSON.parse(JSON.stringify(back.layers, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v)))).toEqual(
    JSON.parse(JSON.stringify(net.layers, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v))),
  );
  expect(Array.from(logits(back, x, 8))).toEqual(Array.from(logits(net, x, 8)));
  // pruning takes the loaded network
  const pruned = pruneNetwork(back).network;
  Array.from(logits(pruned, x, 8)).forEach((v, i) => expect(v).toBeCloseTo(logits(net, x, 8)[i], 5));
});

test('dense-only readers refuse a CNN run with a message; a dense run saved over it becomes a LayersModel again', () => {
  const d = path.join(dir, 'cnn2');
  saveRun(d, net, { generatedBy: 'test', createdAt: '' });
  expect(() => loadRun(d)).toThrow(/holds a network with conv, batchnorm, pool, flatten layers; this command handles dense networks only/);
  const dense = initArchNetwork('f5', [12], 3, 1);
  saveRun(d, dense, { generatedBy: 'test', createdAt: '' });
  expect(fs.existsSync(path.join(d, NETWORK_FILE))).toBe(false);
  expect(loadRun(d).network.layers.map((l) => l.outSize)).toEqual([5, 3]);
});

test('damaged network files are refused, naming the file', () => {
  const d = path.join(dir, 'cnn3');
  saveRun(d, net, { generatedBy: 'test', createdAt: '' });
  const file = path.join(d, NETWORK_FILE);
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { layers: { op: string; arrays: Record<string, [number, number]> }[] };
  fs.writeFileSync(file, JSON.stringify({ ...stored, layers: [{ ...stored.layers[0], op: 'lstm' }, ...stored.layers.slice(1)] }));
  expect(() => loadAnyRun(d)).toThrow(/network\.json: layer 0 has the unknown type 'lstm'/);
  stored.layers[0].arrays.weight = [0, 1e9];
  fs.writeFileSync(file, JSON.stringify(stored));
  expect(() => loadAnyRun(d)).toThrow(/layer 0: weight lies outside the weights file/);
  fs.writeFileSync(path.join(d, RUN_FILE), '{');
  expect(() => loadAnyRun(d)).toThrow(/gs-run\.json is damaged/);
});
