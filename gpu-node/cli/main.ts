// The `steer` command line: the first way users touch the engine.
import { EngineError } from "../engine/errors.ts";
import { UsageError } from "./args.ts";
import { demo } from "./demo.ts";
import { generate } from "./generate.ts";
import { makeTestModel } from "./make-test-model.ts";

const HELP = `Usage: steer <command> [options]

Commands:
  generate          Generate text, optionally steered by control vectors
  make-test-model   Write the tiny test model (Llama 3.1 tokenizer, planted concept)
  demo              Show steering on the test model (what \`npm start\` runs)

steer generate --model FILE --prompt TEXT [--chat] [--control-vector FILE[:SCALE] ...]
               [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--min-p P]
               [--repetition-penalty R] [--seed S] [--stop TEXT ...]
  --prompt is raw text, with BOS as the model's metadata asks (as llama.cpp's completion tool
  takes it); --chat wraps it as one user message in the model's chat template.
  --control-vector takes llama.cpp control-vector GGUF files; SCALE defaults to 1.

steer make-test-model --out FILE
`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  generate,
  "make-test-model": makeTestModel,
  demo,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`steer: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  try {
    await command(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`steer ${name}: ${error.message}\n\n${HELP}`);
      return 2;
    }
    if (error instanceof EngineError) {
      process.stderr.write(`steer ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
