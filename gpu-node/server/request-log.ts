// One JSON line per HTTP request, written once its response is truly over: for an event stream that
// is its last event or its client leaving, not its headers. The same moment ends the request's
// count in InFlight, which a graceful shutdown waits on. Lines carry counts and ids, never the text
// of a prompt or a completion.
import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { NodeSteering } from "../../shared/node-api/generation.ts";
import type { FinishReason } from "../engine/generation.ts";
import type { InFlight } from "./in-flight.ts";

export interface RequestRecord {
  time: string;
  level: "info" | "error";
  msg: "request";
  request_id: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  /** Generation requests only. */
  stream?: boolean;
  steering?: NodeSteering;
  prompt_tokens?: number | null;
  completion_tokens?: number;
  finish_reason?: FinishReason | null;
}

export type LogSink = (record: RequestRecord) => void;

export const stdoutLog: LogSink = (record) => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};

/** A generation request's part of its line, filled in by openai.ts as the events pass. */
export class GenerationLog {
  promptTokens: number | null = null;
  completionTokens = 0;
  finishReason: FinishReason | null = null;
  /** Resolves when the events have ended, so the line has the final counts. */
  readonly ended: Promise<void>;
  end: () => void = () => {};

  constructor(
    readonly stream: boolean,
    readonly steering: NodeSteering,
  ) {
    this.ended = new Promise((resolve) => {
      this.end = resolve;
    });
  }
}

declare module "hono" {
  interface ContextVariableMap {
    generation?: GenerationLog;
  }
}

/** An incoming id is kept if it is short and plain enough to log and echo as it is. */
const SANE_ID = /^[\w.:-]{1,128}$/;

export function requestLog(sink: LogSink, inFlight: InFlight): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const id = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    inFlight.started();
    await next();
    c.header("x-request-id", id);
    let over = false;
    const finish = async () => {
      if (over) return;
      over = true;
      await c.get("generation")?.ended;
      inFlight.finished();
      sink(record(c, id, performance.now() - started));
    };
    // Other bodies are whole in memory by now; an event stream is open until its end.
    const body = c.res.body;
    if (body && c.res.headers.get("content-type")?.startsWith("text/event-stream")) {
      c.res = new Response(watched(body, finish), c.res);
    } else {
      await finish();
    }
  };
}

function record(c: Context, id: string, latency: number): RequestRecord {
  const { status } = c.res;
  const generation = c.get("generation");
  return {
    time: new Date().toISOString(),
    level: status >= 500 ? "error" : "info",
    msg: "request",
    request_id: id,
    method: c.req.method,
    path: c.req.path,
    status,
    latency_ms: Math.round(latency * 10) / 10,
    ...(generation && {
      stream: generation.stream,
      steering: generation.steering,
      prompt_tokens: generation.promptTokens,
      completion_tokens: generation.completionTokens,
      finish_reason: generation.finishReason,
    }),
  };
}

/** `body`, calling `over` once it has been read to its end, has failed, or was cancelled. */
function watched(body: ReadableStream<Uint8Array>, over: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (!chunk.done) return controller.enqueue(chunk.value);
        controller.close();
      } catch (error) {
        controller.error(error);
      }
      over();
    },
    async cancel(reason) {
      await reader.cancel(reason);
      over();
    },
  });
}
