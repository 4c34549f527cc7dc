// Option parsing shared by the commands: node's parseArgs, with errors that say what to fix.
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { EndpointOptions } from "../endpoint/chat-endpoint.ts";

export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parse<O extends Options>(argv: string[], options: O) {
  try {
    const args = joinNegativeValues(argv, options);
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Node's parser refuses an option's value that starts with a dash (`--multipliers -1,0,1` reads
 * as a flag); no flag starts with a dash and a digit, so such a value is joined to its option.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = argv[i + 1];
    const takesValue = arg.startsWith("--") && options[arg.slice(2)]?.type === "string";
    if (takesValue && value !== undefined && /^-[\d.]/.test(value)) {
      joined.push(`${arg}=${value}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
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

/** An OpenAI-compatible endpoint an operator names for work the model itself does by default. */
export type EndpointRole = "judge" | "generator";

type EndpointFlags<R extends EndpointRole> = Record<`${R}-url` | `${R}-model`, { type: "string" }>;

/** --ROLE-url and --ROLE-model, the options naming `role`'s endpoint. */
function endpointFlags<R extends EndpointRole>(role: R): EndpointFlags<R> {
  return {
    [`${role}-url`]: { type: "string" },
    [`${role}-model`]: { type: "string" },
  } as EndpointFlags<R>;
}

/** The judge options `steer serve` and `steer eval` take. */
export const JUDGE_OPTIONS = endpointFlags("judge");

/** The generator options `steer serve` takes: what writes described traits' persona pairs. */
export const GENERATOR_OPTIONS = endpointFlags("generator");

/**
 * `role`'s OpenAI-compatible endpoint, when --ROLE-url and --ROLE-model name one (its key from
 * STEER_ROLE_API_KEY, kept off the command line); undefined for the default, the model itself.
 */
export function endpointOf<R extends EndpointRole>(
  values: Partial<Record<`${R}-url` | `${R}-model`, string>>,
  role: R,
): EndpointOptions | undefined {
  const url = values[`${role}-url`];
  const model = values[`${role}-model`];
  if (url === undefined && model === undefined) return undefined;
  if (url === undefined || model === undefined)
    throw new UsageError(`--${role}-url and --${role}-model go together`);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError(`--${role}-url must be an http(s) URL, got ${JSON.stringify(url)}`);
  const apiKey = process.env[`STEER_${role.toUpperCase()}_API_KEY`] || undefined;
  return { url, model, apiKey };
}
