/**
 * The reference forward pass computes rows a chunk at a time (network/forward.ts): the logits of
 * many rows equal those of the whole batch through the layer table at once, batch norm included
 * (running statistics at evaluation, so a row's output does not depend on the others).
 */
import { initArchNetwork } from '../../src/network/create-arch';
import { logits } from '../../src/network/forward';
import { forwardLayers } from '../../src/network/layers/table';
import { Rng } from '../../src/util/rng';

test('logits of more rows than one chunk equal the whole batch at once', () => {
  const net = initArchNetwork('c4k3p1-bn-m2-c6k3-f8', [1, 10, 10], 3, 5);
  const rng = new Rng(2);
  const rows = 601;
  const x = Float32Array.from({ length: rows * 100 }, () => rng.next() * 2 - 1);
  const whole = Float32Array.from(forwardLayers(net.layers, Float64Array.from(x), rows, [1, 10, 10]));
  const chunked = logits(net, x, rows);
  expect(chunked.length).toBe(rows * 3);
  expect(Array.from(chunked)).toEqual(Array.from(whole));
  // no rows: no logits
  expect(logits(net, new Float32Array(0), 0).length).toBe(0);
});
