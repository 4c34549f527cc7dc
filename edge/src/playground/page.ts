// The playground's markup and style: plain HTML, no build step, nothing fetched from elsewhere.
import {
  DEFAULT_EVALUATION_MULTIPLIERS,
  DEFAULT_EVALUATION_TOKENS,
  DEFAULT_MMLU_QUESTIONS,
} from "../../../shared/evaluation/settings.ts";
import {
  DEFAULT_GENERATED_PAIRS,
  MAX_DESCRIPTION_CHARS,
  MAX_EVALUATION_TOKENS,
  MAX_GENERATED_PAIRS,
  MAX_MMLU_QUESTIONS,
  MAX_MULTIPLIER,
} from "../../../shared/limits.ts";
import { TRAIT_NAME, TRAIT_NAME_RULE } from "../api/steerable-models.ts";

/** The most tokens the playground asks for per answer: enough to see steering, quick to stream. */
const MAX_TOKENS = 1024;
/** How many of the caller's models the list shows, newest first. */
const LISTED_MODELS = 20;

/**
 * The trait-name rule as an input's pattern. Browsers compile a pattern with the v flag, where a
 * "-" that ends a character class must be escaped.
 */
const TRAIT_NAME_PATTERN = TRAIT_NAME.source.replaceAll("-]", "\\-]");
const TRAIT_NAME_HINT = `${TRAIT_NAME_RULE[0]?.toUpperCase()}${TRAIT_NAME_RULE.slice(1)}.`;

