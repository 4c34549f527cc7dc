import { describe, expect, it } from "vitest";
import { StopSequenceFilter } from "../../gpu-node/engine/stop-sequences.ts";

/** Feeds pieces one by one; returns what was emitted and whether it stopped. */
function run(stops: string[], pieces: string[]) {
  const filter = new StopSequenceFilter(stops);
  let text = "";
  for (const piece of pieces) {
    const out = filter.push(piece);
    text += out.text;
    if (out.stopped) return { text, stopped: true };
  }
  return { text: text + filter.flush(), stopped: false };
}

describe("stop sequences", () => {
  it("passes text through when there are none", () => {
    expect(run([], ["Hel", "lo"])).toEqual({ text: "Hello", stopped: false });
  });

  it("stops at a sequence split across pieces, returning only what came before", () => {
    expect(run(["\nUser:"], ["Sure.", "\nUs", "er:", " more"])).toEqual({
      text: "Sure.",
      stopped: true,
    });
  });

  it("holds back a possible start, then releases it when it is not a stop", () => {
    const filter = new StopSequenceFilter(["END"]);
    expect(filter.push("the EN")).toEqual({ text: "the ", stopped: false });
    expect(filter.push("ding")).toEqual({ text: "ENding", stopped: false });
  });

  it("picks the earliest of several stops", () => {
    expect(run(["b", "a"], ["xxab"])).toEqual({ text: "xx", stopped: true });
  });

  it("returns held text at the end when no stop came", () => {
    expect(run(["END"], ["the E"])).toEqual({ text: "the E", stopped: false });
  });
});
