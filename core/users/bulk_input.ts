/**
 * Input of the many-users tools: a bulk action (the Users page's bar or
 * `POST /api/v1/users/bulk`) and a batch of new users (a name prefix and a count, or CSV
 * lines of name, quota, expiry). Every problem is collected; one `ValidationError` names
 * them all (CSV problems by line), and nothing is written.
 */
import { USER_STATUSES, type UserStatus } from "../model.ts";
import { ValidationError } from "../errors.ts";
import {
  clip,
  expiryDateValue,
  expiryIsoValue,
  inboundsValue,
  QUOTA_UNITS,
  quotaValue,
  userNameError,
} from "./user_fields.ts";
import { type FormFields, formList, formString } from "./user_input.ts";

export const BULK_ACTIONS = [
  "enable",
  "disable",
  "resetTraffic",
  "extendExpiry",
  "addQuota",
  "assignInbound",
  "unassignInbound",
  "delete",
] as const;
export type BulkAction = typeof BULK_ACTIONS[number];

/** Which users a bulk action changes: by id (the page), by name (the API), or a filter. */
export type BulkSelection =
  | { ids: number[] }
  | { names: string[] }
  | { filter: { search: string; status: UserStatus | "" } };

export interface BulkRequest {
  action: BulkAction;
  selection: BulkSelection;
  /** extendExpiry: whole days, 1 to 3650. */
  days?: number;
  /** addQuota: bytes to add to each limit. */
  bytes?: number;
  /** assignInbound, unassignInbound: the inbound's tag. */
  inbound?: string;
}

export const BULK_MAX_DAYS = 3650;
/** Most users one request may name; the API's 64 KB body holds about 5,000 names. */
export const BULK_MAX_NAMES = 10_000;
/** Most users one batch may create. */
export const BATCH_MAX_USERS = 100_000;

type Errors = Record<string, string>;

function throwIfAny(errors: Errors, what: string): void {
  const fields = Object.keys(errors);
  if (fields.length === 0) return;
  const message = fields.length === 1
    ? errors[fields[0]]
    : `${what}: ${fields.length} problems: ${fields.map((f) => errors[f]).join("; ")}`;
  throw new ValidationError(message, errors);
}

function actionValue(value: unknown, errors: Errors): BulkAction | undefined {
  if (typeof value === "string" && (BULK_ACTIONS as readonly string[]).includes(value)) {
    return value as BulkAction;
  }
  errors.action = value === undefined || value === ""
    ? "Choose an action"
    : `Action "${clip(String(value))}" must be one of ${BULK_ACTIONS.join(", ")}`;
  return undefined;
}

function statusValue(value: unknown, errors: Errors): UserStatus | "" {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value === "string" && (USER_STATUSES as readonly string[]).includes(value)) {
    return value as UserStatus;
  }
  errors.status = `Status "${clip(String(value))}" must be one of ${USER_STATUSES.join(", ")}`;
  return "";
}

function daysValue(value: unknown, errors: Errors): number | undefined {
  const n = typeof value === "string" && /^\d{1,6}$/.test(value.trim())
    ? Number(value.trim())
    : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= BULK_MAX_DAYS) return n;
  errors.days = `Days must be a whole number from 1 to ${BULK_MAX_DAYS}`;
  return undefined;
}

/** Checks the parameter the action needs and leaves out the others. */
function withParameters(
  action: BulkAction | undefined,
  selection: BulkSelection | undefined,
  params: { days: () => number | undefined; bytes: () => number | undefined; inbound: unknown },
  errors: Errors,
): BulkRequest {
  const request = { action, selection } as BulkRequest;
  if (action === "extendExpiry") request.days = params.days();
  if (action === "addQuota") request.bytes = params.bytes();
  if (action === "assignInbound" || action === "unassignInbound") {
    if (typeof params.inbound === "string" && params.inbound !== "") {
      request.inbound = params.inbound;
    } else errors.inbound = "Choose an inbound";
  }
  return request;
}

/**
 * The Users page's bulk form: `action`; `scope` "selected" (the checked `ids`) or "filter"
 * (every user matching `search` and `status`); `days`; `amount` in `unit`; `inbound`.
 */
