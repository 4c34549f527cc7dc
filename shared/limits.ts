// The product's limits, each defined once: the public API's schemas, the GPU node's contract, the
// engine and extraction all import them from here, so a limit cannot say one thing at the edge and
// another on the node.

/** The largest |multiplier| a request may ask for (useful values lie within about +-2). */
export const MAX_MULTIPLIER = 10;

/** The largest repetition_penalty (1: none; useful values lie between 1 and about 1.5). */
export const MAX_REPETITION_PENALTY = 10;

/**
 * The largest norm of one layer's direction in a control vector. Extraction (ours, repeng's,
 * llama.cpp's cvector-generator) writes unit directions, and a request scales a vector by at most
 * MAX_MULTIPLIER, so the strongest steering it makes adds a norm of 10 to a layer's output. A file
 * may carry a scale of its own (the test model's planted vector has norm 1 a layer,
 * test/fixtures/repeng-vector.gguf up to 3.5): ten times that strongest steering leaves room for
 * any scale a person would choose, and refuses what could only drown the residual stream (tens to
 * hundreds in norm on an 8B Llama) at any multiplier, such as values near float32's largest.
 */
export const MAX_DIRECTION_NORM = 10 * MAX_MULTIPLIER;

/** Stop sequences per generation request. */
export const MAX_STOP_SEQUENCES = 16;

/** A sampling seed is 32 bits, as llama.cpp takes it. */
export const MAX_SEED = 2 ** 32 - 1;

/** Tokens a generation makes when its request does not say. */
export const DEFAULT_MAX_TOKENS = 256;

/** Traits (control dimensions) in one steerable model. */
export const MAX_TRAITS = 16;

/** Positive (and as many negative) examples per trait: each pair is one persona pair. */
export const MAX_EXAMPLES = 256;

/** Characters of one example, one persona, one opener (prompt_list entry) or one template. */
export const MAX_EXAMPLE_CHARS = 2000;

/** Openers (the original's prompt_list) per extraction. */
export const MAX_OPENERS = 512;

/**
 * Characters of a persona's instruction: the template with the persona in each {persona}. A
 * template and a persona at their longest, once: a template that holds {persona} once never meets
 * it. A template repeating {persona} would otherwise make each prompt the node tokenizes hundreds
 * of times the persona's size, in one call that holds the node's event loop.
 */
export const MAX_INSTRUCTION_CHARS = 2 * MAX_EXAMPLE_CHARS;

/**
 * Live (unrevoked) API keys per account; revoking one frees its place. Rate limits are the
 * account's whatever key is used, so the cap is not what bounds an account's load: it keeps the
 * key list one a person can oversee, and a leaked admin key from minting keys without end. Here
 * rather than a wrangler var: the API's description (OpenAPI) states it, and that is built from
 * declarations, not from a deployment's settings.
 */
export const MAX_KEYS_PER_ACCOUNT = 20;

/** Characters of a customer's free label (model_label) or a name. */
export const MAX_LABEL_CHARS = 200;

/** A GPU node's base URL, as the operator registers it (POST /v1/operator/nodes). */
export const MAX_NODE_URL_CHARS = 2048;

/** Contrast pairs one extraction may capture: hidden states take pairs x layers x width x 4 bytes. */
export const MAX_EXTRACTION_PAIRS = 20_000;

/**
 * Tokens one extraction may capture, its texts' all told: what its time on the GPU, and the
 * node's memory while it waits, grow with. MAX_EXTRACTION_PAIRS pairs of two texts of 100 tokens
 * on average (a persona's prompt, 20 to 50 tokens in a model's chat template, then an opener
 * prefix, a few). With Llama 3's tokenizer the default openers make 332 prefixes of 893 tokens in
 * all, which leaves room for 60 persona pairs under MAX_EXTRACTION_PAIRS (the 256 a trait may have
 * would be 85,000 pairs, refused as too many); those 60 with 50-token prompts come to 2.1 million
 * tokens, well within. What it refuses is long texts times many prefixes: a 1,000-token opener
 * makes 1,000 prefixes of 500,000 tokens in all, captured on both sides of every persona pair.
 */
export const MAX_EXTRACTION_TOKENS = MAX_EXTRACTION_PAIRS * 2 * 100;

