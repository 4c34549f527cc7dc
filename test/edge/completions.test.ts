// The product's original POST /completions through the Worker to the real GPU node: a steerable
// model or the base model, control_settings per trait and HF-style settings with the original's
// defaults, answered in the original shape.
import { beforeAll, describe, expect, it } from "vitest";
import type { SteeredCompletion } from "../../edge/src/api/completions.ts";
import type { ChatCompletion } from "../../shared/openai/chat.ts";
import type { ApiErrorBody } from "../../shared/openai/errors.ts";
import { BASE_MODEL, cheerfulWords, DAY_PROMPT, plantedModel } from "./steered-model.ts";
import { call, newAccount, usageRows } from "./support.ts";

let account: Awaited<ReturnType<typeof newAccount>>;
let model: Awaited<ReturnType<typeof plantedModel>>;

beforeAll(async () => {
  account = await newAccount();
  model = await plantedModel(account.accountId);
});

function post(path: string, body: object, key = account.key): Promise<Response> {
  return call(path, { method: "POST", key, body: JSON.stringify(body) });
}

const prompt = DAY_PROMPT[0]?.content as string;
const settings = { max_new_tokens: 8 };

describe("POST /completions", () => {
  it("answers steered content in the original shape, and meters it", async () => {
    const { accountId, key } = await newAccount();
    const { id } = await plantedModel(accountId);
    const complete = async (multiplier: number) => {
      const body = { model: id, prompt, control_settings: { cheerful: multiplier }, settings };
      const response = await post("/completions", body, key);
      expect(response.status).toBe(200);
      return (await response.json()) as SteeredCompletion;
    };
    const cheerful = await complete(1);
    // Both name the model asked for, as the original's answers did.
    expect(cheerful).toMatchObject({ model_id: id, object: "text_completion", model: id });
    expect(cheerful.created).toBeCloseTo(Date.now() / 1000, -1);
    expect(cheerfulWords(cheerful.content)).toBeGreaterThanOrEqual(6);
    expect(cheerful.usage.completion_tokens).toBe(8);
    expect(cheerfulWords((await complete(0)).content)).toBe(0);
    const [row] = await usageRows(accountId, 2);
    expect(row).toMatchObject({
      model: id,
      endpoint: "/completions",
      promptTokens: cheerful.usage.prompt_tokens,
      completionTokens: 8,
      outcome: "completed",
    });
  });

  it("says what the chat endpoint says for the same prompt and steering, with the original's repetition_penalty 1.1", async () => {
    const body = { model: model.id, prompt, control_settings: { cheerful: 0.5 }, settings };
    const original = (await (await post("/completions", body)).json()) as SteeredCompletion;
    const chatAnswer = async (extra: object) =>
      (
        (await (
          await post("/v1/chat/completions", {
            model: model.id,
            messages: DAY_PROMPT,
            max_tokens: 8,
            steering: { cheerful: 0.5 },
            ...extra,
          })
        ).json()) as ChatCompletion
      ).choices[0]?.message.content;
    expect(original.content).toBe(await chatAnswer({ repetition_penalty: 1.1 }));
    const unpenalised = { ...body, settings: { ...settings, repetition_penalty: 1 } };
    const plain = (await (await post("/completions", unpenalised)).json()) as SteeredCompletion;
    expect(plain.content).toBe(await chatAnswer({}));
  });

  it("runs the base model unsteered, as its error message promises, and steers it with a model's trait", async () => {
    const plain = await post("/completions", { model: BASE_MODEL, prompt, settings });
    expect(plain.status).toBe(200);
    const answer = (await plain.json()) as SteeredCompletion;
    expect(answer).toMatchObject({ model_id: BASE_MODEL, model: BASE_MODEL });
    expect(cheerfulWords(answer.content)).toBe(0);
    const control_settings = { [`${model.id}/cheerful`]: 1 };
    const steered = await post("/completions", {
      model: BASE_MODEL,
      prompt,
      control_settings,
      settings,
    });
    expect(
      cheerfulWords(((await steered.json()) as SteeredCompletion).content),
    ).toBeGreaterThanOrEqual(6);
  });

  it("refuses what it cannot serve, naming the field", async () => {
    const other = await newAccount();
    const theirs = await plantedModel(other.accountId);
    const pending = await plantedModel(account.accountId, "pending");
    const cases: [object, number, string, string][] = [
      [{ model: theirs.id }, 404, "model", "model_not_found"],
      [{ model: "nothing" }, 404, "model", "model_not_found"],
      [{ model: pending.id }, 409, "model", "model_not_ready"],
      [{ control_settings: { gloomy: 1 } }, 400, "control_settings.gloomy", "unknown_trait"],
      [
        { control_settings: JSON.parse('{"__proto__": 1}') },
        400,
        "control_settings.__proto__",
        "invalid_request",
      ],
      [
        { control_settings: { constructor: 1 } },
        400,
        "control_settings.constructor",
        "unknown_trait",
      ],
      [
        { control_settings: { cheerful: -11 } },
        400,
        "control_settings.cheerful",
        "invalid_request",
      ],
      [{ settings: { max_new_tokens: 0 } }, 400, "settings.max_new_tokens", "invalid_request"],
      // One range for repetition_penalty, here and in chat.
      [
        { settings: { repetition_penalty: 1e308 } },
        400,
        "settings.repetition_penalty",
        "invalid_request",
      ],
      // The node's limit, named by this request's own field.
      [
        { settings: { max_new_tokens: 100_000 } },
        400,
        "settings.max_new_tokens",
        "context_length_exceeded",
      ],
      [{ settings: { num_beams: 4 } }, 400, "settings.num_beams", "unknown_field"],
      [{ steering: { cheerful: 1 } }, 400, "steering", "unknown_field"],
      [{ prompt: "" }, 400, "prompt", "invalid_request"],
    ];
    for (const [override, status, param, code] of cases) {
      const response = await post("/completions", { model: model.id, prompt, ...override });
      const { error } = (await response.json()) as ApiErrorBody;
      expect({ status: response.status, param: error.param, code: error.code }).toEqual({
        status,
        param,
        code,
      });
    }
  });
});
