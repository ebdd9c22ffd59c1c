/**
 * Where `report` writes when no --out is given: beside the data it reports on, never into the
 * working folder (where a stray report.html would end up in a clone's git status and formatting
 * checks). One source: inside its folder (a run directory, a size path or a sweep folder; the
 * folder of a results.jsonl file). Several: their nearest common folder (runs/a runs/b ->
 * runs/report.html).
 */
import * as fs from 'fs';
import * as path from 'path';

export const REPORT_FILE = 'report.html';

/** The folder a source stands for: itself when it is a folder, else the folder holding the file. */
function folderOf(source: string): string {
  const abs = path.resolve(source);
  try {
    if (fs.statSync(abs).isFile()) return path.dirname(abs);
  } catch {
    // a missing source: loadReportInputs names it; here it only places the file
  }
  return abs;
}

/** The nearest folder holding every one of `folders` (absolute paths). */
function commonFolder(folders: string[]): string {
  let common = folders[0].split(path.sep);
  for (const f of folders.slice(1)) {
    const parts = f.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}

/** The report file for these sources when --out is not given (absolute). */
export function defaultReportFile(sources: readonly string[]): string {
  if (sources.length === 0) return path.resolve(REPORT_FILE);
  return path.join(commonFolder(sources.map(folderOf)), REPORT_FILE);
}
