// Conditional steering on the engine: a term added only when a condition on the prompt (or on the
// tokens generated, `during`) fires, decided inside the decode that reads it, in shared batches.
// The test model's topic (the sea) is what the conditions read; its cheerful trait is what they
// turn on, on the layers above the one read, so that a fired condition steers exactly as plain
// steering does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Completion, Engine } from "../../gpu-node/engine/engine.ts";
import { EngineError } from "../../gpu-node/engine/errors.ts";
import type { Steering, SteeringTerm } from "../../gpu-node/engine/steering.ts";
import type { ControlVector } from "../../shared/control-vector.ts";
import { loadTestEngine, testModelPath } from "../support/engine.ts";
import {
  CITY_PROMPT as CITY,
  type Planted,
  TOPIC_READ_LAYER as READ_LAYER,
  readPlanted,
  readTopicVectors,
  SEA_PROMPT as SEA,
  type TopicVectors,
} from "../support/planted.ts";

let engine: Engine;
let planted: Planted;
let topic: TopicVectors["topic"];
let sea: ControlVector;
let cheerfulAbove: ControlVector;

beforeAll(async () => {
  engine = await loadTestEngine();
  const { layerCount } = engine.model.metadata;
  planted = await readPlanted(testModelPath, layerCount);
  ({ topic, sea, cheerfulAbove } = await readTopicVectors(testModelPath, layerCount));
});
afterAll(() => engine.close());

/** Cheerful at 1, when the prompt is about the sea (or as `when` says otherwise). */
function cheerfulWhen(
  when: Partial<NonNullable<SteeringTerm["when"]>> = {},
  multiplier = 1,
): SteeringTerm {
  return {
    vector: cheerfulAbove,
    multiplier,
    when: { vector: sea, layer: READ_LAYER, above: 0.05, ...when },
  };
}

function answer(content: string, steering: Steering = [], maxNewTokens = 8): Promise<Completion> {
  return engine.complete({ messages: [{ role: "user", content }], maxNewTokens, steering });
}

describe("a condition on the prompt", () => {
  it("fires on a prompt with the topic's words and not on one without, and says what it read", async () => {
    const onSea = await answer(SEA, [cheerfulWhen()]);
    const onCity = await answer(CITY, [cheerfulWhen()]);
    expect(onSea.steering).toEqual([
      {
        multiplier: 1,
        condition: {
          layer: READ_LAYER,
          above: 0.05,
          projection: expect.any(Number),
          fired: true,
          firedAtToken: 0,
        },
      },
    ]);
    expect(onSea.steering[0]?.condition?.projection).toBeGreaterThan(0.1);
    expect(onCity.steering[0]).toMatchObject({ multiplier: 0, condition: { fired: false } });
    expect(Math.abs(onCity.steering[0]?.condition?.projection as number)).toBeLessThan(1e-4);
  });

  it("steers the requests it fires on exactly as plain steering, and leaves the others unsteered", async () => {
    const plain = [{ vector: cheerfulAbove, multiplier: 1 }];
    expect((await answer(SEA, [cheerfulWhen()])).text).toBe((await answer(SEA, plain)).text);
    expect((await answer(CITY, [cheerfulWhen()])).text).toBe((await answer(CITY)).text);
    // The steering shows: the answer about the sea is not the unsteered one.
    expect((await answer(SEA, plain)).text).not.toBe((await answer(SEA)).text);
  });

  it("always true is plain steering, always false is no steering", async () => {
    const plain = (await answer(CITY, [{ vector: cheerfulAbove, multiplier: 1 }])).text;
    const unsteered = (await answer(CITY)).text;
    expect((await answer(CITY, [cheerfulWhen({ above: -1 })])).text).toBe(plain);
    expect((await answer(CITY, [cheerfulWhen({ above: undefined, below: 1 })])).text).toBe(plain);
    expect((await answer(CITY, [cheerfulWhen({ above: 1 })])).text).toBe(unsteered);
  });

  it("gives each request of a mixed batch exactly what it gets alone", async () => {
    const requests: [string, Steering][] = [
      [SEA, [cheerfulWhen()]],
      [CITY, [cheerfulWhen()]],
      [SEA, []],
      [CITY, [{ vector: planted.cheerful, multiplier: -1 }]],
      [SEA, [{ vector: planted.cheerful, multiplier: -0.5 }, cheerfulWhen({ above: -1 })]],
      [`${SEA} Then another.`, [cheerfulWhen()]],
      [`${CITY} Then another.`, [cheerfulWhen({ above: 1 })]],
      [CITY, [cheerfulWhen({ during: true, window: 2 })]],
    ];
    const alone: Completion[] = [];
    for (const [prompt, steering] of requests) alone.push(await answer(prompt, steering, 12));
    const together = await Promise.all(
      requests.map(([prompt, steering]) => answer(prompt, steering, 12)),
    );
    // The same tokens and decisions. A cosine read in a batch of other shapes is summed in
    // another order: within float rounding of the one read alone.
    expect(together.map(withoutCosines)).toEqual(alone.map(withoutCosines));
    together.forEach((completion, i) => {
      completion.steering.forEach((term, j) => {
        const read = alone[i]?.steering[j]?.condition?.projection as number;
        if (term.condition) expect(term.condition.projection).toBeCloseTo(read, 4);
      });
    });
  });
});

