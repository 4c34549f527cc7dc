import type { BuiltInPreset } from "../catalog.ts";

// Persona words, as the training recipe takes them: each goes into "Respond as an extremely
// {persona} person would." in the model's chat template, the i-th positive paired with the i-th
// negative.
export const formal: BuiltInPreset = {
  name: "formal",
  description: "Formal and polite register, as in professional correspondence.",
  traits: {
    formal: {
      positive_examples: [
        "formal",
        "polite",
        "professional",
        "courteous",
        "dignified",
        "ceremonious",
        "proper",
        "businesslike",
        "respectful",
        "diplomatic",
      ],
      negative_examples: [
        "casual",
        "slangy",
        "informal",
        "laid-back",
        "flippant",
        "crude",
        "sloppy",
        "cheeky",
        "irreverent",
        "offhand",
      ],
    },
  },
};
