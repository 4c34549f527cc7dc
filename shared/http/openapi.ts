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

/** What an error answer means, and the headers it carries, if any. */
type ErrorMeaning = string | { description: string; headers: z.ZodObject };

type ErrorAnswers<T> = {
  [Status in keyof T]: {
    description: string;
    headers?: z.ZodObject;
    content: ReturnType<typeof json<typeof errorBodySchema>>;
  };
};

/** The error answers a route can give, status -> what it means; each has OpenAI's error body. */
export function errorAnswers<T extends Record<number, ErrorMeaning>>(meanings: T): ErrorAnswers<T> {
  return Object.fromEntries(
    Object.entries(meanings).map(([status, meaning]) => [
      status,
      typeof meaning === "string"
        ? jsonAnswer(errorBodySchema, meaning)
        : { ...jsonAnswer(errorBodySchema, meaning.description), headers: meaning.headers },
    ]),
  ) as ErrorAnswers<T>;
}
