// npm start's ports (dev/ports.ts): a named port is used or refused, never swapped; a default that
// is taken gives way to a free port, saying so.
import { createServer, type Server } from "node:net";
import { afterEach, expect, it, vi } from "vitest";
import { freePort, PortUnavailable, stackPorts } from "../dev/ports.ts";

const held: Server[] = [];

/** Keeps `port` busy for the test (or finds it busy already: taken either way). */
async function occupy(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => {
    server.once("error", () => resolve());
    server.listen(port, "127.0.0.1", () => resolve());
  });
  held.push(server);
}

afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await Promise.all(held.splice(0).map((server) => new Promise((done) => server.close(done))));
});

it("uses the ports PORT and STEER_NODE_PORT name", async () => {
  const [edge, node] = [await freePort(), await freePort()];
  vi.stubEnv("PORT", String(edge));
  vi.stubEnv("STEER_NODE_PORT", String(node));
  expect(await stackPorts()).toEqual({ edge, nodes: [node] });
});

it("gives each further node (STEER_NODES) the port after, or a free one where that is taken", async () => {
  const node = await freePort();
  vi.stubEnv("PORT", String(await freePort()));
  vi.stubEnv("STEER_NODE_PORT", String(node));
  await occupy(node + 1);
  const stderr = vi.spyOn(process.stderr, "write").mockReturnValue(true);
  const { nodes } = await stackPorts(3);
  expect(nodes[0]).toBe(node);
  expect(new Set(nodes).size).toBe(3);
  expect(nodes[1]).not.toBe(node + 1);
  expect(stderr).toHaveBeenCalledWith(
    `npm start: port ${node + 1} is in use; GPU node 2 takes ${nodes[1]} instead\n`,
  );
});

it("refuses a named port that is taken, saying which", async () => {
  const port = await freePort();
  await occupy(port);
  vi.stubEnv("PORT", String(port));
  vi.stubEnv("STEER_NODE_PORT", String(await freePort()));
  await expect(stackPorts()).rejects.toThrow(PortUnavailable);
  await expect(stackPorts()).rejects.toThrow(`PORT=${port}: the port is in use`);
});

it("gives a taken default (8787, the edge's) way to a free port, and says so", async () => {
  await occupy(8787);
  vi.stubEnv("PORT", "");
  vi.stubEnv("STEER_NODE_PORT", String(await freePort()));
  const stderr = vi.spyOn(process.stderr, "write").mockReturnValue(true);
  const { edge } = await stackPorts();
  expect(edge).not.toBe(8787);
  expect(stderr).toHaveBeenCalledWith(
    `npm start: port 8787 is in use; the edge takes ${edge} instead (PORT chooses one)\n`,
  );
});
