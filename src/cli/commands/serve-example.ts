/**
 * `gs-compress serve-example`: serve examples/browser (draw a digit, a slim MNIST model classifies
 * it in onnxruntime-web) on 127.0.0.1, with onnxruntime-web's files under /ort/. --model swaps in
 * your own export (its .manifest.json beside it is served too). Runs until interrupted.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CommandModule } from 'yargs';
import { GsError } from '../../errors';
import { onnxManifestPath } from '../../network/manifest';
import { onnxruntimeWebDist, startStaticServer } from '../../util/static-server';

interface ServeArgs {
  port: number;
  host: string;
  model?: string;
}

/** examples/browser of the installed package (from dist/cli/commands or src/cli/commands). */
export function exampleDir(): string {
  return path.resolve(__dirname, '..', '..', '..', 'examples', 'browser');
}

export const serveExampleCommand: CommandModule<object, ServeArgs> = {
  command: 'serve-example',
  describe: 'Serve the browser example (draw a digit; a slim MNIST model runs in onnxruntime-web) on 127.0.0.1',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 8080, describe: 'Port to listen on (0 picks a free one)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind (keep 127.0.0.1 unless you mean to share it)' })
      .option('model', {
        type: 'string',
        describe: 'An MNIST model exported by gs-compress prune --export (784 raw pixels or --compact-input) instead of the bundled one',
      })
      .example('$0 serve-example', 'then open http://127.0.0.1:8080/ and draw')
      .example('$0 serve-example --model gs-quickstart/model.onnx --port 9000', 'your own quickstart model')
      .epilogue(
        'Any static server works too: copy node_modules/onnxruntime-web/dist/ to examples/browser/ort/ and serve examples/browser/.',
      ),
  handler: async (a) => {
    if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new GsError('BAD_OPTION', `--port ${a.port}: expected 0..65535`);
    const dir = exampleDir();
    if (!fs.existsSync(path.join(dir, 'index.html'))) throw new GsError('NOT_FOUND', `the example is missing from ${dir}`);
    const files: Record<string, { file: string }> = {};
    if (a.model) {
      const model = path.resolve(a.model);
      const manifest = onnxManifestPath(model);
      if (!fs.existsSync(model)) throw new GsError('NOT_FOUND', `--model ${a.model}: no such file`);
      if (!fs.existsSync(manifest)) {
        throw new GsError(
          'NOT_FOUND',
          `--model ${a.model}: its manifest ${manifest} is missing (export it with gs-compress prune --export)`,
        );
      }
      files['/model.onnx'] = { file: model };
      files['/model.manifest.json'] = { file: manifest };
    }
    const server = await startStaticServer({ dirs: { '/': dir, '/ort/': onnxruntimeWebDist() }, files, host: a.host, port: a.port });
    process.stdout.write(`serving ${a.model ?? path.join(dir, 'model.onnx')} at ${server.url} (Ctrl-C stops)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
