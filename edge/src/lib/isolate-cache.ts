// What a Worker isolate remembers between requests, so that the hot path need not ask D1 what it
// asked a moment ago: each D1 round trip costs milliseconds, and a request's budget at the edge is
// a few. Entries expire after `ttlMs` (the bound on how stale another isolate's copy can be), and
// the oldest go first beyond `max`. Whoever changes the underlying row deletes the entry here.
export class IsolateCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
