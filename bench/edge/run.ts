// The edge's added latency: the same short chat completions sent straight to the GPU node and
// through the edge (auth, rate limits, metering, forwarding), by N concurrent clients over
// loopback, in interleaved rounds. The edge runs in workerd as deployed (Miniflare, the Worker as
// wrangler bundles it); `--wrangler-dev` adds the edge as `npm start` runs it, under `wrangler dev`
// (a local proxy in front, so not what production adds); `--baseline REF` adds the edge of an
// earlier commit (a git worktree of REF under .cache), run the same way, to compare with. Reports
// p50 and p99 of each and what the edge adds. Target: under 3 ms added at p50.
// Usage: npx tsx bench/edge/run.ts [--quick] [--wrangler-dev] [--baseline REF]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { startStack } from "../../test/e2e/stack.ts";
import { type LoadResult, runLoad, stopwatch } from "../serve/load.ts";
import { baselineCheckout } from "./baseline.ts";
import { startWorkerdEdge } from "./workerd-edge.ts";

const quick = process.argv.includes("--quick");
const withWranglerDev = process.argv.includes("--wrangler-dev");
const baselineAt = process.argv.indexOf("--baseline");
const baselineRef = baselineAt > 0 ? process.argv[baselineAt + 1] : undefined;
const settings = {
  clients: 16,
  // Under wrangler dev the default rate limit holds (600 requests a minute per account): stay under
  // it.
  requestsPerClient: quick ? 4 : withWranglerDev ? 12 : 24,
  rounds: quick ? 1 : 5,
  maxTokens: 4,
};

const nodeToken = randomBytes(24).toString("base64url");
// The node gets core 0, the edge and the clients core 1: deployed, the edge runs on other machines
// than the GPU node, and llama.cpp's spinning threads would otherwise slow whatever shares their
// cores, charging the edge with a contention it does not have in production. Everything started
// from here inherits core 1; the node is moved to core 0 once it runs.
pinToCpu(process.pid, 1);
const stack = await startStack({ STEER_NODE_TOKEN: nodeToken, STEER_THREADS: "1" });
pinToCpu(stack.nodePid(), 0);
const workerd = await startWorkerdEdge(stack.nodeUrl, nodeToken);
const baseline =
  baselineRef === undefined
    ? undefined
    : await startWorkerdEdge(stack.nodeUrl, nodeToken, await baselineCheckout(baselineRef));

/** One way to the model: where requests go and as whom. */
interface Route {
  name: string;
  url: string;
  token: string;
}
const direct: Route = { name: "node directly", url: stack.nodeUrl, token: nodeToken };
const edges: Route[] = [
  { name: "edge in workerd (as deployed)", url: workerd.url, token: workerd.apiKey },
  ...(baseline
    ? [{ name: `edge of ${baselineRef} in workerd`, url: baseline.url, token: baseline.apiKey }]
    : []),
  ...(withWranglerDev
    ? [{ name: "edge under wrangler dev", url: stack.edgeUrl, token: stack.apiKey }]
    : []),
];
const routes = [direct, ...edges];

async function complete(route: Route, client: number) {
  const watch = stopwatch();
  const response = await fetch(`${route.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${route.token}`,
      "content-type": "application/json",
      // Uncompressed, as the node answers. Deployed, Cloudflare compresses a Worker's answer in
      // front of it, off the Worker's CPU; Miniflare does it in the Worker's own process.
      "accept-encoding": "identity",
    },
    body: JSON.stringify({
      model: "steer-test",
      messages: [{ role: "user", content: `Client ${client}: tell me about your day.` }],
      max_tokens: settings.maxTokens,
    }),
  });
  if (!response.ok) throw new Error(`${route.name}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { usage: { completion_tokens: number } };
  return watch.end(body.usage.completion_tokens);
}

const load = (route: Route) =>
  runLoad(settings.clients, settings.requestsPerClient, (client) => complete(route, client));

try {
  // One warm-up each: the first request pays for compiling the Worker and loading caches.
  await Promise.all(routes.map((route) => complete(route, 0)));
  const results = new Map<Route, LoadResult[]>(routes.map((route) => [route, []]));
  for (let round = 0; round < settings.rounds; round++) {
    // Each round starts with a different route, so that none always follows another.
    const order = routes.map((_, i) => routes[(i + round) % routes.length] as Route);
    for (const route of order) results.get(route)?.push(await load(route));
  }
  process.stdout.write(report(results));
} finally {
  await workerd.stop();
  await baseline?.stop();
  await stack.stop();
}

/** Pins a process, all its threads, to one CPU (Linux's taskset). */
function pinToCpu(pid: number, cpu: number): void {
  execFileSync("taskset", ["--all-tasks", "--pid", "--cpu-list", String(cpu), String(pid)], {
    stdio: "ignore",
  });
}

function report(results: Map<Route, LoadResult[]>): string {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
  const ms = (seconds: number) => (seconds * 1000).toFixed(1);
  const summary = (route: Route) => {
    const runs = results.get(route) ?? [];
    return {
      p50: median(runs.map((r) => r.latency.p50)),
      p99: median(runs.map((r) => r.latency.p99)),
    };
  };
  const node = summary(direct);
  const rows = edges.flatMap((route) => {
    const edge = summary(route);
    return [
      `| ${route.name} | ${ms(edge.p50)} | ${ms(edge.p99)} |`,
      `| added by the ${route.name} | ${ms(edge.p50 - node.p50)} | ${ms(edge.p99 - node.p99)} |`,
    ];
  });
  return [
    `${settings.clients} clients x ${settings.requestsPerClient} requests, ${settings.maxTokens} ` +
      `tokens each, ${settings.rounds} interleaved round(s); medians over rounds`,
    "",
    "| route | p50 ms | p99 ms |",
    "| --- | --- | --- |",
    `| ${direct.name} | ${ms(node.p50)} | ${ms(node.p99)} |`,
    ...rows,
    "",
  ].join("\n");
}
