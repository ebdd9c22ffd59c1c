/**
 * The one ONNX export writer (pipeline/export-file.ts), used by `prune --export` and `compress`:
 * parent folders created, the model written under a temporary name, verified as written, renamed
 * into place, a manifest beside it; nothing at the final name (and no temporary file) when
 * verification fails, and Ctrl-C's clean-up (util/interrupt) removes what is half done.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Manifest } from '../../src/network/manifest';
import { compressModel } from '../../src/pipeline/compress-model';
import { writeOnnxExport } from '../../src/pipeline/export-file';
import { cleanUpAndDescribe, shownPath, withInterrupt } from '../../src/util/interrupt';
import { plantedModelData } from './planted-model-data';

const FIX = path.join(__dirname, '..', 'fixtures', 'import');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-export-file-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every file under dir, relative. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

const fakeManifest = (model: string) => ({ model }) as unknown as Manifest;

describe('writeOnnxExport', () => {
  it('creates the parent folders, writes the model and its manifest, leaves no temporary file', async () => {
    const dir = path.join(tmp, 'ok');
    const file = path.join(dir, 'a', 'b', 'm.onnx');
    let seen: Uint8Array | null = null;
    const r = await writeOnnxExport({
      file,
      bytes: new Uint8Array([1, 2, 3]),
      manifest: fakeManifest,
      verify: (written) => {
        seen = written;
        // while it is being verified nothing is at the final name yet
        expect(fs.existsSync(file)).toBe(false);
        return Promise.resolve(true);
      },
    });
    expect(r.written).toBe(true);
    expect(Array.from(seen as unknown as Uint8Array)).toEqual([1, 2, 3]); // verified as read back from disk
    expect(filesUnder(dir)).toEqual([path.join('a', 'b', 'm.manifest.json'), path.join('a', 'b', 'm.onnx')]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'a', 'b', 'm.manifest.json'), 'utf8'))).toEqual({ model: 'm.onnx' });
  });

  it('a failed verification writes nothing at the final name and removes the folders it made', async () => {
    const dir = path.join(tmp, 'fail');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'new', 'm.onnx');
    const r = await writeOnnxExport({ file, bytes: new Uint8Array([1]), manifest: fakeManifest, verify: () => Promise.resolve(false) });
    expect(r.written).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
    // an earlier export at that name stays as it was
    fs.writeFileSync(path.join(dir, 'old.onnx'), 'old');
    await expect(
      writeOnnxExport({
        file: path.join(dir, 'old.onnx'),
        bytes: new Uint8Array([1]),
        manifest: fakeManifest,
        verify: () => Promise.reject(new Error('runtime broke')),
      }),
    ).rejects.toThrow('runtime broke');
    expect(fs.readdirSync(dir)).toEqual(['old.onnx']);
    expect(fs.readFileSync(path.join(dir, 'old.onnx'), 'utf8')).toBe('old');
  });

  it("Ctrl-C's clean-up during verification removes the temporary file and says nothing was written", async () => {
    const dir = path.join(tmp, 'interrupt');
    const file = path.join(dir, 'm.onnx');
    let line = '';
    await withInterrupt(
      () => 'run folder r/ kept',
      async () => {
        await writeOnnxExport({
          file,
          bytes: new Uint8Array([1]),
          manifest: fakeManifest,
          verify: () => {
            expect(filesUnder(dir)).toHaveLength(1); // the temporary file
            line = cleanUpAndDescribe(); // what the SIGINT handler does before exit(130)
            expect(fs.existsSync(dir)).toBe(false);
            return Promise.resolve(false);
          },
        });
      },
    );
    expect(line).toBe(`interrupted: nothing written to ${shownPath(file)}; run folder r/ kept`);
  });
});

describe('compress exports through the same writer', () => {
  it('creates parent folders and writes a manifest that describes the kept interface (logits, not probabilities)', async () => {
    const model = path.join(FIX, 'torch-fixed-batch.onnx');
    const data = await plantedModelData(model, 600, 200);
    const out = path.join(tmp, 'compress', 'deep', 'slim.onnx');
    const r = await compressModel(model, data, { targetParams: 150, epochs: 2, finetuneEpochs: 1, exportPath: out, producerVersion: 't' });
    expect(r.interface).toBe('input onnx::Gemm_0 [N, 6] -> output 11 [N, 3]: logits');
    expect(filesUnder(path.join(tmp, 'compress'))).toEqual([path.join('deep', 'slim.manifest.json'), path.join('deep', 'slim.onnx')]);
    const m = JSON.parse(fs.readFileSync(path.join(tmp, 'compress', 'deep', 'slim.manifest.json'), 'utf8')) as Manifest;
    expect(m.model).toBe('slim.onnx');
    expect(m.modelFormat).toBe('onnx');
    expect(m.input.name).toBe('onnx::Gemm_0');
    expect(m.input.width).toBe(6);
    expect(m.output.task).toBe('classification');
    expect(m.output.probabilities).toBeNull(); // the output holds logits: no field claims probabilities
    expect(m.output.label).toBeNull();
    expect(m.output.outputs).toEqual([{ name: '11', holds: 'logits' }]);
    expect(m.producedBy.run).toBeNull();
  });

  it('with extra outputs and a softmax original, the manifest names each output by what it holds', async () => {
    const model = path.join(FIX, 'torch-tanh-sigmoid-softmax.onnx');
    const data = await plantedModelData(model, 600, 200);
    const out = path.join(tmp, 'extra', 'slim.onnx');
    await compressModel(model, data, {
      targetRatio: 0.6,
      epochs: 2,
      finetuneEpochs: 1,
      extraOutputs: true,
      exportPath: out,
      producerVersion: 't',
    });
    const m = JSON.parse(fs.readFileSync(path.join(tmp, 'extra', 'slim.manifest.json'), 'utf8')) as Manifest;
    expect(m.output.outputs).toEqual([
      { name: 'output', holds: 'probabilities' },
      { name: 'probabilities', holds: 'probabilities' },
      { name: 'label', holds: 'label' },
    ]);
    expect(m.output.probabilities).toBe('output');
    expect(m.output.label).toBe('label');
  });
});
