/**
 * Typed errors thrown by `core/` and `db/`; `app.onError` maps them to a status code
 * and a page, fragment or JSON body in one place.
 */

/** Bad input: 422 (400 for unparseable bodies), with a message per field. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
    readonly status = 422,
  ) {
    super(message);
  }
}

/** The named thing does not exist: 404. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The input clashes with what exists (duplicate tag, port in use): 409. */
export class ConflictError extends Error {
  override name = "ConflictError";
  constructor(message: string, readonly fields: Record<string, string> = {}) {
    super(message);
  }
}

/** Not logged in or bad credentials: 401. */
export class UnauthorizedError extends Error {
  override name = "UnauthorizedError";
}

/** Logged in but the request is refused (CSRF): 403. */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

/** Too many attempts: 429. */
export class RateLimitError extends Error {
  override name = "RateLimitError";
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
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

/** Field messages carried by an error, if any. */
export function fieldsOf(error: unknown): Record<string, string> {
  if (error instanceof ValidationError || error instanceof ConflictError) return error.fields;
  return {};
}
