/**
 * User fields: the check and conversion each field of a user goes through, shared by the
 * form and the JSON body (name, traffic limit in MB/GB/TB or bytes, expiry as a date or an ISO
 * date-time, note, reset strategy, inbound tags), and the form's display of limit and
 * expiry. Each parser answers `{ value }` or `{ error }`.
 */
import { RESET_STRATEGIES, type ResetStrategy } from "../model.ts";
import { BYTES_PER_UNIT } from "../format.ts";
import type { Messages } from "../i18n/en.ts";
import type { Msg } from "../i18n/msg.ts";
import { COUNTER_SEPARATOR, PAIR_SEPARATOR } from "../stats/stats_names.ts";
import { unsafeTextProblem } from "../text.ts";

/** What a parser answers: the value, or why there is none. */
export type Parsed<T> = { value?: T; error?: Msg };

export const USER_NAME_MAX = 48;
export const USER_NOTE_MAX = 500;
/** Most inbounds one request may assign. */
const INBOUNDS_MAX = 1000;
const NAME_PATTERN = /^[A-Za-z0-9._@-]{1,48}$/;
const NAME_CHAR = /[A-Za-z0-9._@-]/;
/** Names that cannot be a URL path segment under /users/ (pages of their own live there). */
const RESERVED_NAMES = new Set(["new", "bulk", "batch", ".", ".."]);

/** Why `name` is not a valid user name, or null when it is. */
export function userNameError(name: string): Msg | null {
  if (name === "") return (m) => m.errors.nameRequired;
  if (name.includes(COUNTER_SEPARATOR)) {
    return (m) => m.errors.nameHasCounterSeparator(COUNTER_SEPARATOR);
  }
  if (name.includes(PAIR_SEPARATOR)) return (m) => m.errors.nameHasPairSeparator(PAIR_SEPARATOR);
  if (/\s/.test(name)) return (m) => m.errors.nameHasWhitespace;
  if (name.length > USER_NAME_MAX) {
    return (m) => m.errors.nameTooLong(USER_NAME_MAX, name.length);
  }
  if (!NAME_PATTERN.test(name)) {
    const bad = [...name].find((ch) => !NAME_CHAR.test(ch)) ?? "";
    return (m) => m.errors.nameBadCharacter(bad);
  }
  if (RESERVED_NAMES.has(name)) return (m) => m.errors.nameReserved(name);
  return null;
}

/** A value cut short for an error message. */
export function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * A note with line endings unified and outer whitespace trimmed; at most `USER_NOTE_MAX`,
 * newlines allowed, other control characters and bidi overrides refused.
 */
export function noteValue(note: string): Parsed<string> {
  const value = note.replace(/\r\n?/g, "\n").trim();
  if (value.length > USER_NOTE_MAX) {
    return { error: (m) => m.errors.noteTooLong(USER_NOTE_MAX, value.length) };
  }
  const problem = unsafeTextProblem(value, { newlines: true });
  if (problem) return { error: (m) => m.errors.unsafeText(m.userForm.fields.note, problem) };
  return { value };
}

/** One of `RESET_STRATEGIES`. */
export function resetStrategyValue(value: string): Parsed<ResetStrategy> {
  if ((RESET_STRATEGIES as readonly string[]).includes(value)) {
    return { value: value as ResetStrategy };
  }
  const given = clip(value);
  return { error: (m) => m.errors.resetStrategy(given, RESET_STRATEGIES.join(", ")) };
}

/** Inbound tags: non-empty strings, duplicates dropped, at most `INBOUNDS_MAX`. */
export function inboundsValue(tags: unknown[]): Parsed<string[]> {
  if (tags.some((tag) => typeof tag !== "string" || tag === "")) {
    return { error: "Inbounds must be a list of inbound tags" };
  }
  const value = [...new Set(tags as string[])];
  if (value.length > INBOUNDS_MAX) {
    return { error: (m) => m.errors.tooManyInbounds(INBOUNDS_MAX) };
  }
  return { value };
}

/** Epoch ms of the last millisecond of a UTC calendar day, or null if it is no real date. */
function endOfDayUtc(year: number, month: number, day: number): number | null {
  const ms = Date.UTC(year, month - 1, day, 23, 59, 59, 999);
  const d = new Date(ms);
  const real = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day;
  return real ? ms : null;
}

