// The built-in texts an evaluation uses when its request gives none: instructions a trait can show
// in (none of them an extraction opener, so a vector is judged on text it was not made from), and a
// neutral passage on which the steered model's drift from the unsteered one is measured.

/** Held-out instructions: everyday requests with room for tone, manner and opinion. */
export const DEFAULT_EVALUATION_PROMPTS = [
  "Describe your ideal weekend.",
  "What do you think about rainy days?",
  "Tell me about the last meal you cooked.",
  "How would you spend a free afternoon in a new city?",
  "Write a short note to a neighbour about a parcel you received for them.",
  "What is your opinion of Monday mornings?",
  "Give me advice on starting to learn the piano.",
  "Describe the view from a window on a winter evening.",
  "How do you feel about moving to a new home?",
  "Write two sentences about a train journey.",
  "What would you say to a friend who failed an exam?",
  "Explain how to make a cup of tea.",
  "Describe an old photograph you found in a drawer.",
  "What do you think of long meetings at work?",
  "Tell me about a garden in autumn.",
  "Summarise your week in three sentences.",
  "What is it like to wait for a delayed flight?",
  "Write a short review of a neighbourhood cafe.",
  "How would you describe the sea to someone who has never seen it?",
  "What do you expect from the coming year?",
] as const;

/**
 * Plain expository prose with no tone of its own: where a steered model's next-token distribution
 * parts from the unsteered one's (KL), it is the vector's doing, not the text's.
 */
export const NEUTRAL_TEXT =
  "The water cycle describes how water moves between the surface of the Earth and the " +
  "atmosphere. Water evaporates from oceans, lakes and rivers, rises as vapour, cools and " +
  "condenses into clouds. It then falls as rain or snow, collects in rivers and ground water, " +
  "and flows back to the sea, where the cycle begins again. The sun provides the energy that " +
  "drives each of these steps.";
