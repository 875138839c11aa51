/**
 * Many users at once: bulk actions on a selection (by id, by name, or every user matching
 * a filter) and batch creation. Each is one transaction of set-based statements
 * (`db/users_bulk.ts`) and, when sing-box would see a change, one apply request naming the
 * users it changed. Bad input, unknown users or inbounds, and taken names change nothing.
 */
import type { Transaction } from "kysely";
import type { Db } from "../../db/database.ts";
import type { Database, NewUserRow } from "../../db/schema.ts";
import * as bulk from "../../db/users_bulk.ts";
import { findInboundsByTags } from "../../db/users.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { localize, type Msg } from "../i18n/msg.ts";
import { inboundNotFound } from "../inbounds/inbound_fields.ts";
import { generatePassword, generateUuid } from "../keys.ts";
import { unsetTokenHash } from "../subscriptions/sub_tokens.ts";
import { getStatusThresholds } from "../settings.ts";
import { clip } from "./user_fields.ts";
import { DAY_MS, type StatusThresholds } from "./user_status.ts";
import type { UserDeps } from "./users.ts";
import {
  type BatchInput,
  type BulkAction,
  type BulkRequest,
  type BulkSelection,
  onLine,
} from "./bulk_input.ts";

type Tx = Transaction<Database>;
type Q = Db | Tx;

/** What a bulk action did. */
export interface BulkResult {
  action: BulkAction;
  /** Users the selection named or matched. */
  matched: number;
  /** Users the action changed (the others already were so, or it does not apply to them). */
  changed: number;
}

/** Up to five quoted names and how many more: `"a", "b" and 3 more`, in any language. */
function list(items: string[]): Msg {
  const shown = items.slice(0, 5).map((item) => `"${clip(item)}"`).join(", ");
  return (m) => items.length > 5 ? m.errors.andMore(shown, items.length - 5) : shown;
}

/** The ids of the selected users; every named or given user must exist. */
async function resolveSelection(
  trx: Q,
  selection: BulkSelection,
  now: number,
  thresholds: StatusThresholds,
) {
  if ("ids" in selection) {
    const found = await bulk.existingUserIds(trx, selection.ids);
    if (found.length < selection.ids.length) {
      const gone = selection.ids.length - found.length;
      throw new ValidationError(
        (m) => m.errors.selectionGone(gone),
        { ids: (m) => m.errors.someSelectedGone },
      );
    }
    return found;
  }
  if ("names" in selection) {
    const found = await bulk.usersByNames(trx, selection.names);
    if (found.length < selection.names.length) {
      const known = new Set(found.map((u) => u.name));
      const unknown = selection.names.filter((name) => !known.has(name));
      const names = list(unknown);
      const message: Msg = (m) => m.errors.usersNotFound(unknown.length, localize(names, m));
      throw new ValidationError(message, { users: message });
    }
    return found.map((u) => u.id);
  }
  const { search, status } = selection.filter;
  const ids = await bulk.userIdsMatching(trx, {
    search,
    status: status ? { status, now, thresholds } : undefined,
  });
  if (ids.length === 0) {
    throw new ValidationError((m) => m.errors.noMatch, { filter: (m) => m.errors.noMatchShort });
  }
  return ids;
}

/**
 * How many users the selection names or matches now (for "Delete 1,234 users?"); the same
 * errors as the action for unknown users or no match.
 */
export async function countBulkSelection(deps: UserDeps, selection: BulkSelection) {
  const thresholds = await getStatusThresholds(deps.db);
  return (await resolveSelection(deps.db, selection, deps.now(), thresholds)).length;
}

/** The inbound's id; a 422 naming it when there is none. */
async function inboundId(trx: Tx, tag: string): Promise<number> {
  const [found] = await findInboundsByTags(trx, [tag]);
  if (!found) {
    const message = inboundNotFound(tag);
    throw new ValidationError(message, { inbound: message });
  }
  return found.id;
}

/** Runs the action's statements on `ids`; returns the ids it changed. */
async function apply(trx: Tx, request: BulkRequest, ids: number[], now: number) {
  switch (request.action) {
    case "enable":
    case "disable":
      return await bulk.setUsersEnabled(trx, ids, request.action === "enable", now);
    case "resetTraffic":
      return await bulk.clearUsersTraffic(trx, ids, now);
    case "extendExpiry":
      return await bulk.extendUsersExpiry(trx, ids, request.days! * DAY_MS, now);
    case "addQuota":
      return await bulk.addUsersQuota(trx, ids, request.bytes!, now);
    case "assignInbound":
      return await bulk.assignUsersInbound(trx, ids, await inboundId(trx, request.inbound!), now);
    case "unassignInbound":
      return await bulk.unassignUsersInbound(
        trx,
        ids,
        await inboundId(trx, request.inbound!),
        now,
      );
    case "delete":
      return await bulk.deleteUsersRows(trx, ids);
  }
}

