// This machine may be shared, and a run that uses every core is fragile: llama.cpp's threads wait
// for each other at every step of a decode, so one other busy process can slow a run many times
// over. Each measured run therefore waits for the machine to be quiet first, and is run again when
// other processes became busy while it ran. Load is read from /proc/stat, which counts every
// runnable thread on the machine, whoever runs it.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const SAMPLE_MS = 100;
/** Quiet: nothing else runnable for this long... */
const QUIET_MS = 1000;
/** ...waited for at most this long. */
const MAX_WAIT_MS = 20_000;
/** A run is disturbed when other threads were runnable in more than this share of samples. */
const DISTURBED_SHARE = 0.1;
const ATTEMPTS = 2;

export interface Guarded<T> {
  result: T;
  /** Set when every attempt was disturbed by other processes: the figures are unreliable. */
  disturbed: boolean;
}

/**
 * Runs `measure` when the machine is quiet, again (up to ATTEMPTS times in all) while other
 * processes disturb it. `ownThreads`: how many runnable threads the run itself may have.
 */
export async function whenUndisturbed<T>(
  ownThreads: number,
  measure: () => Promise<T>,
): Promise<Guarded<T>> {
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet();
    const monitor = monitorLoad(ownThreads);
    const result = await measure();
    const disturbed = monitor.stop();
    if (!disturbed || attempt === ATTEMPTS) return { result, disturbed };
    console.error("  other processes were busy during the run: running it again");
  }
}

/** Runnable threads on the machine besides the one reading (this process's main thread). */
function otherRunnable(): number {
  const match = /^procs_running (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
  return Number(match?.[1] ?? 1) - 1;
}

async function waitForQuiet(): Promise<void> {
  const deadline = performance.now() + MAX_WAIT_MS;
  let quietSince = performance.now();
  while (performance.now() - quietSince < QUIET_MS && performance.now() < deadline) {
    if (otherRunnable() > 0) quietSince = performance.now();
    await sleep(SAMPLE_MS);
  }
}

/** Samples the load while a run goes on; stop() says whether others disturbed it. */
function monitorLoad(ownThreads: number): { stop(): boolean } {
  let samples = 0;
  let busy = 0;
  const timer = setInterval(() => {
    samples++;
    if (otherRunnable() > ownThreads) busy++;
  }, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      return samples > 0 && busy / samples > DISTURBED_SHARE;
    },
  };
}
