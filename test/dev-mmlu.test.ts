// `npm run mmlu:load` and npm start's STEER_MMLU_DIR (dev/mmlu.ts): every release file of a folder
// PUT to the edge's operator route as it is, with the operator token, and what the edge refuses
// said with the file's name. The edge's side of the route is test/edge/evaluations.test.ts's.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { loadMmlu } from "../dev/mmlu.ts";

interface Received {
  method?: string;
  url?: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A release folder holding `files` (relative path -> content). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "steer-mmlu-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** A stand-in edge that records each request and answers as `answer` says. */
async function edge(answer: (received: Received) => [number, object]) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const got = {
        method: request.method,
        url: request.url,
        authorization: request.headers.authorization,
        contentType: request.headers["content-type"],
        body,
      };
      received.push(got);
      const [status, json] = answer(got);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, received };
}

const ROWS = "What is 1 + 1?,1,2,3,4,B\nWhat is 2 + 2?,4,3,2,1,A\n";

it("PUTs each release file of the folder, as it is, with the operator token", async () => {
  const dir = await folder({
    "test/anatomy_test.csv": ROWS,
    "test/astronomy_test.csv": ROWS.split("\n")[0] as string,
    "dev/anatomy_dev.csv": ROWS,
    "README.md": "not a release file",
    "test/notes.txt": "nor this",
  });
  const { url, received } = await edge(({ body }) => [
    200,
    { object: "mmlu_file", questions: body.trim().split("\n").length },
  ]);
  expect(await loadMmlu(dir, { url, token: "operator-token" })).toEqual({ files: 3, questions: 5 });
  expect(received.map((got) => [got.method, got.url])).toEqual([
    ["PUT", "/v1/mmlu/anatomy_test.csv"],
    ["PUT", "/v1/mmlu/astronomy_test.csv"],
    ["PUT", "/v1/mmlu/anatomy_dev.csv"],
  ]);
  for (const got of received) {
    expect(got).toMatchObject({ authorization: "Bearer operator-token", contentType: "text/csv" });
  }
  expect(received[0]?.body).toBe(ROWS);
});

it("stops at a file the edge refuses, saying which and why", async () => {
  const dir = await folder({ "test/anatomy_test.csv": "half a row\n" });
  const { url } = await edge(() => [
    400,
    { error: { message: "body: row 1 of anatomy: expected question,A,B,C,D,answer" } },
  ]);
  await expect(loadMmlu(dir, { url, token: "t" })).rejects.toThrow(
    "anatomy_test.csv: 400 body: row 1 of anatomy",
  );
});

it("refuses a folder with no release files", async () => {
  const dir = await folder({ "README.md": "empty" });
  await expect(loadMmlu(dir, { url: "http://127.0.0.1:9", token: "t" })).rejects.toThrow(
    "holds no MMLU release files",
  );
});
