/**
 * Image folders in the layouts users have: DIR/train/<class>/*.png|jpg|jpeg with DIR/test/<class>/...
 * (the split given), or DIR/<class>/... (loadDataset splits it with its seeded shuffle). Classes are
 * the folder names, sorted. PNG is decoded by pngjs, JPEG by jpeg-js (both pure JavaScript). Every
 * image becomes C x H x W values, pixels times the pixel scale (default 1/255, as IDX images:
 * values in [0, 1]). Channels: the ones asked for (1 or 3), else one when every image is grey
 * (R = G = B), three when any is colour; a grey image among colour ones is repeated over R, G, B,
 * a colour image read as one channel gives its luma (0.299 R + 0.587 G + 0.114 B); alpha is
 * dropped. Size: the one asked for (an image size, or an imported model's input), else the first
 * image's (of the first class, by name); images of another size are resized to it (bilinear,
 * resize.ts) and a warning says how many. Each image is decoded and brought to that form at once,
 * so memory holds the table, not the decoded files. Other files in a class folder are skipped (a
 * warning counts them); an empty class folder, a folder without class folders or an image that
 * does not decode is refused naming it.
 */
import * as fs from 'fs';
import * as path from 'path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { GsError } from '../errors';
import { DEFAULT_PIXEL_SCALE, writeImage } from './resize';
import type { LabeledTable } from './types';

const IMAGE = /\.(png|jpe?g)$/i;

/** Whether a file name is one of the images read (.png, .jpg, .jpeg). */
export function isImageFile(name: string): boolean {
  return IMAGE.test(name);
}

/** The folder forms --data takes, for messages. */
export const FOLDER_FORMS =
  'class folders of images (DIR/<class>/*.png|jpg|jpeg, or DIR/train/<class>/... and DIR/test/<class>/...), .npy arrays, or the four MNIST IDX files';

/** How to read the images: channels (1 or 3), size [H, W] and the factor on pixel values; each optional. */
export interface ImageOptions {
  channels?: number;
  size?: readonly number[];
  pixelScale?: number;
}

interface Decoded {
  width: number;
  height: number;
  /** RGBA, 8 bits each. */
  rgba: Uint8Array;
}

function decode(file: string): Decoded {
  const bytes = fs.readFileSync(file);
  try {
    if (/\.png$/i.test(file)) {
      const p = PNG.sync.read(bytes);
      return { width: p.width, height: p.height, rgba: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length) };
    }
    const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: j.width, height: j.height, rgba: j.data };
  } catch (e) {
    throw new GsError('BAD_INPUT', `${file}: not a readable ${/\.png$/i.test(file) ? 'PNG' : 'JPEG'} image (${(e as Error).message})`);
  }
}

function isGrey(d: Decoded): boolean {
  const p = d.rgba;
  for (let i = 0; i < p.length; i += 4) if (p[i] !== p[i + 1] || p[i] !== p[i + 2]) return false;
  return true;
}

