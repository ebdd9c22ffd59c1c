/**
 * Reader for IDX files (the MNIST format): a big-endian header (0, 0, type 0x08 = unsigned
 * byte, number of dimensions, then one uint32 per dimension) followed by the bytes. Images
 * (magic 0x00000803) are flattened and scaled to [0, 1]; labels (0x00000801) are class ids.
 * Also the MNIST directory layout: the four standard file names, each optionally gzipped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GsError } from '../errors';
import { finishLabels } from './labels';
import { readDataBytes, requireFile } from './read-file';
import type { LabeledTable } from './types';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** True when the bytes start like an IDX file of unsigned bytes with 1..4 dimensions. */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08 && bytes[3] >= 1 && bytes[3] <= 4;
}

/** Parses an IDX file of unsigned bytes (throws BAD_INPUT naming the file otherwise). */
export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    throw new GsError('BAD_INPUT', `${file}: not an IDX file; expected magic bytes 00 00 08 0N at the start`);
  }
  if (buf[2] !== 0x08) {
    throw new GsError(
      'BAD_INPUT',
      `${file}: IDX data type 0x${buf[2].toString(16).padStart(2, '0')} is not supported; expected unsigned bytes (0x08)`,
    );
  }
  const ndims = buf[3];
  const headerLen = 4 + 4 * ndims;
  if (ndims < 1 || ndims > 4 || buf.length < headerLen) {
    throw new GsError('BAD_INPUT', `${file}: damaged IDX header; expected 1 to 4 dimensions, found ${ndims}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < ndims; d++) {
    dims.push(view.getUint32(4 + 4 * d, false));
    size *= dims[d];
  }
  if (buf.length - headerLen < size) {
    throw new GsError(
      'BAD_INPUT',
      `${file}: IDX file is truncated; expected ${size} data bytes for dimensions ${dims.join('x')}, found ${buf.length - headerLen}`,
    );
  }
  return { dims, data: buf.subarray(headerLen, headerLen + size) };
}

/** Encodes an array of unsigned bytes as IDX (used to write test files and small exports). */
export function encodeIdx(dims: number[], data: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Reads an images file and its labels file into one table (pixels / 255, labels as classes). */
export async function readIdxPair(imagesFile: string, labelsFile: string): Promise<LabeledTable> {
  const imgAbs = requireFile(imagesFile, 'IDX images file');
  const lblAbs = requireFile(labelsFile, 'IDX labels file');
  const images = parseIdx(await readDataBytes(imgAbs), imgAbs);
  const labels = parseIdx(await readDataBytes(lblAbs), lblAbs);
  if (images.dims.length < 2) {
    throw new GsError(
      'BAD_INPUT',
      `${imgAbs}: expected images (an IDX array with 2 or more dimensions), found ${images.dims.length} dimension`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new GsError('BAD_INPUT', `${lblAbs}: expected labels (a 1-dimensional IDX array), found ${labels.dims.length} dimensions`);
  }
  const rows = images.dims[0];
  if (labels.dims[0] !== rows) {
    throw new GsError('BAD_INPUT', `${lblAbs}: expected ${rows} labels (one per image in ${imgAbs}), found ${labels.dims[0]}`);
  }
  if (rows === 0) throw new GsError('BAD_INPUT', `${imgAbs}: the file holds no images; expected at least one`);
  const cols = images.data.length / rows;
  const features = new Float32Array(images.data.length);
  const src = images.data;
  for (let i = 0; i < src.length; i++) features[i] = src[i] / 255;
  // Raw ids are the byte values; names '0'..'255' sort numerically in finishLabels.
  const names = Array.from({ length: 256 }, (_, i) => String(i));
  const raw = Int32Array.from(labels.data);
  const present = new Set(raw);
  const used = names.filter((_, i) => present.has(i));
  const compact = new Int32Array(256);
  used.forEach((n, i) => (compact[Number(n)] = i));
  for (let i = 0; i < raw.length; i++) raw[i] = compact[raw[i]];
  const classLabels = finishLabels(raw, used);
  const featureNames = Array.from({ length: cols }, (_, i) => `x${i}`);
  // an image of H x W (or C x H x W in a 4-D IDX array) is one channel-first example
  const exampleShape =
    images.dims.length === 3 ? [1, ...images.dims.slice(1)] : images.dims.length === 4 ? images.dims.slice(1) : undefined;
  return {
    rows,
    cols,
    features,
    labels: raw,
    classLabels,
    featureNames,
    files: [imgAbs, lblAbs],
    format: 'idx',
    ...(exampleShape ? { exampleShape } : {}),
  };
}

/** The labels file that goes with an images file, or the reverse, in the same folder. */
export function idxPartner(file: string): { partner: string; isImages: boolean; tried: string[] } {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const isImages = /images/i.test(base) || !/labels/i.test(base);
  const swapped = isImages
    ? base
        .replace(/images-idx3/i, 'labels-idx1')
        .replace(/images\.idx3/i, 'labels.idx1')
        .replace(/images/i, 'labels')
    : base
        .replace(/labels-idx1/i, 'images-idx3')
        .replace(/labels\.idx1/i, 'images.idx3')
        .replace(/labels/i, 'images');
  const stem = swapped.replace(/\.gz$/i, '');
  const tried = [stem, `${stem}.gz`].map((n) => path.join(dir, n));
  const partner = tried.find((p) => p !== file && fs.existsSync(p));
  if (!partner) {
    throw new GsError(
      'NOT_FOUND',
      `${file}: the matching IDX ${isImages ? 'labels' : 'images'} file was not found; looked for ${tried.join(' and ')}`,
    );
  }
  return { partner, isImages, tried };
}

/** Reads an IDX file together with its partner (images + labels). */
export async function readIdx(file: string): Promise<LabeledTable> {
  const abs = requireFile(file, 'IDX file');
  const { partner, isImages } = idxPartner(abs);
  return isImages ? readIdxPair(abs, partner) : readIdxPair(partner, abs);
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Paths of the four MNIST files in `dir` (each plain or .gz), or null when any is missing. */
export function findMnistFiles(dir: string): Record<keyof typeof MNIST_FILES, string> | null {
  const out: Partial<Record<keyof typeof MNIST_FILES, string>> = {};
  for (const [key, name] of Object.entries(MNIST_FILES) as [keyof typeof MNIST_FILES, string][]) {
    const hit = [name, `${name}.gz`].map((n) => path.join(dir, n)).find((p) => isFile(p));
    if (!hit) return null;
    out[key] = hit;
  }
  return out as Record<keyof typeof MNIST_FILES, string>;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads a directory holding the MNIST files as its own train and test split. */
export async function readMnistDir(dir: string): Promise<{ train: LabeledTable; test: LabeledTable }> {
  const abs = path.resolve(dir);
  const files = findMnistFiles(abs);
  if (!files) {
    const want = Object.values(MNIST_FILES).join(', ');
    throw new GsError('NOT_FOUND', `${abs}: expected the four MNIST IDX files (${want}, each optionally .gz) in this directory`);
  }
  const train = await readIdxPair(files.trainImages, files.trainLabels);
  const test = await readIdxPair(files.testImages, files.testLabels);
  return { train, test };
}
