/** The penalty layer's public face: penalty kinds, values, (sub)gradients, proximal operators, counts (the parameter count itself is network/create.ts parameterCount). */
export * from './types';
export { layerRegularizer, penaltyValue } from './value';
export { addPenaltyGradient, addsGradient } from './gradient';
export { PENALTIES, type PenaltyDef, type ProxFn } from './table';
export { proxLayer, proxLayers } from './prox';
export { zeroCount, aliveInputs, aliveUnits, rowAlive, columnOrBiasAlive } from './count';
