/**
 * The penalty table: every penalty gs-compress knows, each defined once in its own file under
 * kinds/ (name, CLI help, value, gradient, proximal operator and its WebAssembly kernel id, and
 * whether fine-tuning keeps it). Everything else (penalty values, gradients, proximal steps, the
 * fused engine, the WebAssembly update, fine-tuning, the CLI's help and choices) reads it from
 * here. Adding a penalty: a file in kinds/, a line below, its kernel in assembly/update.ts if it
 * has a proximal operator the existing kernel ids do not cover, and a test.
 */
import { gl } from './kinds/gl';
import { l1 } from './kinds/l1';
import { l2 } from './kinds/l2';
import { none } from './kinds/none';
import { sgl } from './kinds/sgl';
import type { PenaltyDef } from './def';

export type { PenaltyDef, ProxFn } from './def';

export const PENALTIES = { none, l2, l1, gl, sgl } satisfies Record<string, PenaltyDef>;
