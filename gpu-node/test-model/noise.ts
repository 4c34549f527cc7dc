/**
 * Deterministic pseudo-random numbers for the test model's weights. Only integer hashing and
 * exactly-rounded float operations are used (no Math.log/cos, whose last bits may differ between
 * JS engines), so the model file is byte-identical everywhere.
 */
export class Noise {
  private counter = 0;

  constructor(private readonly seed: number) {}

  /** Uniform in [-1, 1). */
  next(): number {
    const hashed = hash32((this.seed + Math.imul(this.counter, 0x9e3779b9)) >>> 0);
    this.counter++;
    return hashed / 2 ** 31 - 1;
  }

  /** `length` values with mean 0 and standard deviation `std` (uniformly distributed). */
  values(length: number, std: number): Float64Array {
    const halfWidth = std * Math.sqrt(3);
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++) values[i] = this.next() * halfWidth;
    return values;
  }
}

/** A 32-bit integer mixer (xor-shift-multiply rounds) with good avalanche. */
function hash32(input: number): number {
  let x = input;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
