/** The penalty layer's public face: penalty kinds, values, (sub)gradients, proximal operators, counts (the parameter count itself is network/create.ts parameterCount). */
export * from './types';
export { layerRegularizer, penaltyValue } from './value';
export { addPartsGradient, addPenaltyGradient, addsGradient } from './gradient';
export { denseParts, partsOf, type PenaltyParts } from './groups';
export { PENALTIES, type PenaltyDef, type ProxFn } from './table';
export { proxLayer, proxLayers, proxParts } from './prox';
export { zeroCount, aliveInputs, aliveUnits, rowAlive, columnOrBiasAlive } from './count';
