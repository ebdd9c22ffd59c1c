/**
 * After a run trained to a budget, prune shows where the run started (the dense network the budget
 * was taken from) beside its own before/after, which are equal when the budget run left nothing
 * dead; the ONNX metadata and `prune --json` carry the same.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRun, saveRun } from '../../src/network/run-io';
import { readModelFile, readOnnxInfo } from '../../src/onnx/read';
import type { CompressResult } from '../../src/pipeline/compress';
import { startedNetwork } from '../../src/pipeline/compress';
import { formatStartLine } from '../../src/prune';
import { runCli } from '../helpers/cli';
import { parseAs } from '../helpers/json';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-budget-start-'));
const p = (f: string) => path.join(dir, f);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 300 rows, 6 columns, 3 classes. */
function writeCsv(file: string): void {
  let s = 3;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const rows: string[] = [];
  for (let r = 0; r < 300; r++) {
    const x = Array.from({ length: 6 }, rand);
    rows.push(`${x.map((v) => v.toFixed(4)).join(',')},c${x[0] + x[1] > 0.3 ? 0 : x[2] > x[0] ? 1 : 2}`);
  }
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
}

// 6-12-12-3: 6*12+12 + 12*12+12 + 12*3+3
const START = 6 * 12 + 12 + 12 * 12 + 12 + 12 * 3 + 3;

beforeAll(async () => {
  writeCsv(p('d.csv'));
  const r = await runCli(['train', '--data', p('d.csv'), '--hidden', '12,12', '--epochs', '3', '--target-ratio', '0.3', '--out', p('run')]);
  expect(r.code).toBe(0);
});

describe('prune after a budget run', () => {
  it('the run record keeps the starting network and the compact widths', () => {
    const { network, info } = loadRun(p('run'));
    const s = info.summary as Record<string, unknown>;
    expect(s.startWidths).toEqual([6, 12, 12, 3]);
    expect(s.startParams).toBe(START);
    expect(s.hidden).toEqual(network.layers.slice(0, -1).map((l) => l.outSize));
    expect(s.compactParams).toBeLessThanOrEqual(Math.floor(0.3 * START));
  });

  it('prints the starting network beside the before/after, and writes it into the ONNX metadata', async () => {
    const r = await runCli(['prune', p('run'), '--export', p('m.onnx')]);
    expect(r.code).toBe(0);
    const compact = (loadRun(p('run')).info.summary as { compactParams: number }).compactParams;
    expect(r.out).toContain(`started 6-12-12-3 (${START} parameters) -> budget run ${compact} -> pruned ${compact}`);
    const meta = readOnnxInfo(readModelFile(p('m.onnx')), p('m.onnx')).metadata;
    expect(meta.parameters_started).toBe(String(START));
    expect(meta.network_started).toBe('6-12-12-3');
    expect(meta.parameters_before).toBe(String(compact));
  });

  it('prune --json gives the starting network', async () => {
    const r = await runCli(['prune', p('run'), '--json']);
    expect(r.code).toBe(0);
    const j = parseAs<CompressResult>(r.out.trim());
    expect(j.started).toEqual({ widths: [6, 12, 12, 3], params: START });
  });

  it('a budget run recorded before the starting network was kept: taken from its configured widths', () => {
    const { network, info } = loadRun(p('run'));
    const { startWidths: _w, startParams: _p, ...older } = info.summary as Record<string, unknown>;
    saveRun(p('old'), network, { ...info, summary: older });
    expect(startedNetwork(loadRun(p('old')).info, network)).toEqual({ widths: [6, 12, 12, 3], params: START });
  });

  it('a run without a budget shows no starting network', async () => {
    const t = await runCli(['train', '--data', p('d.csv'), '--hidden', '8', '--epochs', '2', '--out', p('plain')]);
    expect(t.code).toBe(0);
    const r = await runCli(['prune', p('plain')]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('started');
    expect(startedNetwork(loadRun(p('plain')).info, loadRun(p('plain')).network)).toBeNull();
  });

  it('formatStartLine names the start, the budget run and the pruned size', () => {
    const line = formatStartLine(
      { widths: [784, 32, 32, 10], params: 26506 },
      {
        lossy: false,
        threshold: null,
        thresholdZeroed: null,
        hiddenLayers: [],
        inputs: { before: 10, after: 10, kept: [], placeholder: false },
        parameters: { before: 388, after: 388 },
        multiplyAdds: { before: 0, after: 0 },
      },
    );
    expect(line).toBe('started 784-32-32-10 (26506 parameters) -> budget run 388 -> pruned 388: 26118 (98.5%) fewer than at the start');
  });
});