/** For the constants put into the markup below. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const PLAYGROUND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Steer playground</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; max-width: 64rem; margin: 1.5rem auto; padding: 0 1rem; }
  section { border: 1px solid #ccc; border-radius: 6px; padding: 0.75rem 1rem; margin-bottom: 1rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 0; }
  label { display: block; margin: 0.4rem 0; }
  input[type=text], input[type=password], textarea { width: 100%; box-sizing: border-box; }
  input:invalid { outline: 2px solid #b00020; }
  textarea { min-height: 4.5rem; }
  .hint { color: #555; font-size: 0.9rem; }
  #models { padding-left: 1.2rem; } #models [aria-current] { font-weight: bold; }
  .trait { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5rem; margin-bottom: 0.75rem; }
  .trait .name, .trait .source { grid-column: 1 / 3; }
  #generated-pairs table { border-collapse: collapse; margin: 0.25rem 0 0.75rem; }
  #generated-pairs th, #generated-pairs td { border: 1px solid #ccc; padding: 0.1rem 0.5rem; text-align: left; }
  .slider { display: grid; grid-template-columns: 10rem 1fr 3rem; align-items: center; gap: 0.5rem; }
  .outputs { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
  .outputs pre, #evaluation-answers pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.5rem; }
  .outputs pre { min-height: 6rem; }
  /* A long token with no space in it (a URL, a run of one character) wraps instead of overflowing. */
  pre, #error, #models { overflow-wrap: anywhere; }
  #error { color: #b00020; white-space: pre-wrap; }
  /* A trait's recommended range, under its slider's track: --from and --to are its ends as
     fractions of the slider's span, which the thumb's centre covers from half a thumb in. */
  .slider .track { position: relative; } .slider .track input { width: 100%; box-sizing: border-box; }
  .slider .recommended { --thumb: 16px; position: absolute; bottom: -3px; height: 4px; min-width: 3px;
    left: calc(var(--thumb) / 2 + (100% - var(--thumb)) * var(--from));
    width: calc((100% - var(--thumb)) * (var(--to) - var(--from))); background: #f59f00; }
  .recommended-note { margin: 0 0 0.5rem 10.5rem; }
  #evaluation-chart { margin: 0.5rem 0; }
  #evaluation-answers .prompt { font-weight: bold; margin: 0.75rem 0 0; }
  #evaluation-answers pre { margin: 0.25rem 0; }
  /* The chart draws in the text's colour, and each series in a hue that reads on light and dark. */
  .chart { width: 100%; max-width: 44rem; height: auto; font-size: 12px; }
  .chart text { fill: currentColor; stroke: none; }
  .chart .axis line { stroke: currentColor; }
  .chart .grid line { stroke: currentColor; stroke-opacity: 0.15; }
  .chart .recommended rect { fill: #f59f00; fill-opacity: 0.2; }
  .chart .series { fill: none; stroke: currentColor; stroke-width: 2; }
  .chart .series circle { fill: currentColor; } .chart .interval { stroke-width: 1.5; }
  .chart .trait-score { color: #e8590c; } .chart .coherence { color: #1c7ed6; } .chart .mmlu { color: #2f9e44; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<h1>Steer playground</h1>
<section>
  <label>API key <input id="key" type="password" autocomplete="off" placeholder="sk-steer-..."></label>
</section>
<section>
  <h2>Your steerable models</h2>
  <p class="hint">Your ${LISTED_MODELS} newest; open one to see its status and steer it.</p>
  <ul id="models" data-limit="${LISTED_MODELS}"></ul>
</section>
<section id="create">
  <h2>1. Describe traits</h2>
  <p>With contrasting examples, one per line, or describe a trait and a generator writes its
    persona pairs, which you can review and correct. Base model: <span id="base-model">(enter a key)</span></p>
  <p class="hint" id="trait-rule">${escapeHtml(TRAIT_NAME_HINT)}</p>
  <label>Label <input id="model-label" type="text" maxlength="200" value="playground"></label>
  <div id="traits"></div>
  <button id="add-trait" type="button">Add a trait</button>
  <button id="create-model" type="button">Create steerable model</button>
</section>
<section id="status-box" hidden>
  <h2>2. Status</h2>
  <p>Model <code id="model-id"></code>: <strong id="status"></strong></p>
  <div id="generated" hidden>
    <h3>Generated persona pairs</h3>
    <div id="generated-pairs"></div>
    <button id="edit-generated" type="button">Correct them in a new model</button>
  </div>
</section>
<section id="steer" hidden>
  <h2>3. Steer</h2>
  <div id="sliders"></div>
  <label>Prompt <textarea id="prompt">Tell me about your day.</textarea></label>
  <label>Max tokens <input id="max-tokens" type="number" min="1" max="${MAX_TOKENS}" step="1" value="32" required></label>
  <button id="generate" type="button">Generate</button>
  <div class="outputs">
    <div><h3>Steered</h3><pre id="steered"></pre></div>
    <div><h3>Unsteered</h3><pre id="unsteered"></pre></div>
  </div>
</section>
<section id="evaluate" hidden>
  <h2>4. Evaluate</h2>
  <p class="hint">Answers the prompts at each multiplier and at 0 (unsteered), has a judge score
    each answer's trait and coherence, and asks MMLU questions: the recommended range is where
    coherence and MMLU accuracy hold up.</p>
  <label>Trait <select id="evaluation-trait"></select></label>
  <label>Multipliers (0 is always added)
    <input id="evaluation-multipliers" type="text" data-bound="${MAX_MULTIPLIER}"
      value="${DEFAULT_EVALUATION_MULTIPLIERS.join(", ")}"></label>
  <label>Prompts, one per line (none: the built-in set) <textarea id="evaluation-prompts"></textarea></label>
  <label>Max tokens per answer <input id="evaluation-max-tokens" type="number" min="1"
    max="${MAX_EVALUATION_TOKENS}" step="1" value="${DEFAULT_EVALUATION_TOKENS}" required></label>
  <label>MMLU questions <input id="evaluation-mmlu-questions" type="number" min="0"
    max="${MAX_MMLU_QUESTIONS}" step="1" value="${DEFAULT_MMLU_QUESTIONS}" required></label>
  <button id="start-evaluation" type="button">Start</button>
  <p id="evaluation-status-line" hidden>Evaluation <code id="evaluation-id"></code>:
    <strong id="evaluation-status"></strong> <progress id="evaluation-progress"></progress></p>
  <div id="evaluation-result" hidden>
    <p id="evaluation-range"></p>
    <p id="evaluation-anti-steerable"></p>
    <p id="evaluation-mmlu-note"></p>
    <figure id="evaluation-chart"></figure>
    <label>Answers at multiplier <select id="evaluation-multiplier"></select></label>
    <ol id="evaluation-answers"></ol>
  </div>
</section>
<p id="error" role="alert"></p>
<template id="trait-template">
  <div class="trait">
    <label class="name">Trait name <input type="text" name="name" placeholder="cheerful"
      pattern="${escapeHtml(TRAIT_NAME_PATTERN)}" title="${escapeHtml(TRAIT_NAME_HINT)}"></label>
    <label class="source">Made from <select name="source">
      <option value="examples">contrasting examples</option>
      <option value="description">a description (describe it)</option>
    </select></label>
    <label data-source="examples">Positive examples <textarea name="positive"></textarea></label>
    <label data-source="examples">Negative examples <textarea name="negative"></textarea></label>
    <label data-source="description">Description <textarea name="description"
      maxlength="${MAX_DESCRIPTION_CHARS}" placeholder="speaks like a pirate"></textarea></label>
    <label data-source="description">Persona pairs to generate <input name="pairs" type="number"
      min="1" max="${MAX_GENERATED_PAIRS}" step="1" value="${DEFAULT_GENERATED_PAIRS}" required></label>
  </div>
</template>
<script type="module" src="/playground/app.js"></script>
</body>
</html>
`;
