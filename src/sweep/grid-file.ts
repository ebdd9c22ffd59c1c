/**
 * Grid files (`gs-compress sweep --grid FILE`): JSON, or YAML (.yaml/.yml). Keys are the
 * sweep's flag names (batch-size or batchSize alike), each a list or a single value; the data
 * flags (data, train, test, test-fraction, ...) and `preset` are allowed too. Relative data
 * paths are read relative to the grid file. Example:
 *   { "data": "mnist", "optimizer": ["adam", "rmsprop"], "lr": [5e-3, 1e-3],
 *     "penalty": ["gl", "sgl"], "lambda": [1e-4, 1e-5], "hidden": ["32,32", [64]], "epochs": 20 }
 */
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';
import { checkValFraction } from '../data/split';
import { GsError } from '../errors';
import type { DataSpec } from '../data/types';
import { parseChoice } from '../train/config';
import { BACKEND_CHOICES, ENGINES, PROX_STEPS } from '../train/types';
import { parseHiddenList, parseNumberList, parseOptimizerList, parsePenaltyList, parseSolverList } from './flag-lists';
import { absoluteDataSpec } from './grid';
import type { GridInput } from './types';

export interface GridFile {
  preset?: string;
  grid: GridInput;
}

const DATA_KEYS: Record<string, keyof DataSpec> = {
  data: 'data',
  train: 'train',
  test: 'test',
  testFraction: 'testFraction',
  splitSeed: 'splitSeed',
  header: 'header',
  labelColumn: 'labelColumn',
  format: 'format',
  dataDir: 'dataDir',
  trainRows: 'maxTrainRows',
  testRows: 'maxTestRows',
};

const camel = (k: string) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function scalar(v: unknown, key: string, file: string): unknown {
  if (Array.isArray(v)) {
    if (v.length !== 1) throw new GsError('BAD_OPTION', `${file}: "${key}" takes one value, not a list`);
    return v[0];
  }
  return v;
}

export function parseGridObject(obj: unknown, file: string): GridFile {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj))
    throw new GsError('BAD_OPTION', `${file}: expected an object of sweep settings (e.g. {"lr": [1e-3, 1e-4]})`);
  const grid: GridInput = {};
  const data: DataSpec = {};
  let preset: string | undefined;
  const at = <T>(k: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof GsError) throw new GsError(e.code, `${file}: "${k}": ${e.message}`);
      throw e;
    }
  };
  for (const [rawKey, v] of Object.entries(obj as Record<string, unknown>)) {
    const k = camel(rawKey);
    if (v === null || v === undefined) continue;
    if (k === 'preset') preset = String(scalar(v, rawKey, file));
    else if (k in DATA_KEYS) (data as Record<string, unknown>)[DATA_KEYS[k]] = scalar(v, rawKey, file);
    else if (k === 'hidden') grid.hidden = at(rawKey, () => parseHiddenList(v));
    else if (k === 'optimizer') grid.optimizer = at(rawKey, () => parseOptimizerList(v));
    else if (k === 'penalty') grid.penalty = at(rawKey, () => parsePenaltyList(v));
    else if (k === 'solver') grid.solver = at(rawKey, () => parseSolverList(v));
    else if (k === 'lr' || k === 'lambda') grid[k] = at(rawKey, () => parseNumberList(v, rawKey));
    else if (k === 'seed' || k === 'epochs' || k === 'batchSize') grid[k] = at(rawKey, () => parseNumberList(v, rawKey, true));
    else if (k === 'targetParams' || k === 'finetuneEpochs') grid[k] = at(rawKey, () => parseNumberList(v, rawKey, true));
    else if (k === 'labelSmoothing') grid.labelSmoothing = at(rawKey, () => parseNumberList(v, rawKey));
    else if (k === 'targetRatio') grid.targetRatio = at(rawKey, () => parseNumberList(v, rawKey));
    else if (k === 'distill') grid.distill = Boolean(scalar(v, rawKey, file));
    else if (k === 'standardize') grid.standardize = Boolean(scalar(v, rawKey, file));
    else if (k === 'proxStep') grid.proxStep = at(rawKey, () => parseChoice('prox-step', scalar(v, rawKey, file), PROX_STEPS));
    else if (k === 'valFraction')
      grid.valFraction = at(rawKey, () => {
        const f = Number(scalar(v, rawKey, file));
        checkValFraction(f);
        return f;
      });
    else if (k === 'engine') grid.engine = at(rawKey, () => parseChoice('engine', scalar(v, rawKey, file), ENGINES));
    else if (k === 'backend') grid.backend = at(rawKey, () => parseChoice('backend', scalar(v, rawKey, file), BACKEND_CHOICES));
    else
      throw new GsError(
        'BAD_OPTION',
        `${file}: unknown key "${rawKey}" (expected sweep flags such as optimizer, lr, penalty, lambda, hidden, seed, epochs, batch-size, label-smoothing, val-fraction, target-params, target-ratio, finetune-epochs, distill, data)`,
      );
  }
  if (data.format !== undefined && !['csv', 'idx', 'libsvm'].includes(data.format)) {
    throw new GsError('BAD_OPTION', `${file}: "format" ${data.format}: expected csv, idx or libsvm`);
  }
  if (Object.keys(data).length > 0) grid.data = absoluteDataSpec({ ...data, format: data.format }, path.dirname(path.resolve(file)));
  return { preset, grid };
}

/** yaml's parser, loaded on the first YAML grid file (synchronously, as readGridFile is), not when
 * the library is imported. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(__filename)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

export function readGridFile(file: string): GridFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new GsError('NOT_FOUND', `grid file ${file} not found`);
  }
  const yaml = /\.ya?ml$/i.test(file);
  let obj: unknown;
  try {
    obj = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new GsError('BAD_INPUT', `${file}: not valid ${yaml ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseGridObject(obj, file);
}
