// The GPU nodes, and the only way the edge talks to them: every call names a route of the node's
// contract (shared/node-api), and every reply is read against that contract's schemas, so a node
// that answers something else is an error here, not a surprise further on.
//
// The nodes are the registry's (registry.ts). New work goes to an active node that serves the
// request's base model, chosen by load: the fewest outstanding requests as this isolate sees them
// (its own requests still open there, plus the queue the node last reported in LOAD_HEADER), ties
// broken at random, and a node that already holds the request's vectors preferred by about one
// request's worth (an upload costs about as much as waiting behind one). A node that cannot be
// reached, or answers 502, 503 or 504 before any byte of its body (stopping, queue full), is passed
// over for the next, and tried last for a while; once a node answers, its response (a stream
// included) is the answer. A draining node gets no new work; its jobs are still polled there. A
// node whose base model the registry does not know yet is asked it before a call routed by model.
import type { RouteConfig } from "@hono/zod-openapi";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { ApiError } from "../../../shared/http/api-error.ts";
import { LOAD_HEADER } from "../../../shared/node-api/headers.ts";
import { filterHolds, type NodeLoad, parseLoad } from "../../../shared/node-api/load.ts";
import { listModelsRoute } from "../../../shared/node-api/models.ts";
import { errorBodySchema } from "../../../shared/openai/errors.ts";
import { type ModelList, modelListSchema } from "../../../shared/openai/models.ts";
import type { Bindings } from "../env.ts";
import { database } from "../lib/db.ts";
import { configuredNodes, d1Registry, type NodeRegistry, type RegisteredNode } from "./registry.ts";

/** How long a node that failed is passed over (per Worker isolate). */
const DOWN_MS = 10_000;
const RETRYABLE = new Set([502, 503, 504]);
/** A node's reported load older than this says nothing of it now. */
const SEEN_MS = 10_000;
/** What lacking a request's vectors counts for, in outstanding requests. */
const UPLOAD_COST = 1;

/** What this isolate knows of each node, by URL. */
const downUntil = new Map<string, number>();
const outstanding = new Map<string, number>();
const lastSeen = new Map<string, { load: NodeLoad; at: number }>();

/** What a call sends besides its route: path parameters, a body, headers. */
export interface NodeCall {
  params?: Record<string, string>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A binary body (a control-vector file). */
  bytes?: ArrayBuffer | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

/** Which nodes may take a call: those serving `model`, preferring those that hold `vectors`. */
export interface Routing {
  model?: string;
  vectors?: readonly string[];
  /** Nodes not to try (one that already failed this request). */
  avoid?: readonly string[];
}

export interface NodeResponse {
  node: string;
  response: Response;
}

/** A node's error param -> the field of the edge's request it came from. */
export type FieldOf = (param: string) => string;

export class NodePool {
  constructor(
    readonly registry: NodeRegistry,
    private readonly token?: string,
  ) {}

  static fromEnv(env: Bindings): NodePool {
    const registry = d1Registry(database(env.DB), configuredNodes(env.GPU_NODES));
    return new NodePool(registry, env.NODE_TOKEN || undefined);
  }

  /** Every registered node's URL, draining ones included (they may still run a generation). */
  async urls(): Promise<string[]> {
    return (await this.registry.nodes()).map((node) => node.url);
  }

  /**
   * Sends to the best node for `routing` (above) that answers; nodes marked down are tried last.
   * No node to try, or none answering, is a 503.
   */
  async call(
    route: RouteConfig,
    call: NodeCall = {},
    routing: Routing = {},
  ): Promise<NodeResponse> {
    let last: NodeResponse | null = null;
    let nodes = await this.registry.nodes();
    if (routing.model) nodes = await this.withModels(nodes);
    for (const node of order(nodes, routing)) {
      const response = await this.tracked(node, route, call).catch(() => null);
      if (response && !RETRYABLE.has(response.status)) {
        downUntil.delete(node);
        await last?.response.body?.cancel();
        return { node, response };
      }
      downUntil.set(node, Date.now() + DOWN_MS);
      if (response) {
        // Only the last refusal is answered; the others' bodies end here, and their count.
        await last?.response.body?.cancel();
        last = { node, response };
      }
    }
    if (last) return last;
    throw noNode();
  }

