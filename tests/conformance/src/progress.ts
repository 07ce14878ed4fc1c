/** A one-line progress bar for terminals: redrawn in place, throttled, erased at the end. */
export class ProgressBar {
  #last = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  /** Draws `done` of `total`, naming the last case (at most every 100 ms). */
  update(done: number, total: number, current: string, failures: number): void {
    const now = Date.now();
    if (done < total && now - this.#last < 100) return;
    this.#last = now;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(total, 1));
    const cols = this.stream.columns ?? 100;
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${failures ? ` ${failures} failing` : ''} ${current}`;
    this.stream.write(`\r${line.slice(0, cols - 1).padEnd(cols - 1)}`);
  }

  /** Erases the bar. */
  done(): void {
    this.stream.write(`\r${' '.repeat((this.stream.columns ?? 100) - 1)}\r`);
  }
}
