// What every answer to bad input must be: never a 5xx; a refusal is a 4xx with OpenAI's error
// object, JSON, whose param names the field at fault (the field itself, a field inside it, the
// object holding it, or for a rule across fields, a field beside it).
import { errorBodySchema } from "../../shared/openai/errors.ts";
import type { BadInput } from "./bad-input.ts";

/** What is wrong with `response` as the answer to `badCase`, in words; null: nothing. */
export async function refusalProblem(
  response: Response,
  badCase: Pick<BadInput, "name" | "field" | "expect">,
): Promise<string | null> {
  const text = await response.text();
  const answer = `${response.status} ${text.slice(0, 200)}`;
  const problem = (what: string) => `${badCase.name}: ${what}; got ${answer}`;
  if (response.status >= 500) return problem("a 5xx");
  if (response.status < 400) return badCase.expect === "refused" ? problem("not refused") : null;
  if (!/^application\/json/.test(response.headers.get("content-type") ?? "")) {
    return problem("a refusal that is not JSON");
  }
  const parsed = errorBodySchema.safeParse(safeJson(text));
  if (!parsed.success) return problem("a refusal that is not OpenAI's error object");
  const { param, code } = parsed.data.error;
  // A 401 is about the credential, not a field; a path no route has, about no field either.
  const aboutAField = response.status !== 401 && code !== "not_found";
  const mustName = badCase.expect === "refused" || response.status === 400;
  if (aboutAField && mustName && !namesField(param, badCase.field)) {
    return problem(`a refusal that does not name ${badCase.field}`);
  }
  return null;
}

/** Whether an error's param names `field`, as the header comment above says. */
export function namesField(param: string | null | undefined, field: string): boolean {
  if (!param) return false;
  if (field === "body") return true;
  return within(param, field) || within(field, param) || parentOf(param) === parentOf(field);
}

function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

function parentOf(param: string): string {
  return param.replace(/(\.[^.[]*|\[\d+\])$/, "");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
