// Ports for the local stack: the one an environment variable names, else one free now.
import { createServer } from "node:net";

export async function portFrom(variable: string): Promise<number> {
  const value = process.env[variable];
  if (!value) return freePort();
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${variable} must be a port number (1-65535), not ${JSON.stringify(value)}`);
  }
  return port;
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
