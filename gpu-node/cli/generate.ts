// steer generate: one completion, streamed to stdout as it is produced.
import { readFile } from "node:fs/promises";
import { type ControlVector, parseControlVector } from "../../shared/control-vector.ts";
import { Engine } from "../engine/engine.ts";
import { EngineError } from "../engine/errors.ts";
import type { SteeringTerm } from "../engine/steering.ts";
import { fileAndScale, numberOption, parse, required } from "./args.ts";

export const GENERATE_OPTIONS = {
  model: { type: "string" },
  prompt: { type: "string" },
  chat: { type: "boolean" },
  "control-vector": { type: "string", multiple: true },
  "max-tokens": { type: "string" },
  temperature: { type: "string" },
  "top-p": { type: "string" },
  "top-k": { type: "string" },
  "min-p": { type: "string" },
  "repetition-penalty": { type: "string" },
  seed: { type: "string" },
  stop: { type: "string", multiple: true },
} as const;

export async function generate(argv: string[]): Promise<void> {
  const o = parse(argv, GENERATE_OPTIONS);
  const modelPath = required(o.model, "--model");
  const prompt = required(o.prompt, "--prompt");
  const steering = await Promise.all((o["control-vector"] ?? []).map(loadSteeringTerm));

  const engine = await Engine.load(modelPath, { lanes: 1, sequencesPerLane: 1 });
  const events = engine.generate({
    ...(o.chat ? { messages: [{ role: "user" as const, content: prompt }] } : { prompt }),
    maxNewTokens: numberOption(o["max-tokens"], "--max-tokens"),
    sampling: {
      temperature: numberOption(o.temperature, "--temperature"),
      topP: numberOption(o["top-p"], "--top-p"),
      topK: numberOption(o["top-k"], "--top-k"),
      minP: numberOption(o["min-p"], "--min-p"),
      repetitionPenalty: numberOption(o["repetition-penalty"], "--repetition-penalty"),
      seed: numberOption(o.seed, "--seed"),
    },
    stop: o.stop,
    steering,
  });
  for await (const event of events) {
    if (event.type === "text") process.stdout.write(event.text);
    else {
      process.stdout.write("\n");
      const { promptTokens, completionTokens } = event.usage;
      process.stderr.write(
        `[finish: ${event.finishReason}, prompt tokens: ${promptTokens}, completion tokens: ${completionTokens}]\n`,
      );
    }
  }
}

async function loadSteeringTerm(spec: string): Promise<SteeringTerm> {
  const { file, scale } = fileAndScale(spec);
  return { vector: await readControlVector(file), multiplier: scale };
}

/** A control-vector GGUF file; a broken one is an error naming it. */
export async function readControlVector(file: string): Promise<ControlVector> {
  try {
    return parseControlVector(new Uint8Array(await readFile(file)));
  } catch (error) {
    throw new EngineError(
      "invalid_request",
      `control vector ${file}: ${(error as Error).message}`,
      "control-vector",
    );
  }
}
