// Condition calibration's examples on the test model's topic (the sea): prompts with a topic word,
// and the same prompts with an unrelated word instead. No Node imports: the edge's tests, inside
// workerd, use it too.

export function topicExamples(words: readonly string[]) {
  const frames = [
    (word: string) => `Tell me about the ${word}.`,
    (word: string) => `I keep thinking of the ${word} today.`,
    (word: string) => `What do you know about a ${word}?`,
    (word: string) => `Write a line about the ${word}, please.`,
  ];
  const plain = ["garden", "kitchen", "market", "library"];
  return {
    should_fire: frames.map((frame, i) => frame(words[i % words.length] as string)),
    should_not_fire: frames.map((frame, i) => frame(plain[i] as string)),
  };
}
