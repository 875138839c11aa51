/**
 * Users: parsing and validating input (an HTML form of strings or a typed JSON body) into
 * one shape, and every change to a user. A change checks everything first (input, then
 * name clashes and inbound tags inside the write transaction), writes in that one
 * transaction, and only then asks the core to apply the new config.
 */
import type { Transaction } from "kysely";
import type { Db } from "../db/database.ts";
import type { Database } from "../db/schema.ts";
import * as repo from "../db/users.ts";
import type { UserInboundTraffic, UserListOptions, UserWithInbounds } from "../db/users.ts";
import { USER_SORTS, type UserSort } from "../db/users.ts";
import { RESET_STRATEGIES, type ResetStrategy } from "./model.ts";
import { BYTES_PER_GB } from "./format.ts";
import { ConflictError, NotFoundError, ValidationError } from "./errors.ts";
import { generatePassword, generateSubToken, generateUuid } from "./keys.ts";
import { COUNTER_SEPARATOR, PAIR_SEPARATOR } from "./stats_names.ts";
import type { CoreControl } from "./services.ts";

export const USER_NAME_MAX = 48;
export const USER_NOTE_MAX = 500;
export const USER_SEARCH_MAX = 100;
/** Most inbounds one request may assign. */
const INBOUNDS_MAX = 1000;
const NAME_PATTERN = /^[A-Za-z0-9._@-]{1,48}$/;
const NAME_CHAR = /[A-Za-z0-9._@-]/;
/** Names that cannot be a URL path segment under /users/ ("new" is the creation page). */
const RESERVED_NAMES = new Set(["new", ".", ".."]);
const MAX_LIMIT_GB = Math.floor(Number.MAX_SAFE_INTEGER / BYTES_PER_GB);

/** Everything an admin sets on a user; the normalized form of both input kinds. */
export interface UserInput {
  name: string;
  /** Bytes; 0 = unlimited. */
  trafficLimit: number;
  /** Epoch ms, or null for never. */
  expiresAt: number | null;
  enabled: boolean;
  note: string;
  resetStrategy: ResetStrategy;
  /** Inbound tags, without duplicates. */
  inbounds: string[];
}

/** Parsed input: the fields that were given and valid, and a message per bad field. */
export interface ParsedUserInput {
  values: Partial<UserInput>;
  errors: Record<string, string>;
}

/** What user changes need from the app: the database, the clock and the core. */
export interface UserDeps {
  db: Db;
  now: () => number;
  services: { core: Pick<CoreControl, "requestApply"> };
}

/** A user's detail: the user, their assignments and their traffic per inbound. */
export interface UserDetail {
  user: UserWithInbounds;
  perInbound: UserInboundTraffic[];
}

// ---------------------------------------------------------------------------------------
// Field parsers, shared by both input kinds