export function parseBulkForm(form: FormFields): BulkRequest {
  const errors: Errors = {};
  const action = actionValue(formString(form, "action"), errors);
  let selection: BulkSelection | undefined;
  if (formString(form, "scope") === "filter") {
    const search = formString(form, "search").trim().slice(0, 100);
    selection = { filter: { search, status: statusValue(formString(form, "status"), errors) } };
  } else {
    const ids = formList(form, "ids");
    if (ids.length === 0) errors.ids = "Select at least one user, or choose every matching user";
    else if (ids.some((id) => !/^\d{1,15}$/.test(id))) errors.ids = "Selected users are invalid";
    selection = { ids: [...new Set(ids.map(Number))] };
  }
  const request = withParameters(action, selection, {
    days: () => daysValue(formString(form, "days"), errors),
    bytes: () => {
      const parsed = quotaValue(
        formString(form, "amount"),
        formString(form, "unit") || "GB",
        "Quota",
      );
      if (parsed.error !== undefined) errors.amount = parsed.error;
      else if (parsed.value === 0) errors.amount = "Quota to add must be more than 0";
      return parsed.value;
    },
    inbound: formString(form, "inbound"),
  }, errors);
  throwIfAny(errors, "The bulk action was not applied");
  return request;
}

const BULK_JSON_KEYS = ["action", "users", "filter", "days", "bytes", "inbound"];

/**
 * `POST /api/v1/users/bulk`: `{"action", "users": [names]}` or `{"action", "filter":
 * {"search", "status"}}` (`{}` is every user), with `days`, `bytes` or `inbound` as the
 * action needs. Unknown fields are errors; a body that is not an object is a 400.
 */
export function parseBulkJson(body: unknown): BulkRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("Request body must be a JSON object", {}, 400);
  }
  const b = body as Record<string, unknown>;
  const errors: Errors = {};
  for (const key of Object.keys(b)) {
    if (!BULK_JSON_KEYS.includes(key)) {
      errors[key === "__proto__" ? "(__proto__)" : clip(key)] = `Unknown field "${clip(key)}"`;
    }
  }
  const action = actionValue(b.action, errors);
  let selection: BulkSelection | undefined;
  if ((b.users === undefined) === (b.filter === undefined)) {
    errors.users = 'Give either "users" (a list of names) or "filter" ({"search", "status"})';
  } else if (b.users !== undefined) {
    const names = b.users;
    if (!Array.isArray(names) || names.some((n) => typeof n !== "string" || n === "")) {
      errors.users = "Users must be a list of user names";
    } else if (names.length === 0) errors.users = "Users must name at least one user";
    else if (names.length > BULK_MAX_NAMES) {
      errors.users = `At most ${BULK_MAX_NAMES} users can be named at once; use a filter`;
    } else selection = { names: [...new Set(names as string[])] };
  } else {
    const f = b.filter;
    if (typeof f !== "object" || f === null || Array.isArray(f)) {
      errors.filter = 'Filter must be an object like {"search": "", "status": "expired"}';
    } else {
      const filter = f as Record<string, unknown>;
      for (const key of Object.keys(filter)) {
        if (key !== "search" && key !== "status") {
          errors[`filter.${clip(key)}`] = `Unknown filter field "${clip(key)}"`;
        }
      }
      if (filter.search !== undefined && typeof filter.search !== "string") {
        errors.search = "Search must be a string";
      }
      const search = typeof filter.search === "string" ? filter.search.trim() : "";
      if (search.length > 100) errors.search = "Search must be at most 100 characters";
      selection = { filter: { search, status: statusValue(filter.status, errors) } };
    }
  }
  const request = withParameters(action, selection, {
    days: () => daysValue(b.days, errors),
    bytes: () => {
      const bytes = b.bytes;
      if (typeof bytes === "number" && Number.isSafeInteger(bytes) && bytes > 0) return bytes;
      errors.bytes = "Bytes must be a whole number of bytes above 0";
      return undefined;
    },
    inbound: b.inbound,
  }, errors);
  throwIfAny(errors, "The bulk action was not applied");
  return request;
}

// ---------------------------------------------------------------------------------------
// Batch creation

/** One user of a batch, with the CSV line it came from (for error messages). */
export interface BatchUser {
  name: string;
  trafficLimit: number;
  expiresAt: number | null;
  line?: number;
}

export interface BatchInput {
  users: BatchUser[];
  /** Inbound tags every new user is assigned. */
  inbounds: string[];
}

