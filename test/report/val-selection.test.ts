/** The report chooses runs by validation score and shows test as the final figure; old records fall back with a note. */
import { buildReportModel, renderReportHtml } from '../../src/report/report';
import type { RunRecord } from '../../src/sweep/types';
import { record } from './helpers';

function withVal(r: RunRecord, val: number): RunRecord {
  return { ...r, summary: { ...r.summary, valAccuracy: val } };
}

// by test, 'hi-test' wins; by validation, 'hi-val'
const runs = [withVal(record('hi-test', 'gl', 1e-4, 0.97, 300), 0.8), withVal(record('hi-val', 'gl', 1e-3, 0.9, 400), 0.93)];

test('best, sparsest and the front are chosen by validation score; the table labels both scores', async () => {
  const m = buildReportModel({ runs, sources: [] }, { tolerance: 0.001, generatedAt: 'now' });
  expect(m.selectedBy.key).toBe('val');
  expect(m.best?.id).toBe('hi-val');
  expect(m.sparsest?.id).toBe('hi-val');
  expect(m.front.map((r) => r.id)).toEqual(['hi-test', 'hi-val']);
  const html = await renderReportHtml(m);
  expect(html).toContain('val score (selects)');
  expect(html).toContain('test score (final)');
  expect(html).toContain('best validation score');
  expect(html).not.toContain('best test accuracy');
  // the selection row of the best run shows its validation score and its (lower) test score
  const row = html.split('best validation score')[1].split('</tr>')[0];
  expect(row).toContain('0.9300');
  expect(row).toContain('0.9000');
});

test('records without a validation score still load and show, selected by test with a note', async () => {
  const old = [record('a', 'gl', 1e-4, 0.91, 120), record('b', 'l1', 1e-4, 0.88, 300)];
  const m = buildReportModel({ runs: old, sources: [] }, { generatedAt: 'now' });
  expect(m.selectedBy.key).toBe('test');
  expect(m.best?.id).toBe('a');
  const html = await renderReportHtml(m);
  expect(html).toContain('best test score');
  expect(html).toMatch(/Note: the 2 runs record no validation score/);
});
