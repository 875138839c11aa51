/**
 * Typed errors thrown by `core/` and `db/`; `app.onError` maps them to a status code
 * and a page, fragment or JSON body in one place. Each carries its message as a `Msg`
 * (core/i18n/msg.ts): pages word it in the reader's language, the API and the log in
 * English (`message`, `fields`).
 */
import { english, type Msg } from "./i18n/msg.ts";

/** An error whose message a person reads: `text` in any language, `message` in English. */
export abstract class PanelError extends Error {
  constructor(readonly text: Msg) {
    super(english(text));
  }
}

/**
 * Field messages: `fields` in English (the API's `fields`), `fieldTexts` in any language
 * (the forms').
 */
abstract class FieldsError extends PanelError {
  readonly fields: Record<string, string>;
  constructor(text: Msg, readonly fieldTexts: Record<string, Msg>) {
    super(text);
    this.fields = Object.fromEntries(
      Object.entries(fieldTexts).map(([key, msg]) => [key, english(msg)]),
    );
  }
}

/** Bad input: 422 (400 for unparseable bodies), with a message per field. */
export class ValidationError extends FieldsError {
  override name = "ValidationError";
  constructor(text: Msg, fields: Record<string, Msg> = {}, readonly status = 422) {
    super(text, fields);
  }
}

/** The named thing does not exist: 404. */
export class NotFoundError extends PanelError {
  override name = "NotFoundError";
}

/** The input clashes with what exists (duplicate tag, port in use): 409. */
export class ConflictError extends FieldsError {
  override name = "ConflictError";
  constructor(text: Msg, fields: Record<string, Msg> = {}) {
    super(text, fields);
  }
}

/** Not logged in or bad credentials: 401. */
export class UnauthorizedError extends PanelError {
  override name = "UnauthorizedError";
}

/** Logged in but the request is refused (CSRF): 403. */
export class ForbiddenError extends PanelError {
  override name = "ForbiddenError";
}

/** Too many attempts: 429. */
export class RateLimitError extends PanelError {
  override name = "RateLimitError";
  constructor(text: Msg, readonly retryAfterSeconds: number) {
    super(text);
  }
}

/** The HTTP status an error maps to. */
export function statusOf(error: unknown): 400 | 401 | 403 | 404 | 409 | 422 | 429 | 500 {
  if (error instanceof ValidationError) return error.status === 400 ? 400 : 422;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof RateLimitError) return 429;
  return 500;
}

/** Field messages carried by an error, in English (the API's), if any. */
export function fieldsOf(error: unknown): Record<string, string> {
  if (error instanceof ValidationError || error instanceof ConflictError) return error.fields;
  return {};
}

/** Field messages carried by an error, in any language (the forms'), if any. */
export function fieldTextsOf(error: unknown): Record<string, Msg> {
  if (error instanceof ValidationError || error instanceof ConflictError) return error.fieldTexts;
  return {};
}
