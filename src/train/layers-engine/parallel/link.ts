/**
 * The shared-memory link between the layers engine's main thread and its worker thread: one Int32
 * control block synchronised with Atomics (no message per step), a float64 exchange area for the
 * all-reduce of batch norm's per-channel sums, and an error text area. Side 0 is the main thread,
 * side 1 the worker. Protocol per step: main posts a job (go), both sides compute their part of the
 * minibatch, meeting at every all-reduce (sum), and the worker reports done. A failure on either
 * side is written here and wakes the other, which throws instead of waiting forever.
 */

/** Int32 slots of the control block. */
const GO = 0; // job number posted by main
const DONE = 1; // last job number the worker finished
const PART = 2; // rows of the worker's part of the job
const TOTAL = 3; // rows of the whole minibatch
const STATUS = 4; // 0 fine, 1 the worker failed (its message in the error area), 2 main aborted
const READY = 5; // 1 once the worker is set up
const ARRIVE = 6; // 6 + side: the last all-reduce that side has written its sums for
const STOP = 8; // 1: the worker leaves its loop
const DEAD = 9; // 1: the worker thread exited
const ERROR_LENGTH = 10; // bytes of the error text
const SLOTS = 16;
const ERROR_BYTES = 8192;
/** Spins before an Atomics.wait (a wait wakes in tens of microseconds, a step's parts meet within a few). */
const SPIN = 500;
/** Slice of an Atomics.wait: the flags that end a wait are read between slices. */
const SLICE_MS = 200;

/** The shared buffers of a link (passed to the worker in its workerData). */
export interface LinkBuffers {
  ctl: SharedArrayBuffer;
  exchange: SharedArrayBuffer;
  error: SharedArrayBuffer;
  /** Values per part and buffer of the exchange area (the longest sum). */
  width: number;
}

export function linkBuffers(width: number): LinkBuffers {
  const w = Math.max(1, width);
  return {
    ctl: new SharedArrayBuffer(SLOTS * 4),
    // two buffers (alternate all-reduces), two parts each
    exchange: new SharedArrayBuffer(4 * w * 8),
    error: new SharedArrayBuffer(ERROR_BYTES),
    width: w,
  };
}

/** What the worker thread's entry (plain JavaScript, ./thread-entry.ts) needs to report its death and a failure to load. */
export const LINK_SLOTS = { STATUS, DEAD, ERROR_LENGTH, READY, ARRIVE, GO, DONE, ERROR_BYTES } as const;

/** Thrown on one side when the other failed or the link was stopped. */
export class LinkClosed extends Error {}

export class Link {
  private readonly ctl: Int32Array;
  private readonly exchange: Float64Array;
  private readonly error: Uint8Array;
  private readonly width: number;
  private readonly other: 0 | 1;
  /** All-reduces done (the same count on both sides). */
  private gen = 0;
  /** The last job posted (main) or taken (worker). */
  private job = 0;

  constructor(
    b: LinkBuffers,
    private readonly side: 0 | 1,
  ) {
    this.ctl = new Int32Array(b.ctl);
    this.exchange = new Float64Array(b.exchange);
    this.error = new Uint8Array(b.error);
    this.width = b.width;
    this.other = side === 0 ? 1 : 0;
  }

  /** Throws when the other side failed, the link was stopped, or the worker thread died. */
  private check(): void {
    const c = this.ctl;
    if (Atomics.load(c, STATUS) === 1) throw new Error(`the training worker thread failed: ${this.errorText()}`);
    if (Atomics.load(c, STATUS) === 2 || Atomics.load(c, STOP) === 1) throw new LinkClosed('the training threads were stopped');
    if (Atomics.load(c, DEAD) === 1) throw new Error('the training worker thread exited');
  }

  /** Waits until ctl[i] >= target (spinning a little first), checking the failure flags. */
  private await(i: number, target: number): void {
    const c = this.ctl;
    for (let spin = 0; ; spin++) {
      const v = Atomics.load(c, i);
      if (v >= target) return;
      if (spin % 64 === 0) this.check();
      if (spin >= SPIN) Atomics.wait(c, i, v, SLICE_MS);
    }
  }

  private errorText(): string {
    const n = Math.min(Atomics.load(this.ctl, ERROR_LENGTH), ERROR_BYTES);
    return new TextDecoder().decode(this.error.slice(0, n)) || 'no message';
  }

  /**
   * Sums `acc` (in place) with the other side's values of the same all-reduce: both sides get
   * main's part + the worker's part, the same float64 values.
   */
  sum(acc: Float64Array): void {
    const m = acc.length;
    if (m > this.width) throw new RangeError(`an all-reduce of ${m} values; the link holds ${this.width}`);
    const g = ++this.gen;
    const base = (g & 1) * 2 * this.width;
    const mine = base + this.side * this.width;
    const theirs = base + this.other * this.width;
    const ex = this.exchange;
    ex.set(acc, mine);
    Atomics.store(this.ctl, ARRIVE + this.side, g);
    Atomics.notify(this.ctl, ARRIVE + this.side);
    this.await(ARRIVE + this.other, g);
    // main's part first on both sides: the same sums to the last bit
    const a = this.side === 0 ? mine : theirs;
    const b = this.side === 0 ? theirs : mine;
    for (let i = 0; i < m; i++) acc[i] = ex[a + i] + ex[b + i];
  }

  // main's side

  /** Waits until the worker is set up. */
  awaitReady(): void {
    this.await(READY, 1);
  }

  /** Posts a job: the worker computes `part` rows of a minibatch of `total`. */
  post(part: number, total: number): void {
    const c = this.ctl;
    c[PART] = part;
    c[TOTAL] = total;
    Atomics.store(c, GO, ++this.job);
    Atomics.notify(c, GO);
  }

  /** Waits until the worker finished the last job posted. */
  awaitDone(): void {
    this.await(DONE, this.job);
  }

  /** Stops the worker (it leaves its loop, or an all-reduce it waits in throws); main failed when `aborted`. */
  stop(aborted: boolean): void {
    const c = this.ctl;
    if (aborted) Atomics.store(c, STATUS, 2);
    Atomics.store(c, STOP, 1);
    for (let i = 0; i < SLOTS; i++) Atomics.notify(c, i);
  }

  // the worker's side

  /** Tells main the worker is set up. */
  ready(): void {
    Atomics.store(this.ctl, READY, 1);
    Atomics.notify(this.ctl, READY);
  }

  /** The next job's rows (part of total), or null when stopped. */
  next(): { part: number; total: number } | null {
    const c = this.ctl;
    const want = this.job + 1;
    for (let spin = 0; ; spin++) {
      if (Atomics.load(c, STOP) === 1) return null;
      const v = Atomics.load(c, GO);
      if (v >= want) break;
      if (spin >= SPIN) Atomics.wait(c, GO, v, SLICE_MS);
    }
    this.job = want;
    return { part: c[PART], total: c[TOTAL] };
  }

  /** Reports the job taken last done. */
  done(): void {
    Atomics.store(this.ctl, DONE, this.job);
    Atomics.notify(this.ctl, DONE);
  }

  /** Reports a failure (its message for main's error) and wakes main wherever it waits. */
  fail(e: unknown): void {
    const text = e instanceof Error ? e.message : String(e);
    const bytes = new TextEncoder().encode(text).subarray(0, ERROR_BYTES);
    this.error.set(bytes);
    const c = this.ctl;
    Atomics.store(c, ERROR_LENGTH, bytes.length);
    Atomics.store(c, STATUS, 1);
    for (let i = 0; i < SLOTS; i++) Atomics.notify(c, i);
  }
}
