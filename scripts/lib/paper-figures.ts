/**
 * The paper's own figures (Chen, Dai, Pan, Sheng 2020, "Benefit of Group Sparsity in Deep
 * Learning", text in ../shared/paper/), transcribed from its section 4 with the subsection each
 * comes from: per data set the best logistic regression, the deep-learning (DL) baseline and the
 * group-sparsity results, with the setting that produced them and, for group sparsity, its
 * nonzero ("active neurons") parameter count out of the full 32-32 network's.
 */
import type { CatalogName } from '../../src/data/catalog';

export interface PaperResult {
  accuracy: number;
  /** Optimizer, learning rate and penalty as the paper states them. */
  setting: string;
  /** Nonzero parameters of the result (the paper's "active neurons"), when given. */
  nonzero?: number;
  /** Where in the paper: subsection and figure. */
  source: string;
}

export interface PaperDataset {
  /** Parameters of the paper's 32-32 network on this data set (the "total number of neurons"). */
  networkParams: number;
  logreg: PaperResult;
  baseline: PaperResult;
  /** Group-sparsity results the paper reports (COVER gives two). */
  group: PaperResult[];
}

export const PAPER_FIGURES: Record<CatalogName, PaperDataset> = {
  sdd: {
    networkParams: 2987,
    logreg: { accuracy: 0.6281, setting: 'lr 1e-3, l2 1e-3', source: 'section 4.1' },
    baseline: { accuracy: 0.92725, setting: 'Adam, lr 1e-3, no weight decay', source: 'section 4.1, Figure 4' },
    group: [{ accuracy: 0.9372, setting: 'Adam, lr 5e-3, group lasso 1e-4', nonzero: 1970, source: 'section 4.1, Figure 5' }],
  },
  mnist: {
    networkParams: 26506,
    logreg: { accuracy: 0.8953, setting: 'lr 1e-4, l2 1e-1', source: 'section 4.2' },
    baseline: { accuracy: 0.9723, setting: 'AdaMax, lr 5e-3, weight decay 1e-4', source: 'section 4.2, Figure 6' },
    group: [{ accuracy: 0.9574, setting: 'RMSprop, lr 5e-3, group lasso 1e-5', nonzero: 16733, source: 'section 4.2, Figure 7' }],
  },
  covtype: {
    networkParams: 3047,
    logreg: { accuracy: 0.6671, setting: 'lr 1e-4, l2 1e-1', source: 'section 4.3' },
    baseline: { accuracy: 0.77266, setting: 'Adam, lr 3e-4, no weight decay', source: 'section 4.3, Figure 8' },
    group: [
      { accuracy: 0.6831, setting: 'Adam, lr 5e-3, group lasso 1e-4', nonzero: 693, source: 'section 4.3, Figure 9' },
      { accuracy: 0.6741, setting: 'Adam, lr 5e-3, group lasso 1e-5', nonzero: 608, source: 'section 4.3' },
    ],
  },
};

/** One paper result as a report cell: accuracy, nonzero share when given, setting and source. */
export function paperCell(r: PaperResult, networkParams: number): string {
  const nz = r.nonzero !== undefined ? `, ${r.nonzero} / ${networkParams} nonzero (${Math.round((100 * r.nonzero) / networkParams)}%)` : '';
  return `${r.accuracy}${nz} (${r.setting}; ${r.source})`;
}
