/** Fixtures for the report tests: synthetic run records and small SVG checks (well-formed tags, mark counts). */
import type { RunRecord } from '../../src/sweep/types';
import type { EpochRecord } from '../../src/train/types';

export function history(epochs: number, finalAcc: number, penalty = 0.05): EpochRecord[] {
  return Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    dataLoss: 1 / (i + 1),
    penalty,
    trainAccuracy: finalAcc * ((i + 1) / epochs),
    testAccuracy: finalAcc * ((i + 1) / epochs),
    zeroParams: 10 * i,
    totalParams: 100,
    aliveUnits: [8],
    aliveInputs: 5,
    seconds: 0.1,
  }));
}

export function record(id: string, penalty: 'none' | 'l1' | 'gl', lambda: number, acc: number, nonzero: number, epochs = 3): RunRecord {
  return {
    id,
    config: {
      train: {
        hidden: [8],
        optimizer: 'adam',
        lr: 0.01,
        epochs,
        batchSize: 32,
        seed: 1,
        penalty,
        lambda,
        solver: 'prox',
        engine: 'fused',
        backend: 'auto',
      },
      data: { data: 'sdd' },
    },
    runDir: `runs/${id}`,
    summary: {
      testAccuracy: acc,
      trainAccuracy: acc,
      nonzeroParams: nonzero,
      totalParams: 1000,
      prunedParams: nonzero,
      aliveUnits: [8],
      aliveNeurons: 8,
      aliveInputs: 5,
      inputs: 10,
      seconds: 1.5,
      wallSeconds: 2,
      engine: 'fused-js',
      diverged: false,
    },
    history: history(epochs, acc),
    finishedAt: '2024-01-01T00:00:00Z',
  };
}

/** Throws unless every element tag is closed in order (a cheap well-formedness check). */
export function expectWellFormed(xml: string): void {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else stack.push(name);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' ')}`);
}

/** Contents of the mark groups whose class ends with `name`_marks (one group per line/series for line marks). */
export function markGroups(svg: string, name: string): string[] {
  const re = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'g');
  return [...svg.matchAll(re)].map((m) => m[1]);
}

export const countTags = (s: string, tag: string) => (s.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length;
