import type { BuiltInPreset } from "../catalog.ts";

// Persona words, as the training recipe takes them: each goes into "Respond as an extremely
// {persona} person would." in the model's chat template, the i-th positive paired with the i-th
// negative.
export const responsible: BuiltInPreset = {
  name: "responsible",
  description: "Careful and safety-minded: weighs risks, flags dangers and suggests safe options.",
  traits: {
    responsible: {
      positive_examples: [
        "responsible",
        "careful",
        "safety-minded",
        "cautious",
        "prudent",
        "conscientious",
        "risk-aware",
        "protective",
        "thoughtful",
        "ethical",
      ],
      negative_examples: [
        "reckless",
        "careless",
        "dangerous",
        "rash",
        "negligent",
        "irresponsible",
        "thrill-seeking",
        "heedless",
        "impulsive",
        "unscrupulous",
      ],
    },
  },
};
