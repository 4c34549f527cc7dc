// The GPU node's bad-input suite (test/support/probe.ts): each route group of the node's contract
// gets at least a hundred generated requests that get one thing wrong, sent to the real `steer
// serve` process. Each must be a 4xx naming the field at fault, never a 5xx or a hang, and the
// node must serve a valid request after each group.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeControlVector } from "../../shared/control-vector.ts";
import { MAX_JSON_BODY_BYTES, MAX_VECTOR_BYTES } from "../../shared/limits.ts";
import { calibrationRequestSchema } from "../../shared/node-api/conditions.ts";
import { datasetRequestSchema } from "../../shared/node-api/datasets.ts";
import { nodeEvaluationRequestSchema } from "../../shared/node-api/evaluations.ts";
import { extractionRequestSchema } from "../../shared/node-api/extractions.ts";
import {
  nodeChatRequestSchema,
  nodeCompletionRequestSchema,
} from "../../shared/node-api/generation.ts";
import { credentialCases, vectorFileCases } from "../support/bad-input.ts";
import { DAY_PROMPT, type Planted } from "../support/planted.ts";
import { GROUP_TIMEOUT_MS, Probe } from "../support/probe.ts";
import {
  jsonSchemaFormat,
  STRUCTURED_FORMAT,
  schemaParam,
  UNSUPPORTED_SCHEMAS,
} from "../support/response-formats.ts";
import { uploadPlanted } from "./planted-server.ts";
import { type ServerProcess, startServer } from "./server-process.ts";

const TOKEN = "bad-input-token";
let server: ServerProcess;
let vectorsDir: string;
let planted: Planted;
let vectorId: string;

beforeAll(async () => {
  vectorsDir = await mkdtemp(path.join(tmpdir(), "steer-bad-input-"));
  server = await startServer({ vectorsDir, token: TOKEN });
  ({ planted, id: vectorId } = await uploadPlanted(server.url, {
    authorization: `Bearer ${TOKEN}`,
  }));
});

afterAll(async () => {
  await server?.stop();
  await rm(vectorsDir, { recursive: true, force: true });
});

function nodeProbe(onAccepted?: (answer: Response) => Promise<void>): Probe {
  return new Probe(sendToNode, TOKEN, { onAccepted });
}

/**
 * A body over the node's limits goes as its headers alone, the length announced, and the answer
 * is read before any of it is sent: the node answers 413 at once and closes the connection, which
 * a client still writing the body (fetch) sees as the close, not the answer.
 */
function sendToNode(route: string, init: RequestInit): Promise<Response> {
  const body = init.body as Uint8Array | undefined;
  if (!body || body.length <= MAX_JSON_BODY_BYTES) return fetch(`${server.url}${route}`, init);
  return new Promise((resolve, reject) => {
    const headers = {
      ...Object.fromEntries(new Headers(init.headers)),
      "content-length": body.length,
    };
    const request = http.request(
      `${server.url}${route}`,
      { method: init.method, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          const answerHeaders = new Headers(answer.headers as Record<string, string>);
          resolve(
            new Response(Buffer.concat(chunks), {
              status: answer.statusCode,
              headers: answerHeaders,
            }),
          );
        });
      },
    );
    request.on("error", reject);
    request.flushHeaders();
  });
}

