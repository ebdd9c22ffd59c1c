/**
 * HTML building blocks of the report: escaping, tables, figures and the page shell with its
 * plain CSS. Everything is inline (no scripts, no external files), so one .html file is the
 * whole report.
 */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface HtmlRow {
  cells: string[];
  /** data-run attribute: the run id the row is about. */
  run?: string;
  className?: string;
}

/** A table; cell texts are escaped. Columns listed in `numeric` are right-aligned. */
export function htmlTable(id: string, header: string[], rows: readonly HtmlRow[], numeric: readonly number[] = []): string {
  const align = (j: number) => (numeric.includes(j) ? ' class="num"' : '');
  const head = `<tr>${header.map((h, j) => `<th${align(j)}>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => {
      const attrs = `${r.run !== undefined ? ` data-run="${escapeHtml(r.run)}"` : ''}${r.className ? ` class="${escapeHtml(r.className)}"` : ''}`;
      return `<tr${attrs}>${r.cells.map((c, j) => `<td${align(j)}>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table id="${escapeHtml(id)}">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A figure holding an inline SVG (trusted: rendered by vega) and an escaped caption. */
export function htmlFigure(id: string, svg: string, caption: string): string {
  return `<figure class="plot" id="${escapeHtml(id)}">\n${svg}\n<figcaption>${escapeHtml(caption)}</figcaption>\n</figure>`;
}

const CSS = `
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 2em auto; max-width: 1100px; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.8em; }
p.meta, figcaption, p.note { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.6em 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25em 0.7em; text-align: left; white-space: nowrap; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.front td:first-child { font-weight: bold; }
tr.diverged { color: #a33; }
figure.plot { margin: 1em 0; overflow-x: auto; }
figure.plot svg { max-width: 100%; height: auto; }
ul.sources { font-size: 0.9em; }
`;

export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
