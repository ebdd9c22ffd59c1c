/**
 * Reading a data file into memory: missing files become GsError('NOT_FOUND') with the path,
 * and gzip content (by the 1f 8b magic, whatever the name) is decompressed transparently.
 */
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { GsError } from '../errors';

const gunzip = promisify(zlib.gunzip);

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Throws NOT_FOUND unless `file` is an existing regular file; returns its absolute path. */
export function requireFile(file: string, what = 'data file'): string {
  const abs = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new GsError('NOT_FOUND', `${what} not found: ${abs}`);
  }
  if (!st.isFile()) throw new GsError('BAD_INPUT', `${abs}: expected a file, found a directory or special file`);
  return abs;
}

/** The whole (decompressed) content of a file. */
export async function readDataBytes(file: string): Promise<Buffer> {
  const abs = requireFile(file);
  const raw = await fs.promises.readFile(abs);
  if (!isGzip(raw)) return raw;
  try {
    return await gunzip(raw);
  } catch (e) {
    throw new GsError('BAD_INPUT', `${abs}: damaged gzip data (${(e as Error).message}); expected a complete .gz file`);
  }
}
