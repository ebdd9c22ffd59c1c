/**
 * Outputs of the group-design experiment: a markdown table, a JSON record, and a vega-lite SVG
 * plot of recovery error against cover ratio (mean over seeds with +-1 standard deviation bars
 * for the validation-chosen lambda, dashed lines for the oracle lambda), written atomically.
 */
import * as path from 'path';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLiteSvg } from '../report/vega-render';
import { writeFileAtomic } from '../util/fs-atomic';
import { METHODS, type GroupDesignResult } from './group-design';

export const GROUP_DESIGN_FILES = { markdown: 'group-design.md', json: 'group-design.json', svg: 'group-design.svg' } as const;

const f3 = (v: number) => v.toFixed(3);

/** Header and rows of the result table (also used for the terminal). */
export function groupDesignTable(r: GroupDesignResult): { header: string[]; rows: string[][] } {
  return {
    header: [
      'cover ratio',
      'groups touched',
      'group lasso error',
      'lasso error',
      'group lasso (oracle)',
      'lasso (oracle)',
      'group lasso nonzeros',
      'lasso nonzeros',
      'better',
    ],
    rows: r.rows.map((row) => [
      String(+row.coverRatio.toFixed(3)),
      String(row.groupsTouched),
      `${f3(row['group-lasso'].meanError)} ± ${f3(row['group-lasso'].stdError)}`,
      `${f3(row.lasso.meanError)} ± ${f3(row.lasso.stdError)}`,
      f3(row['group-lasso'].meanOracleError),
      f3(row.lasso.meanOracleError),
      row['group-lasso'].meanNonzeros.toFixed(1),
      row.lasso.meanNonzeros.toFixed(1),
      row.better,
    ]),
  };
}

export function describeDesign(r: GroupDesignResult): string {
  const o = r.options;
  return (
    `p = ${o.p} features in ${o.p / o.groupSize} groups of ${o.groupSize}, k = ${o.k} nonzeros, n = ${o.samples} training and ` +
    `${o.validationSamples} validation rows, noise sd ${o.noise}, ${o.seeds} seed${o.seeds === 1 ? '' : 's'} (${o.firstSeed}..${o.firstSeed + o.seeds - 1}), ` +
    `${o.lambdas} lambdas from lambda_max to ${o.lambdaMinRatio} lambda_max chosen by validation error (oracle: best recovery error on the path). ` +
    `Error: ||w_hat - w*|| / ||w*||, mean ± sd over seeds.`
  );
}

export function groupDesignMarkdown(r: GroupDesignResult): string {
  const { header, rows } = groupDesignTable(r);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '# Strong group sparsity: group lasso against lasso',
    '',
    describeDesign(r),
    '',
    line(header),
    line(header.map((_, j) => (j >= 2 && j <= 7 ? '---:' : '---'))),
    ...rows.map(line),
    '',
  ].join('\n');
}

const LABEL = { 'group-lasso': 'group lasso', lasso: 'lasso' } as const;

export function groupDesignSvg(r: GroupDesignResult): Promise<string> {
  const values = r.rows.flatMap((row) =>
    METHODS.flatMap((m) => [
      {
        ratio: row.coverRatio,
        method: LABEL[m],
        lambda: 'validation',
        error: row[m].meanError,
        lo: row[m].meanError - row[m].stdError,
        hi: row[m].meanError + row[m].stdError,
      },
      { ratio: row.coverRatio, method: LABEL[m], lambda: 'oracle', error: row[m].meanOracleError },
    ]),
  );
  const x = {
    field: 'ratio',
    type: 'quantitative',
    title: 'cover ratio (groups touched × group size / k, log scale)',
    scale: { type: 'log' },
  } as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Recovery error against cover ratio',
    width: 480,
    height: 300,
    data: { values },
    layer: [
      {
        name: 'lines',
        mark: { type: 'line' },
        encoding: {
          x,
          y: { field: 'error', type: 'quantitative', title: 'recovery error ||ŵ − w*|| / ||w*||' },
          color: { field: 'method', type: 'nominal', title: 'method' },
          strokeDash: {
            field: 'lambda',
            type: 'nominal',
            title: 'lambda chosen by',
            scale: {
              domain: ['validation', 'oracle'],
              range: [
                [1, 0],
                [5, 4],
              ],
            },
          },
        },
      },
      {
        name: 'means',
        transform: [{ filter: "datum.lambda === 'validation'" }],
        mark: { type: 'point', filled: true, size: 40 },
        encoding: { x, y: { field: 'error', type: 'quantitative' }, color: { field: 'method', type: 'nominal' } },
      },
      {
        name: 'spread',
        transform: [{ filter: "datum.lambda === 'validation'" }],
        mark: { type: 'rule' },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'method', type: 'nominal' } },
      },
    ],
  };
  return renderVegaLiteSvg(spec as unknown as TopLevelSpec);
}

/** Write markdown, JSON and SVG into dir; returns the paths written. */
export async function writeGroupDesign(dir: string, r: GroupDesignResult): Promise<{ markdown: string; json: string; svg: string }> {
  const files = {
    markdown: path.join(dir, GROUP_DESIGN_FILES.markdown),
    json: path.join(dir, GROUP_DESIGN_FILES.json),
    svg: path.join(dir, GROUP_DESIGN_FILES.svg),
  };
  const svg = await groupDesignSvg(r);
  writeFileAtomic(files.markdown, groupDesignMarkdown(r));
  writeFileAtomic(files.json, `${JSON.stringify(r, null, 1)}\n`);
  writeFileAtomic(files.svg, svg);
  return files;
}
