// workerd logs some disconnects that the edge tests cause on purpose, each with its stack
// addresses, and vitest-pool-workers (0.15) prints every workerd log with no option to quiet one:
//
// - "WebSocket peer disconnected": the pool's own socket to a test file's runner, dropped when the
//   file is done (later versions of the pool ignore it themselves: cloudflare/workers-sdk#13833).
// - "connect(): Connection refused", then twice "Uncaught (in promise) ... Network connection
//   lost": one fetch to a GPU node that is down, as tests point at on purpose (127.0.0.1:1 and :9).
//   workerd logs them even though the Worker handles the fetch's rejection: a bare Miniflare
//   running `try { await fetch("http://127.0.0.1:1/") } catch {}` logs the same three.
// - "read end of pipe was aborted", then once "Uncaught (in promise) ... Network connection
//   lost": a test streaming a body that the Worker refuses part-way (413) and never reads on.
//
// Those lines, and only those, are kept out of the test output: a "Network connection lost" that
// no refused connection or abandoned body accounts for is still printed.
const PEER_GONE = "disconnected: WebSocket peer disconnected";
const REFUSED = "disconnected: connect(): Connection refused";
const ABANDONED = "disconnected: read end of pipe was aborted";
const LOST = /^uncaught exception; .*Network connection lost\./;
const LOST_PER_REFUSED = 2;
const LOST_PER_ABANDONED = 1;

export function quietExpectedDisconnects(): void {
  let lostExpected = 0;
  const isExpected = (text: string): boolean => {
    if (text.includes(PEER_GONE)) return true;
    if (text.includes(REFUSED)) {
      lostExpected += LOST_PER_REFUSED;
      return true;
    }
    if (text.includes(ABANDONED)) {
      lostExpected += LOST_PER_ABANDONED;
      return true;
    }
    if (lostExpected > 0 && LOST.test(text)) {
      lostExpected--;
      return true;
    }
    return false;
  };
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== "string" || !isExpected(chunk)) return write(chunk, ...rest);
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
}
