/** Admins, sessions and API tokens. */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** The admin with this username, if any. */
export function findAdminByUsername(db: Q, username: string) {
  return db.selectFrom("admins").selectAll().where("username", "=", username).executeTakeFirst();
}

/** How many admins exist. */
export async function countAdmins(db: Q): Promise<number> {
  const row = await db.selectFrom("admins").select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Creates an admin; returns its id. */
export async function insertAdmin(db: Q, username: string, passwordHash: string, now: number) {
  const row = await db.insertInto("admins")
    .values({ username, password_hash: passwordHash, created_at: now, updated_at: now })
    .returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** Replaces an admin's password hash. */
export async function updateAdminPassword(
  db: Q,
  adminId: number,
  passwordHash: string,
  now: number,
) {
  await db.updateTable("admins").set({ password_hash: passwordHash, updated_at: now })
    .where("id", "=", adminId).execute();
}

/** Stores a session by the hash of its id. */
export async function insertSession(
  db: Q,
  s: { idHash: string; adminId: number; csrfToken: string; now: number },
) {
  await db.insertInto("sessions").values({
    id_hash: s.idHash,
    admin_id: s.adminId,
    csrf_token: s.csrfToken,
    created_at: s.now,
    last_seen_at: s.now,
  }).execute();
}

/** A session with its admin's username. */
export function findSession(db: Q, idHash: string) {
  return db.selectFrom("sessions").innerJoin("admins", "admins.id", "sessions.admin_id")
    .select([
      "sessions.id_hash",
      "sessions.admin_id",
      "sessions.csrf_token",
      "sessions.created_at",
      "sessions.last_seen_at",
      "admins.username",
    ])
    .where("sessions.id_hash", "=", idHash).executeTakeFirst();
}

/** Marks a session as used now (sliding idle expiry). */
export async function touchSession(db: Q, idHash: string, now: number) {
  await db.updateTable("sessions").set({ last_seen_at: now }).where("id_hash", "=", idHash)
    .execute();
}

/** Deletes one session. */
export async function deleteSession(db: Q, idHash: string) {
  await db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
}

/** Deletes every session of an admin except `keepIdHash` (after a password change). */
export async function deleteOtherSessions(db: Q, adminId: number, keepIdHash: string) {
  await db.deleteFrom("sessions").where("admin_id", "=", adminId)
    .where("id_hash", "!=", keepIdHash).execute();
}

/** Deletes sessions idle since before `idleCutoff` or created before `createdCutoff`. */
export async function deleteExpiredSessions(db: Q, idleCutoff: number, createdCutoff: number) {
  await db.deleteFrom("sessions")
    .where((eb) =>
      eb.or([eb("last_seen_at", "<", idleCutoff), eb("created_at", "<", createdCutoff)])
    )
    .execute();
}

/** Deletes every session (after a password reset). */
export async function deleteAllSessions(db: Q) {
  await db.deleteFrom("sessions").execute();
}

/** Every API token, newest first (hashes only). */
export function listApiTokens(db: Q) {
  return db.selectFrom("api_tokens").select(["id", "name", "created_at", "last_used_at"])
    .orderBy("id", "desc").execute();
}

/** Stores a new API token by its hash. */
export async function insertApiToken(db: Q, name: string, tokenHash: string, now: number) {
  const row = await db.insertInto("api_tokens")
    .values({ name, token_hash: tokenHash, created_at: now, last_used_at: null })
    .returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** The API token with this hash, if any. */
export function findApiTokenByHash(db: Q, tokenHash: string) {
  return db.selectFrom("api_tokens").select(["id", "name", "last_used_at"])
    .where("token_hash", "=", tokenHash).executeTakeFirst();
}

/** Records a token's use. */
export async function touchApiToken(db: Q, id: number, now: number) {
  await db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
}

/** Revokes an API token; returns whether it existed. */
export async function deleteApiToken(db: Q, id: number): Promise<boolean> {
  const r = await db.deleteFrom("api_tokens").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