  /**
   * `nodes`, each active one whose base model is still unknown (registered from GPU_NODES, not yet
   * checked) asked for it now: routing by model needs it. One that does not say is left alone for
   * DOWN_MS, as a node that failed is.
   */
  private async withModels(nodes: readonly RegisteredNode[]): Promise<RegisteredNode[]> {
    const now = Date.now();
    return Promise.all(
      nodes.map(async (node) => {
        if (node.baseModel || node.state !== "active" || isDown(node.url, now)) return node;
        const baseModel = (await this.modelsOf(node))?.data[0]?.id;
        if (!baseModel) downUntil.set(node.url, Date.now() + DOWN_MS);
        return baseModel ? { ...node, baseModel } : node;
      }),
    );
  }

  /**
   * The model list `node` answers now (null when it cannot be reached or answers outside its
   * contract); the model it names is noted in the registry, which routes by it.
   */
  async modelsOf(node: RegisteredNode): Promise<ModelList | null> {
    const response = await this.send(node.url, listModelsRoute).catch(() => null);
    const list = response && (await readReply(response, modelListSchema).catch(() => null));
    const served = list?.data[0]?.id;
    if (served && served !== node.baseModel) await this.registry.learnModel(node.url, served);
    return list;
  }

  /** Sends to one node (where a job runs, say); a network failure is a 503. */
  async callNode(node: string, route: RouteConfig, call: NodeCall = {}): Promise<Response> {
    try {
      return await this.send(node, route, call);
    } catch {
      throw new ApiError(503, "the GPU node is unreachable", "gpu_node_unreachable");
    }
  }

  /**
   * Sends `call` again to the node `call` chose (once it has the vectors it lacked), counted as
   * outstanding there as the first was; a network failure is a 503.
   */
  async resend(node: string, route: RouteConfig, call: NodeCall): Promise<Response> {
    try {
      return await this.tracked(node, route, call);
    } catch {
      throw new ApiError(503, "the GPU node is unreachable", "gpu_node_unreachable");
    }
  }

  /**
   * Sends `call` to `node`, counted as outstanding there until its answer's body has ended (or the
   * send failed): routed work, whose caller always reads or cancels the body.
   */
  private async tracked(node: string, route: RouteConfig, call: NodeCall): Promise<Response> {
    outstanding.set(node, (outstanding.get(node) ?? 0) + 1);
    let open = true;
    const done = () => {
      if (open) outstanding.set(node, (outstanding.get(node) ?? 1) - 1);
      open = false;
    };
    try {
      const response = await this.send(node, route, call);
      if (!response.body) {
        done();
        return response;
      }
      return new Response(onEnd(response.body, done), response);
    } catch (error) {
      done();
      throw error;
    }
  }

  /** Sends `call` to `node`, noting the load the node reports. */
  private async send(node: string, route: RouteConfig, call: NodeCall = {}): Promise<Response> {
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
    const response = await fetch(url, { method: route.method.toUpperCase(), headers, body });
    const load = parseLoad(response.headers.get(LOAD_HEADER));
    if (load) lastSeen.set(node, { load, at: Date.now() });
    return response;
  }
}

/** The error of no node to take a call. */
export function noNode(): ApiError {
  return new ApiError(503, "no GPU node is reachable; retry shortly", "no_gpu_node");
}

/** The active nodes that may take a call, best first (the module's comment says how). */
function order(nodes: readonly RegisteredNode[], routing: Routing): string[] {
  const now = Date.now();
  const candidates = nodes.filter(
    (node) =>
      node.state === "active" &&
      !routing.avoid?.includes(node.url) &&
      (!routing.model || node.baseModel === routing.model),
  );
  const ranked = candidates.map((node) => ({
    url: node.url,
    down: isDown(node.url, now),
    score: score(node.url, routing.vectors ?? [], now),
    tie: Math.random(),
  }));
  ranked.sort((a, b) => Number(a.down) - Number(b.down) || a.score - b.score || a.tie - b.tie);
  return ranked.map((node) => node.url);
}

function isDown(url: string, now: number): boolean {
  return (downUntil.get(url) ?? 0) > now;
}

/** Outstanding requests on `url` as this isolate sees them, plus the cost of lacking `vectors`. */
function score(url: string, vectors: readonly string[], now: number): number {
  const seen = lastSeen.get(url);
  const load = seen && now - seen.at < SEEN_MS ? seen.load : null;
  const holds = load !== null && vectors.every((id) => filterHolds(load.vectors.filter, id));
  return (
    (outstanding.get(url) ?? 0) +
    (load?.queue_depth ?? 0) +
    (vectors.length > 0 && !holds ? UPLOAD_COST : 0)
  );
}

/** `body`, passed on as it is read, calling `done` once when it ends, fails or is cancelled. */
function onEnd(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          done();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
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
