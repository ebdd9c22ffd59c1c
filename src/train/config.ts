/**
 * Checking and completing a training configuration: every user-facing value is validated
 * here, so the CLI and library users get the same clear errors.
 */
import { GsError } from '../errors';
import { activationLabel, parseActivation } from '../network/activations';
import { PENALTY_KINDS, type PenaltyKind } from '../penalty/types';
import { DEFAULT_CONFIG } from './defaults';
import { ENGINES, OPTIMIZERS, PROX_STEPS, type OptimizerName, type ProxStep, type TrainConfig } from './types';

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

export function resolveTrainConfig(partial: Partial<TrainConfig>): TrainConfig {
  const cfg: TrainConfig = { ...DEFAULT_CONFIG, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) };
  cfg.hidden = parseHidden(cfg.hidden);
  positive('lr', cfg.lr);
  positive('epochs', cfg.epochs, true);
  positive('batch-size', cfg.batchSize, true);
  if (!Number.isInteger(cfg.seed)) throw new GsError('BAD_OPTION', `--seed ${cfg.seed}: expected an integer`);
  if (!OPTIMIZERS.includes(cfg.optimizer as OptimizerName)) {
    throw new GsError('BAD_OPTION', `--optimizer ${cfg.optimizer}: expected one of ${OPTIMIZERS.join(', ')}`);
  }
  if (!PENALTY_KINDS.includes(cfg.penalty as PenaltyKind)) {
    throw new GsError('BAD_OPTION', `--penalty ${cfg.penalty}: expected one of ${PENALTY_KINDS.join(', ')}`);
  }
  if (!Number.isFinite(cfg.lambda) || cfg.lambda < 0) throw new GsError('BAD_OPTION', `--lambda ${cfg.lambda}: expected a number >= 0`);
  if (cfg.penalty !== 'none' && cfg.lambda === 0) {
    throw new GsError('BAD_OPTION', `--penalty ${cfg.penalty} needs --lambda > 0 (for example --lambda 1e-4)`);
  }
  if (cfg.solver !== 'prox' && cfg.solver !== 'subgradient') {
    throw new GsError('BAD_OPTION', `--solver ${cfg.solver}: expected prox or subgradient`);
  }
  if (cfg.proxStep !== undefined && !PROX_STEPS.includes(cfg.proxStep as ProxStep)) {
    throw new GsError('BAD_OPTION', `--prox-step ${cfg.proxStep}: expected ${PROX_STEPS.join(' or ')}`);
  }
  if (cfg.proxStep === 'preconditioned') delete cfg.proxStep; // the default is stored as absent
  if (cfg.activation !== undefined) {
    const label = activationLabel(parseActivation(cfg.activation, '--activation'));
    if (label === 'relu')
      delete cfg.activation; // the default is stored as absent
    else cfg.activation = label;
  }
  if (!ENGINES.includes(cfg.engine)) throw new GsError('BAD_OPTION', `--engine ${cfg.engine}: expected ${ENGINES.join(', ')}`);
  if (!['auto', 'tfjs-node', 'wasm', 'cpu'].includes(cfg.backend)) {
    throw new GsError('BAD_OPTION', `--backend ${cfg.backend}: expected auto, tfjs-node, wasm or cpu`);
  }
  return cfg;
}
