/**
 * The nonzero entries of one minibatch's first-layer inputs, listed once per batch: by row
 * (CSR, for the forward pass) and transposed by input unit (CSC, for the kernel gradient), so
 * the wide, mostly zero inputs of images are scanned once per step instead of twice.
 * Capacity starts at min(batch x inputs, 2^20) entries and doubles when a batch needs more,
 * so huge batches do not reserve room for a dense copy up front.
 */
import { gatherNonzero32 } from './kernels';

export class BatchInputs {
  /** Row r's nonzeros are [rowStart[r], rowStart[r+1]) of rowOff (i*outS) and rowVal. */
  readonly rowStart: Int32Array;
  rowOff: Int32Array;
  rowVal: Float64Array;
  /** Input i's nonzeros are [colStart[i], colStart[i+1]) of colOff (r*outS) and colVal. */
  readonly colStart: Int32Array;
  colOff: Int32Array;
  colVal: Float64Array;
  private readonly cursor: Int32Array;

  constructor(
    private readonly inS: number,
    private readonly outS: number,
    maxBatch: number,
  ) {
    this.rowStart = new Int32Array(maxBatch + 1);
    const cap = Math.max(inS, Math.min(maxBatch * inS, 1 << 20));
    this.rowOff = new Int32Array(cap);
    this.rowVal = new Float64Array(cap);
    this.colStart = new Int32Array(inS + 1);
    this.colOff = new Int32Array(cap);
    this.colVal = new Float64Array(cap);
    this.cursor = new Int32Array(inS);
  }

  /** Lists the nonzeros of the n rows starting at x[dataOff[r]]. */
  gatherRows(x: Float32Array, dataOff: Int32Array, n: number): void {
    const { rowStart, inS, outS } = this;
    let m = 0;
    for (let r = 0; r < n; r++) {
      rowStart[r] = m;
      if (m + inS > this.rowOff.length) this.grow(2 * this.rowOff.length, m);
      m = gatherNonzero32(x, dataOff[r], 1, inS, outS, this.rowOff, this.rowVal, m);
    }
    rowStart[n] = m;
  }

  /** Larger buffers (rare: only when a batch has more nonzeros than ever before). */
  private grow(cap: number, keep: number): void {
    const rowOff = new Int32Array(cap);
    const rowVal = new Float64Array(cap);
    rowOff.set(this.rowOff.subarray(0, keep));
    rowVal.set(this.rowVal.subarray(0, keep));
    this.rowOff = rowOff;
    this.rowVal = rowVal;
    this.colOff = new Int32Array(cap);
    this.colVal = new Float64Array(cap);
  }

  /** Builds the by-input lists from the by-row lists of the last gatherRows (counting sort). */
  transpose(n: number): void {
    const { rowStart, rowOff, rowVal, colStart, colOff, colVal, cursor, inS, outS } = this;
    colStart.fill(0);
    const m = rowStart[n];
    for (let q = 0; q < m; q++) colStart[((rowOff[q] / outS) | 0) + 1]++;
    for (let i = 0; i < inS; i++) {
      colStart[i + 1] += colStart[i];
      cursor[i] = colStart[i];
    }
    for (let r = 0; r < n; r++) {
      const d = r * outS;
      for (let q = rowStart[r], end = rowStart[r + 1]; q < end; q++) {
        const p = cursor[(rowOff[q] / outS) | 0]++;
        colOff[p] = d;
        colVal[p] = rowVal[q];
      }
    }
  }
}
