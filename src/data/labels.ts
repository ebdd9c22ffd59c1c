/**
 * Class labels: original label strings are mapped to ids 0..C-1 in sorted order (numeric
 * order when every label is a number, otherwise plain code-unit order), and tables read
 * separately (train and test files) are remapped onto the union of their labels.
 */
import { GsError } from '../errors';

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Sorts distinct label strings into class order (returns a new array). */
export function sortLabels(labels: Iterable<string>): string[] {
  const out = Array.from(new Set(labels));
  if (out.every((l) => NUMERIC.test(l))) {
    return out.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Turns per-row ids into first-seen label names (`raw[i]` indexes `names`) into sorted
 * class ids, in place; returns the class labels.
 */
export function finishLabels(raw: Int32Array, names: string[]): string[] {
  const classLabels = sortLabels(names);
  const pos = new Map(classLabels.map((l, i) => [l, i]));
  const remap = Int32Array.from(names, (n) => pos.get(n) as number);
  for (let i = 0; i < raw.length; i++) raw[i] = remap[raw[i]];
  return classLabels;
}

/** Class labels covering every table, and for each table its labels remapped onto them (new arrays). */
export function unionLabels(parts: { labels: Int32Array; classLabels: string[] }[]): {
  classLabels: string[];
  labels: Int32Array[];
} {
  const classLabels = sortLabels(parts.flatMap((p) => p.classLabels));
  const pos = new Map(classLabels.map((l, i) => [l, i]));
  const labels = parts.map((p) => {
    const remap = Int32Array.from(p.classLabels, (l) => pos.get(l) as number);
    return Int32Array.from(p.labels, (id) => remap[id]);
  });
  return { classLabels, labels };
}

/** Rows per class id. */
export function classCounts(labels: Int32Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** Throws BAD_INPUT unless the training labels hold at least two classes. */
export function requireTwoClasses(labels: Int32Array, classLabels: string[], source: string): void {
  const counts = classCounts(labels, classLabels.length);
  const present = counts.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  if (present.length < 2) {
    const only = present.length === 1 ? `only class ${JSON.stringify(classLabels[present[0]])}` : 'no rows';
    throw new GsError(
      'BAD_INPUT',
      `${source}: the training data has ${only}; expected at least 2 classes in the label column (is the label column right?)`,
    );
  }
}

/** More distinct numeric labels than this in a classification draw a hint to --task regression. */
export const MANY_NUMERIC_CLASSES = 20;

/**
 * Class labels that look like a quantity rather than classes: numbers with a fraction throw
 * BAD_INPUT (training on them as classes is never what was meant); many distinct whole numbers
 * return a warning message. `source` names the data in both.
 */
export function checkClassLabels(classLabels: string[], source: string): string | undefined {
  if (classLabels.length === 0 || !classLabels.every((l) => NUMERIC.test(l))) return undefined;
  const fractional = classLabels.filter((l) => !Number.isInteger(Number(l)));
  const range = `${classLabels[0]} .. ${classLabels[classLabels.length - 1]}`;
  if (fractional.length > 0) {
    throw new GsError(
      'BAD_INPUT',
      `${source}: labels look continuous (${classLabels.length} distinct numbers from ${range}, ${fractional.length} of them with a fraction, ` +
        `e.g. ${fractional[0]}): pass --task regression to predict the number; class labels are whole numbers or text`,
    );
  }
  if (classLabels.length > MANY_NUMERIC_CLASSES) {
    return `${source}: the label column holds ${classLabels.length} distinct numbers (${range}), read as ${classLabels.length} classes; if it is a quantity to predict, pass --task regression`;
  }
  return undefined;
}
