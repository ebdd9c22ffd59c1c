/**
 * Progress display for long commands: a one-line bar redrawn on stderr when it is a TTY,
 * silent otherwise (so piped output and --json stay clean).
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private last = 0;
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
  /** A line of its own that stays above the bar. */
  log(line: string): void {
    this.clear();
    process.stderr.write(`${line}\n`);
  }
}
