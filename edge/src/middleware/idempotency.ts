// Idempotency-Key on create requests (the IETF draft, as Stripe does it): the first answer to a key,
// errors included, is kept per account for 24 h and replayed to retries with the same method, path
// and body, so that a client unsure whether its request went through can safely send it again.
// The same key with other parameters is refused (422); a retry while the first request still runs
// is 409. Without the header, nothing changes. For routes that answer JSON (create routes): the
// answer is read whole to be stored before it is sent.
import { and, eq, lt } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { ApiError } from "../../../shared/http/api-error.ts";
import { idempotency as claims } from "../db/schema.ts";
import type { EdgeEnv } from "../env.ts";
import { type Db, database } from "../lib/db.ts";
import { sha256Hex } from "../lib/ids.ts";

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(MAX_IDEMPOTENCY_KEY_LENGTH)
  .describe("Replays the first answer (errors included) to retries of the same request, for 24 h");

/** The header as the create routes declare it (Hono's header names are lower case). */
export const idempotencyHeaders = z.object({
  [IDEMPOTENCY_KEY_HEADER.toLowerCase()]: idempotencyKeySchema.optional(),
});
const KEPT_FOR_MS = 24 * 60 * 60 * 1000;
/** A claim still unanswered after this long died with its Worker (answers take seconds): retries
 * may run the request again rather than get 409 for a day. */
const ABANDONED_AFTER_MS = 5 * 60 * 1000;
/** The status a claim holds while its first request runs. */
const RUNNING = 0;

interface Claim {
  accountId: string;
  key: string;
  fingerprint: string;
}

/** Replays first answers for the routes it is applied to. */
export const idempotent = idempotency();

/**
 * `withhold`: fields of the answer never stored (secrets; dotted paths for nested ones), and so
 * missing from a replay.
 * `owner`: whose keys these are (by default the caller's account; the operator's routes have none).
 */
export function idempotency({
  withhold = [],
  owner = (c) => c.get("caller").accountId,
}: {
  withhold?: string[];
  owner?: (c: Context<EdgeEnv>) => string;
} = {}) {
  return createMiddleware<EdgeEnv>(async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) return next();
    if (!idempotencyKeySchema.safeParse(key).success) {
      throw new ApiError(
        400,
        `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
        "invalid_idempotency_key",
        IDEMPOTENCY_KEY_HEADER,
      );
    }
    const db = database(c.env.DB);
    const claim = {
      accountId: owner(c),
      key,
      fingerprint: await fingerprint(c.req.raw),
    };
    if (!(await claimKey(db, claim))) {
      const stored = await storedAnswer(db, claim);
      return c.body(stored.body, stored.status, {
        "content-type": "application/json",
        [REPLAYED_HEADER]: "true",
      });
    }
    await next();
    await db
      .update(claims)
      .set({ status: c.res.status, body: withholding(await c.res.clone().text(), withhold) })
      .where(and(eq(claims.accountId, claim.accountId), eq(claims.key, claim.key)));
  });
}

/** What makes two requests the same: method, path with query, and body, byte for byte. */
async function fingerprint(request: Request): Promise<string> {
  const { pathname, search } = new URL(request.url);
  const body = await request.clone().text();
  return sha256Hex(`${request.method} ${pathname}${search}\n${body}`);
}

/**
 * Takes the key for this request, in one atomic statement: a new key, or one whose claim expired
 * or was abandoned. False when another request holds it. The account's expired claims go first,
 * so that the table keeps only the last day's.
 */
async function claimKey(db: Db, claim: Claim): Promise<boolean> {
  const now = Date.now();
  const [, taken] = await db.batch([
    db
      .delete(claims)
      .where(and(eq(claims.accountId, claim.accountId), lt(claims.createdAt, now - KEPT_FOR_MS))),
    db
      .insert(claims)
      .values({ ...claim, status: RUNNING, body: "", createdAt: now })
      .onConflictDoUpdate({
        target: [claims.accountId, claims.key],
        set: { fingerprint: claim.fingerprint, status: RUNNING, body: "", createdAt: now },
        setWhere: and(eq(claims.status, RUNNING), lt(claims.createdAt, now - ABANDONED_AFTER_MS)),
      })
      .returning({ key: claims.key }),
  ]);
  return taken.length > 0;
}

/** The first request's answer, for a retry of it; refused when it is not a retry or not done. */
async function storedAnswer(db: Db, claim: Claim) {
  const [stored] = await db
    .select({ fingerprint: claims.fingerprint, status: claims.status, body: claims.body })
    .from(claims)
    .where(and(eq(claims.accountId, claim.accountId), eq(claims.key, claim.key)));
  if (stored && stored.fingerprint !== claim.fingerprint) {
    throw new ApiError(
      422,
      `this ${IDEMPOTENCY_KEY_HEADER} was used for a different request (method, path or body); use a new key`,
      "idempotency_key_reused",
      IDEMPOTENCY_KEY_HEADER,
    );
  }
  if (!stored || stored.status === RUNNING) {
    throw new ApiError(
      409,
      `a request with this ${IDEMPOTENCY_KEY_HEADER} is still running; retry once it has answered`,
      "idempotency_key_in_use",
      IDEMPOTENCY_KEY_HEADER,
    );
  }
  return { body: stored.body, status: stored.status as ContentfulStatusCode };
}

/** The answer less `fields`, each a dotted path ("key.key": the field `key` of the object `key`). */
function withholding(body: string, fields: string[]): string {
  if (fields.length === 0) return body;
  const answer = JSON.parse(body) as Record<string, unknown>;
  for (const field of fields) {
    const path = field.split(".");
    const last = path.pop() as string;
    let object: unknown = answer;
    for (const step of path) object = (object as Record<string, unknown> | undefined)?.[step];
    if (object && typeof object === "object") delete (object as Record<string, unknown>)[last];
  }
  return JSON.stringify(answer);
}
