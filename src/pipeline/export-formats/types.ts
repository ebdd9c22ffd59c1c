/**
 * What an export format is (an entry of ./table.ts): its name, the option that names its output and
 * how --help describes it, what it writes, how what it wrote is verified (exactly, or by accuracy
 * when lossy), and the writer. Callers (prune, compress, the quickstart) only go through the table.
 */
import type { Manifest } from '../../network/manifest';
import type { RunInfo } from '../../network/run-io';
import type { AnyLayer, ModelIO, Network } from '../../network/types';
import type { VerifyResult } from '../../onnx/verify';
import type { RuntimeChoice } from '../../onnx/runtime';

/** The rows the written model is checked on against a reference network. */
export interface ExportCheck {
  /** What the export must reproduce (exact formats), or the float network a lossy one is compared with. */
  reference: Network<AnyLayer>;
  /** Raw features [rows x cols] as the reference reads them. */
  features: Float32Array;
  rows: number;
  /** Class indices in the model's class order, or null. */
  labels: Int32Array | null;
  /** Regression: targets [rows x k], or null. */
  targets: Float32Array | null;
  /** The reference's outputs (logits) on these rows when the caller has them (its forward pass then runs once). */
  referenceOutputs?: Float32Array;
  /** What messages call the model (default: its file). */
  name?: string;
  /** Which runtime runs it (ONNX: native onnxruntime when installed, else WebAssembly). */
  runtime?: RuntimeChoice;
  /** Lossy formats: the largest allowed accuracy drop (fraction; default onnx/verify.ts DEFAULT_MAX_ACCURACY_DROP,
   * 0.5 points) and relative RMSE increase of a regressor (default DEFAULT_MAX_RMSE_INCREASE, 2%). */
  maxAccuracyDrop?: number;
  maxRmseIncrease?: number;
}

/** One export to write: the network, where, and what the files record about it. */
export interface ExportJob {
  network: Network<AnyLayer>;
  /** The model file (ONNX) or directory (tfjs); null: build and check it without writing (formats whose `inMemory` is true). */
  path: string | null;
  /** The model reads only the kept columns. */
  compactInput: boolean;
  /** The interface to keep (an imported network's original one; default: network.io) and whether to add our outputs. */
  io?: { io?: ModelIO | null; extraOutputs: boolean };
  /** Extra ONNX metadata_props (formats without metadata ignore them). */
  metadata: Record<string, string>;
  /** What the manifest records: gs-compress version, how it was pruned, the run it came from (null: none), the
   * column names to list (default: the network's). */
  manifest: { version: string; pruning: string; runDir: string | null; featureNames?: string[] };
  /** The run it came from, for formats that write run files beside the model (tfjs), and what to add to its summary. */
  run?: { dir: string; info: Omit<RunInfo, 'format' | 'version'>; summary?: Record<string, unknown> };
  /** Check the written model on these rows (formats that verify); null: not checked. */
  check: ExportCheck | null;
  /** Step lines ("verifying ..."). */
  onStatus?: (s: string) => void;
}

export interface ExportWritten {
  /** Absolute path of the model file or directory (null for an export checked in memory only). */
  path: string | null;
  /** Size of the model in bytes. */
  bytes: number;
  /** The model's bytes (single-file formats). */
  model?: Uint8Array;
  /** False when the check failed: nothing was left at the path. */
  written: boolean;
  /** The check's result, or null when not checked. */
  verification: VerifyResult | null;
}

export interface ExportFormat {
  /** Unique name (onnx, onnx-int8, ..., tfjs-layers-model). */
  readonly name: string;
  /** The CLI option whose value is its path (`--export`, `--export-tfjs`): variants share their base format's
   * option and are chosen by `quantize`. */
  readonly option: string;
  /** The `--quantize` value that selects this variant of its option's format, or null for the base format. */
  readonly quantize: string | null;
  /** Its help: the option's description (a base format), or its clause of --quantize's (a variant). */
  readonly help: string;
  /** What it writes (for docs and the table's test). */
  readonly writes: string;
  /** Whether its path names a file or a directory (how the CLI checks it before the work). */
  readonly target: 'file' | 'dir';
  /** 'exact': must reproduce the network (within float32 rounding) on the check's rows, which may be
   * random rows; 'lossy': compared by accuracy (RMSE) with the float network, which needs labelled rows;
   * 'none': written, not run by gs-compress. */
  readonly verification: 'exact' | 'lossy' | 'none';
  /** The manifest's modelFormat. */
  readonly manifestFormat: Manifest['modelFormat'];
  /** Whether write() takes a null path (build and check in memory). */
  readonly inMemory: boolean;
  /** Refuses a network (or an input option) it cannot write, before any work; nothing when it can. */
  refuse?(net: Network<AnyLayer>, compactInput: boolean): void;
  write(job: ExportJob): Promise<ExportWritten>;
  /** The line that tells the user what was written, given the path they gave. */
  wroteLine(out: ExportWritten, given: string): string;
}