/** The class folders of `dir` (sorted) with their image files (sorted); refuses empty ones. */
function classFolders(dir: string): { name: string; files: string[]; skipped: number }[] {
  const classes = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (classes.length === 0)
    throw new GsError('BAD_INPUT', `${dir}: no class folders; expected ${dir}/<class>/*.png|jpg|jpeg, or train/ and test/ folders of them`);
  return classes.map((name) => {
    const entries = fs.readdirSync(path.join(dir, name), { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.'));
    const files = entries
      .map((e) => e.name)
      .filter((f) => IMAGE.test(f))
      .sort()
      .map((f) => path.join(dir, name, f));
    if (files.length === 0) throw new GsError('BAD_INPUT', `${path.join(dir, name)}: the class folder holds no .png, .jpg or .jpeg images`);
    return { name, files, skipped: entries.length - files.length };
  });
}

/** Checks image options: channels 1 or 3, a size of two positive integers, a finite positive scale. */
export function checkImageOptions(o: ImageOptions, where: string): void {
  if (o.channels !== undefined && o.channels !== 1 && o.channels !== 3)
    throw new GsError('BAD_OPTION', `${where}: images are read as 1 (grey) or 3 (RGB) channels, not ${o.channels}`);
  if (o.size !== undefined && (o.size.length !== 2 || o.size.some((d) => !Number.isInteger(d) || d < 1)))
    throw new GsError('BAD_OPTION', `${where}: image size ${o.size.join(',')} is not H,W of positive integers`);
  if (o.pixelScale !== undefined && !(Number.isFinite(o.pixelScale) && o.pixelScale > 0))
    throw new GsError('BAD_OPTION', `${where}: pixel scale ${o.pixelScale} is not a positive number`);
}

interface Source {
  file: string;
  label: number;
}

/**
 * Reads the images of `dir` as tables (a train/test pair when it has train/ and test/ folders),
 * read as `opts` says (see the module comment for what happens without them).
 */
export function readImageFolder(dir: string, opts: ImageOptions = {}): { train: LabeledTable; test?: LabeledTable } {
  checkImageOptions(opts, dir);
  const names = fs.readdirSync(dir);
  const split = names.includes('train') && names.includes('test');
  const parts = split ? [path.join(dir, 'train'), path.join(dir, 'test')] : [dir];
  const folders = parts.map(classFolders);
  if (split) {
    const [a, b] = folders.map((f) => f.map((c) => c.name).join(','));
    if (a !== b) throw new GsError('BAD_INPUT', `${dir}: train/ and test/ hold different class folders (train: ${a}; test: ${b})`);
  }
  const sources: Source[][] = folders.map((f) => f.flatMap((c, label) => c.files.map((file) => ({ file, label }))));
  const total = sources.reduce((a, s) => a + s.length, 0);
  const skipped = folders.flat().reduce((a, c) => a + c.skipped, 0);
  const scale = opts.pixelScale ?? DEFAULT_PIXEL_SCALE;
  // the first image sets the size unless one is asked for
  const first = decode(sources[0][0].file);
  const [h, w] = opts.size ?? [first.height, first.width];
  const plane = h * w;
  // unless the channels are asked for, every image is kept as three planes until all are seen
  const asked = opts.channels;
  const kept = asked ?? 3;
  let resized = 0;
  let grey = 0;
  const tables = sources.map((list) => {
    const features = new Float32Array(list.length * kept * plane);
    list.forEach(({ file }, r) => {
      const d = r === 0 && list === sources[0] ? first : decode(file);
      if (d.width !== w || d.height !== h) resized++;
      const g = isGrey(d);
      if (g) grey++;
      const at = (c: number) => ({ data: d.rgba, height: d.height, width: d.width, offset: c, stride: 4 });
      writeImage(at, g ? 1 : 3, kept, features, r * kept * plane, h, w, scale);
    });
    return { list, features };
  });
  const colour = grey < total;
  const channels = asked ?? (colour ? 3 : 1);
  const warnings: string[] = [];
  if (resized > 0)
    warnings.push(
      `${dir}: ${resized} of ${total} images are not ${w}x${h} (${opts.size ? 'the size asked for' : "the first image's size"}) and were resized to it (bilinear)`,
    );
  if (channels === 3 && grey > 0 && colour)
    warnings.push(`${dir}: grey images among colour ones (${grey} of ${total}) are read as three equal channels`);
  if (channels === 1 && colour)
    warnings.push(`${dir}: colour images (${total - grey} of ${total}) are read as one grey channel (0.299 R + 0.587 G + 0.114 B)`);
  if (skipped > 0) warnings.push(`${dir}: skipped files in class folders that are not .png, .jpg or .jpeg images (${skipped})`);
  const classLabels = folders[0].map((c) => c.name);
  const cols = channels * plane;
  const out = tables.map(({ list, features }, i): LabeledTable => ({
    rows: list.length,
    cols,
    // every image was grey and kept as three equal planes: keep the first of each
    features: channels === kept ? features : firstPlanes(features, list.length, kept * plane, plane),
    labels: Int32Array.from(list, (s) => s.label),
    classLabels,
    featureNames: Array.from({ length: cols }, (_, k) => `x${k}`),
    files: list.map((s) => s.file),
    format: 'images',
    exampleShape: [channels, h, w],
    warnings: i === 0 ? warnings : [],
  }));
  return { train: out[0], ...(out[1] ? { test: out[1] } : {}) };
}

/** The first `keep` values of every `per` values of `v`. */
function firstPlanes(v: Float32Array, rows: number, per: number, keep: number): Float32Array {
  const out = new Float32Array(rows * keep);
  for (let r = 0; r < rows; r++) out.set(v.subarray(r * per, r * per + keep), r * keep);
  return out;
}
