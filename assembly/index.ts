/**
 * Entry of the WebAssembly module of the fused engine (build/kernels.wasm): the minibatch pass
 * (pass.ts), the parameter update (update.ts) and the budget trainer's unit statistics (scores.ts).
 */
export { runBatch, forward } from './pass';
export { adamStep, adamaxStep, rmspropStep, sgdStep, proxLayer } from './update';
export { setSoftTargets } from './distill';
export { setRegressionTargets } from './regression';
export { accumulateMoments, accumulateTaylor } from './scores';
