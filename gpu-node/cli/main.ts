// The `steer` command line: the first way users touch the engine.
import { EngineError } from "../engine/errors.ts";
import { serve } from "../server/serve.ts";
import { settingsUsage } from "../server/settings.ts";
import { UsageError } from "./args.ts";
import { demo } from "./demo.ts";
import { evaluate } from "./evaluate.ts";
import { extract } from "./extract.ts";
import { generate } from "./generate.ts";
import { makeTestModel } from "./make-test-model.ts";

const HELP = `Usage: steer <command> [options]

Commands:
  generate          Generate text, optionally steered by control vectors
  extract           Extract a control vector from contrastive examples
  eval              Evaluate a control vector: trait score, coherence, MMLU and KL per multiplier
  make-test-model   Write the tiny test model (Llama 3.1 tokenizer, planted concept)
  demo              Show steering on the test model (nothing to download)
  serve             Serve the model over HTTP (OpenAI-compatible, with steering)

steer generate --model FILE --prompt TEXT [--chat] [--control-vector FILE[:SCALE] ...]
               [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--min-p P]
               [--repetition-penalty R] [--seed S] [--stop TEXT ...]
  --prompt is raw text, with BOS as the model's metadata asks (as llama.cpp's completion tool
  takes it); --chat wraps it as one user message in the model's chat template.
  --control-vector takes llama.cpp control-vector GGUF files; SCALE defaults to 1; several add
  up. --max-tokens defaults to 256. Greedy unless --temperature is given.

steer extract --model FILE (--personas POS.txt NEG.txt | --pairs PAIRS.jsonl) --out VECTOR.gguf
              [--openers FILE] [--template TEXT] [--method M] [--layers band|A-B]
  --personas: persona words or phrases, one a line, POS line i paired with NEG line i, each put
  into --template (default "Respond as an extremely {persona} person would.") as a chat user
  message, followed by every token-prefix of every opener (one a line; default: the built-in
  list). --pairs: JSON Lines of {"positive": "...", "negative": "..."}, raw text.
  --method: pca (default), pca_diff (repeng's), pca_center or mean_diff. --layers: N, A-B or a
  comma list, or band (the upper middle of the stack); default: chosen by measurement, the band
  of layers where the trait reads best on held-out pairs. Writes unit directions (scale them with
  --control-vector FILE:SCALE) and prints the layers chosen and why (every candidate's held-out
  readability), then each layer's separation, explained variance and gap.

steer eval --model FILE --control-vector FILE --trait NAME [--description TEXT]
           [--multipliers -2,-1,0,1,2] [--prompts FILE] [--max-tokens N] [--mmlu-dir DIR]
           [--mmlu-questions N] [--shots N] [--max-coherence-drop X] [--max-mmlu-drop X]
           [--out RESULT.json] [--judge-url URL --judge-model NAME]
  Answers each prompt (one a line; default: a built-in held-out set) at each multiplier (0 is
  always added), the answers of all multipliers decoded together; the model itself, unsteered,
  judges each answer for the trait (NAME, or --description) and for coherence, 0 to 10. MMLU:
  --mmlu-questions (100) from DIR's test/ files, with --shots (0) worked examples from dev/, as
  the release lays them out (--mmlu-dir defaults to STEER_MMLU_DIR; without either, none). KL:
  nats per token from the unsteered model on a neutral text. Prints the table, the recommended
  range (coherence within --max-coherence-drop (2) points and MMLU within --max-mmlu-drop (5)
  points of the unsteered answers'), and the anti-steerable rate; --out writes every answer too.
  --judge-url and --judge-model: an OpenAI-compatible chat endpoint judges instead (its key in
  STEER_JUDGE_API_KEY), scored from its top logprobs where it returns them, else from its reply.

steer make-test-model --out FILE

steer demo
  Writes the test model (if needed) and its planted "cheerful" direction as a control-vector
  file, then answers one prompt under several multipliers, each with the steer generate command
  that reproduces it. (\`npm start\` runs the whole local stack instead.)

steer serve --model FILE|hf:USER/REPO:QUANT|hf:USER/REPO/FILE.gguf [--models-dir DIR] [--port P]
            [--host H] [--vectors-dir DIR] [SETTINGS]
            [--shutdown-grace SECONDS] [--judge-url URL --judge-model NAME]
            [--generator-url URL --generator-model NAME]
  Listens on 127.0.0.1:8080 by default. When STEER_NODE_TOKEN is set, every request but /healthz
  and /readyz must send it as "Authorization: Bearer TOKEN". Vectors uploaded to /v1/vectors live
  in DIR (.cache/vectors).
  An hf: model is downloaded once into --models-dir (.cache/models/hf); HF_TOKEN, HF_ENDPOINT apply.
  Serving settings, each also from its environment variable (the flag wins), printed at start
  and shown in GET /v1/models:
${settingsUsage()}
  Evaluations (/v1/evaluations) are judged by the model
  itself, unsteered, or by --judge-url/--judge-model as steer eval's are. Described traits'
  persona pairs (/v1/datasets) are written by the model itself, unsteered, or by an
  OpenAI-compatible chat endpoint: --generator-url and --generator-model (its key in
  STEER_GENERATOR_API_KEY), asked for JSON through response_format.
  Writes one JSON line per request on stdout. On SIGTERM or SIGINT it refuses new work and lets
  open requests finish for up to --shutdown-grace seconds (30), then cancels them; a second
  signal stops it at once.
`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  generate,
  extract,
  eval: evaluate,
  "make-test-model": makeTestModel,
  demo,
  serve,
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