/**
 * Contrast pairs an extraction measures its layers on when it chooses them (a sample spread over
 * the dataset when it has more). Measuring captures every candidate layer, nearly the whole stack,
 * where the vector keeps a band: this many pairs x 30 candidate layers x 4096 wide x 4 bytes is
 * 500 MB for an 8B Llama. The other pairs are captured at the chosen band alone.
 */
export const MAX_MEASURED_PAIRS = 1024;

/** The largest JSON body a GPU node reads. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** The largest control-vector file a GPU node takes (an 8B model's is about 0.5 MB). */
export const MAX_VECTOR_BYTES = 32 * 1024 * 1024;

/** Multipliers one evaluation compares (0, the unsteered baseline, is always among them). */
export const MAX_EVALUATION_MULTIPLIERS = 21;

/** Prompts one evaluation answers at every multiplier. */
export const MAX_EVALUATION_PROMPTS = 50;

/** Tokens each evaluation answer may make: answers are read by a judge, not shipped. */
export const MAX_EVALUATION_TOKENS = 256;

/**
 * MMLU questions one evaluation asks at every multiplier. The edge sends them to a GPU node in one
 * request, under MAX_JSON_BODY_BYTES: MMLU's longest subject averages about 1,800 characters a
 * question, and its five few-shot examples per subject add at most as much again.
 */
export const MAX_MMLU_QUESTIONS = 200;

/** MMLU's few-shot examples: the dev split holds five per subject. */
export const MAX_MMLU_SHOTS = 5;

/**
 * The largest MMLU release file an operator loads (one subject's split, as CSV): the largest of
 * the release, professional_law's test split, is 1.9 MB.
 */
export const MAX_MMLU_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Characters of a structured answer's JSON schema (response_format), as JSON. A node turns it into
 * a grammar (llama.cpp's converter) on its event loop; OpenAI's own schemas of this size hold
 * hundreds of properties.
 */
export const MAX_RESPONSE_SCHEMA_CHARS = 16 * 1024;

/** How deeply objects and arrays nest in a response_format's JSON schema, values included. */
export const MAX_RESPONSE_SCHEMA_DEPTH = 64;

/**
 * Properties of one object of a response_format's schema. llama.cpp's grammar for an object's
 * optional properties grows faster than their square: converting 200 took 21 ms here, 800 took
 * 0.9 s and 1,500 6.5 s, all on the node's event loop.
 */
export const MAX_RESPONSE_SCHEMA_PROPERTIES = 100;

/**
 * The largest minItems, maxItems, minLength and maxLength of a response_format's schema: each
 * becomes a repetition in the grammar, and llama.cpp's grammar parser refuses 2,000 and more.
 */
export const MAX_RESPONSE_SCHEMA_REPETITIONS = 1000;

/**
 * Characters of a trait's description ("speaks like a pirate"), from which a generator writes its
 * persona pairs: a sentence or two, which the generator's prompt holds with room to spare in any
 * context a chat model has.
 */
export const MAX_DESCRIPTION_CHARS = 500;

/** Persona pairs a described trait gets when its request does not say. */
export const DEFAULT_GENERATED_PAIRS = 16;

/**
 * Persona pairs a described trait may ask for. Each is a persona pair of the training recipe, so
 * its extraction captures openers' prefixes x pairs: the default openers make 332 prefixes with
 * Llama 3's tokenizer, which leaves room for 60 pairs under MAX_EXTRACTION_PAIRS.
 */
export const MAX_GENERATED_PAIRS = 48;

/**
 * Characters of a generated persona ("swashbuckling pirate", "plain-spoken"): the schema the
 * generator answers through bounds every string by it, so that even a model writing at random
 * finishes its answer within a known number of tokens.
 */
export const MAX_GENERATED_PERSONA_CHARS = 48;

/**
 * Generated tokens a condition re-checked while generating (`during`) averages over when its
 * request does not say: a sentence or so, long enough that one stray word does not fire it.
 */
export const DEFAULT_CONDITION_WINDOW = 16;

/** The longest window a condition re-checked while generating may average over. */
export const MAX_CONDITION_WINDOW = 256;

/**
 * Examples on each side (should fire, should not) of one condition's calibration. The node reads
 * each whole, in one synchronous request: 64 prompts of a few dozen tokens take about a second on
 * a GPU.
 */
export const MAX_CONDITION_EXAMPLES = 64;
