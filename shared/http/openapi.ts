// Pieces of OpenAPI route declarations (@hono/zod-openapi's createRoute) that the edge's routes and
// the GPU node's contract both use: JSON bodies, and the error answers a route declares.
import type { z } from "zod";
import { errorBodySchema } from "../openai/errors.ts";

/** A JSON body or answer of `schema`. */
export function json<S extends z.ZodType>(schema: S) {
  return { "application/json": { schema } };
}

/** A required JSON request body. */
export function jsonBody<S extends z.ZodType>(schema: S, description?: string) {
  return { required: true, description, content: json(schema) };
}

/** An answer: its meaning, and its JSON body. */
export function jsonAnswer<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: json(schema) };
}

type ErrorAnswers<T> = {
  [Status in keyof T]: {
    description: string;
    content: ReturnType<typeof json<typeof errorBodySchema>>;
  };
};

/** The error answers a route can give, status -> what it means; each has OpenAI's error body. */
export function errorAnswers<T extends Record<number, string>>(descriptions: T): ErrorAnswers<T> {
  return Object.fromEntries(
    Object.entries(descriptions).map(([status, description]) => [
      status,
      jsonAnswer(errorBodySchema, description),
    ]),
  ) as ErrorAnswers<T>;
}
