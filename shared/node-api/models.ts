// The GPU node's model and health: the one base model it serves, liveness and readiness for an
// orchestrator or a load balancer (open: no token, and nothing said but ok or not), and its
// metrics.
import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { errorAnswers, jsonAnswer } from "../http/openapi.ts";
import { modelListSchema } from "../openai/models.ts";
import { nodeLoadSchema } from "./load.ts";

export const listModelsRoute = createRoute({
  method: "get",
  path: "/v1/models",
  summary: "The model the node serves, with its shape (layers, width, context)",
  responses: {
    200: jsonAnswer(modelListSchema, "OpenAI's model list, of one"),
    ...errorAnswers({ 401: "The node's bearer token is missing or wrong" }),
  },
});

export const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness, for load balancers: needs no token",
  responses: { 200: jsonAnswer(z.object({ status: z.literal("ok") }), "The process serves") },
});

/** A ready node's answer to /readyz: its load, as LOAD_HEADER says it on every answer. */
export const readySchema = z.object({ status: z.literal("ready"), load: nodeLoadSchema });

export const readyRoute = createRoute({
  method: "get",
  path: "/readyz",
  summary:
    "Readiness, for load balancers: needs no token; 503 once the node is shutting down. Says its load",
  responses: {
    200: jsonAnswer(readySchema, "It takes new work"),
    503: jsonAnswer(z.object({ status: z.literal("stopping") }), "It is shutting down"),
  },
});

export const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics: queue, tokens, throughput, extraction, evaluation and dataset jobs",
  responses: {
    200: {
      description: "Prometheus's text format",
      content: { "text/plain": { schema: z.string() } },
    },
    ...errorAnswers({ 401: "The node's bearer token is missing or wrong" }),
  },
});
