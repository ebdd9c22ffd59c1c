/**
 * The one place that loads onnxruntime. onnxruntime-node (native, an optional dependency: its
 * install may be dropped where its postinstall cannot download) is preferred; onnxruntime-web's
 * WebAssembly build, a plain dependency, runs the same models in Node when the native addon is
 * missing. Loaded lazily, on the first command that runs a model, and cached.
 * GS_COMPRESS_ORT=node|web (or the `runtime` option) forces one.
 */
import type * as Ort from 'onnxruntime-common';
import { GsError } from '../errors';

export type RuntimeName = 'onnxruntime-node' | 'onnxruntime-web';
export type RuntimeChoice = 'auto' | 'node' | 'web';
export const RUNTIME_CHOICES: readonly RuntimeChoice[] = ['auto', 'node', 'web'];

export interface OrtRuntime {
  name: RuntimeName;
  version: string;
  /** The onnxruntime API (InferenceSession, Tensor, env), the same shape for both packages. */
  ort: typeof Ort;
  /** Why the preferred runtime was not used (empty when it was). */
  skipped: string[];
}

const cache = new Map<RuntimeName, OrtRuntime | string>();

function versionOf(ort: typeof Ort, key: 'node' | 'web'): string {
  const v = (ort.env.versions as Record<string, string | undefined>)[key] ?? ort.env.versions.common;
  return v ?? 'unknown';
}

/** Loads one runtime, or returns why it cannot be loaded (a one-line reason). */
function tryLoad(name: RuntimeName): OrtRuntime | string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let result: OrtRuntime | string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = (name === 'onnxruntime-node' ? require('onnxruntime-node') : require('onnxruntime-web')) as typeof Ort;
    if (name === 'onnxruntime-web') {
      // One WebAssembly thread unless a session asks for more (see setWebThreads); no proxy worker.
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.proxy = false;
    }
    result = { name, version: versionOf(ort, name === 'onnxruntime-node' ? 'node' : 'web'), ort, skipped: [] };
  } catch (e) {
    result = (e as Error).message.split('\n')[0];
  }
  cache.set(name, result);
  return result;
}

function choiceFromEnv(): RuntimeChoice {
  const v = (process.env.GS_COMPRESS_ORT ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'node' || v === 'onnxruntime-node') return 'node';
  if (v === 'web' || v === 'wasm' || v === 'onnxruntime-web') return 'web';
  throw new GsError('BAD_OPTION', `GS_COMPRESS_ORT=${v}: expected node, web or auto`);
}

/**
 * The onnxruntime to run models with: `choice` (default: GS_COMPRESS_ORT, else auto = native
 * when it loads, else WebAssembly). Throws UNAVAILABLE naming each reason when none loads.
 */
export function loadRuntime(choice?: RuntimeChoice): OrtRuntime {
  const want = choice ?? choiceFromEnv();
  const order: RuntimeName[] =
    want === 'node' ? ['onnxruntime-node'] : want === 'web' ? ['onnxruntime-web'] : ['onnxruntime-node', 'onnxruntime-web'];
  const skipped: string[] = [];
  for (const name of order) {
    const r = tryLoad(name);
    if (typeof r !== 'string') return { ...r, skipped };
    skipped.push(`${name}: ${r}`);
  }
  throw new GsError(
    'UNAVAILABLE',
    `no onnxruntime could be loaded (${skipped.join('; ')}); reinstall gs-compress or npm install onnxruntime-web`,
  );
}

/** onnxruntime-web's thread count is global (env.wasm.numThreads), set before a session is made. */
export function setWebThreads(rt: OrtRuntime, threads: number | undefined): void {
  if (rt.name === 'onnxruntime-web') rt.ort.env.wasm.numThreads = threads && threads > 0 ? threads : 1;
}

/** "onnxruntime-node 1.30.0" */
export function runtimeLabel(rt: OrtRuntime): string {
  return `${rt.name} ${rt.version}`;
}
