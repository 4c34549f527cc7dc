// A graceful stop: refuse new work, let what runs finish for a grace period, then cancel the rest.
import { subscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import type { ServerType } from "@hono/node-server";
import type { Engine } from "../engine/engine.ts";
import type { InFlight } from "./in-flight.ts";
import type { Jobs } from "./jobs.ts";

/** How long, once the engine is closed, what is still open gets to end before it is cut. */
const FLUSH_MS = 1000;

export interface Draining {
  server: ServerType;
  engine: Engine;
  /** The job queues (extractions, evaluations, datasets): what they hold is cancelled. */
  jobs: Pick<Jobs<never, never>, "close">[];
  inFlight: InFlight;
  graceMs: number;
}

/** Runs once the app answers "stopping" (readyz and new work get 503); resolves when all is shut. */
export async function shutDown({
  server,
  engine,
  jobs,
  inFlight,
  graceMs,
}: Draining): Promise<void> {
  // No new connections; idle kept-alive ones close now, busy ones as their response ends.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  subscribe("http.server.response.finish", (message) => {
    const finished = message as { server: unknown; socket: Socket };
    if (finished.server === server) finished.socket.destroySoon();
  });
  if (inFlight.size > 0) {
    process.stderr.write(
      `steer serve: stopping; waiting up to ${graceMs / 1000} s for ${inFlight.size} open request(s)\n`,
    );
  }
  await within(inFlight.idle(), graceMs);
  for (const queue of jobs) queue.close();
  await engine.close(); // what still generates ends its stream, finish reason and all
  await within(closed, FLUSH_MS);
  if ("closeAllConnections" in server) server.closeAllConnections();
  await closed;
}

/** Waits for `promise`, but no longer than `ms`; leaves no timer behind. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
