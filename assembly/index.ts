/**
 * Entry of the WebAssembly module of the fused engine (build/kernels.wasm): the minibatch pass
 * (pass.ts), the parameter update (update.ts) the budget trainer's unit statistics (scores.ts) and
 * the convolution and dense kernels of the layers engine (conv.ts, dense.ts, batchnorm.ts, pool.ts).
 */
export { runBatch, forward } from './pass';
export { adamStep, adamaxStep, rmspropStep, sgdStep, proxGroups, proxLayer } from './update';
export { setSoftTargets } from './distill';
export { setRegressionTargets } from './regression';
export { accumulateMoments, accumulateTaylor } from './scores';
export { convForward, convBackward } from './conv';
export { convGemmForward, convGemmBackward } from './conv-gemm';
export { denseForward, denseBackward } from './dense';
export { bnSums, bnSquares, bnApply, bnBackSums, bnBackApply } from './batchnorm';
export { maxPoolForward, maxPoolBackward } from './pool';
export { reluForward, reluBackward } from './relu';
