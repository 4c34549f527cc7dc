// A closed-loop load: N clients, each sending its requests one after another, all at once. What
// one request reports, and what the load adds up to.

export interface RequestTiming {
  /** Seconds from sending to the first text. */
  firstText: number;
  /** Seconds from sending to the end. */
  total: number;
  completionTokens: number;
}

export interface LoadResult {
  /** Completion tokens of all requests over the wall-clock seconds of the whole load. */
  tokensPerSecond: number;
  latency: Percentiles;
  firstText: Percentiles;
  requests: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
}

/** `send(client, i)` is client `client`'s i-th request. */
export async function runLoad(
  clients: number,
  requestsPerClient: number,
  send: (client: number, i: number) => Promise<RequestTiming>,
): Promise<LoadResult> {
  const timings: RequestTiming[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; i < requestsPerClient; i++) timings.push(await send(client, i));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const tokens = timings.reduce((sum, t) => sum + t.completionTokens, 0);
  return {
    tokensPerSecond: tokens / seconds,
    latency: percentiles(timings.map((t) => t.total)),
    firstText: percentiles(timings.map((t) => t.firstText)),
    requests: timings.length,
  };
}

/** Nearest-rank percentiles. */
function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { p50: rank(0.5) ?? Number.NaN, p99: rank(0.99) ?? Number.NaN };
}

/** Times a request from now: call `text()` at each piece of text, `end(tokens)` at the end. */
export function stopwatch() {
  const started = performance.now();
  let firstText: number | undefined;
  return {
    text() {
      firstText ??= (performance.now() - started) / 1000;
    },
    end(completionTokens: number): RequestTiming {
      const total = (performance.now() - started) / 1000;
      return { firstText: firstText ?? total, total, completionTokens };
    },
  };
}
