/**
 * Input of the many-users tools: a bulk action (the Users page's bar or
 * `POST /api/v1/users/bulk`) and a batch of new users (a name prefix and a count, or CSV
 * lines of name, quota, expiry). Every problem is collected; one `ValidationError` names
 * them all (CSV problems by line), and nothing is written.
 */
import { USER_STATUSES, type UserStatus } from "../model.ts";
import { ValidationError } from "../errors.ts";
import type { Messages } from "../i18n/en.ts";
import { localize, type Msg } from "../i18n/msg.ts";
import {
  clip,
  expiryDateValue,
  expiryIsoValue,
  type FieldLabel,
  inboundsValue,
  type Parsed,
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

type Errors = Record<string, Msg>;

/** Throws the collected problems as one `ValidationError`; `what` says what was not done. */
function throwIfAny(errors: Errors, what: (m: Messages) => string): void {
  const fields = Object.keys(errors);
  if (fields.length === 0) return;
  const message: Msg = fields.length === 1 ? errors[fields[0]] : (m) =>
    m.errors.problems(
      what(m),
      fields.length,
      fields.map((f) => localize(errors[f], m)).join("; "),
    );
  throw new ValidationError(message, errors);
}

const NOT_APPLIED = (m: Messages) => m.bulk.notApplied;
const NOT_CREATED = (m: Messages) => m.batch.notCreated;
const QUOTA: FieldLabel = (m) => m.bulk.quota;

function actionValue(value: unknown, errors: Errors): BulkAction | undefined {
  if (typeof value === "string" && (BULK_ACTIONS as readonly string[]).includes(value)) {
    return value as BulkAction;
  }
  const given = clip(String(value));
  errors.action = value === undefined || value === ""
    ? (m) => m.errors.chooseAction
    : (m) => m.errors.bulkAction(given, BULK_ACTIONS.join(", "));
  return undefined;
}

function statusValue(value: unknown, errors: Errors): UserStatus | "" {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value === "string" && (USER_STATUSES as readonly string[]).includes(value)) {
    return value as UserStatus;
  }
  const given = clip(String(value));
  errors.status = (m) => m.errors.statusFilter(given, USER_STATUSES.join(", "));
  return "";
}

function daysValue(value: unknown, errors: Errors): number | undefined {
  const n = typeof value === "string" && /^\d{1,6}$/.test(value.trim())
    ? Number(value.trim())
    : value;
  if (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= BULK_MAX_DAYS) return n;
  errors.days = (m) => m.errors.wholeNumber(m.bulk.days, 1, BULK_MAX_DAYS);
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
    } else errors.inbound = (m) => m.errors.chooseInbound;
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
    if (ids.length === 0) errors.ids = (m) => m.errors.selectUsers;
    else if (ids.some((id) => !/^\d{1,15}$/.test(id))) errors.ids = (m) => m.errors.badSelection;
    selection = { ids: [...new Set(ids.map(Number))] };
  }
  const request = withParameters(action, selection, {
    days: () => daysValue(formString(form, "days"), errors),
    bytes: () => {
      const parsed = quotaValue(
        formString(form, "amount"),
        formString(form, "unit") || "GB",
        QUOTA,
      );
      if (parsed.error !== undefined) errors.amount = parsed.error;
      else if (parsed.value === 0) errors.amount = (m) => m.errors.quotaToAddZero;
      return parsed.value;
    },
    inbound: formString(form, "inbound"),
  }, errors);
  throwIfAny(errors, NOT_APPLIED);
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
  throwIfAny(errors, NOT_APPLIED);
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
    errors.count = (m) => m.errors.wholeNumber(m.batch.fields.count, 1, BATCH_MAX_USERS);
  }
  const start = formString(form, "start").trim() === ""
    ? 1
    : wholeNumber(formString(form, "start"), 0, 9_999_999);
  if (start === undefined) errors.start = (m) => m.errors.firstNumber;
  if (prefix === "") errors.prefix = (m) => m.errors.prefixRequired;
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
        const example = clip(name);
        errors.prefix = (m) => m.errors.prefixNames(example, localize(error, m));
        break;
      }
    }
    users = names.map((name) => ({
      name,
      trafficLimit: quota.value ?? 0,
      expiresAt: expiry.value ?? null,
    }));
  }
  throwIfAny(errors, NOT_CREATED);
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
function csvQuota(text: string): Parsed<number> {
  const q = /^([^a-z]*?)\s*([kmgt]i?b)?$/i.exec(text.trim());
  if (!q) {
    const given = clip(text);
    return { error: (m) => m.errors.csvQuota(given) };
  }
  const unit = (q[2] ?? "GB").toUpperCase().replace("IB", "B");
  if (!(QUOTA_UNITS as readonly string[]).includes(unit)) {
    const given = clip(q[2] ?? "");
    return { error: (m) => m.errors.csvQuotaUnit(given) };
  }
  return quotaValue(q[1], unit, QUOTA);
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
  const problem = (line: number, message: Msg) => {
    problems++;
    if (problems <= 20) errors[`line ${line}`] = onLine(line, message);
  };
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    const [name = "", quotaText = "", expiryText = "", ...rest] = csvFields(raw);
    if (line === 1 && /^name$/i.test(name)) return;
    if (rest.some((field) => field !== "")) {
      return problem(line, (m) => m.errors.csvFields);
    }
    const nameError = userNameError(name);
    if (nameError) return problem(line, nameError);
    // Names are unique regardless of case.
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) return problem(line, (m) => m.errors.csvDuplicate(name, earlier));
    seen.set(name.toLowerCase(), line);
    const quota = csvQuota(quotaText);
    if (quota.error !== undefined) return problem(line, quota.error);
    const expiry = expiryText === "" ? { value: null } : expiryIsoValue(expiryText);
    if (expiry.error !== undefined) return problem(line, expiry.error);
    users.push({ name, trafficLimit: quota.value!, expiresAt: expiry.value ?? null, line });
  });
  if (problems > 20) errors.more = (m) => m.errors.csvMore(problems - 20);
  if (problems === 0 && users.length === 0) errors.csv = (m) => m.errors.csvEmpty;
  if (users.length > BATCH_MAX_USERS) {
    errors.csv = (m) => m.errors.batchTooLarge(BATCH_MAX_USERS);
  }
  const inbounds = inboundsValue(inboundTags);
  if (inbounds.error !== undefined) errors.inbounds = inbounds.error;
  throwIfAny(errors, NOT_CREATED);
  return { users, inbounds: inbounds.value ?? [] };
}

/** A problem of one CSV line, named by the line: `Line 3: …`. */
export function onLine(line: number, message: Msg): Msg {
  return (m) => m.errors.onLine(line, localize(message, m));
}
