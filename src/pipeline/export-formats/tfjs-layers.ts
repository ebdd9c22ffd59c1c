/**
 * The tfjs LayersModel export (`prune --export-tfjs DIR`): a directory that is also a run (gs-run.json
 * and the network's files, so it loads back as the pruned network) with model.json and its weights,
 * reading the ONNX export's input (all raw columns, or the kept ones with compactInput; a convolutional
 * network all its input channels, N x C x H x W), and manifest.json. Written, not run: gs-compress has
 * no tfjs runtime among its dependencies (verification 'none'); its layer-by-layer equivalence with the
 * ONNX export is what the tests check in tfjs.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DataSpec } from '../../data';
import { moveSpec, portableRef } from '../../data/portable';
import { GsError } from '../../errors';
import { toCnnLayersModel } from '../../network/layers-model-cnn';
import { buildManifest, manifestText, TFJS_MANIFEST_FILE } from '../../network/manifest';
import { isDenseNetwork, saveTfjsExport } from '../../network/run-io';
import { isRegression } from '../../network/tasks';
import { writeFileAtomic } from '../../util/fs-atomic';
import { portablePath } from './portable-path';
import type { ExportFormat, ExportJob } from './types';

/** Bytes of model.json and the weight files it names. */
function modelBytes(dir: string): number {
  const json = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
  const manifest = (JSON.parse(json) as { weightsManifest?: { paths?: string[] }[] }).weightsManifest ?? [];
  const files = manifest.flatMap((g) => g.paths ?? []);
  return Buffer.byteLength(json) + files.reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
}

export const TFJS_LAYERS_MODEL: ExportFormat = {
  name: 'tfjs-layers-model',
  option: 'export-tfjs',
  quantize: null,
  help: 'Also write the compact network as a tfjs LayersModel run directory',
  writes: 'a directory: model.json and its weights (a tfjs LayersModel), the run files (gs-run.json, ...) and manifest.json',
  target: 'dir',
  verification: 'none',
  manifestFormat: 'tfjs-layers-model',
  inMemory: false,
  refuse(net, compactInput) {
    // a convolutional network the tfjs layers cannot express is refused before anything is written
    if (isDenseNetwork(net)) return;
    if (compactInput)
      throw new GsError('BAD_OPTION', 'the tfjs export of a convolutional network takes all input channels; drop --compact-input');
    toCnnLayersModel(net, 'check');
  },
  write(job: ExportJob) {
    if (job.path === null || !job.run) throw new Error('internal: the tfjs export is written to a directory, from a run');
    const dir = path.resolve(job.path);
    const from = path.resolve(job.run.dir);
    const { info } = job.run;
    const spec = (info.config as { dataSpec?: DataSpec } | undefined)?.dataSpec;
    const net = job.network;
    saveTfjsExport(
      dir,
      net,
      {
        ...info,
        data: info.data ? portableRef(info.data, dir, from) : undefined,
        config: info.config ? { ...info.config, ...(spec ? { dataSpec: moveSpec(spec, from, dir) } : {}) } : undefined,
        generatedBy: `gs-compress ${job.manifest.version}`,
        createdAt: new Date().toISOString(),
        summary: { ...(info.summary ?? {}), ...(job.run.summary ?? {}) },
      },
      job.compactInput,
    );
    const manifest = buildManifest(job.manifest.featureNames ? { ...net, featureNames: job.manifest.featureNames } : net, {
      model: 'model.json',
      modelFormat: 'tfjs-layers-model',
      compactInput: job.compactInput,
      version: job.manifest.version,
      pruning: job.manifest.pruning,
      run: job.manifest.runDir === null ? null : portablePath(dir, job.manifest.runDir),
      inputName: 'input',
      outputNames: isRegression(net)
        ? { probabilities: 'output (linear)', label: null }
        : { probabilities: 'output (softmax)', label: null },
    });
    writeFileAtomic(path.join(dir, TFJS_MANIFEST_FILE), manifestText(manifest));
    return Promise.resolve({ path: dir, bytes: modelBytes(dir), written: true, verification: null });
  },
  wroteLine: (_out, given) => `wrote tfjs LayersModel to ${given}`,
};
