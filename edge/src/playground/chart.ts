// The Evaluate step's chart: an evaluation's trait score, coherence and MMLU accuracy against the
// multiplier, drawn as SVG by the page itself (no chart library). Scores are on the left axis
// (0-10), MMLU accuracy on the right (0-1); each mean is a point with its 95% interval as an error
// bar, and the recommended range is shaded. Colours come from the page's style. Every text is set
// as text, never parsed as markup. Served as is (/playground/chart.js); plain JavaScript without
// template literals, as it lives in one.
// biome-ignore lint/complexity/noUselessStringRaw: raw as the other modules, so a backslash added later is JavaScript's
export const CHART_SCRIPT = String.raw`
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 320;
/** The plotting area: room around it for the legend above, the axes' ticks and titles. */
const PLOT = { left: 56, right: WIDTH - 64, top: 40, bottom: HEIGHT - 44 };
/** Room between the y axes and the outermost multipliers, so their points stay off the axes. */
const INSET = 20;
/** The score and accuracy ticks fall on the same heights, so one grid serves both axes. */
const SCORE_TICKS = [0, 2, 4, 6, 8, 10];
const ACCURACY_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
/** Pixels between the series at one multiplier, so their error bars do not hide each other. */
const DODGE = 6;

/** What is plotted per row of the result: a mean, with its interval when it has one. */
const TRAIT_SCORE = {
  className: "trait-score",
  label: "Trait score",
  axis: "score",
  value: (row) => row.trait_score,
};
const COHERENCE = { className: "coherence", label: "Coherence", axis: "score", value: (row) => row.coherence };
const MMLU = {
  className: "mmlu",
  label: "MMLU accuracy",
  axis: "accuracy",
  value: (row) => (row.mmlu_accuracy === null ? null : { mean: row.mmlu_accuracy }),
};

/** The chart of an evaluation's result (GET /v1/evaluations/{id}'s "result"), as an svg element. */
export function evaluationChart(result) {
  const rows = result.multipliers;
  const series = [TRAIT_SCORE, COHERENCE, MMLU].filter((s) =>
    rows.some((row) => s.value(row) !== null),
  );
  const x = scale(multiplierSpan(rows), [PLOT.left + INSET, PLOT.right - INSET]);
  const y = {
    score: scale([0, 10], [PLOT.bottom, PLOT.top]),
    accuracy: scale([0, 1], [PLOT.bottom, PLOT.top]),
  };
  const chart = element("svg", {
    class: "chart",
    viewBox: "0 0 " + WIDTH + " " + HEIGHT,
    role: "img",
    "aria-label": series.map((s) => s.label).join(", ") + " against the multiplier",
  });
  chart.append(
    grid(y.score),
    recommendedBand(result.recommended, x),
    multiplierAxis(rows, x),
    valueAxis(y.score, SCORE_TICKS, PLOT.left, "Score (0-10)"),
  );
  if (series.includes(MMLU)) {
    chart.append(valueAxis(y.accuracy, ACCURACY_TICKS, PLOT.right, "MMLU accuracy (0-1)"));
  }
  series.forEach((s, i) => {
    const offset = (i - (series.length - 1) / 2) * DODGE;
    chart.append(seriesGroup(s, rows, (multiplier) => x(multiplier) + offset, y[s.axis]));
  });
  chart.append(legend(series));
  return chart;
}

/** A linear map from a span of values onto a span of pixels. */
function scale([from, to], [start, end]) {
  return (value) => start + ((value - from) / (to - from)) * (end - start);
}

/** The multipliers' span; one multiplier alone is given room on either side. */
function multiplierSpan(rows) {
  const multipliers = rows.map((row) => row.multiplier);
  const low = Math.min(...multipliers);
  const high = Math.max(...multipliers);
  return low === high ? [low - 1, high + 1] : [low, high];
}

function element(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function group(className, children) {
  const node = element("g", { class: className });
  node.append(...children);
  return node;
}

/** A number as a label: at most two decimals, no trailing zeros. */
function label(value) {
  return String(Number(value.toFixed(2)));
}

function grid(y) {
  return group(
    "grid",
    SCORE_TICKS.map((tick) =>
      element("line", { x1: PLOT.left, x2: PLOT.right, y1: y(tick), y2: y(tick) }),
    ),
  );
}

/** The recommended multipliers, shaded wide enough to take in the points at its ends. */
function recommendedBand(range, x) {
  const left = x(range.min) - INSET / 2;
  const right = x(range.max) + INSET / 2;
  return group("recommended", [
    element("rect", { x: left, y: PLOT.top, width: right - left, height: PLOT.bottom - PLOT.top }),
    element("text", { x: (left + right) / 2, y: PLOT.top + 14, "text-anchor": "middle" }, "recommended"),
  ]);
}

/** The x axis: a tick and label at each multiplier evaluated. */
function multiplierAxis(rows, x) {
  const ticks = rows.flatMap((row) => {
    const at = x(row.multiplier);
    return [
      element("line", { x1: at, x2: at, y1: PLOT.bottom, y2: PLOT.bottom + 5 }),
      element("text", { x: at, y: PLOT.bottom + 18, "text-anchor": "middle" }, label(row.multiplier)),
    ];
  });
  return group("axis", [
    element("line", { x1: PLOT.left, x2: PLOT.right, y1: PLOT.bottom, y2: PLOT.bottom }),
    ...ticks,
    element(
      "text",
      { x: (PLOT.left + PLOT.right) / 2, y: HEIGHT - 6, "text-anchor": "middle" },
      "Multiplier",
    ),
  ]);
}

/** A y axis at "at" (the plot's left or right edge), its labels and title outside the plot. */
function valueAxis(y, ticks, at, title) {
  const outward = at === PLOT.left ? -1 : 1;
  const anchor = outward < 0 ? "end" : "start";
  const marks = ticks.flatMap((tick) => [
    element("line", { x1: at, x2: at + outward * 5, y1: y(tick), y2: y(tick) }),
    element("text", { x: at + outward * 8, y: y(tick) + 4, "text-anchor": anchor }, label(tick)),
  ]);
  const titleX = at + outward * 42;
  const titleY = (PLOT.top + PLOT.bottom) / 2;
  return group("axis", [
    element("line", { x1: at, x2: at, y1: PLOT.top, y2: PLOT.bottom }),
    ...marks,
    element(
      "text",
      {
        x: titleX,
        y: titleY,
        "text-anchor": "middle",
        transform: "rotate(-90 " + titleX + " " + titleY + ")",
      },
      title,
    ),
  ]);
}

/** One series: its means joined by a line, each a point over its interval's error bar. */
function seriesGroup(series, rows, x, y) {
  const points = rows.flatMap((row) => {
    const value = series.value(row);
    return value === null ? [] : [{ multiplier: row.multiplier, value }];
  });
  const line = element("polyline", {
    points: points.map((p) => x(p.multiplier) + "," + y(p.value.mean)).join(" "),
  });
  const errorBars = points
    .filter((p) => p.value.low !== undefined)
    .map((p) => errorBar(x(p.multiplier), y(p.value.low), y(p.value.high)));
  const markers = points.map((p) => {
    const marker = element("circle", {
      class: "point",
      cx: x(p.multiplier),
      cy: y(p.value.mean),
      r: 4,
    });
    marker.dataset.multiplier = String(p.multiplier);
    marker.append(element("title", {}, pointDescription(series, p)));
    return marker;
  });
  return group("series " + series.className, [line, ...errorBars, ...markers]);
}

/** A vertical line from low to high, capped at both ends. */
function errorBar(x, low, high) {
  const caps = "M" + (x - 3) + " " + low + "h6M" + (x - 3) + " " + high + "h6";
  return element("path", { class: "interval", d: "M" + x + " " + low + "V" + high + caps });
}

function pointDescription(series, point) {
  const { mean, low, high } = point.value;
  const interval = low === undefined ? "" : " (95% interval " + label(low) + " to " + label(high) + ")";
  return series.label + " at multiplier " + label(point.multiplier) + ": " + label(mean) + interval;
}

/** A sample point and name per series, above the plot. */
function legend(series) {
  return group(
    "legend",
    series.map((s, i) => {
      const left = PLOT.left + i * 150;
      return group("series " + s.className, [
        element("line", { x1: left, x2: left + 20, y1: 16, y2: 16 }),
        element("circle", { cx: left + 10, cy: 16, r: 4 }),
        element("text", { x: left + 26, y: 20 }, s.label),
      ]);
    }),
  );
}
`;
