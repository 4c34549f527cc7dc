// Presets: CRUD, validation, steering through a preset, the vector they protect, and persistence,
// in process through app.request.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Engine } from "../../gpu-node/engine/engine.ts";
import type { ChatCompletion } from "../../shared/api/chat.ts";
import type { ApiErrorBody } from "../../shared/api/errors.ts";
import type { PresetList, PresetObject } from "../../shared/api/presets.ts";
import type { VectorList, VectorObject } from "../../shared/api/vectors.ts";
import { type ControlVector, encodeControlVector } from "../../shared/control-vector.ts";
import { loadTestEngine, randomControlVector, testModelPath } from "../support/engine.ts";
import { DAY_PROMPT, readPlanted } from "../support/planted.ts";
import { type InProcessNode, openApp } from "./in-process.ts";

type App = InProcessNode["app"];

let engine: Engine;
let dir: string;
let app: App;
let cheerfulId: string;

beforeAll(async () => {
  engine = await loadTestEngine();
  dir = await mkdtemp(path.join(tmpdir(), "steer-presets-"));
  ({ app } = await openApp(engine, dir));
  const { cheerful } = await readPlanted(testModelPath, engine.model.metadata.layerCount);
  cheerfulId = await upload(cheerful);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

async function upload(vector: ControlVector): Promise<string> {
  const response = await app.request("/v1/vectors", {
    method: "POST",
    body: encodeControlVector(vector) as Uint8Array<ArrayBuffer>,
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as VectorObject).id;
}

function put(name: string, body: unknown, target = app) {
  return target.request(`/v1/presets/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

function chat(steering: Record<string, number>, target = app) {
  return target.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: DAY_PROMPT, max_tokens: 8, steering }),
  });
}

async function answer(steering: Record<string, number>, target = app): Promise<string> {
  const response = await chat(steering, target);
  expect(response.status).toBe(200);
  return (await json<ChatCompletion>(response)).choices[0]?.message.content ?? "";
}

async function expectError(response: Response, status: number, param: string, code?: string) {
  expect(response.status).toBe(status);
  const { error } = await json<ApiErrorBody>(response);
  expect(error.param).toBe(param);
  if (code) expect(error.code).toBe(code);
  return error;
}

describe("presets", () => {
  it("creates, replaces, lists, reads and deletes a preset, leaving its vector", async () => {
    const created = await put("sunny", { vector_id: cheerfulId });
    expect(created.status).toBe(201);
    const first = await json<PresetObject>(created);
    expect(first).toEqual({
      object: "preset",
      name: "sunny",
      vector_id: cheerfulId,
      description: null,
      created: expect.any(Number),
    });

    const replaced = await put("sunny", { vector_id: cheerfulId, description: "upbeat" });
    expect(replaced.status).toBe(200);
    expect(await json<PresetObject>(replaced)).toMatchObject({ description: "upbeat" });
    expect(await json<PresetList>(app.request("/v1/presets"))).toEqual({
      object: "list",
      data: [{ ...first, description: "upbeat", created: expect.any(Number) }],
    });
    expect(await json<PresetObject>(app.request("/v1/presets/sunny"))).toMatchObject({
      name: "sunny",
      description: "upbeat",
    });

    const deleted = await app.request("/v1/presets/sunny", { method: "DELETE" });
    expect(await json(deleted)).toEqual({ name: "sunny", object: "preset", deleted: true });
    await expectError(await app.request("/v1/presets/sunny"), 404, "name", "preset_not_found");
    const again = await app.request("/v1/presets/sunny", { method: "DELETE" });
    await expectError(again, 404, "name", "preset_not_found");
    const vectors = await json<VectorList>(app.request("/v1/vectors"));
    expect(vectors.data.map((vector) => vector.id)).toContain(cheerfulId);
  });

  it("rejects bad names and vector ids naming the field", async () => {
    const body = { vector_id: cheerfulId };
    for (const name of ["Sunny", "1sunny", "sun%20ny", "a".repeat(64), cheerfulId]) {
      await expectError(await put(name, body), 400, "name", "invalid_request");
    }
    await expectError(await app.request("/v1/presets/Sunny"), 400, "name");
    await expectError(await put("sunny", { vector_id: "0".repeat(64) }), 404, "vector_id");
    await expectError(await put("sunny", { vector_id: "cheerful" }), 400, "vector_id");
    await expectError(
      await put("sunny", { vector_id: cheerfulId, description: 1 }),
      400,
      "description",
    );
    await expectError(await put("sunny", "{not json"), 400, "body", "invalid_json");
    expect((await json<PresetList>(app.request("/v1/presets"))).data).toEqual([]);

    const longest = "a".repeat(63);
    expect((await put(longest, body)).status).toBe(201);
    await app.request(`/v1/presets/${longest}`, { method: "DELETE" });
  });

  it("steers through a preset exactly as through its vector id", async () => {
    expect((await put("cheerful", { vector_id: cheerfulId })).status).toBe(201);
    const byId = await answer({ [cheerfulId]: 1 });
    expect(await answer({ cheerful: 1 })).toBe(byId);
    expect(await answer({ cheerful: -1 })).toBe(await answer({ [cheerfulId]: -1 }));
    expect(await answer({})).not.toBe(byId);

    await expectError(await chat({ gloomy: 1 }), 404, "steering.gloomy", "preset_not_found");
    const missing = "0".repeat(64);
    await expectError(await chat({ [missing]: 1 }), 404, `steering.${missing}`, "vector_not_found");
    await app.request("/v1/presets/cheerful", { method: "DELETE" });
  });

  it("refuses to delete a vector a preset names", async () => {
    const { layerCount, embeddingSize } = engine.model.metadata;
    const id = await upload(randomControlVector(7, layerCount, embeddingSize, 1));
    await put("first", { vector_id: id });
    await put("second", { vector_id: id });

    const refused = await app.request(`/v1/vectors/${id}`, { method: "DELETE" });
    const error = await expectError(refused, 409, "id", "vector_in_use");
    expect(error.message).toContain("first, second");
    expect((await app.request(`/v1/vectors/${id}`)).status).toBe(200);

    await app.request("/v1/presets/first", { method: "DELETE" });
    await put("second", { vector_id: cheerfulId });
    expect((await app.request(`/v1/vectors/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await app.request(`/v1/vectors/${id}`)).status).toBe(404);
    await app.request("/v1/presets/second", { method: "DELETE" });
  });

  it("keeps presets across reopening the store", async () => {
    await put("kept", { vector_id: cheerfulId, description: "survives" });
    const before = await json<PresetList>(app.request("/v1/presets"));

    const reopened = await openApp(engine, dir);
    expect(await json<PresetList>(reopened.app.request("/v1/presets"))).toEqual(before);
    expect(await answer({ kept: 1 }, reopened.app)).toBe(await answer({ [cheerfulId]: 1 }));
    await app.request("/v1/presets/kept", { method: "DELETE" });
  });

  it("moves a corrupt presets file aside and starts with none", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "steer-presets-"));
    try {
      const garbage = '{"presets": [{"name": "Not Valid"}]}';
      await writeFile(path.join(other, "presets.json"), garbage);
      const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
      const opened = await openApp(engine, other);
      expect(logged).toHaveBeenCalledOnce();
      logged.mockRestore();
      expect(opened.presets.list()).toEqual([]);
      const files = await readdir(other);
      const aside = files.find((file) => file.startsWith("presets.json.corrupt-"));
      expect(files).not.toContain("presets.json");
      expect(await readFile(path.join(other, aside ?? "missing"), "utf8")).toBe(garbage);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
