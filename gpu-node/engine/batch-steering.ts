// How one decode batch is steered. llama.cpp's control vector is one per context, added to every
// token at no cost per decode, so a batch whose requests all steer alike uses it. A batch that mixes
// steerings clears it and has each token's own vector added to its layer outputs instead (row
// steering: the same float addition, made in the graph callback, at a small cost per steered
// layer). Either way each request computes what it would alone.
import type { DecodeRequest } from "./native.ts";
import type { ComposedSteering } from "./steering.ts";

export interface BatchMember {
  steering: ComposedSteering | null;
  /** How many consecutive batch tokens, from the previous member's last, are this member's. */
  tokens: number;
}

export type BatchSteering =
  | { mode: "context"; vector: ComposedSteering | null }
  | { mode: "rows"; rowSteering: NonNullable<DecodeRequest["rowSteering"]> };

export function batchSteering(members: readonly BatchMember[]): BatchSteering {
  const first = members[0]?.steering ?? null;
  if (members.every((m) => (m.steering?.key ?? null) === (first?.key ?? null))) {
    return { mode: "context", vector: first };
  }
  const vectors: ComposedSteering[] = [];
  const indexOf = new Map<string, number>();
  const rows: number[] = [];
  for (const { steering, tokens } of members) {
    let index = -1;
    if (steering) {
      index = indexOf.get(steering.key) ?? vectors.push(steering) - 1;
      indexOf.set(steering.key, index);
    }
    for (let i = 0; i < tokens; i++) rows.push(index);
  }
  return { mode: "rows", rowSteering: { vectors, rows: Int32Array.from(rows) } };
}
