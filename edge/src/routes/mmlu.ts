// The operator's MMLU: PUT /v1/mmlu/{file} loads one release file (<subject>_<split>.csv) into R2
// for evaluations to ask, each row checked first; GET /v1/mmlu lists what is loaded. Authorised by
// the operator token, as POST /v1/accounts is (middleware/operator.ts). dev/load-mmlu.ts loads a
// whole release folder through it.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { parseMmluFileName } from "../../../shared/evaluation/mmlu.ts";
import { ApiError, rejectInvalid } from "../../../shared/http/api-error.ts";
import { limitBody } from "../../../shared/http/body-limit.ts";
import { errorAnswers, jsonAnswer } from "../../../shared/http/openapi.ts";
import { MAX_MMLU_FILE_BYTES } from "../../../shared/limits.ts";
import { INVALID, OPERATOR_ERRORS } from "../api/errors.ts";
import { loadedMmluFileSchema, mmluFileParams, mmluSubjectListSchema } from "../api/mmlu.ts";
import type { EdgeEnv } from "../env.ts";
import { loadedMmlu, storeMmluFile } from "../evaluations/mmlu.ts";
import { operatorOnly } from "../middleware/operator.ts";
import { TAGS } from "../openapi/tags.ts";

/** The file upload's paths: its body is a CSV file, with a limit of its own (app.ts). */
export const MMLU_FILE_PATHS = "/v1/mmlu/*";

const CSV = "text/csv";
const tags = [TAGS.operator.name];
const security = [{ operator: [] }];

export const mmluRoutes = new OpenAPIHono<EdgeEnv>({ defaultHook: rejectInvalid });

mmluRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/mmlu/{file}",
    tags,
    security,
    summary: "Load one MMLU release file (a subject's test or dev split) for evaluations to ask",
    middleware: [operatorOnly, limitBody(MAX_MMLU_FILE_BYTES)],
    request: {
      params: mmluFileParams,
      body: {
        required: true,
        content: {
          [CSV]: {
            schema: z.string().describe("The release's CSV: no header, question,A,B,C,D,answer"),
          },
        },
      },
    },
    responses: {
      200: jsonAnswer(loadedMmluFileSchema, "The file, loaded (in place of any earlier one)"),
      ...errorAnswers({
        ...OPERATOR_ERRORS,
        400: `${INVALID}; or a row is malformed (the message names it), or the body is not UTF-8`,
        413: `The file is over ${MAX_MMLU_FILE_BYTES} bytes (code body_too_large)`,
        415: `The body is not sent as ${CSV}`,
      }),
    },
  }),
  async (c) => {
    const name = parseMmluFileName(c.req.valid("param").file);
    if (!name) throw new Error("the route's schema lets only release file names through");
    const questions = await storeMmluFile(
      c.env.VECTORS,
      name.split,
      name.subject,
      await csvBody(c.req.raw),
    );
    return c.json({ object: "mmlu_file" as const, ...name, questions }, 200);
  },
);

mmluRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/mmlu",
    tags,
    security,
    summary: "The MMLU subjects loaded, with their questions per split",
    middleware: [operatorOnly],
    responses: {
      200: jsonAnswer(mmluSubjectListSchema, "The subjects, by name"),
      ...errorAnswers(OPERATOR_ERRORS),
    },
  }),
  async (c) => {
    const loaded = await loadedMmlu(c.env.VECTORS);
    const data = [...loaded].map(([subject, questions]) => ({
      object: "mmlu_subject" as const,
      subject,
      questions,
    }));
    return c.json({ object: "list" as const, data }, 200);
  },
);

/** The body as text: sent as CSV, and UTF-8 throughout. */
async function csvBody(request: Request): Promise<string> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== CSV) {
    throw new ApiError(
      415,
      `the body must be sent as ${CSV}`,
      "unsupported_media_type",
      "content-type",
    );
  }
  const bytes = await request.arrayBuffer();
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "body: the file is not UTF-8", "invalid_mmlu_file", "body");
  }
}
