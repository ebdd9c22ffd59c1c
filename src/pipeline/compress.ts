/**
 * The compression pipeline a user runs after training: load a run, prune it (exactly, or with
 * an opt-in threshold), export the compact network to ONNX (and optionally as a tfjs
 * LayersModel), and verify with onnxruntime on the run's test split that the deployed model
 * predicts what the trained network predicts.
 */
import * as path from 'path';
import { loadDataset, type DataSpec } from '../data';
import type { SplitDataset } from '../data/types';
import { GsError } from '../errors';
import { accuracy } from '../network/forward';
import { loadRun, saveRun, type RunInfo } from '../network/run-io';
import type { Network } from '../network/types';
import { exportOnnx, mapLabels, verifyOnnx, type VerifyResult } from '../onnx';
import { collapseMessage, pruneNetwork, type PruneReport } from '../prune';
import { writeFileAtomic } from '../util/fs-atomic';
import { VERSION } from '../version';

export interface CompressOptions {
  /** Opt-in lossy pruning: zero groups with norm <= threshold first. */
  threshold?: number;
  /** Write the ONNX model here. */
  exportPath?: string;
  /** ONNX input reads only the kept columns. */
  compactInput?: boolean;
  /** Also write the compact network as a tfjs LayersModel run directory. */
  exportTfjsDir?: string;
  /** Data to verify on instead of the run's own test split. */
  data?: DataSpec;
  /** Skip verification (no data available). */
  skipVerify?: boolean;
  /** Write the exports even when the pruned network is constant (a whole layer removed). */
  allowConstant?: boolean;
}

export interface CompressResult {
  runDir: string;
  report: PruneReport;
  /** Test accuracy of the trained network and of the pruned one (differs only when lossy). */
  accuracyBefore: number | null;
  accuracyAfter: number | null;
  onnxPath: string | null;
  onnxBytes: number | null;
  verification: VerifyResult | null;
  pruned: Network;
}

/** Rebuilds the data spec a run was trained on from its gs-run.json. */
export function runDataSpec(info: RunInfo): DataSpec | null {
  const spec = (info.config as { dataSpec?: DataSpec } | undefined)?.dataSpec;
  return spec ?? null;
}

function labelsFor(net: Network, data: SplitDataset): Int32Array {
  const { labels, unknown } = mapLabels(data.test.labels, data.classLabels, net.classLabels);
  if (unknown.length > 0) throw new GsError('BAD_INPUT', `the data has classes the model does not know: ${unknown.join(', ')}`);
  return labels;
}

export async function compressRun(runDir: string, opts: CompressOptions = {}): Promise<CompressResult> {
  const { network, info } = loadRun(runDir);
  const { network: pruned, report } = pruneNetwork(network, { threshold: opts.threshold });
  const collapse = collapseMessage(report);
  if (collapse && (opts.exportPath || opts.exportTfjsDir) && !opts.allowConstant) {
    throw new GsError(
      'BAD_MODEL',
      `${runDir}: ${collapse}. Nothing was exported; pass --allow-constant to export the constant model anyway`,
    );
  }
  const spec = opts.data ?? runDataSpec(info);
  let data: SplitDataset | null = null;
  if (!opts.skipVerify) {
    if (!spec) throw new GsError('BAD_OPTION', `${runDir} does not record its data; pass --data to verify on`);
    data = await loadDataset(spec);
    if (data.test.cols !== network.inputWidth) {
      throw new GsError('BAD_INPUT', `the data has ${data.test.cols} feature columns, the run's network reads ${network.inputWidth}`);
    }
  }
  const labels = data ? labelsFor(network, data) : null;
  const accuracyBefore = data && labels ? accuracy(network, data.test.features, labels) : null;
  const accuracyAfter = data && labels ? accuracy(pruned, data.test.features, labels) : null;

  let onnxPath: string | null = null;
  let onnxBytes: number | null = null;
  let verification: VerifyResult | null = null;
  if (opts.exportPath) {
    const bytes = exportOnnx(pruned, {
      compactInput: opts.compactInput,
      producerVersion: VERSION,
      metadata: {
        training_config: JSON.stringify(info.config ?? {}),
        parameters_before: String(report.parameters.before),
        parameters_after: String(report.parameters.after),
        pruning: report.lossy ? `lossy, threshold ${report.threshold}` : 'exact',
      },
    });
    onnxPath = path.resolve(opts.exportPath);
    writeFileAtomic(onnxPath, bytes);
    onnxBytes = bytes.byteLength;
    if (data && labels) {
      // Exact pruning must reproduce the trained network; after lossy pruning the export is
      // checked against the thresholded network and the accuracy cost is reported separately.
      const reference = report.lossy ? pruned : network;
      verification = await verifyOnnx({ onnx: bytes, reference, features: data.test.features, labels, rows: data.test.rows });
    }
  }
  if (opts.exportTfjsDir) {
    saveRun(opts.exportTfjsDir, pruned, {
      ...info,
      generatedBy: `gs-compress ${VERSION}`,
      createdAt: new Date().toISOString(),
      summary: { ...(info.summary ?? {}), pruned: report },
    });
  }
  return { runDir, report, accuracyBefore, accuracyAfter, onnxPath, onnxBytes, verification, pruned };
}
