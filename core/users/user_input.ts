/**
 * User input: the HTML form (strings) and the API's JSON body (typed) parsed into one
 * `ParsedUserInput`, every field checked by `user_fields.ts`; and the users list's query.
 * Bad fields are collected, not thrown, so a change can report them with a taken name.
 */
import { USER_SORTS, type UserListOptions, type UserSort } from "../../db/users.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import type { Msg } from "../i18n/msg.ts";
import { RESET_STRATEGIES, type ResetStrategy, USER_STATUSES, type UserStatus } from "../model.ts";
import {
  byteLimitValue,
  clip,
  dateInputValue,
  expiryDateValue,
  expiryIsoValue,
  inboundsValue,
  noteValue,
  type Parsed,
  quotaValue,
  resetStrategyValue,
  userNameError,
} from "./user_fields.ts";

export const USER_SEARCH_MAX = 100;

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
  errors: Record<string, Msg>;
}

function collect<K extends keyof UserInput>(
  out: ParsedUserInput,
  field: K,
  result: Parsed<UserInput[K]>,
) {
  if (result.error !== undefined) out.errors[field] = result.error;
  else out.values[field] = result.value;
}

/** A form as `parseBody({ all: true })` returns it. */
export type FormFields = Record<string, unknown>;

/** A form field's text (its last value when given more than once), or "". */
export function formString(form: FormFields, key: string): string {
  const v = form[key];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === "string" ? last : "";
}

/** A form field's non-empty values, in order. */
export function formList(form: FormFields, key: string): string[] {
  const v = form[key];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((item): item is string => typeof item === "string" && item !== "");
}

/**
 * Parses the user form. Every field is present in a form (an unchecked `enabled` box means
 * disabled): `name`, `trafficLimit` in `trafficLimitUnit` (MB, GB or TB; a decimal, empty
 * or 0 = unlimited), `expiresOn`
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
  collect(
    out,
    "trafficLimit",
    quotaValue(formString(form, "trafficLimit"), formString(form, "trafficLimitUnit") || "GB"),
  );
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

const JSON_FIELDS: Record<keyof UserInput, (value: unknown) => Parsed<unknown>> = {
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
      collect(out, field, JSON_FIELDS[field](value) as Parsed<never>);
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
    out.errors.name = (m) => m.errors.nameRequired;
  }
  return out;
}

/** What a users list shows: the URL state of the Users page and the API's list. */
export interface UserListQuery extends Required<Pick<UserListOptions, "search" | "sort" | "page">> {
  /** Only users with this status; "" for all. */
  status: UserStatus | "";
}

/** The query of a users list (page or API), validated; bad values are a 422. */
export function parseUserListQuery(
  query: { search?: string; status?: string; sort?: string; page?: string },
): UserListQuery {
  const errors: Record<string, Msg> = {};
  const status = query.status ?? "";
  if (status !== "" && !(USER_STATUSES as readonly string[]).includes(status)) {
    const given = clip(status);
    errors.status = (m) => m.errors.statusFilter(given, USER_STATUSES.join(", "));
  }
  const search = (query.search ?? "").trim();
  if (search.length > USER_SEARCH_MAX) {
    errors.search = (m) => m.errors.searchTooLong(USER_SEARCH_MAX);
  }
  const sort = query.sort || "name";
  if (!(USER_SORTS as readonly string[]).includes(sort)) {
    const given = clip(sort);
    errors.sort = (m) => m.errors.sortOrder(given, USER_SORTS.join(", "));
  }
  const pageText = query.page || "1";
  const page = /^\d{1,9}$/.test(pageText) ? Number(pageText) : 0;
  if (page < 1) {
    const given = clip(pageText);
    errors.page = (m) => m.errors.pageNumber(given);
  }
  throwIfInvalid(errors);
  return { search, status: status as UserStatus | "", sort: sort as UserSort, page };
}

/**
 * Throws the collected field errors as one `ValidationError` (422), with a taken name
 * among them; a taken name alone is a `ConflictError` (409). Does nothing when all is well.
 */
export function throwIfInvalid(errors: Record<string, Msg>, takenName?: string): void {
  const conflict: Msg | null = takenName === undefined
    ? null
    : (m) => m.errors.userExists(takenName);
  if (Object.keys(errors).length > 0) {
    // Bad input and a taken name: one 422 that lists everything.
    if (conflict) errors.name = conflict;
    const fields = Object.keys(errors);
    const message: Msg = fields.length === 1
      ? errors[fields[0]]
      : (m) => m.errors.fieldsInvalid(fields.length, fields.join(", "));
    throw new ValidationError(message, errors);
  }
  if (conflict) throw new ConflictError(conflict, { name: conflict });
}
