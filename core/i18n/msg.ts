/**
 * Text a person reads that `core/` produces (error messages, field errors): a function of
 * the catalog, worded by whoever shows it in the reader's language. A plain string is
 * machine-facing English (only the API answers it) and is shown as is.
 */
import { en, type Messages } from "./en.ts";

/** A message: worded per language, or (API-only) plain English. */
export type Msg = string | ((t: Messages) => string);

/** The message in the language of `t`. */
export function localize(msg: Msg, t: Messages): string {
  return typeof msg === "string" ? msg : msg(t);
}

/** The message in English: what the API answers and what is logged. */
export function english(msg: Msg): string {
  return localize(msg, en);
}

/** Every message of a record in the language of `t` (keys kept, even `__proto__`). */
export function localizeAll(msgs: Record<string, Msg>, t: Messages): Record<string, string> {
  return Object.fromEntries(Object.entries(msgs).map(([key, msg]) => [key, localize(msg, t)]));
}