/** A job a valid change queues is cancelled at once: it would keep the node busy after. */
function cancelQueued(object: "extraction" | "evaluation" | "dataset") {
  return async (answer: Response) => {
    const job = (await answer.json()) as { id?: string; object?: string };
    if (job.object !== object) return;
    await fetch(`${server.url}/v1/${object}s/${job.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
  };
}

/** The node came through: it answers a valid request, steered. */
async function expectServing(): Promise<void> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: DAY_PROMPT, max_tokens: 4, steering: { [vectorId]: 1 } }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe("bad input to the GPU node", { timeout: GROUP_TIMEOUT_MS }, () => {
  it("chat and text completions", async () => {
    const probe = nodeProbe();
    const steering = { [vectorId]: 0.5 };
    const chat = { messages: [{ role: "user", content: "Hi" }], max_tokens: 2, steering };
    await probe.bodies("/v1/chat/completions", chat, nodeChatRequestSchema);
    const text = { prompt: "Hi", max_tokens: 2, steering };
    await probe.bodies("/v1/completions", text, nodeCompletionRequestSchema);
    // A conditional term's every field, wrong in every way.
    const when = { vector: vectorId, above: 0.1, layer: 1, during: true, window: 4 };
    const conditional = { ...chat, steering: { [vectorId]: { multiplier: 0.5, when } } };
    await probe.fields("/v1/chat/completions", conditional, nodeChatRequestSchema, "steering");
    probe.expectAllAnswered();
    await expectServing();
  });

  it("structured outputs: response_format, and schemas no answer could be held to", async () => {
    const probe = nodeProbe();
    const messages = [{ role: "user", content: "Hi" }];
    const chat = { messages, max_tokens: 2, response_format: STRUCTURED_FORMAT };
    await probe.fields("/v1/chat/completions", chat, nodeChatRequestSchema, "response_format");
    for (const { name, schema, at } of UNSUPPORTED_SCHEMAS) {
      const body = JSON.stringify({ messages, response_format: jsonSchemaFormat(schema) });
      const expectation = { name, field: schemaParam(at), expect: "refused" } as const;
      await probe.check(
        "/v1/chat/completions",
        { body, contentType: "application/json" },
        expectation,
      );
    }
    probe.expectAllAnswered();
    await expectServing();
  });

  it("extractions: submitted, validated, read, cancelled", async () => {
    const probe = nodeProbe(cancelQueued("extraction"));
    const valid = {
      personas: { positive: ["happy"], negative: ["sad"], openers: ["I"] },
      layers: [1],
    };
    await probe.bodies("/v1/extractions", valid, extractionRequestSchema);
    await probe.bodies("/v1/extractions/validate", valid, extractionRequestSchema);
    await probe.ids((id) => `/v1/extractions/${id}`);
    await probe.ids((id) => `/v1/extractions/${id}`, "DELETE");
    probe.expectAllAnswered();
    await expectServing();
  });

  it("evaluations: submitted, read, cancelled", async () => {
    const probe = nodeProbe(cancelQueued("evaluation"));
    const question = {
      subject: "astronomy",
      question: "Q?",
      choices: ["a", "b", "c", "d"],
      answer: "A",
    };
    const valid = {
      vector_id: vectorId,
      trait: "cheerful",
      multipliers: [1],
      prompts: ["Hi"],
      max_tokens: 2,
      mmlu: { shots: 0, questions: [question], examples: [] },
    };
    await probe.bodies("/v1/evaluations", valid, nodeEvaluationRequestSchema);
    await probe.ids((id) => `/v1/evaluations/${id}`);
    await probe.ids((id) => `/v1/evaluations/${id}`, "DELETE");
    probe.expectAllAnswered();
    await expectServing();
  });

  it("datasets: submitted, read, cancelled", async () => {
    const probe = nodeProbe(cancelQueued("dataset"));
    await probe.bodies("/v1/datasets", { description: "cheerful", pairs: 2 }, datasetRequestSchema);
    await probe.ids((id) => `/v1/datasets/${id}`);
    await probe.ids((id) => `/v1/datasets/${id}`, "DELETE");
    probe.expectAllAnswered();
    await expectServing();
  });

  it("condition calibrations", async () => {
    const probe = nodeProbe();
    const valid = {
      should_fire: ["Tell me about the sea.", "I sail a boat."],
      should_not_fire: ["Tell me about the garden.", "I bake bread."],
      layers: [1],
    };
    await probe.bodies("/v1/conditions/calibrations", valid, calibrationRequestSchema);
    probe.expectAllAnswered();
    await expectServing();
  });

  it("vector files: uploaded, read, deleted", async () => {
    const probe = nodeProbe();
    const valid = new Uint8Array(encodeControlVector(planted.cheerful));
    const files = vectorFileCases(valid, MAX_VECTOR_BYTES);
    for (const file of files) {
      const sent = { body: file.body, contentType: "application/octet-stream" };
      await probe.check("/v1/vectors", sent, { ...file, field: "body" });
    }
    await probe.ids((id) => `/v1/vectors/${id}`);
    await probe.ids((id) => `/v1/vectors/${id}`, "DELETE");
    probe.expectAllAnswered();
    await expectServing();
  });

  it("credentials: a 401 on every route but health", async () => {
    const probe = nodeProbe();
    const routes = [
      "/v1/extractions/none",
      "/v1/datasets/none",
      "/v1/generations/none/cancel",
      "/v1/models",
      "/v1/vectors",
      `/v1/vectors/${vectorId}`,
      "/metrics",
      "/openapi.json",
    ];
    for (const route of routes) {
      for (const { name, authorization } of credentialCases(TOKEN)) {
        const expectation = { name, field: "authorization", expect: "refused" } as const;
        await probe.check(route, { method: "GET", authorization }, expectation);
      }
    }
    probe.expectAllAnswered();
    await expectServing();
  });
});
