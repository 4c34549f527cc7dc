// Script (`npm run mmlu:load`): loads a folder of MMLU release files into an edge, through its
// operator route (dev/mmlu.ts), so that its evaluations ask MMLU questions. `npm start` runs the
// same after the edge is up when STEER_MMLU_DIR is set.
//
//   npm run mmlu:load -- --dir DIR [--url URL] [--token TOKEN]
//
//   --dir    the release's folder: DIR/test/<subject>_test.csv, DIR/dev/<subject>_dev.csv
//            (default STEER_MMLU_DIR)
//   --url    the edge (default STEER_EDGE_URL, else http://127.0.0.1:8787, `npm start`'s)
//   --token  its operator token (default STEER_OPERATOR_TOKEN; better there than on a command
//            line, where `ps` shows it)
import { parseArgs } from "node:util";
import { loadMmlu } from "./mmlu.ts";

const USAGE = "usage: npm run mmlu:load -- --dir DIR [--url URL] [--token TOKEN]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { dir: { type: "string" }, url: { type: "string" }, token: { type: "string" } },
  });
  const dir = values.dir ?? process.env.STEER_MMLU_DIR;
  const url = values.url ?? process.env.STEER_EDGE_URL ?? "http://127.0.0.1:8787";
  const token = values.token ?? process.env.STEER_OPERATOR_TOKEN;
  if (!dir || !token) {
    process.stderr.write(`mmlu:load: give the folder and the operator token\n${USAGE}\n`);
    return 2;
  }
  try {
    const loaded = await loadMmlu(dir, { url, token });
    process.stdout.write(`loaded ${loaded.files} MMLU files (${loaded.questions} questions)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`mmlu:load: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main();
