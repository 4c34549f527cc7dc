// MMLU as the operator loads it into the deployment (PUT /v1/mmlu/{file}, one release file each)
// for evaluations to ask, and what is loaded (GET /v1/mmlu).
import { z } from "zod";
import { MMLU_SPLITS, parseMmluFileName } from "../../../shared/evaluation/mmlu.ts";
import { listOf } from "../../../shared/openai/list.ts";

export const mmluFileParams = z.object({
  file: z
    .string()
    .refine(
      (name) => parseMmluFileName(name) !== null,
      "must be a release file's name, <subject>_test.csv or <subject>_dev.csv",
    )
    .describe("The release file's name: <subject>_<split>.csv"),
});

export const loadedMmluFileSchema = z
  .object({
    object: z.literal("mmlu_file"),
    subject: z.string(),
    split: z.enum(MMLU_SPLITS),
    questions: z.number().int(),
  })
  .meta({ id: "MmluFile" });

export const mmluSubjectSchema = z
  .object({
    object: z.literal("mmlu_subject"),
    subject: z.string(),
    questions: z
      .object({ test: z.number().int(), dev: z.number().int() })
      .describe("Loaded per split: test is asked, dev gives the worked examples"),
  })
  .meta({ id: "MmluSubject" });

export const mmluSubjectListSchema = listOf(mmluSubjectSchema).meta({ id: "MmluSubjectList" });
