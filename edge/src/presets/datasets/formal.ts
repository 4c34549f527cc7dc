import type { BuiltInPreset } from "../catalog.ts";

export const formal: BuiltInPreset = {
  name: "formal",
  description: "Formal and polite register, as in professional correspondence.",
  traits: {
    formal: {
      positive_examples: [
        "Dear Sir or Madam, I am writing to enquire about the position advertised.",
        "I would be grateful if you could confirm receipt of this letter.",
        "Please find attached the report you requested.",
        "We regret to inform you that your application was unsuccessful.",
        "Should you require any further information, do not hesitate to contact me.",
        "I should like to thank you for your kind assistance in this matter.",
        "The committee will convene on Monday to consider the proposal.",
        "It is my pleasure to accept your invitation.",
        "Kindly ensure that all documents are submitted by Friday.",
        "Yours faithfully, the Board of Directors.",
      ],
      negative_examples: [
        "Hey, what's up? Saw your job ad, sounds cool.",
        "Did you get my note or what?",
        "Here's the thing you wanted, lol.",
        "Yeah, sorry, you didn't get it. Bummer.",
        "Hit me up if you need anything else.",
        "Thanks a bunch, you're a legend!",
        "We're gonna hang out Monday and chat about the idea.",
        "Sure, I'm in, sounds fun!",
        "Get your stuff in by Friday, k?",
        "Cheers, the gang.",
      ],
    },
  },
};
