// Option parsing shared by the commands: node's parseArgs, with errors that say what to fix.
import { type ParseArgsConfig, parseArgs } from "node:util";

export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  return value;
}

/** A number option, or undefined when absent. */
export function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`${flag} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/** FILE[:SCALE]. The scale is after the last colon, so paths may hold colons. */
export function fileAndScale(spec: string): { file: string; scale: number } {
  const colon = spec.lastIndexOf(":");
  const scaleText = colon === -1 ? "" : spec.slice(colon + 1);
  if (colon === -1 || scaleText === "" || Number.isNaN(Number(scaleText)))
    return { file: spec, scale: 1 };
  const scale = Number(scaleText);
  if (!Number.isFinite(scale))
    throw new UsageError(`scale must be a finite number in ${JSON.stringify(spec)}`);
  return { file: spec.slice(0, colon), scale };
}

/** The judge options `steer serve` and `steer eval` take. */
export const JUDGE_OPTIONS = {
  "judge-url": { type: "string" },
  "judge-model": { type: "string" },
} as const;

/**
 * An OpenAI-compatible judge, when --judge-url and --judge-model name one (its key from
 * STEER_JUDGE_API_KEY); undefined for the default judge, the model itself.
 */
export function judgeEndpoint(values: {
  "judge-url"?: string;
  "judge-model"?: string;
}): { url: string; model: string; apiKey?: string } | undefined {
  const url = values["judge-url"];
  const model = values["judge-model"];
  if (url === undefined && model === undefined) return undefined;
  if (url === undefined || model === undefined)
    throw new UsageError("--judge-url and --judge-model go together");
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError(`--judge-url must be an http(s) URL, got ${JSON.stringify(url)}`);
  return { url, model, apiKey: process.env.STEER_JUDGE_API_KEY || undefined };
}
