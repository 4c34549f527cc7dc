// A request's steering as the node takes it, and the way back: each term the request named (a key
// of its steering, or an entry of its route) with the vector it steers and, when conditional, the
// trait its condition reads; the node's `steering` (vector id -> multiplier or conditional term)
// made of them; and what the node says of it, by vector id (its steering_report, its errors'
// params), named again as the request named it.
import { ApiError } from "../../../shared/http/api-error.ts";
import type { NodeChatRequest, NodeConditionalTerm } from "../../../shared/node-api/generation.ts";
import type { SteeringReport } from "../../../shared/steering/conditions.ts";

export type NodeSteering = NonNullable<NodeChatRequest["steering"]>;

export interface SteeringTerm {
  /** As the request named it: a key of its steering ("cheerful", "<model id>/cheerful"), or an
   * entry of its route. */
  name: string;
  /** The request's field: "steering.cheerful", "steering.route[1]". */
  param: string;
  /** The vector it steers. */
  hash: string;
  term: number | NodeConditionalTerm;
  /** A conditional term's: the trait its condition reads, as the request named it. */
  reads?: string;
}

export interface ResolvedSteering {
  /** The node's `steering`. */
  node: NodeSteering;
  terms: readonly SteeringTerm[];
}

/**
 * The node's steering of `terms`: plain terms on one vector add up (two names of one trait, say),
 * but a conditional term shares its vector with no other (which would apply when?): a 400 naming
 * the later term.
 */
export function steeringOf(terms: SteeringTerm[]): ResolvedSteering {
  const node: NodeSteering = {};
  const first = new Map<string, SteeringTerm>();
  for (const term of terms) {
    const earlier = first.get(term.hash);
    const sum = node[term.hash];
    if (!earlier) {
      first.set(term.hash, term);
      node[term.hash] = term.term;
    } else if (typeof sum === "number" && typeof term.term === "number") {
      node[term.hash] = sum + term.term;
    } else {
      throw new ApiError(
        400,
        `${term.param}: steers the same vector as ${earlier.param}; a conditional term cannot ` +
          "share its vector with another term",
        "conflicting_steering",
        term.param,
      );
    }
  }
  return { node, terms };
}

/**
 * The node's report (by vector id, its conditions naming the vector read) as the request named
 * its terms: a plain term's is its own multiplier (several names of one vector each keep theirs),
 * a conditional one's what the node measured, its condition naming the trait read (a route's
 * entry: the trait itself).
 */
export function requestReport(
  steering: ResolvedSteering,
  node: SteeringReport | null | undefined,
): SteeringReport {
  const report: SteeringReport = {};
  for (const { name, hash, term, reads } of steering.terms) {
    if (typeof term === "number") {
      report[name] = { multiplier: term };
      continue;
    }
    const entry = node?.[hash];
    if (!entry) continue;
    const { condition } = entry;
    report[name] =
      condition && reads ? { ...entry, condition: { ...condition, trait: reads } } : entry;
  }
  return report;
}

/**
 * The request's field for the node's `nodeParam` about its steering ("steering.<id>.when.layer"):
 * the term that steers or reads that vector ("steering.cheerful.when.layer"; a route's entry as a
 * whole); `whole` (the request's steering field) when it names none.
 */
export function requestField(
  steering: ResolvedSteering | undefined,
  nodeParam: string,
  whole: string,
): string {
  const [, id, rest = ""] = /^steering\.([0-9a-f]{64})(.*)$/.exec(nodeParam) ?? [];
  const term =
    steering?.terms.find((term) => term.hash === id) ??
    steering?.terms.find((term) => typeof term.term !== "number" && term.term.when.vector === id);
  if (!term) return whole;
  // A route's entry is one field; a condition's vector is named by its trait.
  if (term.param.endsWith("]")) return term.param;
  return `${term.param}${rest.replace(/^\.when\.vector\b/, ".when.trait")}`;
}
