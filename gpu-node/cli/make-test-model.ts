// steer make-test-model: writes the tiny planted-concept model the tests and the demo run on.
import { writeTestModel } from "../test-model/index.ts";
import { parse, required } from "./args.ts";

export async function makeTestModel(argv: string[]): Promise<void> {
  const o = parse(argv, { out: { type: "string" } });
  const out = required(o.out, "--out");
  await writeTestModel(out);
  process.stdout.write(`wrote ${out}\n`);
}
