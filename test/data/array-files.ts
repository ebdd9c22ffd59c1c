/**
 * Small NumPy and image files written by the tests themselves: .npy bytes of any dtype, byte
 * order and memory order (the format's header built byte by byte), number encoders, and PNG / JPEG
 * images (pngjs, jpeg-js) of a pixel function.
 */
import * as fs from 'fs';
import * as path from 'path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** A .npy (format 1.0) of `descr`, `shape` and raw item bytes. */
export function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + dict.length);
  head.set([0x93, ...Buffer.from('NUMPY'), 1, 0, dict.length & 255, dict.length >> 8]);
  head.set(Buffer.from(dict, 'latin1'), 10);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

function encode(v: number[], size: number, write: (b: Buffer, x: number, at: number) => void): Uint8Array {
  const b = Buffer.alloc(v.length * size);
  v.forEach((x, i) => write(b, x, i * size));
  return new Uint8Array(b);
}
export const f4 = (v: number[], big = false) => encode(v, 4, (b, x, at) => (big ? b.writeFloatBE(x, at) : b.writeFloatLE(x, at)));
export const f8 = (v: number[], big = false) => encode(v, 8, (b, x, at) => (big ? b.writeDoubleBE(x, at) : b.writeDoubleLE(x, at)));
export const i2 = (v: number[], big = false) => encode(v, 2, (b, x, at) => (big ? b.writeInt16BE(x, at) : b.writeInt16LE(x, at)));
export const i4 = (v: number[], big = false) => encode(v, 4, (b, x, at) => (big ? b.writeInt32BE(x, at) : b.writeInt32LE(x, at)));
export const i8 = (v: number[], big = false) =>
  encode(v, 8, (b, x, at) => (big ? b.writeBigInt64BE(BigInt(x), at) : b.writeBigInt64LE(BigInt(x), at)));
export const u1 = (v: number[]) => Uint8Array.from(v);

/** Writes `bytes` to dir/name (making dir) and returns the path. */
export function put(dir: string, name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** An RGBA image w x h whose pixel (x, y) is f(x, y) = [r, g, b]. */
function rgba(w: number, h: number, f: (x: number, y: number) => number[]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = f(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return data;
}

export function png(file: string, w: number, h: number, f: (x: number, y: number) => number[]): void {
  const p = new PNG({ width: w, height: h });
  rgba(w, h, f).copy(p.data);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(p));
}

export function jpg(file: string, w: number, h: number, f: (x: number, y: number) => number[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, jpeg.encode({ data: rgba(w, h, f), width: w, height: h }, 100).data);
}
