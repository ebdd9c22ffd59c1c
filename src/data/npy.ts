/**
 * NumPy arrays: `.npy` files (parsed by the npyjs library) and `.npz` archives (unzipped by fflate,
 * stored or deflated), as numbers with their shape: a typed view of the file's bytes where they need
 * no conversion (60000 x 28 x 28 uint8 is read without a copy), 64-bit integers and bools converted.
 * Little- and big-endian numbers (a big-endian array is byte-swapped in a copy before parsing), C or
 * Fortran order (Fortran order transposed to C order), the integer, unsigned, float (16, 32, 64 bit)
 * and bool dtypes. Object, string, complex, date and structured arrays, a damaged or truncated file
 * are refused naming the file.
 */
import * as fs from 'fs';
import { unzipSync } from 'fflate';
import { parse } from 'npyjs';
import { GsError } from '../errors';

export interface NpyArray {
  /** Values in C (row-major) order: the file's own numbers (a view of its bytes when they need no conversion). */
  values: ArrayLike<number>;
  shape: number[];
  /** NumPy's dtype code without byte order, e.g. 'u1', 'f4', 'i8'. */
  dtype: string;
}

const NUMERIC = /^[<>|=]?(u1|u2|u4|u8|i1|i2|i4|i8|f2|f4|f8|b1)$/;

/** What a dtype that is not a plain number holds, for messages. */
function dtypeKind(descr: string): string {
  if (descr.includes('O')) return 'Python objects';
  if (/[USa]/.test(descr)) return 'strings';
  if (descr.includes('c')) return 'complex numbers';
  if (/[Mm]/.test(descr)) return 'dates or time spans';
  if (descr.startsWith('[') || descr.startsWith('(') || descr.includes('V')) return 'records (a structured dtype)';
  return descr;
}

/** The header dict text of a .npy buffer, and where the data starts. */
function header(bytes: Uint8Array, name: string): { dict: string; dictStart: number; dataStart: number } {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (bytes.length < 10 || magic !== '\x93NUMPY') throw new GsError('BAD_INPUT', `${name}: not a NumPy .npy array (no \\x93NUMPY header)`);
  const major = bytes[6];
  const len = major === 1 ? bytes[8] | (bytes[9] << 8) : bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24);
  const start = major === 1 ? 10 : 12;
  if (start + len > bytes.length) throw new GsError('BAD_INPUT', `${name}: the .npy header is cut short (truncated file?)`);
  return { dict: new TextDecoder('latin1').decode(bytes.subarray(start, start + len)), dictStart: start, dataStart: start + len };
}

/** Reverses the bytes of every `size`-byte item from `start` on (big-endian to little-endian). */
function swapBytes(bytes: Uint8Array, start: number, size: number): void {
  for (let i = start; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** C-order values of a Fortran-order array of `shape`. */
function fromFortran(v: ArrayLike<number>, shape: number[]): Float64Array {
  const out = new Float64Array(v.length);
  const r = shape.length;
  const idx = new Array<number>(r).fill(0);
  for (let c = 0; c < v.length; c++) {
    // idx is the C-order multi-index of c; its Fortran offset sums idx[a] * prod(shape[0..a))
    let f = 0;
    let stride = 1;
    for (let a = 0; a < r; a++) {
      f += idx[a] * stride;
      stride *= shape[a];
    }
    out[c] = v[f];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** The first `n` parsed values as plain numbers: typed arrays as they are, 64-bit integers and bools converted. */
function asNumbers(data: unknown, n: number): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(data[i]);
    return out;
  }
  if (Array.isArray(data)) return Uint8Array.from(data.slice(0, n) as boolean[], (b) => (b ? 1 : 0));
  const typed = data as Float32Array;
  return typed.length === n ? typed : typed.subarray(0, n);
}

/** An ArrayBuffer holding exactly `bytes` (the bytes' own buffer when they fill it, else a copy). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Parses one .npy buffer (`name` names it in messages). The result may share memory with `given`
 * (big-endian data is byte-swapped in a copy, never in `given`).
 */
export function parseNpy(given: Uint8Array, name: string): NpyArray {
  const { dict, dictStart, dataStart } = header(given, name);
  const descr = /'descr'\s*:\s*(\[|'([^']+)')/.exec(dict);
  const code = descr?.[2] ?? descr?.[1] ?? '?';
  if (!NUMERIC.test(code)) {
    const shown = code === '[' ? 'a list of fields' : code;
    throw new GsError('BAD_INPUT', `${name}: an array of ${dtypeKind(code)} (dtype ${shown}); expected numbers (integers, floats or bool)`);
  }
  let bytes = given;
  const size = Number(code.slice(-1));
  if ((code.startsWith('>') && size > 1) || code.startsWith('=')) {
    // npyjs reads little-endian data: swap big-endian items in a copy, and say '<' in the header
    // (the same header length); '=' (native order) is little-endian on the platforms Node runs on
    bytes = given.slice();
    if (code.startsWith('>')) swapBytes(bytes, dataStart, size);
    bytes[dictStart + dict.indexOf(`'${code}'`) + 1] = '<'.charCodeAt(0);
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(ownBuffer(bytes));
  } catch (e) {
    const cut = (e as Error).name === 'RangeError' ? '; truncated file?' : '';
    throw new GsError('BAD_INPUT', `${name}: not a readable .npy array (${(e as Error).message}${cut})`);
  }
  const n = parsed.shape.reduce((a, b) => a * b, 1);
  const data = parsed.data as unknown as ArrayLike<unknown>;
  if (data.length < n)
    throw new GsError('BAD_INPUT', `${name}: holds ${data.length} of the ${n} values its header declares (truncated file?)`);
  const values = asNumbers(parsed.data, n);
  return {
    values: parsed.fortranOrder && parsed.shape.length > 1 ? fromFortran(values, parsed.shape) : values,
    shape: [...parsed.shape],
    dtype: code.replace(/^[<>|=]/, ''),
  };
}

function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch {
    throw new GsError('NOT_FOUND', `${file} not found`);
  }
}

/** A .npy file. */
export function readNpy(file: string): NpyArray {
  return parseNpy(readBytes(file), file);
}

/** The arrays of a .npz archive by name (without the .npy suffix). */
export function readNpz(file: string): Map<string, NpyArray> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readBytes(file));
  } catch (e) {
    throw new GsError('BAD_INPUT', `${file}: not a readable .npz archive (${(e as Error).message}; truncated file?)`);
  }
  const out = new Map<string, NpyArray>();
  for (const [k, v] of Object.entries(entries)) {
    if (!k.endsWith('.npy')) continue;
    out.set(k.slice(0, -4), parseNpy(v, `${file} (${k})`));
  }
  if (out.size === 0) throw new GsError('BAD_INPUT', `${file}: the archive holds no .npy arrays`);
  return out;
}
