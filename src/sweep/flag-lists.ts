/**
 * Lists given on the command line or in a grid file: comma-separated values ("5e-3,1e-3"),
 * hidden-layer alternatives separated by ';' ("32,32;64"; "" or "none" is no hidden layer), and
 * arrays or scalars from JSON/YAML. Each value is checked and a bad one is named in the error.
 */
import { GsError } from '../errors';
import { PENALTY_KINDS, type PenaltyKind } from '../penalty/types';
import { parseHidden } from '../train/config';
import { SOLVERS, type OptimizerName, type Solver } from '../train/types';
import { OPTIMIZERS } from '../train/fused/optimizers';

/** Splits a comma list (or takes an array / a scalar) into trimmed non-empty strings. */
function items(value: unknown, flag: string): string[] {
  const raw = Array.isArray(value) ? value.map((v) => String(v)) : String(value).split(',');
  const out = raw.map((s) => s.trim()).filter((s) => s !== '');
  if (out.length === 0) throw new GsError('BAD_OPTION', `--${flag} ${JSON.stringify(value)}: expected at least one value`);
  return out;
}

export function parseNumberList(value: unknown, flag: string, integer = false): number[] {
  return items(value, flag).map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new GsError(
        'BAD_OPTION',
        `--${flag} ${JSON.stringify(value)}: ${JSON.stringify(s)} is not ${integer ? 'an integer' : 'a number'}`,
      );
    }
    return n;
  });
}

function parseChoices<T extends string>(value: unknown, flag: string, choices: readonly T[]): T[] {
  return items(value, flag).map((s) => {
    if (!(choices as readonly string[]).includes(s)) {
      throw new GsError('BAD_OPTION', `--${flag} ${JSON.stringify(value)}: ${JSON.stringify(s)} is not one of ${choices.join(', ')}`);
    }
    return s as T;
  });
}

export const parseOptimizerList = (v: unknown): OptimizerName[] => parseChoices(v, 'optimizer', OPTIMIZERS);
export const parsePenaltyList = (v: unknown): PenaltyKind[] => parseChoices(v, 'penalty', PENALTY_KINDS);
export const parseSolverList = (v: unknown): Solver[] => parseChoices(v, 'solver', SOLVERS);

/**
 * Hidden-layer alternatives. A string: alternatives separated by ';', sizes by ','. An array:
 * of numbers, one architecture ([32, 32]); of strings or arrays, one alternative each.
 */
export function parseHiddenList(value: unknown): number[][] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[]];
    if (value.every((v) => typeof v === 'number')) return [parseHidden(value.map(checkSize))];
    return value.map((v: unknown) => (Array.isArray(v) ? parseHidden(v.map(checkSize)) : parseHidden(hiddenText(v))));
  }
  return hiddenText(value)
    .split(';')
    .map((alt) => parseHidden(alt));
}

/** Hidden-layer sizes given as text ("32,32"; "", null or none for no hidden layer) or as one number. */
function hiddenText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new GsError('BAD_OPTION', `--hidden: ${JSON.stringify(v)} is not a list of layer sizes (e.g. "32,32" or [32, 32])`);
}

function checkSize(v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new GsError('BAD_OPTION', `--hidden: ${JSON.stringify(v)} is not a positive integer layer size`);
  return n;
}
