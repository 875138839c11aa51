/**
 * Users: every change to a user. A change takes input parsed by `user_input.ts`, checks
 * everything first (input, then name clashes and inbound tags inside the write
 * transaction), writes in that one transaction, and only then asks the core to apply the
 * new config.
 */
import type { Transaction } from "kysely";
import type { Db } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import * as repo from "../../db/users.ts";
import type { UserInboundTraffic, UserWithInbounds } from "../../db/users.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Msg } from "../i18n/msg.ts";
import type { User } from "../model.ts";
import { editVersion } from "../versions.ts";
import { generatePassword, generateUuid } from "../keys.ts";
import type { CoreControl } from "../services.ts";
import { type SubscriptionTokens, unsetTokenHash } from "../subscriptions/sub_tokens.ts";
import { clip } from "./user_fields.ts";
import { type ParsedUserInput, throwIfInvalid } from "./user_input.ts";

/** What user changes need from the app: the database, the clock, the core, token hashes. */
export interface UserDeps {
  db: Db;
  now: () => number;
  services: { core: Pick<CoreControl, "requestApply"> };
  subscriptionTokens: Pick<SubscriptionTokens, "hash">;
}

/** A user's detail: the user, their assignments and their traffic per inbound. */
export interface UserDetail {
  user: UserWithInbounds;
  perInbound: UserInboundTraffic[];
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
  errors: Record<string, Msg>,
): Promise<number[]> {
  if (!tags || tags.length === 0) return [];
  const found = await repo.findInboundsByTags(trx, tags);
  const byTag = new Map(found.map((row) => [row.tag, row.id]));
  const unknown = tags.filter((tag) => !byTag.has(tag));
  if (unknown.length > 0) {
    const list = unknown.slice(0, 5).map((tag) => `"${clip(tag)}"`).join(", ") +
      (unknown.length > 5 ? "…" : "");
    errors.inbounds = (m) => m.errors.inboundsNotFound(unknown.length, list);
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
    const message: Msg = (m) => m.errors.userExists(name);
    throw new ConflictError(message, { name: message });
  }
  throw e;
}

/**
 * The edit version of a user (see `core/versions.ts`): what the edit form shows and an
 * update may overwrite. The user form carries it; traffic, credentials and timestamps are
 * not part of it, so a poll or a reset never makes an open form stale.
 */
export function userVersion(user: User & { inbounds: string[] }): string {
  const { name, trafficLimit, expiresAt, enabled, note, resetStrategy } = user;
  const inbounds = [...user.inbounds].sort();
  return editVersion({ name, trafficLimit, expiresAt, enabled, note, resetStrategy, inbounds });
}

function changedMeanwhile(name: string): ConflictError {
  const user = clip(name);
  return new ConflictError((m) => m.errors.userChangedMeanwhile(user));
}

/** The existing user whose name clashes with `name` (ignoring case), other than `selfId`. */
async function nameTakenBy(trx: Tx, name: string | undefined, selfId?: number) {
  if (name === undefined) return undefined;
  const other = await repo.findUserByNameIgnoringCase(trx, name);
  return other && other.id !== selfId ? other.name : undefined;
}

function notFound(name: string): NotFoundError {
  return new NotFoundError(userNotFound(name));
}

/** "User "x" does not exist", in any language. */
export function userNotFound(name: string): Msg {
  const user = clip(name);
  return (m) => m.errors.userNotFound(user);
}

async function mustFind(trx: Tx, name: string) {
  const user = await repo.findUserByName(trx, name);
  if (!user) throw notFound(name);
  return user;
}

/**
 * Creates a user from parsed input, generating UUID and password, and storing the hash of
 * their subscription token (generation 0).
 * Missing optional fields default to unlimited, never expiring, enabled, no note, reset
 * strategy "none" and no inbounds. Throws ValidationError (422) or ConflictError (409,
 * name taken) and then writes nothing.
 */
