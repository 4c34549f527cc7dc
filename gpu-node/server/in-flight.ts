// How many HTTP requests are open, counted by the request log (a request ends when its line is
// written), so a graceful shutdown can wait for them to finish.
export class InFlight {
  private open = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.open;
  }

  started(): void {
    this.open++;
  }

  finished(): void {
    this.open--;
    if (this.open === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once no request is open (at once if none is). */
  idle(): Promise<void> {
    if (this.open === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
