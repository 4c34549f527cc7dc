import { describe, expect, it } from "vitest";
import { Channel } from "../../gpu-node/engine/channel.ts";

async function drain<T>(channel: Channel<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of channel) items.push(item);
  return items;
}

describe("Channel", () => {
  it("delivers items pushed before and after the reader waits, then ends", async () => {
    const channel = new Channel<number>();
    channel.push(1);
    const reading = drain(channel);
    await Promise.resolve();
    channel.push(2);
    channel.close();
    expect(await reading).toEqual([1, 2]);
  });

  it("throws the closing error after the items already queued", async () => {
    const channel = new Channel<number>();
    channel.push(1);
    channel.close(new Error("boom"));
    const iterator = channel[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    await expect(iterator.next()).rejects.toThrow("boom");
  });

  it("ignores pushes after close", async () => {
    const channel = new Channel<number>();
    channel.close();
    channel.push(1);
    expect(await drain(channel)).toEqual([]);
  });
});
