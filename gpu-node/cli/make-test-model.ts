// steer make-test-model: writes the tiny planted-concept model the tests and the demo run on.
import { writeTestModel } from "../test-model/index.ts";
import { parse, required } from "./args.ts";

export const MAKE_TEST_MODEL_OPTIONS = { out: { type: "string" } } as const;

export async function makeTestModel(argv: string[]): Promise<void> {
  const o = parse(argv, MAKE_TEST_MODEL_OPTIONS);
  const out = required(o.out, "--out");
  await writeTestModel(out);
  process.stdout.write(`wrote ${out}\n`);
}