const YEAR_ERROR: Msg = (m) => m.errors.expiryYear;

/** A form's `YYYY-MM-DD` expiry as the end of that day UTC; empty means never (null). */
export function expiryDateValue(text: string): Parsed<number | null> {
  const t = text.trim();
  if (t === "") return { value: null };
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const given = clip(t);
  if (!d) return { error: (m) => m.errors.expiryFormat(given) };
  if (Number(d[1]) < 1970) return { error: YEAR_ERROR };
  const ms = endOfDayUtc(Number(d[1]), Number(d[2]), Number(d[3]));
  return ms === null ? { error: (m) => m.errors.expiryNotReal(given) } : { value: ms };
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * A JSON expiry: an ISO 8601 date-time with Z or an offset, a bare date (end of that day
 * UTC), or null for never.
 */
export function expiryIsoValue(value: unknown): Parsed<number | null> {
  if (value === null) return { value: null };
  const format: Msg = (m) => m.errors.expiryIsoFormat;
  if (typeof value !== "string") return { error: format };
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return expiryDateValue(value);
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return { error: format };
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = Number(m[6] ?? 0);
  const millis = Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3));
  const offsetMinutes = m[9] ? (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (year < 1970) return { error: YEAR_ERROR };
  if (
    endOfDayUtc(year, month, day) === null || hour > 23 || minute > 59 || second > 59 ||
    Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59
  ) {
    const given = clip(value);
    return { error: (t) => t.errors.expiryNotRealTime(given) };
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) -
    offsetMinutes * 60_000;
  return { value: ms };
}

/** Units a quota is entered in. */
export const QUOTA_UNITS = ["MB", "GB", "TB"] as const;
export type QuotaUnit = typeof QUOTA_UNITS[number];

/** The name of a field in messages, in the reader's language. */
export type FieldLabel = (m: Messages) => string;

const TRAFFIC_LIMIT: FieldLabel = (m) => m.userForm.fields.trafficLimit;

/**
 * A form's amount of traffic in `unit` (MB, GB or TB, base 1024) as bytes; empty or 0 means
 * 0 (for a traffic limit: unlimited). `label` names the field in messages.
 */
export function quotaValue(
  text: string,
  unit: string,
  label: FieldLabel = TRAFFIC_LIMIT,
): Parsed<number> {
  const t = text.trim();
  if (!(QUOTA_UNITS as readonly string[]).includes(unit)) {
    const given = clip(unit);
    return { error: (m) => m.errors.quotaUnit(label(m), given, QUOTA_UNITS.join(", ")) };
  }
  const known = unit as QuotaUnit;
  const perUnit = BYTES_PER_UNIT[known];
  if (t === "") return { value: 0 };
  if (t.startsWith("-")) return { error: (m) => m.errors.quotaNegative(label(m), known) };
  if (!/^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) {
    const given = clip(t);
    return { error: (m) => m.errors.quotaNotNumber(label(m), given, known) };
  }
  const amount = Number(t);
  const bytes = Math.round(amount * perUnit);
  if (!Number.isSafeInteger(bytes)) {
    const max = Math.floor(Number.MAX_SAFE_INTEGER / perUnit);
    return { error: (m) => m.errors.quotaTooLarge(label(m), max, known) };
  }
  if (amount > 0 && bytes === 0) {
    return { error: (m) => m.errors.quotaTooSmall(label(m)) };
  }
  return { value: bytes };
}

/** A JSON traffic limit: a whole, safe number of bytes; 0 means unlimited. */
export function byteLimitValue(value: unknown): Parsed<number> {
  if (typeof value !== "number") {
    return { error: "Traffic limit must be a number of bytes (0 = unlimited)" };
  }
  if (value < 0) return { error: "Traffic limit must be 0 (unlimited) or more bytes" };
  if (!Number.isSafeInteger(value)) {
    return Number.isInteger(value) || !Number.isFinite(value)
      ? { error: `Traffic limit must be at most ${Number.MAX_SAFE_INTEGER} bytes` }
      : { error: "Traffic limit must be a whole number of bytes" };
  }
  return { value };
}

/** An expiry as a date input's value (`YYYY-MM-DD`, UTC), or "" for never. */
export function dateInputValue(expiresAt: number | null): string {
  return expiresAt === null ? "" : new Date(expiresAt).toISOString().slice(0, 10);
}
