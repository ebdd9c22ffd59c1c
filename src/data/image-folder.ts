/**
 * Image folders in the layouts users have: DIR/train/<class>/*.png|jpg|jpeg with DIR/test/<class>/...
 * (the split given), or DIR/<class>/... (loadDataset splits it with its seeded shuffle). Classes are
 * the folder names, sorted. PNG is decoded by pngjs, JPEG by jpeg-js (both pure JavaScript). Every
 * image becomes C x H x W values in [0, 1] (pixels / 255, as IDX images): one channel when every
 * image is grey (R = G = B), else three (a grey image among colour ones is repeated over R, G, B);
 * alpha is dropped. The size is the first image's (of the first class, by name), or the one asked
 * for (--input-shape C,H,W, or an imported model's input); images of another size are resized to it
 * (bilinear) and a warning says how many; C 1 with colour images reads their luma. Other files in a class folder are
 * skipped; an empty class folder, a folder without class folders or an image that does not decode
 * is refused naming it.
 */
import * as fs from 'fs';
import * as path from 'path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { GsError } from '../errors';
import type { LabeledTable } from './types';

const IMAGE = /\.(png|jpe?g)$/i;

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

/** Channel `c` (0..2) of the image at (y, x) of the target size, bilinear from the source. */
function sampler(d: Decoded, h: number, w: number): (c: number, y: number, x: number) => number {
  if (d.width === w && d.height === h) return (c, y, x) => d.rgba[(y * w + x) * 4 + c];
  const sy = d.height / h;
  const sx = d.width / w;
  return (c, y, x) => {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), d.height - 1);
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), d.width - 1);
    const y0 = Math.floor(fy);
    const x0 = Math.floor(fx);
    const y1 = Math.min(y0 + 1, d.height - 1);
    const x1 = Math.min(x0 + 1, d.width - 1);
    const at = (yy: number, xx: number) => d.rgba[(yy * d.width + xx) * 4 + c];
    const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * (fx - x0);
    const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * (fx - x0);
    return top + (bottom - top) * (fy - y0);
  };
}

/** The class folders of `dir` (sorted) with their image files (sorted); refuses empty ones. */
function classFolders(dir: string): { name: string; files: string[] }[] {
  const classes = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (classes.length === 0)
    throw new GsError('BAD_INPUT', `${dir}: no class folders (expected ${dir}/<class>/*.png|jpg, or train/ and test/ folders of them)`);
  return classes.map((name) => {
    const files = fs
      .readdirSync(path.join(dir, name))
      .filter((f) => IMAGE.test(f))
      .sort()
      .map((f) => path.join(dir, name, f));
    if (files.length === 0) throw new GsError('BAD_INPUT', `${path.join(dir, name)}: the class folder holds no .png or .jpg images`);
    return { name, files };
  });
}

/** Whether `dir` looks like an image folder: class folders holding images, or train/ and test/ of them. */
export function isImageFolder(dir: string): boolean {
  const sub = (d: string) => fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const holdsImages = (d: string) => fs.readdirSync(d).some((f) => IMAGE.test(f));
  const subs = sub(dir);
  if (subs.length === 0) return false;
  const names = subs.map((e) => e.name);
  if (names.includes('train') && names.includes('test'))
    return sub(path.join(dir, 'train')).some((e) => holdsImages(path.join(dir, 'train', e.name)));
  return subs.some((e) => holdsImages(path.join(dir, e.name)));
}

/**
 * Reads the images of `dir` as tables (a train/test pair when it has train/ and test/ folders).
 * `shape` [C, H, W] (C 1 or 3) sets the channels and the size every image is brought to (a model's
 * input); without it they follow the images (see the module comment).
 */
export function readImageFolder(dir: string, shape?: readonly number[]): { train: LabeledTable; test?: LabeledTable } {
  if (shape && (shape.length !== 3 || (shape[0] !== 1 && shape[0] !== 3)))
    throw new GsError(
      'BAD_OPTION',
      `${dir}: images are read as 1 or 3 channels of H x W; the shape ${shape.join(',')} is not C,H,W with C 1 or 3`,
    );
  const names = fs.readdirSync(dir);
  const split = names.includes('train') && names.includes('test');
  const parts = split ? [path.join(dir, 'train'), path.join(dir, 'test')] : [dir];
  const folders = parts.map(classFolders);
  if (split) {
    const [a, b] = folders.map((f) => f.map((c) => c.name).join(','));
    if (a !== b) throw new GsError('BAD_INPUT', `${dir}: train/ has classes ${a}, test/ has ${b}; both need the same class folders`);
  }
  const decoded = folders.map((f) => f.map((c) => ({ name: c.name, images: c.files.map((file) => ({ file, d: decode(file) })) })));
  const all = decoded.flat().flatMap((c) => c.images);
  const [w, h] = shape ? [shape[2], shape[1]] : [all[0].d.width, all[0].d.height];
  const colour = all.some((i) => !isGrey(i.d));
  const channels = shape ? shape[0] : colour ? 3 : 1;
  const resized = all.filter((i) => i.d.width !== w || i.d.height !== h).length;
  const warnings: string[] = [];
  if (resized > 0)
    warnings.push(
      `${dir}: ${resized} of ${all.length} images are not ${w}x${h} (${shape ? 'the input shape asked for' : "the first image's size"}) and were resized to it`,
    );
  if (channels === 3 && all.some((i) => isGrey(i.d)))
    warnings.push(`${dir}: grey images among colour ones are read as three equal channels`);
  if (channels === 1 && colour) warnings.push(`${dir}: colour images are read as one grey channel (0.299 R + 0.587 G + 0.114 B)`);
  const cols = channels * h * w;
  const tables = decoded.map((classes) => {
    const rows = classes.reduce((a, c) => a + c.images.length, 0);
    const features = new Float32Array(rows * cols);
    const labels = new Int32Array(rows);
    let r = 0;
    classes.forEach((c, k) => {
      for (const { d } of c.images) {
        const at = sampler(d, h, w);
        if (channels === 1 && colour) {
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++)
              features[r * cols + y * w + x] = (0.299 * at(0, y, x) + 0.587 * at(1, y, x) + 0.114 * at(2, y, x)) / 255;
        } else {
          for (let ch = 0; ch < channels; ch++)
            for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) features[r * cols + (ch * h + y) * w + x] = at(ch, y, x) / 255;
        }
        labels[r++] = k;
      }
    });
    const table: LabeledTable = {
      rows,
      cols,
      features,
      labels,
      classLabels: classes.map((c) => c.name),
      featureNames: Array.from({ length: cols }, (_, i) => `x${i}`),
      files: classes.flatMap((c) => c.images.map((i) => i.file)),
      format: 'images',
      exampleShape: [channels, h, w],
      warnings,
    };
    return table;
  });
  return { train: tables[0], ...(tables[1] ? { test: { ...tables[1], warnings: [] } } : {}) };
}
