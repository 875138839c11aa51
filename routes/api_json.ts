/** Request bodies of the JSON API: one size limit and one parser for every route. */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app.tsx";
import { ValidationError } from "../core/errors.ts";

const MAX_BODY_BYTES = 64 * 1024;

/** Refuses bodies over 64 KB with 413 before anything reads them. */
export const jsonBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json({ error: "Request body is larger than 64 KB", fields: {} }, 413),
});

/** The request body as JSON; an empty or unparseable body is a 400. */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") {
    throw new ValidationError("Request body is empty; send a JSON object", {}, 400);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Request body is not valid JSON", {}, 400);
  }
}
