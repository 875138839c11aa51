/** Subscriptions: users by token hash, a user's served inbounds, fetch records, tokens. */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";
import { rowToInbound } from "./inbounds.ts";
import { toUser, usersWithTraffic } from "./users.ts";
import type { Inbound, User } from "../core/model.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** The user whose token hashes to `hash` (one lookup on the UNIQUE index), if any. */
export async function findUserByTokenHash(db: Q, hash: string): Promise<User | undefined> {
  const row = await usersWithTraffic(db).where("users.sub_token_hash", "=", hash)
    .executeTakeFirst();
  return row && toUser(row);
}

/** The enabled inbounds assigned to a user, by tag: what their subscription lists. */
export async function servedInboundsOfUser(db: Q, userId: number): Promise<Inbound[]> {
  const rows = await db.selectFrom("user_inbounds")
    .innerJoin("inbounds", "inbounds.id", "user_inbounds.inbound_id")
    .selectAll("inbounds")
    .where("user_inbounds.user_id", "=", userId)
    .where("inbounds.enabled", "=", 1)
    .orderBy("inbounds.tag")
    .execute();
  return rows.map(rowToInbound);
}

/** Records a subscription fetch (time and User-Agent) without touching `updated_at`. */
export async function recordSubscriptionFetch(
  db: Q,
  userId: number,
  at: number,
  userAgent: string,
): Promise<void> {
  await db.updateTable("users").set({ sub_fetched_at: at, sub_user_agent: userAgent })
    .where("id", "=", userId).execute();
}

/** Sets a user's token generation and the hash of the token it gives. */
export async function setSubscriptionToken(
  db: Q,
  userId: number,
  generation: number,
  hash: string,
  now: number,
): Promise<void> {
  await db.updateTable("users")
    .set({ sub_generation: generation, sub_token_hash: hash, updated_at: now })
    .where("id", "=", userId).execute();
}

/**
 * Tags of enabled inbounds that listen on every address and have no client address of
 * their own: clients of these get the public address, or the subscription's host.
 */
export async function inboundsWithoutClientAddress(db: Q): Promise<string[]> {
  const rows = await db.selectFrom("inbounds").select("tag")
    .where("enabled", "=", 1)
    .where("listen", "in", ["::", "0.0.0.0"])
    .where(sql<string | null>`json_extract(settings, '$.client.address')`, "is", null)
    .orderBy("tag").execute();
  return rows.map((row) => row.tag);
}
