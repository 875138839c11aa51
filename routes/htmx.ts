/**
 * Helpers for pages that htmx drives: telling an htmx request for a fragment from a page
 * load, answering a successful form post the way each kind of request follows, and
 * reading a posted form.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import type { FormFields } from "../core/users/user_input.ts";

type C = Context<AppEnv>;

/** Whether htmx sent this request. */
export function isHtmx(c: C): boolean {
  return c.req.header("HX-Request") === "true";
}

/**
 * Whether to answer a fragment: an htmx request from the page itself, not a boosted
 * navigation or a history restore (htmx sends HX-Request for those too but swaps the
 * whole body).
 */
export function wantsFragment(c: C): boolean {
  return isHtmx(c) && c.req.header("HX-History-Restore-Request") !== "true" &&
    c.req.header("HX-Boosted") !== "true";
}

/** After a change: 303 for a plain form, HX-Redirect for htmx (which would follow a 303). */
export function redirectAfterPost(c: C, url: string) {
  if (!isHtmx(c)) return c.redirect(url, 303);
  c.header("HX-Redirect", url);
  return c.body(null, 204);
}

/** A posted form; a field given more than once is a list. */
export function readForm(c: C): Promise<FormFields> {
  return c.req.parseBody({ all: true });
}
