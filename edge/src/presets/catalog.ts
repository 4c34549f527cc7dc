// The built-in presets, the marketplace's ready-made steerable models: each a dataset of
// contrastive examples per trait (datasets/), trained like a created model on the first install
// on a base model, whose vectors are then cached for the next installers (cache.ts).
import type { ControlDimension } from "../api/steerable-models.ts";
import { cheerful } from "./datasets/cheerful.ts";
import { codingOnly } from "./datasets/coding-only.ts";
import { concise } from "./datasets/concise.ts";
import { formal } from "./datasets/formal.ts";
import { honest } from "./datasets/honest.ts";
import { responsible } from "./datasets/responsible.ts";

export const BUILT_IN_AUTHOR = "steer";

export interface BuiltInPreset {
  /** A preset name (api/presets.ts PRESET_NAME). */
  name: string;
  description: string;
  /** Trait name -> its contrastive examples, as a created model's control_dimensions. */
  traits: Record<string, Pick<ControlDimension, "positive_examples" | "negative_examples">>;
}

export const BUILT_IN_PRESETS: readonly BuiltInPreset[] = [
  responsible,
  codingOnly,
  concise,
  cheerful,
  formal,
  honest,
];

export function builtInPreset(name: string): BuiltInPreset | undefined {
  return BUILT_IN_PRESETS.find((preset) => preset.name === name);
}
