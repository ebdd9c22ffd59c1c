/**
 * The ONNX export formats: one per weight storage of the exporter (onnx/weight-storage/table.ts):
 * `onnx` (float32, exact: it must reproduce the network on the check's rows, which may be random
 * ones) and a lossy variant per `--quantize` choice (onnx-int8, ...), compared by accuracy (a
 * regressor: by RMSE) with the float network. Each writes one .onnx file through the one export
 * writer (../export-file.ts: verified as written, else nothing is kept) and its manifest beside it.
 */
import * as path from 'path';
import { buildManifest, onnxManifestPath } from '../../network/manifest';
import { isRegression } from '../../network/tasks';
import { DEFAULT_MAX_ACCURACY_DROP, DEFAULT_MAX_RMSE_INCREASE, exportOnnx, exportOutputs, verifyOnnx, type VerifyResult } from '../../onnx';
import type { Quantize, WeightStorage } from '../../onnx/quantize';
import { writeOnnxExport } from '../export-file';
import { portablePath } from './portable-path';
import type { ExportCheck, ExportFormat, ExportJob } from './types';

/** --export's help (the default format). */
const EXPORT_HELP = 'Write the compact network as ONNX to this file (it takes the raw features, scaling folded in)';

function check(c: ExportCheck, lossy: boolean, onnx: Uint8Array): Promise<VerifyResult> {
  const regression = isRegression(c.reference);
  return verifyOnnx({
    onnx,
    ...(c.name ? { name: c.name } : {}),
    reference: c.reference,
    features: c.features,
    labels: c.labels,
    targets: c.targets,
    rows: c.rows,
    ...(c.referenceOutputs ? { referenceOutputs: c.referenceOutputs } : {}),
    runtime: c.runtime,
    ...(lossy && !regression ? { maxAccuracyDrop: c.maxAccuracyDrop ?? DEFAULT_MAX_ACCURACY_DROP } : {}),
    ...(lossy && regression ? { maxRmseIncrease: c.maxRmseIncrease ?? DEFAULT_MAX_RMSE_INCREASE } : {}),
  });
}

/** The export format of one weight storage. */
export function onnxFormat(storage: WeightStorage): ExportFormat {
  const lossy = storage.lossy;
  const quantize = lossy ? (storage.name as Quantize) : null;
  return {
    name: lossy ? `onnx-${storage.name}` : 'onnx',
    option: 'export',
    quantize,
    help: lossy ? storage.help : EXPORT_HELP,
    writes: `one .onnx file (opset 17, ${storage.name} weights) and NAME.manifest.json beside it`,
    target: 'file',
    verification: lossy ? 'lossy' : 'exact',
    manifestFormat: 'onnx',
    inMemory: true,
    async write(job: ExportJob) {
      const net = job.network;
      const bytes = exportOnnx(net, {
        compactInput: job.compactInput,
        quantize,
        producerVersion: job.manifest.version,
        metadata: { ...job.metadata, ...(lossy ? { quantization: `${storage.name} (lossy)` } : {}) },
        ...(job.io ?? {}),
      });
      const c = job.check;
      if (job.path === null) {
        // built and checked in memory (compress without a path)
        if (c) job.onStatus?.(`verifying ${c.name ?? 'the model'} with onnxruntime...`);
        const verification = c ? await check(c, lossy, bytes) : null;
        return { path: null, bytes: bytes.byteLength, model: bytes, written: false, verification };
      }
      let verification: VerifyResult | null = null;
      const io = job.io?.io === undefined ? (net.io ?? null) : job.io.io;
      const names = job.manifest.featureNames;
      const out = await writeOnnxExport({
        file: job.path,
        bytes,
        onStatus: job.onStatus,
        verify: c ? async (written) => (verification = await check(c, lossy, written)).ok : undefined,
        manifest: (model, manifestPath) =>
          buildManifest(names ? { ...net, featureNames: names } : net, {
            model,
            modelFormat: 'onnx',
            compactInput: job.compactInput,
            quantization: quantize ?? 'none',
            version: job.manifest.version,
            pruning: job.manifest.pruning,
            run: job.manifest.runDir === null ? null : portablePath(path.dirname(manifestPath), job.manifest.runDir),
            ...(io ? { inputName: io.inputName } : {}),
            // an imported run keeps its original's interface (onnx/export.ts): its output may hold logits
            outputs: exportOutputs(net, job.io ?? {}),
          }),
      });
      return { path: out.file, bytes: bytes.byteLength, model: bytes, written: out.written, verification };
    },
    wroteLine: (out) => `wrote ${out.path} (${out.bytes} bytes) and ${path.basename(onnxManifestPath(out.path ?? ''))}`,
  };
}