export async function createUser(deps: UserDeps, input: ParsedUserInput) {
  const errors = { ...input.errors };
  const v = input.values;
  if (v.name === undefined && !errors.name) errors.name = (m) => m.errors.nameRequired;
  const now = deps.now();
  const user = await writeTransaction(deps.db, async (trx) => {
    const inboundIds = await resolveInbounds(trx, v.inbounds, errors);
    throwIfInvalid(errors, await nameTakenBy(trx, v.name));
    const name = v.name!;
    const id = await repo.insertUser(trx, {
      name,
      uuid: generateUuid(),
      password: generatePassword(),
      traffic_limit: v.trafficLimit ?? 0,
      expires_at: v.expiresAt ?? null,
      enabled: v.enabled === false ? 0 : 1,
      note: v.note ?? "",
      sub_token_hash: unsetTokenHash(),
      reset_strategy: v.resetStrategy ?? "none",
      last_reset_at: null,
      created_at: now,
      updated_at: now,
    });
    // The token is derived from the id, known only now.
    const hash = await deps.subscriptionTokens.hash({ id, subGeneration: 0 });
    await repo.updateUserRow(trx, id, { sub_token_hash: hash });
    await repo.replaceUserInbounds(trx, id, inboundIds);
    return (await repo.findUserWithInbounds(trx, name))!;
  }).catch((e) => asNameConflict(e, v.name));
  deps.services.core.requestApply(`user "${user.name}" created`, { userIds: [user.id] });
  return user;
}

/**
 * Changes the fields present in `input` of the user named `name` (renaming included).
 * Throws NotFoundError, ValidationError or ConflictError and then writes nothing. The core
 * is asked to apply only when something sing-box sees changed (not for a note alone).
 *
 * `expectedVersion` (from an edit form, see `userVersion`) is compared with the user as
 * found inside the write transaction: a user changed, renamed or deleted since the form
 * was opened is a 409 and nothing is written. Without it (API PATCH) only the given
 * fields change, atomically, so concurrent partial updates do not undo each other.
 */
export async function updateUser(
  deps: UserDeps,
  name: string,
  input: ParsedUserInput,
  expectedVersion?: string,
) {
  const errors = { ...input.errors };
  const v = input.values;
  const now = deps.now();
  let affectsConfig = false;
  const user = await writeTransaction(deps.db, async (trx) => {
    const current = await repo.findUserByName(trx, name);
    if (!current) throw expectedVersion === undefined ? notFound(name) : changedMeanwhile(name);
    const before = await repo.inboundTagsOfUsers(trx, [current.id]);
    const currentTags = before.get(current.id) ?? [];
    if (
      expectedVersion !== undefined &&
      userVersion({ ...current, inbounds: currentTags }) !== expectedVersion
    ) {
      throw changedMeanwhile(name);
    }
    const inboundIds = await resolveInbounds(trx, v.inbounds, errors);
    const renamed = v.name !== undefined && v.name !== current.name;
    throwIfInvalid(errors, renamed ? await nameTakenBy(trx, v.name, current.id) : undefined);

    const oldTags = currentTags.join("\n");
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
  if (affectsConfig) {
    deps.services.core.requestApply(`user "${user.name}" edited`, { userIds: [user.id] });
  }
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
    deps.services.core.requestApply(`user "${name}" ${enabled ? "enabled" : "disabled"}`, {
      userIds: [user.id],
    });
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
  deps.services.core.requestApply(`user "${name}" credentials regenerated`, {
    userIds: [user.id],
  });
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
  deps.services.core.requestApply(`user "${name}" traffic reset`, { userIds: [user.id] });
  return user;
}

/** Deletes a user with their assignments and per-inbound traffic, in one transaction. */
export async function deleteUser(deps: UserDeps, name: string): Promise<void> {
  const id = await writeTransaction(deps.db, async (trx) => {
    const current = await mustFind(trx, name);
    await repo.deleteUserRows(trx, current.id);
    return current.id;
  });
  deps.services.core.requestApply(`user "${name}" deleted`, { userIds: [id] });
}

/** A user with assignments and per-inbound traffic; NotFoundError if there is none. */
export async function getUserDetail(db: Db, name: string): Promise<UserDetail> {
  const user = await repo.findUserWithInbounds(db, name);
  if (!user) throw notFound(name);
  return { user, perInbound: await repo.userTrafficByInbound(db, user.id) };
}
