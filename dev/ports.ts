// Ports for the local stack. Each has a fixed default, so its URLs stay the same from run to run
// (and with them what a browser keeps per origin: the playground's key); a variable names another.
// A default that is taken gives way to a free port, said on stderr; a named port that is taken
// stops npm start.
import { createServer } from "node:net";

interface PortChoice {
  /** Whose port it is, as the messages say it. */
  of: string;
  /** The variable that names it; none for the GPU nodes after the first. */
  variable?: string;
  default: number;
}

const EDGE_PORT: PortChoice = { of: "the edge", variable: "PORT", default: 8787 };
const NODE_PORT: PortChoice = {
  of: "the GPU node",
  variable: "STEER_NODE_PORT",
  default: 8788,
};

/** A port npm start cannot have; the message says which and what to do. */
export class PortUnavailable extends Error {}

/**
 * The edge's and the nodes' ports, chosen before anything starts. The first node's port is
 * STEER_NODE_PORT's (default 8788); each further node (STEER_NODES) takes the port after the one
 * before, or, where that is taken, a free one.
 */
export async function stackPorts(nodeCount = 1): Promise<{ edge: number; nodes: number[] }> {
  // The named ones first, so that a default never takes a port named for the other.
  const named = (choice: PortChoice) => Boolean(choice.variable && process.env[choice.variable]);
  const order = [NODE_PORT, EDGE_PORT].sort((a, b) => Number(named(b)) - Number(named(a)));
  const chosen = new Map<PortChoice, number>();
  for (const choice of order) chosen.set(choice, await choosePort(choice, [...chosen.values()]));
  const nodes = [chosen.get(NODE_PORT) as number];
  for (let i = 1; i < nodeCount; i++) {
    const next = { of: `GPU node ${i + 1}`, default: (nodes.at(-1) as number) + 1 };
    nodes.push(await choosePort(next, [...chosen.values(), ...nodes]));
  }
  return { edge: chosen.get(EDGE_PORT) as number, nodes };
}

/** The port `choice.variable` names, else its default, else (saying so) one free now. */
async function choosePort(choice: PortChoice, taken: number[]): Promise<number> {
  const usable = async (port: number) => !taken.includes(port) && (await isFree(port));
  const value = choice.variable && process.env[choice.variable];
  if (choice.variable && value) {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new PortUnavailable(
        `${choice.variable} must be a port number (1-65535), not ${JSON.stringify(value)}`,
      );
    }
    if (await usable(port)) return port;
    throw new PortUnavailable(
      `${choice.variable}=${port}: the port is in use; name another, or leave ` +
        `${choice.variable} unset to have a free one chosen.`,
    );
  }
  if (await usable(choice.default)) return choice.default;
  const port = await freePort();
  const chooses = choice.variable ? ` (${choice.variable} chooses one)` : "";
  process.stderr.write(
    `npm start: port ${choice.default} is in use; ${choice.of} takes ${port} instead${chooses}\n`,
  );
  return port;
}

/** Whether a server could listen on `port` of 127.0.0.1 now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port free now (whoever binds it does so moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
