// A per-second rate over a sliding window: what was added in the last `seconds` one-second buckets
// (the current one still filling), divided by the window's length.
export class RateWindow {
  private readonly sums: number[];
  /** The second each bucket holds; a bucket is reused once its second has left the window. */
  private readonly seconds: number[];

  constructor(
    private readonly length = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.sums = new Array(length).fill(0);
    this.seconds = new Array(length).fill(-Infinity);
  }

  add(n: number): void {
    const second = Math.floor(this.now() / 1000);
    const i = second % this.length;
    if (this.seconds[i] !== second) {
      this.seconds[i] = second;
      this.sums[i] = 0;
    }
    this.sums[i] = (this.sums[i] as number) + n;
  }

  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let i = 0; i < this.length; i++) {
      if (second - (this.seconds[i] as number) < this.length) sum += this.sums[i] as number;
    }
    return sum / this.length;
  }
}
