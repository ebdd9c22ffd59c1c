/**
 * Choosing the tfjs backend: tfjs-node when its native binding loads, else wasm, else cpu.
 * `--backend` forces one; the choice is returned so it can be printed and recorded. tfjs and its
 * backends are loaded here, when a backend is chosen, never when the library is imported.
 */
import { GsError } from '../errors';
import type { BackendName } from './types';

const TF_NAME: Record<BackendName, string> = { 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/** The package that registers each backend with tfjs (cpu comes with tfjs itself). tfjs-node is an
 * optional dependency (its install downloads libtensorflow, which may have failed), so it is named
 * by a plain string: its types need not be installed. */
const BACKEND_PACKAGE: Record<BackendName, string | null> = {
  'tfjs-node': '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: null,
};

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    const tf = await import('@tensorflow/tfjs');
    // production mode: fewer debug checks, and no console banner recommending tfjs-node on the cpu backend
    tf.enableProdMode();
    const pkg = BACKEND_PACKAGE[name];
    if (pkg !== null) await import(pkg);
    const ok = await tf.setBackend(TF_NAME[name]);
    await tf.ready();
    return ok && tf.getBackend() === TF_NAME[name] ? null : 'did not initialise';
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/** Activates a backend and returns its name; with 'auto' the first that loads, with reasons for the others. */
export async function chooseBackend(want: BackendName | 'auto'): Promise<{ backend: BackendName; skipped: string[] }> {
  const order: BackendName[] = want === 'auto' ? ['tfjs-node', 'wasm', 'cpu'] : [want];
  const skipped: string[] = [];
  for (const b of order) {
    const why = await tryBackend(b);
    if (why === null) return { backend: b, skipped };
    skipped.push(`${b}: ${why}`);
  }
  throw new GsError('UNAVAILABLE', `tfjs backend ${want} could not be loaded (${skipped.join('; ')})`);
}