/** Why `name` is not a valid user name, or null when it is. */
export function userNameError(name: string): string | null {
  if (name === "") return "Name is required";
  if (name.includes(COUNTER_SEPARATOR)) {
    return `Name must not contain "${COUNTER_SEPARATOR}": sing-box uses it inside counter names`;
  }
  if (name.includes(PAIR_SEPARATOR)) {
    return `Name must not contain "${PAIR_SEPARATOR}": it separates user and inbound in stats names`;
  }
  if (/\s/.test(name)) return "Name must not contain spaces or other whitespace";
  if (name.length > USER_NAME_MAX) {
    return `Name must be at most ${USER_NAME_MAX} characters (it has ${name.length})`;
  }
  if (!NAME_PATTERN.test(name)) {
    const bad = [...name].find((ch) => !NAME_CHAR.test(ch));
    return `Name may contain only letters a-z A-Z, digits and . _ @ - (not "${bad}")`;
  }
  if (RESERVED_NAMES.has(name)) return `Name "${name}" is reserved; choose another`;
  return null;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function noteValue(note: string): { value?: string; error?: string } {
  const value = note.replace(/\r\n?/g, "\n").trim();
  if (value.length > USER_NOTE_MAX) {
    return { error: `Note must be at most ${USER_NOTE_MAX} characters (it has ${value.length})` };
  }
  return { value };
}

function resetStrategyValue(value: string): { value?: ResetStrategy; error?: string } {
  if ((RESET_STRATEGIES as readonly string[]).includes(value)) {
    return { value: value as ResetStrategy };
  }
  return {
    error: `Reset strategy "${clip(value)}" must be one of ${RESET_STRATEGIES.join(", ")}`,
  };
}

function inboundsValue(tags: unknown[]): { value?: string[]; error?: string } {
  if (tags.some((tag) => typeof tag !== "string" || tag === "")) {
    return { error: "Inbounds must be a list of inbound tags" };
  }
  const value = [...new Set(tags as string[])];
  if (value.length > INBOUNDS_MAX) {
    return { error: `At most ${INBOUNDS_MAX} inbounds can be assigned at once` };
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

const YEAR_ERROR = "Expiry must be in a year from 1970 to 9999";

function expiryDateValue(text: string): { value?: number | null; error?: string } {
  const t = text.trim();
  if (t === "") return { value: null };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (!m) {
    return { error: `Expiry "${clip(t)}" must be a date like 2030-12-31, or empty for never` };
  }
  if (Number(m[1]) < 1970) return { error: YEAR_ERROR };
  const ms = endOfDayUtc(Number(m[1]), Number(m[2]), Number(m[3]));
  return ms === null ? { error: `Expiry "${t}" is not a real date` } : { value: ms };
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/i;

function expiryIsoValue(value: unknown): { value?: number | null; error?: string } {
  if (value === null) return { value: null };
  const format =
    'Expiry must be an ISO 8601 date-time like "2030-12-31T23:59:59Z" (with Z or an offset), a date like "2030-12-31" (end of that day UTC), or null for never';
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
    return { error: `Expiry "${clip(value)}" is not a real date and time` };
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) -
    offsetMinutes * 60_000;
  return { value: ms };
}

function gbLimitValue(text: string): { value?: number; error?: string } {
  const t = text.trim();
  if (t === "") return { value: 0 };
  if (t.startsWith("-")) return { error: "Traffic limit must be 0 (unlimited) or more GB" };
  if (!/^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) {
    return { error: `Traffic limit "${clip(t)}" must be a number of GB like 10 or 2.5` };
  }
  const gb = Number(t);
  const bytes = Math.round(gb * BYTES_PER_GB);
  if (!Number.isSafeInteger(bytes)) {
    return { error: `Traffic limit must be at most ${MAX_LIMIT_GB} GB` };
  }
  if (gb > 0 && bytes === 0) {
    return { error: "Traffic limit must be at least 1 byte; use 0 for unlimited" };
  }
  return { value: bytes };
}

function byteLimitValue(value: unknown): { value?: number; error?: string } {
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

function collect<K extends keyof UserInput>(
  out: ParsedUserInput,
  field: K,
  result: { value?: UserInput[K]; error?: string },
) {
  if (result.error !== undefined) out.errors[field] = result.error;
  else out.values[field] = result.value;
}

// ---------------------------------------------------------------------------------------
// Input kinds

/** A form as `parseBody({ all: true })` returns it. */
export type FormFields = Record<string, unknown>;

function formString(form: FormFields, key: string): string {
  const v = form[key];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === "string" ? last : "";
}

function formList(form: FormFields, key: string): string[] {
  const v = form[key];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((item): item is string => typeof item === "string" && item !== "");
}

/**
 * Parses the user form. Every field is present in a form (an unchecked `enabled` box means
 * disabled): `name`, `trafficLimitGb` (decimal GB, empty or 0 = unlimited), `expiresOn`
 * (YYYY-MM-DD, end of that day UTC, empty = never), `enabled`, `resetStrategy`, `note`,
 * `inbounds` (repeated). On edit, pass the stored user: an unchanged expiry date keeps
 * its exact stored instant.
 */
export function parseUserForm(
  form: FormFields,
  current?: { expiresAt: number | null },
): ParsedUserInput {
  const out: ParsedUserInput = { values: {}, errors: {} };
  const name = formString(form, "name");
  const nameError = userNameError(name);
  collect(out, "name", nameError ? { error: nameError } : { value: name });
  collect(out, "trafficLimit", gbLimitValue(formString(form, "trafficLimitGb")));
  const expiresOn = formString(form, "expiresOn").trim();
  if (current && expiresOn !== "" && expiresOn === dateInputValue(current.expiresAt)) {
    out.values.expiresAt = current.expiresAt;
  } else {
    collect(out, "expiresAt", expiryDateValue(expiresOn));
  }
  const enabled = formString(form, "enabled");
  out.values.enabled = enabled !== "" && !["0", "false", "off"].includes(enabled);
  collect(out, "resetStrategy", resetStrategyValue(formString(form, "resetStrategy") || "none"));
  collect(out, "note", noteValue(formString(form, "note")));
  collect(out, "inbounds", inboundsValue(formList(form, "inbounds")));
  return out;
}

const JSON_FIELDS: Record<
  keyof UserInput,
  (value: unknown) => { value?: unknown; error?: string }
> = {
  name: (v) => {
    if (typeof v !== "string") return { error: "Name must be a string" };
    const error = userNameError(v);
    return error ? { error } : { value: v };
  },
  trafficLimit: byteLimitValue,
  expiresAt: expiryIsoValue,
  enabled: (v) =>
    typeof v === "boolean" ? { value: v } : { error: "Enabled must be true or false" },
  note: (v) => typeof v === "string" ? noteValue(v) : { error: "Note must be a string" },
  resetStrategy: (v) =>
    typeof v === "string"
      ? resetStrategyValue(v)
      : { error: `Reset strategy must be one of ${RESET_STRATEGIES.join(", ")}` },
  inbounds: (v) =>
    Array.isArray(v) ? inboundsValue(v) : { error: "Inbounds must be a list of inbound tags" },
};

const READ_ONLY_FIELDS = new Set([
  "id",
  "uuid",
  "password",
  "subToken",
  "status",
  "uplink",
  "downlink",
  "createdAt",
  "updatedAt",
  "perInbound",
]);

/**
 * Parses a JSON body (already `JSON.parse`d). `create` requires `name`; `update` takes any
 * subset. Unknown and read-only fields are errors, so a misspelt field never passes
 * silently. A body that is not an object is a 400.
 */
export function parseUserJson(body: unknown, mode: "create" | "update"): ParsedUserInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("Request body must be a JSON object", {}, 400);
  }
  const out: ParsedUserInput = { values: {}, errors: {} };
  for (const [key, value] of Object.entries(body)) {
    if (Object.hasOwn(JSON_FIELDS, key)) {
      const field = key as keyof UserInput;
      collect(out, field, JSON_FIELDS[field](value) as { value?: never; error?: string });
    } else {
      const message = READ_ONLY_FIELDS.has(key)
        ? `Field "${key}" is read-only`
        : `Unknown field "${clip(key)}"`;
      // defineProperty, so even a key named "__proto__" is reported rather than swallowed.
      Object.defineProperty(out.errors, key, {
        value: message,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  if (mode === "create" && !("name" in out.values) && !out.errors.name) {
    out.errors.name = "Name is required";
  }
  return out;
}

/** The query of a users list (page or API), validated; bad values are a 422. */
export function parseUserListQuery(
  query: { search?: string; sort?: string; page?: string },
): Required<Pick<UserListOptions, "search" | "sort" | "page">> {
  const errors: Record<string, string> = {};
  const search = (query.search ?? "").trim();
  if (search.length > USER_SEARCH_MAX) {
    errors.search = `Search must be at most ${USER_SEARCH_MAX} characters`;
  }
  const sort = query.sort || "name";
  if (!(USER_SORTS as readonly string[]).includes(sort)) {
    errors.sort = `Sort "${clip(sort)}" must be one of ${USER_SORTS.join(", ")}`;
  }
  const pageText = query.page || "1";
  const page = /^\d{1,9}$/.test(pageText) ? Number(pageText) : 0;
  if (page < 1) errors.page = `Page "${clip(pageText)}" must be a whole number from 1`;
  throwIfInvalid(errors);
  return { search, sort: sort as UserSort, page };
}

// ---------------------------------------------------------------------------------------
// Display helpers for forms

/** An expiry as a date input's value (`YYYY-MM-DD`, UTC), or "" for never. */
export function dateInputValue(expiresAt: number | null): string {
  return expiresAt === null ? "" : new Date(expiresAt).toISOString().slice(0, 10);
}

/** A byte limit as the form's GB value; parsing it back gives the same bytes. */
export function gbInputValue(bytes: number): string {
  return String(bytes / BYTES_PER_GB);
}

// ---------------------------------------------------------------------------------------
// Changes

function throwIfInvalid(errors: Record<string, string>, takenName?: string): void {
  const conflict = takenName === undefined ? null : `A user named "${takenName}" already exists`;
  if (Object.keys(errors).length > 0) {
    // Bad input and a taken name: one 422 that lists everything.
    if (conflict) errors.name = conflict;
    const fields = Object.keys(errors);
    const message = fields.length === 1
      ? errors[fields[0]]
      : `${fields.length} fields are invalid: ${fields.join(", ")}`;
    throw new ValidationError(message, errors);
  }
  if (conflict) throw new ConflictError(conflict, { name: conflict });
}

type Tx = Transaction<Database>;

/**
 * Runs `fn` in a write transaction. `openDatabase` gives the client one connection, so
 * overlapping transactions queue in the client instead of stalling in SQLite's busy wait.
 */
function writeTransaction<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

/** Inbound ids for `tags`, recording an error naming the unknown ones. */
async function resolveInbounds(
  trx: Tx,
  tags: string[] | undefined,
  errors: Record<string, string>,
): Promise<number[]> {
  if (!tags || tags.length === 0) return [];
  const found = await repo.findInboundsByTags(trx, tags);
  const byTag = new Map(found.map((row) => [row.tag, row.id]));
  const unknown = tags.filter((tag) => !byTag.has(tag));
  if (unknown.length > 0) {
    const list = unknown.slice(0, 5).map((tag) => `"${clip(tag)}"`).join(", ");
    errors.inbounds = unknown.length === 1
      ? `Inbound ${list} does not exist`
      : `Inbounds ${list}${unknown.length > 5 ? "…" : ""} do not exist`;
  }
  return tags.flatMap((tag) => byTag.get(tag) ?? []);
}

/**
 * The name check runs inside the write transaction, so a clash is normally caught before
 * writing; should the UNIQUE index still refuse (a writer outside this code), say so as a
 * 409 rather than a 500.
 */
function asNameConflict(e: unknown, name: string | undefined): never {
  if (name !== undefined && /UNIQUE constraint failed: users\.name/.test(String(e))) {
    const message = `A user named "${name}" already exists`;
    throw new ConflictError(message, { name: message });
  }
  throw e;
}

function notFound(name: string): NotFoundError {
  return new NotFoundError(`User "${clip(name)}" does not exist`);
}

async function mustFind(trx: Tx, name: string) {
  const user = await repo.findUserByName(trx, name);
  if (!user) throw notFound(name);
  return user;
}

/**
 * Creates a user from parsed input, generating UUID, password and subscription token.
 * Missing optional fields default to unlimited, never expiring, enabled, no note, reset
 * strategy "none" and no inbounds. Throws ValidationError (422) or ConflictError (409,
 * name taken) and then writes nothing.
 */
export async function createUser(deps: UserDeps, input: ParsedUserInput) {
  const errors = { ...input.errors };
  const v = input.values;
  if (v.name === undefined && !errors.name) errors.name = "Name is required";
  const now = deps.now();
  const user = await writeTransaction(deps.db, async (trx) => {
    const inboundIds = await resolveInbounds(trx, v.inbounds, errors);
    const taken = v.name !== undefined && await repo.findUserByName(trx, v.name) !== undefined;
    throwIfInvalid(errors, taken ? v.name : undefined);
    const name = v.name!;
    const id = await repo.insertUser(trx, {
      name,
      uuid: generateUuid(),
      password: generatePassword(),
      traffic_limit: v.trafficLimit ?? 0,
      expires_at: v.expiresAt ?? null,
      enabled: v.enabled === false ? 0 : 1,
      note: v.note ?? "",
      sub_token: generateSubToken(),
      reset_strategy: v.resetStrategy ?? "none",
      last_reset_at: null,
      created_at: now,
      updated_at: now,
    });
    await repo.replaceUserInbounds(trx, id, inboundIds);
    return (await repo.findUserWithInbounds(trx, name))!;
  }).catch((e) => asNameConflict(e, v.name));
  deps.services.core.requestApply(`user "${user.name}" created`);
  return user;
}

/**
 * Changes the fields present in `input` of the user named `name` (renaming included).
 * Throws NotFoundError, ValidationError or ConflictError and then writes nothing. The core
 * is asked to apply only when something sing-box sees changed (not for a note alone).
 */
export async function updateUser(deps: UserDeps, name: string, input: ParsedUserInput) {
  const errors = { ...input.errors };
  const v = input.values;
  const now = deps.now();
  let affectsConfig = false;
  const user = await writeTransaction(deps.db, async (trx) => {
    const current = await mustFind(trx, name);
    const inboundIds = await resolveInbounds(trx, v.inbounds, errors);
    const renamed = v.name !== undefined && v.name !== current.name;
    const taken = renamed && await repo.findUserByName(trx, v.name!) !== undefined;
    throwIfInvalid(errors, taken ? v.name : undefined);

    const before = await repo.inboundTagsOfUsers(trx, [current.id]);
    const oldTags = (before.get(current.id) ?? []).join("\n");
    const newTags = v.inbounds && [...v.inbounds].sort().join("\n");
    affectsConfig = renamed ||
      (v.enabled !== undefined && v.enabled !== current.enabled) ||
      (v.trafficLimit !== undefined && v.trafficLimit !== current.trafficLimit) ||
      (v.expiresAt !== undefined && v.expiresAt !== current.expiresAt) ||
      (newTags !== undefined && newTags !== oldTags);

    const set = {
      name: v.name,
      traffic_limit: v.trafficLimit,
      expires_at: v.expiresAt,
      enabled: v.enabled === undefined ? undefined : v.enabled ? 1 : 0,
      note: v.note,
      reset_strategy: v.resetStrategy,
    };
    if (Object.values(set).some((value) => value !== undefined) || v.inbounds !== undefined) {
      await repo.updateUserRow(trx, current.id, { ...set, updated_at: now });
    }
    if (v.inbounds !== undefined) await repo.replaceUserInbounds(trx, current.id, inboundIds);
    return (await repo.findUserWithInbounds(trx, v.name ?? current.name))!;
  }).catch((e) => asNameConflict(e, v.name));
  if (affectsConfig) deps.services.core.requestApply(`user "${user.name}" edited`);
  return user;
}

/** Enables or disables a user; a no-op (and no reload) when already so. */
export async function setUserEnabled(deps: UserDeps, name: string, enabled: boolean) {
  const now = deps.now();
  let changed = false;
  const user = await writeTransaction(deps.db, async (trx) => {
    const current = await mustFind(trx, name);
    changed = current.enabled !== enabled;
    if (changed) {
      await repo.updateUserRow(trx, current.id, { enabled: enabled ? 1 : 0, updated_at: now });
    }
    return (await repo.findUserWithInbounds(trx, name))!;
  });
  if (changed) {
    deps.services.core.requestApply(`user "${name}" ${enabled ? "enabled" : "disabled"}`);
  }
  return user;
}

/** Gives a user a new UUID and password (the subscription token stays). */
export async function regenerateUserCredentials(deps: UserDeps, name: string) {
  const now = deps.now();
  const user = await writeTransaction(deps.db, async (trx) => {
    const current = await mustFind(trx, name);
    await repo.updateUserRow(trx, current.id, {
      uuid: generateUuid(),
      password: generatePassword(),
      updated_at: now,
    });
    return (await repo.findUserWithInbounds(trx, name))!;
  });
  deps.services.core.requestApply(`user "${name}" credentials regenerated`);
  return user;
}

/**
 * Sets a user's uplink and downlink to zero and clears their per-inbound breakdown;
 * inbound totals are untouched. A limited user becomes active again.
 */
export async function resetUserTraffic(deps: UserDeps, name: string) {
  const now = deps.now();
  const user = await writeTransaction(deps.db, async (trx) => {
    const current = await mustFind(trx, name);
    await repo.clearUserTraffic(trx, current.id, now);
    return (await repo.findUserWithInbounds(trx, name))!;
  });
  deps.services.core.requestApply(`user "${name}" traffic reset`);
  return user;
}

/** Deletes a user with their assignments and per-inbound traffic, in one transaction. */
export async function deleteUser(deps: UserDeps, name: string): Promise<void> {
  await writeTransaction(deps.db, async (trx) => {
    const current = await mustFind(trx, name);
    await repo.deleteUserRows(trx, current.id);
  });
  deps.services.core.requestApply(`user "${name}" deleted`);
}

/** A user with assignments and per-inbound traffic; NotFoundError if there is none. */
export async function getUserDetail(db: Db, name: string): Promise<UserDetail> {
  const user = await repo.findUserWithInbounds(db, name);
  if (!user) throw notFound(name);
  return { user, perInbound: await repo.userTrafficByInbound(db, user.id) };
}
