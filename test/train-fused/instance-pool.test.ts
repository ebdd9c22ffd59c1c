/**
 * Reuse of the WebAssembly module's instances (wasm-pass.ts takeInstance/releaseInstance): an
 * engine that gets the instance of a disposed one starts from zeroed optimizer state and trains
 * exactly as on a fresh instance; a disposed engine still returns its weights; evaluators and the
 * unit statistics borrowing the pool between training steps change nothing.
 */
import { createFusedEngine } from '../../src/train/fused/engine';
import { engineUnitStats } from '../../src/train/fused/unit-stats';
import { WasmStackEvaluator } from '../../src/train/fused/wasm-eval';
import { clearInstancePool, takeInstance, wasmPassAvailable } from '../../src/train/fused/wasm-pass';
import { config, randomData, randomLayers, range } from './helpers';

const run = wasmPassAvailable() ? describe : describe.skip;

run('the pool of WebAssembly instances', () => {
  const layers = randomLayers([30, 20, 9, 4], 3, 1);
  const data = randomData(200, 30, 4, 5, 0.3);
  const cfg = config({ optimizer: 'adam', lr: 0.01, batchSize: 16, penalty: 'none', lambda: 0 });

  function trainTwice(between?: () => void): Float32Array[] {
    const e = createFusedEngine(layers, data, cfg, { kernels: 'wasm' });
    e.runEpoch(range(200));
    between?.();
    e.runEpoch(range(200));
    const out = e.layers().map((l) => l.kernel);
    e.dispose();
    expect(e.layers().map((l) => l.kernel)).toEqual(out); // weights survive dispose
    return out;
  }

  it('gives an engine a reused instance with zeroed state: the same weights as on a fresh instance', () => {
    clearInstancePool();
    const fresh = trainTwice();
    // the disposed engine's instance (moments, gradients, weights of its run) is in the pool now
    const held = takeInstance();
    const again = trainTwice(); // a fresh instance (the pool was emptied by takeInstance)
    expect(again).toEqual(fresh);
    clearInstancePool();
    const first = trainTwice();
    const reused = trainTwice(); // takes the instance the first run left
    expect(reused).toEqual(first);
    expect(first).toEqual(fresh);
    expect(held).toBeDefined();
  });

  it('lets evaluators and unit statistics borrow instances between steps without changing the run', () => {
    clearInstancePool();
    const plain = trainTwice();
    const ev = new WasmStackEvaluator(layers, data.x, data.y);
    const acc0 = ev.accuracy(layers);
    const stats0 = engineUnitStats(layers, { x: data.x, rows: 200, labels: data.y }, 'wasm');
    const borrowed = trainTwice(() => {
      expect(ev.accuracy(layers)).toBe(acc0);
      const s = engineUnitStats(layers, { x: data.x, rows: 200, labels: data.y }, 'wasm');
      expect(s.taylor).toEqual(stats0.taylor);
    });
    expect(borrowed).toEqual(plain);
  });
});
