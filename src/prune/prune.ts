/**
 * pruneNetwork: a pure function from a Network to a smaller Network with the same logits
 * (exact by default), plus its report. The input network is never modified.
 *
 * Steps: copy the weights to float64; optionally apply the lossy threshold; find dead units
 * (unused or constant, repeated to a fixpoint, constants folded into the next bias); drop their
 * rows, columns, biases and input columns; describe the change.
 */
import type { AnyLayer, DenseLayer, Network } from '../network/types';
import { findDeadUnits } from './dead-units';
import { buildReport } from './report';
import { shrinkNetwork } from './shrink';
import { applyThreshold, checkThreshold } from './threshold';
import type { PruneOptions, PruneResult } from './types';
import { toWorkingCopy } from './working-copy';

export function pruneNetwork<L extends AnyLayer = DenseLayer>(net: Network<L>, opts: PruneOptions = {}): PruneResult<L> {
  const threshold = checkThreshold(opts.threshold);
  const work = toWorkingCopy(net);
  const zeroed = threshold === null ? null : applyThreshold(work, threshold);
  const dead = findDeadUnits(work);
  const { network, placeholder } = shrinkNetwork(net, work, dead.alive);
  return { network, report: buildReport(net, network, dead, placeholder, threshold, zeroed) };
}
