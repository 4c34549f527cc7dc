// The GPU nodes: a configured list, tried in turn. A node that cannot be reached, or answers 502,
// 503 or 504 before any byte of its body (stopping, queue full), is passed over for the next, and
// left alone for a while; once a node answers, its response (a stream included) is the answer.
import { ApiError } from "../../../shared/http/api-error.ts";
import type { Bindings } from "../env.ts";

/** How long a node that failed is passed over (per Worker isolate). */
const DOWN_MS = 10_000;
const RETRYABLE = new Set([502, 503, 504]);
const downUntil = new Map<string, number>();

export interface NodeResponse {
  node: string;
  response: Response;
}

export class NodePool {
  constructor(
    readonly nodes: readonly string[],
    private readonly token?: string,
  ) {}

  static fromEnv(env: Bindings): NodePool {
    const nodes = env.GPU_NODES.split(",")
      .map((url) => url.trim().replace(/\/+$/, ""))
      .filter(Boolean);
    return new NodePool(nodes, env.NODE_TOKEN || undefined);
  }

  /** Sends to the first healthy node that answers (nodes marked down are tried last). */
  async request(path: string, init: RequestInit = {}): Promise<NodeResponse> {
    const now = Date.now();
    const order = [...this.nodes].sort(
      (a, b) => Number((downUntil.get(a) ?? 0) > now) - Number((downUntil.get(b) ?? 0) > now),
    );
    let last: NodeResponse | null = null;
    for (const node of order) {
      const response = await this.send(node, path, init).catch(() => null);
      if (response && !RETRYABLE.has(response.status)) {
        downUntil.delete(node);
        return { node, response };
      }
      downUntil.set(node, Date.now() + DOWN_MS);
      if (response) last = { node, response };
    }
    if (last) return last;
    throw new ApiError(503, "no GPU node is reachable; retry shortly", "no_gpu_node");
  }

  /** Sends to one node (where a job runs, say); a network failure is a 503. */
  async requestTo(node: string, path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await this.send(node, path, init);
    } catch {
      throw new ApiError(503, "the GPU node is unreachable", "gpu_node_unreachable");
    }
  }

  private send(node: string, path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("authorization", `Bearer ${this.token}`);
    return fetch(`${node}${path}`, { ...init, headers });
  }
}
