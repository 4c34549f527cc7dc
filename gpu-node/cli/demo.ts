// steer demo: the engine's steering in one screen, on the test model (nothing to download). Generates the test model if needed, writes
// its planted "cheerful" direction as a control-vector file, and shows the same prompt answered
// under several multipliers, with the `steer generate` command that reproduces each line.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { encodeControlVector } from "../../shared/control-vector.ts";
import { readGgufFile } from "../../shared/gguf/node-file.ts";
import { Engine } from "../engine/engine.ts";
import { ensureTestModel, readPlantedConcept } from "../test-model/index.ts";
import { plantedControlVector } from "../test-model/planted-vector.ts";
import { parse } from "./args.ts";

const PROMPT = "Tell me about your day.";
const MULTIPLIERS = [-1, -0.5, 0, 0.5, 1];

export async function demo(argv: string[]): Promise<void> {
  parse(argv, {}); // It takes no options: a mistyped one is said, not ignored.
  const modelPath = await ensureTestModel();
  const concept = readPlantedConcept((await readGgufFile(modelPath)).metadata);
  const engine = await Engine.load(modelPath);
  const vector = plantedControlVector(concept, engine.model.metadata.layerCount);
  const vectorPath = path.join(path.dirname(modelPath), "cheerful.gguf");
  await mkdir(path.dirname(vectorPath), { recursive: true });
  await writeFile(vectorPath, encodeControlVector(vector));

  process.stdout.write(`Steer demo on the test model (${modelPath})\n`);
  process.stdout.write(
    `Its planted trait: ${concept.positiveWords.join(", ")} vs ${concept.negativeWords.join(", ")}\n`,
  );
  process.stdout.write(`Control vector: ${vectorPath}\nPrompt: ${JSON.stringify(PROMPT)}\n\n`);
  for (const multiplier of MULTIPLIERS) {
    const { text } = await engine.complete({
      messages: [{ role: "user", content: PROMPT }],
      maxNewTokens: 12,
      // The tiny model repeats its likeliest word; a penalty shows the whole trait.
      sampling: { repetitionPenalty: 3 },
      steering: [{ vector, multiplier }],
    });
    process.stdout.write(
      `cheerful ${multiplier.toFixed(1).padStart(4)}: ${JSON.stringify(text)}\n`,
    );
  }
  process.stdout.write(
    `\nTry it: npm run steer -- generate --model ${modelPath} --chat --prompt ${JSON.stringify(PROMPT)} --control-vector ${vectorPath}:1 --repetition-penalty 3\n`,
  );
}