describe("a condition re-checked while generating (during)", () => {
  /** Steers toward the topic above the layer read: the answer drifts to the sea, the prompt not. */
  const drift = (): SteeringTerm => ({
    vector: { directions: new Map([[READ_LAYER + 1, scaled(topic.direction, 0.5)]]) },
    multiplier: 1,
  });
  const words = (text: string) => text.trim().split(/\s+/);

  it("fires where the generated tokens turn to the topic, and steers from there on", async () => {
    const drifting = words((await answer(CITY, [drift()], 12)).text);
    expect(topic.words).toContain(drifting[0]);

    // Strong enough to outweigh the topic words' pull on themselves.
    const during = cheerfulWhen({ during: true, window: 4 }, 4);
    const { steering, text } = await answer(CITY, [drift(), during], 12);
    const condition = steering[1]?.condition;
    expect(condition).toMatchObject({ fired: true, firedAtToken: 4 });
    expect(condition?.projection).toBeLessThan(0.05);
    expect(condition?.windowProjection).toBeGreaterThan(0.05);
    expect(steering[1]?.multiplier).toBe(4);
    // Each word here is one token: the first four as without it, then cheerful ones.
    const answered = words(text);
    expect(answered.slice(0, 4)).toEqual(drifting.slice(0, 4));
    for (const word of answered.slice(4)) expect(planted.concept.positiveWords).toContain(word);
  });

  it("without during, the same drift does not fire it", async () => {
    const { steering } = await answer(CITY, [drift(), cheerfulWhen()], 12);
    expect(steering[1]).toMatchObject({ multiplier: 0, condition: { fired: false } });
    expect(steering[1]?.condition).not.toHaveProperty("windowProjection");
  });
});

describe("refused conditions", () => {
  const refused = (term: SteeringTerm) => {
    try {
      engine.generate({ messages: [{ role: "user", content: SEA }], steering: [term] });
    } catch (error) {
      expect(error).toBeInstanceOf(EngineError);
      return { code: (error as EngineError).code, param: (error as EngineError).param };
    }
    throw new Error("not refused");
  };

  it("names the field at fault", () => {
    const { layerCount } = engine.model.metadata;
    expect(refused(cheerfulWhen({ layer: layerCount - 1 }))).toEqual({
      code: "layer_out_of_range",
      param: "steering[0].when.layer",
    });
    const upper: ControlVector = { directions: new Map([[2, topic.direction]]) };
    expect(refused(cheerfulWhen({ vector: upper, layer: 1 }))).toEqual({
      code: "layer_out_of_range",
      param: "steering[0].when.layer",
    });
    expect(refused(cheerfulWhen({ above: undefined }))).toEqual({
      code: "invalid_request",
      param: "steering[0].when.above",
    });
    expect(refused(cheerfulWhen({ below: 0.1 }))).toEqual({
      code: "invalid_request",
      param: "steering[0].when.above",
    });
    expect(refused(cheerfulWhen({ above: 2 }))).toEqual({
      code: "invalid_request",
      param: "steering[0].when.above",
    });
    expect(refused(cheerfulWhen({ during: true, window: 0 }))).toEqual({
      code: "invalid_request",
      param: "steering[0].when.window",
    });
    const zero: ControlVector = {
      directions: new Map([[1, new Float32Array(topic.direction.length)]]),
    };
    expect(refused(cheerfulWhen({ vector: zero }))).toEqual({
      code: "invalid_request",
      param: "steering[0].when.layer",
    });
  });

  it("refuses a condition outside a generation", () => {
    expect(() => engine.capture([SEA], { layers: [1], steering: [cheerfulWhen()] })).toThrow(
      "only a generation's steering may be conditional",
    );
  });
});

function scaled(direction: Float32Array, factor: number): Float32Array {
  return direction.map((value) => value * factor);
}

/** A completion without what its conditions measured. */
function withoutCosines({ steering, ...rest }: Completion) {
  return {
    ...rest,
    steering: steering.map(({ condition, ...term }) => {
      if (!condition) return term;
      const { projection, windowProjection, ...decision } = condition;
      return { ...term, condition: decision };
    }),
  };
}
