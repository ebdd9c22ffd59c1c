/**
 * Checking and completing a training configuration: every user-facing value is validated
 * here, so the CLI and library users get the same clear errors.
 */
import { checkValFraction } from '../data/split';
import { GsError } from '../errors';
import { activationLabel, parseActivation } from '../network/activations';
import { PENALTY_KINDS } from '../penalty/types';
import { DEFAULT_CONFIG, DEFAULT_THREADS } from './defaults';
import { BACKEND_CHOICES, ENGINES, PROX_STEPS, SOLVERS, type TrainConfig } from './types';
import { OPTIMIZERS } from './fused/optimizers';
import { parseThreads } from './layers-engine/parallel/threads';

/** Parses '32,32' (or '' for none, i.e. logistic regression) into layer sizes. */
export function parseHidden(text: string | number[]): number[] {
  if (Array.isArray(text)) return parseHidden(text.join(',')); // arrays from library callers get the same checks
  const t = String(text).trim();
  if (t === '' || t === 'none') return [];
  return t.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 1) {
      throw new GsError(
        'BAD_OPTION',
        `--hidden ${JSON.stringify(text)}: each size must be a positive integer (e.g. 32,32; empty for logistic regression)`,
      );
    }
    return n;
  });
}

function positive(name: string, v: number, integer = false): number {
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new GsError('BAD_OPTION', `--${name} ${v}: expected a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

/** One of `choices`, or a BAD_OPTION error naming the flag, the value and the choices. */
export function parseChoice<T extends string>(flag: string, value: unknown, choices: readonly T[]): T {
  const found = choices.find((c) => c === value);
  if (found === undefined) {
    const list = choices.length === 2 ? choices.join(' or ') : choices.join(', ');
    throw new GsError('BAD_OPTION', `--${flag} ${String(value)}: expected ${choices.length > 2 ? 'one of ' : ''}${list}`);
  }
  return found;
}

type ChoiceKey = 'optimizer' | 'penalty' | 'solver' | 'proxStep' | 'engine' | 'backend' | 'threads';

/** What resolveTrainConfig accepts: any part of a TrainConfig, with hidden sizes also as text
 * ('32,32') and the choices as plain strings (as a command line or a JSON file gives them);
 * everything is checked. */
export type TrainConfigInput = Partial<Omit<TrainConfig, 'hidden' | ChoiceKey>> & {
  hidden?: number[] | string;
} & { [K in ChoiceKey]?: TrainConfig[K] | string };

export function resolveTrainConfig(partial: TrainConfigInput): TrainConfig {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as TrainConfigInput;
  const merged = { ...DEFAULT_CONFIG, ...given };
  const cfg: TrainConfig = {
    ...merged,
    hidden: parseHidden(merged.hidden),
    optimizer: parseChoice('optimizer', merged.optimizer, OPTIMIZERS),
    penalty: parseChoice('penalty', merged.penalty, PENALTY_KINDS),
    solver: parseChoice('solver', merged.solver, SOLVERS),
    proxStep: merged.proxStep === undefined ? undefined : parseChoice('prox-step', merged.proxStep, PROX_STEPS),
    engine: parseChoice('engine', merged.engine, ENGINES),
    backend: parseChoice('backend', merged.backend, BACKEND_CHOICES),
    threads: merged.threads === undefined ? undefined : parseThreads(merged.threads),
  };
  positive('lr', cfg.lr);
  positive('epochs', cfg.epochs, true);
  positive('batch-size', cfg.batchSize, true);
  if (!Number.isInteger(cfg.seed)) throw new GsError('BAD_OPTION', `--seed ${cfg.seed}: expected an integer`);
  if (!Number.isFinite(cfg.lambda) || cfg.lambda < 0) throw new GsError('BAD_OPTION', `--lambda ${cfg.lambda}: expected a number >= 0`);
  if (cfg.penalty !== 'none' && cfg.lambda === 0) {
    throw new GsError('BAD_OPTION', `--penalty ${cfg.penalty} needs --lambda > 0 (for example --lambda 1e-4)`);
  }
  if (cfg.labelSmoothing !== undefined) {
    const e = cfg.labelSmoothing;
    if (!(Number.isFinite(e) && e >= 0 && e < 1))
      throw new GsError('BAD_OPTION', `--label-smoothing ${e}: expected a number in [0, 1), for example 0.1`);
    if (e === 0) delete cfg.labelSmoothing; // the default is stored as absent
  }
  // kept explicit, 0 included (absent, in a record written before it existed, means 0: no validation
  // split); a configuration id hashes 0 as absent, so those records keep their identity (sweep/config-id.ts)
  if (cfg.valFraction !== undefined) checkValFraction(cfg.valFraction);
  // the default (auto) is stored as absent
  if (cfg.threads === undefined || cfg.threads === DEFAULT_THREADS) delete cfg.threads;
  // the default proxStep is stored as absent, so configurations saved before it existed keep their identity
  if (cfg.proxStep === undefined || cfg.proxStep === 'preconditioned') delete cfg.proxStep;
  if (cfg.arch !== undefined) {
    if (typeof cfg.arch !== 'string' || cfg.arch.trim() === '')
      throw new GsError('BAD_OPTION', '--arch needs a spec or preset, e.g. lenet5');
    cfg.arch = cfg.arch.trim();
  }
  if (cfg.activation !== undefined) {
    const label = activationLabel(parseActivation(cfg.activation, '--activation'));
    if (label === 'relu')
      delete cfg.activation; // the default is stored as absent
    else cfg.activation = label;
  }
  return cfg;
}