/** Names `prefix` + number, numbers zero-padded to the widest: `user-01` … `user-50`. */
export function batchNames(prefix: string, start: number, count: number): string[] {
  const width = String(start + count - 1).length;
  return Array.from({ length: count }, (_, i) => prefix + String(start + i).padStart(width, "0"));
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  const t = text.trim();
  const n = /^\d{1,7}$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/**
 * The batch form by prefix: `prefix`, `count`, `start` (the first number, default 1), the
 * quota (`trafficLimit` in `trafficLimitUnit`) and expiry (`expiresOn`) every user gets,
 * and `inbounds`.
 */
export function parseBatchPrefixForm(form: FormFields): BatchInput {
  const errors: Errors = {};
  const prefix = formString(form, "prefix").trim();
  const count = wholeNumber(formString(form, "count"), 1, BATCH_MAX_USERS);
  if (count === undefined) {
    errors.count = `Count must be a whole number from 1 to ${BATCH_MAX_USERS}`;
  }
  const start = formString(form, "start").trim() === ""
    ? 1
    : wholeNumber(formString(form, "start"), 0, 9_999_999);
  if (start === undefined) errors.start = "First number must be a whole number from 0";
  if (prefix === "") errors.prefix = "Prefix is required";
  const quota = quotaValue(
    formString(form, "trafficLimit"),
    formString(form, "trafficLimitUnit") || "GB",
  );
  if (quota.error !== undefined) errors.trafficLimit = quota.error;
  const expiry = expiryDateValue(formString(form, "expiresOn"));
  if (expiry.error !== undefined) errors.expiresAt = expiry.error;
  const inbounds = inboundsValue(formList(form, "inbounds"));
  if (inbounds.error !== undefined) errors.inbounds = inbounds.error;
  let users: BatchUser[] = [];
  if (prefix !== "" && count !== undefined && start !== undefined) {
    const names = batchNames(prefix, start, count);
    // Every name shares the prefix: checking the first and the longest finds any problem.
    for (const name of [names[0], names[names.length - 1]]) {
      const error = userNameError(name);
      if (error) {
        errors.prefix = `Names like "${clip(name)}" are not valid: ${error}`;
        break;
      }
    }
    users = names.map((name) => ({
      name,
      trafficLimit: quota.value ?? 0,
      expiresAt: expiry.value ?? null,
    }));
  }
  throwIfAny(errors, "No users were created");
  return { users, inbounds: inbounds.value ?? [] };
}

/** Splits one CSV line into fields (commas or semicolons; double quotes around a field). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,;]*))\s*(?:[,;]|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < line.length && (m = re.exec(line)) !== null) {
    fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].trim());
    if (m[0] === "") break;
  }
  if (/[,;]\s*$/.test(line)) fields.push("");
  return fields;
}

/** A CSV quota: empty or 0 is unlimited, a number alone is GB, or a number and MB/GB/TB. */
function csvQuota(text: string): { value?: number; error?: string } {
  const m = /^([^a-z]*?)\s*([kmgt]i?b)?$/i.exec(text.trim());
  if (!m) return { error: `Quota "${clip(text)}" must be a number and MB, GB or TB, like 10 GB` };
  const unit = (m[2] ?? "GB").toUpperCase().replace("IB", "B");
  if (!(QUOTA_UNITS as readonly string[]).includes(unit)) {
    return { error: `Quota unit "${clip(m[2] ?? "")}" must be MB, GB or TB` };
  }
  return quotaValue(m[1], unit, "Quota");
}

/**
 * CSV text, one user per line: `name,quota,expiry` (quota and expiry optional; a first line
 * starting with "name" is a header). Quota as `csvQuota`; expiry a date (end of that day
 * UTC), an ISO date-time, or empty for never. Errors name the line, at most 20 of them.
 */
export function parseBatchCsv(text: string, inboundTags: string[]): BatchInput {
  const errors: Errors = {};
  const users: BatchUser[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  let problems = 0;
  const problem = (line: number, message: string) => {
    problems++;
    if (problems <= 20) errors[`line ${line}`] = `Line ${line}: ${message}`;
  };
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    const [name = "", quotaText = "", expiryText = "", ...rest] = csvFields(raw);
    if (line === 1 && /^name$/i.test(name)) return;
    if (rest.some((field) => field !== "")) {
      return problem(line, "has more than 3 fields (name, quota, expiry)");
    }
    const nameError = userNameError(name);
    if (nameError) return problem(line, nameError);
    // Names are unique regardless of case.
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) return problem(line, `"${name}" is also on line ${earlier}`);
    seen.set(name.toLowerCase(), line);
    const quota = csvQuota(quotaText);
    if (quota.error !== undefined) return problem(line, quota.error);
    const expiry = expiryText === "" ? { value: null } : expiryIsoValue(expiryText);
    if (expiry.error !== undefined) return problem(line, expiry.error);
    users.push({ name, trafficLimit: quota.value!, expiresAt: expiry.value ?? null, line });
  });
  if (problems > 20) errors.more = `…and ${problems - 20} more lines with problems`;
  if (problems === 0 && users.length === 0) errors.csv = "The CSV has no users";
  if (users.length > BATCH_MAX_USERS) {
    errors.csv = `At most ${BATCH_MAX_USERS} users can be created at once`;
  }
  const inbounds = inboundsValue(inboundTags);
  if (inbounds.error !== undefined) errors.inbounds = inbounds.error;
  throwIfAny(errors, "No users were created");
  return { users, inbounds: inbounds.value ?? [] };
}
