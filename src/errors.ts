/**
 * Typed errors a user can cause (bad file, wrong shape, unknown option).
 * The CLI prints `message` without a stack trace and exits non-zero; library users can
 * switch on `code`. Every layer may import this module; it imports nothing.
 */
export type GsErrorCode =
  | 'BAD_INPUT' // malformed data file: ragged rows, non-numeric cells, NaN/Inf, ...
  | 'NOT_FOUND' // a file or a catalog data set that is not where we looked
  | 'BAD_OPTION' // an option value that makes no sense
  | 'BAD_MODEL' // a damaged or unsafe saved run, model.json, weights or ONNX file
  | 'VERIFY_FAILED' // exported model disagrees with the trained one
  | 'CANNOT_WRITE' // an output path that cannot be written: a folder where a file goes, no permission, ...
  | 'UNAVAILABLE'; // something this machine cannot do (no network, backend missing)

export class GsError extends Error {
  readonly code: GsErrorCode;
  constructor(code: GsErrorCode, message: string) {
    super(message);
    this.name = 'GsError';
    this.code = code;
  }
}

export function isGsError(e: unknown): e is GsError {
  return e instanceof GsError;
}
