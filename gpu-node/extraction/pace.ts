// Building a dataset tokenizes up to megabytes of text, each call synchronous in llama.cpp: done in
// one go, it would hold the node's event loop, and so every other request (/healthz included), for
// seconds. A pacer, called between steps of such work, hands the loop back every few milliseconds.

/** How long work may hold the event loop before other requests get their turn. */
const SLICE_MS = 10;

/** A function to await between steps: it yields to the event loop once a slice has passed. */
export function pacer(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