const REASONS: Record<BulkAction, string> = {
  enable: "enabled",
  disable: "disabled",
  resetTraffic: "traffic reset",
  extendExpiry: "expiry extended",
  addQuota: "quota added",
  assignInbound: "inbound assigned",
  unassignInbound: "inbound unassigned",
  delete: "deleted",
};

/**
 * Runs one bulk action in one transaction, then asks the core for one apply naming the
 * users it changed (none if nothing changed). Unknown users or inbound: ValidationError,
 * nothing written.
 */
export async function runBulkAction(deps: UserDeps, request: BulkRequest): Promise<BulkResult> {
  const now = deps.now();
  const thresholds = await getStatusThresholds(deps.db);
  const { matched, changed } = await deps.db.transaction().execute(async (trx) => {
    const ids = await resolveSelection(trx, request.selection, now, thresholds);
    return { matched: ids.length, changed: await apply(trx, request, ids, now) };
  });
  if (changed.length > 0) {
    deps.services.core.requestApply(
      `bulk: ${changed.length} ${changed.length === 1 ? "user" : "users"} ${
        REASONS[request.action]
      }`,
      { userIds: changed },
    );
  }
  return { action: request.action, matched, changed: changed.length };
}

/**
 * A new user's row: generated UUID and password, a placeholder subscription token hash
 * (the token derives from the id, known after the insert); enabled, no note.
 */
function newUserRow(user: BatchInput["users"][number], now: number): NewUserRow {
  return {
    name: user.name,
    uuid: generateUuid(),
    password: generatePassword(),
    traffic_limit: user.trafficLimit,
    expires_at: user.expiresAt,
    enabled: 1,
    note: "",
    sub_token_hash: unsetTokenHash(),
    reset_strategy: "none",
    last_reset_at: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Sets the real subscription token hash of new users (inserted with placeholders: a token
 * derives from the id). Computed after the batch's transaction, so the hashing (about 35 µs
 * a user) does not hold the write lock; should the panel stop in between, the placeholders
 * are filled at the next start (`SubscriptionTokens.ensureHashes`).
 */
async function setSubscriptionHashes(deps: UserDeps, ids: number[]): Promise<void> {
  const hashes: Array<[number, string]> = [];
  for (let start = 0; start < ids.length; start += 1000) {
    hashes.push(
      ...await Promise.all(
        ids.slice(start, start + 1000).map(async (id): Promise<[number, string]> => [
          id,
          await deps.subscriptionTokens.hash({ id, subGeneration: 0 }),
        ]),
      ),
    );
  }
  await deps.db.transaction().execute((trx) => bulk.setUsersTokenHashes(trx, hashes));
}

/**
 * Creates every user of the batch with the given inbounds in one transaction and asks for
 * one apply. A taken name or an unknown inbound is a ValidationError naming them (by CSV
 * line when known) and nothing is created.
 */
export async function createUsersBatch(deps: UserDeps, input: BatchInput): Promise<number[]> {
  const now = deps.now();
  const ids = await deps.db.transaction().execute(async (trx) => {
    const errors: Record<string, Msg> = {};
    const inbounds = await findInboundsByTags(trx, input.inbounds);
    if (inbounds.length < input.inbounds.length) {
      const known = new Set(inbounds.map((i) => i.tag));
      const unknown = input.inbounds.filter((tag) => !known.has(tag));
      const tags = list(unknown);
      errors.inbounds = (m) => m.errors.inboundsNotFound(unknown.length, localize(tags, m));
    }
    const taken = await bulk.takenUserNames(trx, input.users.map((u) => u.name));
    if (taken.length > 0) {
      const lines = new Map(input.users.map((u) => [u.name.toLowerCase(), u.line]));
      for (const name of taken) {
        const line = lines.get(name.toLowerCase());
        const message: Msg = (m) => m.errors.userExists(name);
        errors[line ? `line ${line}` : `name ${name}`] = line ? onLine(line, message) : message;
      }
    }
    const keys = Object.keys(errors);
    if (keys.length > 0) {
      throw new ValidationError(
        keys.length === 1 ? errors[keys[0]] : (m) => m.errors.notCreatedProblems(keys.length),
        errors,
      );
    }
    const rows = input.users.map((user) => newUserRow(user, now));
    return await bulk.insertUsersBatch(trx, rows, inbounds.map((i) => i.id));
  }).catch((e) => {
    if (/UNIQUE constraint failed: users\.name/.test(String(e))) {
      throw new ConflictError((m) => m.errors.batchRace);
    }
    throw e;
  });
  deps.services.core.requestApply(`batch: ${ids.length} users created`, { userIds: ids });
  await setSubscriptionHashes(deps, ids);
  return ids;
}
