/**
 * Entry of the WebAssembly module of the fused engine (build/kernels.wasm): the minibatch pass
 * (pass.ts) and the parameter update (update.ts).
 */
export { runBatch, forward } from './pass';
export { adamStep, adamaxStep, rmspropStep, sgdStep, proxLayer } from './update';
export { setSoftTargets } from './distill';
export { setRegressionTargets } from './regression';
export { convForward, convBackward } from './conv';
