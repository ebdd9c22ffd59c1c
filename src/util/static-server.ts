/**
 * A small static HTTP server (GET/HEAD only) for the browser example and the browser test:
 * URL prefixes mapped to directories or to in-memory files, bound to 127.0.0.1 by default.
 * Paths are resolved inside their directory only (no `..` escapes); unknown paths are 404.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { GsError } from '../errors';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticServerOptions {
  /** URL prefix ('/' or '/ort/') -> directory served under it. */
  dirs?: Record<string, string>;
  /** Exact URL path -> content (a file path on disk is given as { file }). */
  files?: Record<string, string | Uint8Array | { file: string }>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function resolveRequest(o: StaticServerOptions, urlPath: string): { body: Uint8Array | string; type: string } | null {
  const ext = path.extname(urlPath).toLowerCase();
  const type = TYPES[ext] ?? 'application/octet-stream';
  const hit = o.files?.[urlPath];
  if (hit !== undefined) {
    if (typeof hit === 'object' && 'file' in hit) return fs.existsSync(hit.file) ? { body: fs.readFileSync(hit.file), type } : null;
    return { body: hit, type };
  }
  const prefixes = Object.keys(o.dirs ?? {}).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (!urlPath.startsWith(prefix)) continue;
    const root = path.resolve(o.dirs![prefix]);
    let rel = urlPath.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const full = path.resolve(root, rel);
    if (!full.startsWith(root + path.sep)) return null;
    if (fs.existsSync(full) && fs.statSync(full).isFile())
      return { body: fs.readFileSync(full), type: TYPES[path.extname(full).toLowerCase()] ?? type };
  }
  return null;
}

export function startStaticServer(o: StaticServerOptions): Promise<StaticServer> {
  const host = o.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const hit = resolveRequest(o, urlPath);
    if (!hit) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${urlPath}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': hit.type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : hit.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new GsError('UNAVAILABLE', `cannot listen on ${host}:${o.port ?? 0} (${e.code ?? e.message})`)),
    );
    server.listen(o.port ?? 0, host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** The folder of onnxruntime-web's browser builds (ort.wasm.min.js and its .wasm / .mjs). */
export function onnxruntimeWebDist(): string {
  return path.dirname(require.resolve('onnxruntime-web')); // resolves to dist/ort.node.min.js
}
