/**
 * Progress display for long commands: a one-line bar redrawn on stderr when it is a TTY, silent
 * otherwise (so piped output and --json stay clean). Step lines (`log`, `step`) go to stderr either
 * way, so a log shows what a long command is doing before it ends; `step` thins them out when piped.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private last = 0;
  private lastStep = 0;
  /** Piped: at most one routine step line per this many milliseconds. */
  static readonly PIPED_STEP_MS = 2000;
  constructor(enabled = Boolean(process.stderr.isTTY)) {
    this.enabled = enabled;
  }
  update(label: string, done: number, total: number, extra = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < total && now - this.last < 100) return;
    this.last = now;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(1, total));
    const pct = Math.floor((100 * done) / Math.max(1, total));
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${extra}\x1b[K`);
  }
  clear(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
  /**
   * A routine step line (an epoch): every one on a TTY; piped, the `force`d ones (a phase's first and
   * last) and otherwise at most one per PIPED_STEP_MS.
   */
  step(line: string, force = false): void {
    const now = Date.now();
    if (!this.enabled && !force && now - this.lastStep < ProgressBar.PIPED_STEP_MS) return;
    this.lastStep = now;
    this.log(line);
  }
  /** A line of its own that stays above the bar. */
  log(line: string): void {
    this.clear();
    process.stderr.write(`${line}\n`);
  }
}
