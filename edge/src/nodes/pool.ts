// The GPU nodes, and the only way the edge talks to them: every call names a route of the node's
// contract (shared/node-api), and every reply is read against that contract's schemas, so a node
// that answers something else is an error here, not a surprise further on.
//
// The nodes are a configured list, tried in turn. A node that cannot be reached, or answers 502,
// 503 or 504 before any byte of its body (stopping, queue full), is passed over for the next, and
// left alone for a while; once a node answers, its response (a stream included) is the answer.
import type { RouteConfig } from "@hono/zod-openapi";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { ApiError } from "../../../shared/http/api-error.ts";
import { errorBodySchema } from "../../../shared/openai/errors.ts";
import type { Bindings } from "../env.ts";

/** How long a node that failed is passed over (per Worker isolate). */
const DOWN_MS = 10_000;
const RETRYABLE = new Set([502, 503, 504]);
const downUntil = new Map<string, number>();

/** What a call sends besides its route: path parameters, a body, headers. */
export interface NodeCall {
  params?: Record<string, string>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A binary body (a control-vector file). */
  bytes?: ArrayBuffer | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

export interface NodeResponse {
  node: string;
  response: Response;
}

/** A node's error param -> the field of the edge's request it came from. */
export type FieldOf = (param: string) => string;

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
  async call(route: RouteConfig, call: NodeCall = {}): Promise<NodeResponse> {
    const now = Date.now();
    const order = [...this.nodes].sort(
      (a, b) => Number((downUntil.get(a) ?? 0) > now) - Number((downUntil.get(b) ?? 0) > now),
    );
    let last: NodeResponse | null = null;
    for (const node of order) {
      const response = await this.send(node, route, call).catch(() => null);
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
  async callNode(node: string, route: RouteConfig, call: NodeCall = {}): Promise<Response> {
    try {
      return await this.send(node, route, call);
    } catch {
      throw new ApiError(503, "the GPU node is unreachable", "gpu_node_unreachable");
    }
  }

  private send(node: string, route: RouteConfig, call: NodeCall): Promise<Response> {
    const headers = new Headers(call.headers);
    if (this.token) headers.set("authorization", `Bearer ${this.token}`);
    let body: BodyInit | undefined;
    if (call.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(call.json);
    } else if (call.bytes !== undefined) {
      headers.set("content-type", "application/octet-stream");
      body = call.bytes;
    }
    const url = `${node}${pathOf(route, call.params)}`;
    return fetch(url, { method: route.method.toUpperCase(), headers, body });
  }
}

/** The route's path with its {parameters} filled in. */
function pathOf(route: RouteConfig, params: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${route.path}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

/**
 * A successful reply's JSON, checked against the contract's `schema`; an error reply is the
 * ApiError it states (its param the edge request's own field, by `fieldOf`).
 */
export async function readReply<S extends z.ZodType>(
  response: Response,
  schema: S,
  fieldOf?: FieldOf,
): Promise<z.infer<S>> {
  if (!response.ok) throw await nodeError(response, fieldOf);
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw brokenContract(response, parsed.error.issues[0]?.message);
  return parsed.data;
}

/**
 * What a node's error answer means for the edge's client. The client's own mistakes (4xx: a prompt
 * too long for the context, say) are passed on as the node stated them; a node that is stopping
 * or full is a 503 to retry; anything else is the node's failure, a 502.
 */
export async function nodeError(response: Response, fieldOf?: FieldOf): Promise<ApiError> {
  const parsed = errorBodySchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) return brokenContract(response, "its error is not an error object");
  const { message, code, param } = parsed.data.error;
  const { status } = response;
  if (status === 503) return new ApiError(503, message, code ?? "node_unavailable");
  if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
    const field = param && fieldOf ? fieldOf(param) : param;
    // The node's words name its own fields: say which of the client's it was.
    const said = field && field !== param ? `${field}: ${message}` : message;
    return new ApiError(status as ContentfulStatusCode, said, code ?? "invalid_request", field);
  }
  return new ApiError(502, `the GPU node failed (${status}): ${message}`, "node_error");
}

function brokenContract(response: Response, why = "unexpected"): ApiError {
  const message = `the GPU node answered ${response.status} outside its contract: ${why}`;
  return new ApiError(502, message, "node_error");
}
