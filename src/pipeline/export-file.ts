/**
 * The one ONNX export writer, used by the ONNX export formats (export-formats/onnx.ts: `prune --export`, `compress`):
 * create the parent folders, write the model to a temporary name in the same folder, verify what is on
 * disk with onnxruntime, then rename it into place and write its manifest beside it. A failed
 * verification, an error or Ctrl-C (util/interrupt) leaves nothing at the final name and no temporary
 * file behind; folders the writer created for it are removed again when left empty.
 */
import * as fs from 'fs';
import * as path from 'path';
import { manifestText, onnxManifestPath, type Manifest } from '../network/manifest';
import { madeDirOf, noteWritten, removeEmptyDirs, trackTemp } from '../util/interrupt';

export interface OnnxExportFile {
  /** Where the model goes; its manifest goes beside it (model.onnx -> model.manifest.json). */
  file: string;
  bytes: Uint8Array;
  /** The manifest, given the final file's name and the manifest's path. */
  manifest: (model: string, manifestPath: string) => Manifest;
  /** Checks the model as written (its bytes read back from the temporary file); false: it is not kept. */
  verify?: (written: Uint8Array) => Promise<boolean>;
  /** Step lines ("verifying ..."). */
  onStatus?: (s: string) => void;
}

export interface OnnxExportWritten {
  /** Absolute paths of the model and its manifest. */
  file: string;
  manifestFile: string;
  /** False when verification failed: nothing was written at either name. */
  written: boolean;
}

function tempName(file: string): string {
  const rand = Math.floor(Math.random() * 0xffffffff).toString(36);
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${rand}`);
}

export async function writeOnnxExport(o: OnnxExportFile): Promise<OnnxExportWritten> {
  const file = path.resolve(o.file);
  const manifestFile = onnxManifestPath(file);
  const dir = path.dirname(file);
  // the folder made here, or up front when the command checked its outputs before the work
  const madeDir = fs.mkdirSync(dir, { recursive: true }) ?? madeDirOf(dir);
  const tmp = tempName(file);
  const tmpManifest = tempName(manifestFile);
  const forget = [trackTemp(tmp, file, madeDir), trackTemp(tmpManifest, null, madeDir)];
  const discard = () => {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(tmpManifest, { force: true });
    forget.forEach((f) => f());
    removeEmptyDirs(dir, madeDir);
  };
  try {
    fs.writeFileSync(tmp, o.bytes);
    if (o.verify) {
      o.onStatus?.(`verifying ${path.basename(file)} with onnxruntime...`);
      const ok = await o.verify(new Uint8Array(fs.readFileSync(tmp)));
      if (!ok) {
        discard();
        return { file, manifestFile, written: false };
      }
    }
    fs.writeFileSync(tmpManifest, manifestText(o.manifest(path.basename(file), manifestFile)));
    fs.renameSync(tmp, file);
    noteWritten(file);
    fs.renameSync(tmpManifest, manifestFile);
    forget.forEach((f) => f());
  } catch (e) {
    discard();
    throw e;
  }
  return { file, manifestFile, written: true };
}
