/** The penalty layer's public face: penalty kinds, values, (sub)gradients, proximal operators, counts. */
export * from './types';
export { layerRegularizer, penaltyValue } from './value';
export { addPenaltyGradient } from './gradient';
export { proxLayer, proxLayers } from './prox';
export { zeroCount, totalParams, aliveInputs, aliveUnits, rowAlive, columnOrBiasAlive } from './count';
