/**
 * A toy export format defined outside src/: a dense network's weights as one JSON file
 * (`prune --export-toy FILE`), verified exactly by reading the file back and running it against the
 * reference network on the check's rows. Registered in the table by the test, it shows that a new
 * format is one entry: flag, help, writing, verification, manifest and the "wrote" line follow.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../../../src/errors';
import { denseLayer } from '../../../src/network/layers/dense';
import { buildManifest, manifestText } from '../../../src/network/manifest';
import { predictProba } from '../../../src/network/forward';
import type { AnyLayer, DenseLayer, Network } from '../../../src/network/types';
import { baseResult, type VerifyResult } from '../../../src/onnx/verify';
import type { ExportCheck, ExportFormat, ExportJob } from '../../../src/pipeline/export-formats/table';

interface ToyFile {
  network: Omit<Network, 'layers' | 'scaling'> & { scaling: { mean: number[]; std: number[] } | null };
  layers: { inSize: number; outSize: number; kernel: number[]; bias: number[]; activation?: DenseLayer['activation'] }[];
}

function toJson(net: Network): string {
  const { layers, scaling, ...rest } = net;
  const file: ToyFile = {
    network: { ...rest, scaling: scaling ? { mean: Array.from(scaling.mean), std: Array.from(scaling.std) } : null },
    layers: layers.map((l) => ({
      inSize: l.inSize,
      outSize: l.outSize,
      kernel: Array.from(l.kernel),
      bias: Array.from(l.bias),
      activation: l.activation,
    })),
  };
  return JSON.stringify(file);
}

export function readToy(text: string): Network {
  const f = JSON.parse(text) as ToyFile;
  const layers = f.layers.map((l) => {
    const d = denseLayer(Float32Array.from(l.kernel), Float32Array.from(l.bias), l.inSize, l.outSize);
    return l.activation ? { ...d, activation: l.activation } : d;
  });
  const s = f.network.scaling;
  return { ...f.network, scaling: s ? { mean: Float32Array.from(s.mean), std: Float32Array.from(s.std) } : null, layers };
}

function check(c: ExportCheck, text: string): VerifyResult {
  const back = predictProba(readToy(text), c.features, c.rows);
  const ref = predictProba(c.reference, c.features, c.rows);
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(back[i] - ref[i]));
  return { ...baseResult(c.rows, false, 1e-6, false, 'the toy reader'), maxProbDiff: maxDiff, ok: maxDiff <= 1e-6 };
}

export const TOY_FORMAT: ExportFormat = {
  name: 'toy-json',
  option: 'export-toy',
  quantize: null,
  help: 'Also write the dense layers as one JSON file (a toy format of the tests)',
  writes: 'one JSON file and FILE.manifest.json beside it',
  target: 'file',
  verification: 'exact',
  manifestFormat: 'toy-json',
  inMemory: false,
  refuse(net: Network<AnyLayer>) {
    if (net.layers.some((l) => l.op !== 'dense')) throw new GsError('BAD_OPTION', 'the toy format writes dense networks only');
  },
  write(job: ExportJob) {
    const file = path.resolve(job.path ?? '');
    const net = job.network as Network;
    const text = toJson(net);
    const verification = job.check ? check(job.check, text) : null;
    if (verification && !verification.ok) return Promise.resolve({ path: file, bytes: 0, written: false, verification });
    fs.writeFileSync(file, text);
    const manifest = buildManifest(net, {
      model: path.basename(file),
      modelFormat: 'toy-json',
      compactInput: false,
      version: job.manifest.version,
      pruning: job.manifest.pruning,
    });
    fs.writeFileSync(`${file}.manifest.json`, manifestText(manifest));
    return Promise.resolve({ path: file, bytes: Buffer.byteLength(text), written: true, verification });
  },
  wroteLine: (out) => `wrote the toy JSON ${out.path} (${out.bytes} bytes)`,
};
