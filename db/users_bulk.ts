/**
 * Set-based writes for many users at once: each takes the ids (as one JSON array read by
 * `json_each`), finds the ones it will change with one SELECT (read back as one JSON array,
 * not a row per user), and changes them with one statement per table. Run them inside one
 * transaction; they stay fast at 100,000 users.
 */
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import type { Database, NewUserRow } from "./schema.ts";
import { statusCondition, type StatusFilter } from "./user_status.ts";
import { searchCondition } from "./users.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** The latest expiry the panel stores: the end of 9999-12-31 UTC. */
export const MAX_EXPIRES_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const json = (ids: readonly (number | string)[]) => JSON.stringify(ids);
const list = (ids: readonly (number | string)[]) =>
  sql`(SELECT value FROM json_each(${json(ids)}))`;

/**
 * The ids a query selects (its first column must be `id`), read as one JSON array: a
 * single value crosses from SQLite to JavaScript instead of one row object per user.
 */
async function idsOf(db: Q, query: RawBuilder<unknown>): Promise<number[]> {
  const result = await sql<{ ids: string }>`SELECT json_group_array(id) AS ids FROM (${query})`
    .execute(db);
  return JSON.parse(result.rows[0]?.ids ?? "[]") as number[];
}

/** The ids among `ids` that are users, in id order. */
export function existingUserIds(db: Q, ids: number[]): Promise<number[]> {
  return idsOf(db, sql`SELECT id FROM users WHERE id IN ${list(ids)} ORDER BY id`);
}

/** The ids and names of the users named in `names`. */
export async function usersByNames(
  db: Q,
  names: string[],
): Promise<Array<{ id: number; name: string }>> {
  const result = await sql<{ id: number; name: string }>`SELECT id, name FROM users
    WHERE name IN ${list(names)} ORDER BY id`.execute(db);
  return result.rows;
}

/** The ids of every user whose name contains `search` (when given) and has `status`. */
export function userIdsMatching(
  db: Q,
  filter: { search: string; status?: StatusFilter },
): Promise<number[]> {
  const conditions = [sql<boolean>`1`];
  if (filter.search) conditions.push(searchCondition(filter.search));
  if (filter.status) conditions.push(statusCondition(filter.status));
  return idsOf(
    db,
    sql`SELECT users.id AS id FROM users
      JOIN user_traffic ON user_traffic.user_id = users.id
      WHERE ${sql.join(conditions, sql` AND `)} ORDER BY users.id`,
  );
}

/** Enables or disables the users; returns those whose flag changed. */
export async function setUsersEnabled(db: Q, ids: number[], enabled: boolean, now: number) {
  const flag = enabled ? 1 : 0;
  const changed = await idsOf(
    db,
    sql`SELECT id FROM users WHERE id IN ${list(ids)} AND enabled != ${flag} ORDER BY id`,
  );
  await sql`UPDATE users SET enabled = ${flag}, updated_at = ${now}
    WHERE id IN ${list(changed)}`.execute(db);
  return changed;
}

/**
 * Zeroes the users' totals and per-inbound breakdowns (rows stay: they hold the stats
 * cursors) and records the reset. Inbound totals are not touched. Returns every id.
 */
export async function clearUsersTraffic(db: Q, ids: number[], now: number): Promise<number[]> {
  await sql`UPDATE user_inbound_traffic SET uplink = 0, downlink = 0
    WHERE user_id IN ${list(ids)} AND (uplink != 0 OR downlink != 0)`.execute(db);
  await sql`UPDATE user_traffic SET uplink = 0, downlink = 0
    WHERE user_id IN ${list(ids)} AND (uplink != 0 OR downlink != 0)`.execute(db);
  await sql`UPDATE users SET last_reset_at = ${now}, updated_at = ${now}
    WHERE id IN ${list(ids)}`.execute(db);
  return ids;
}

/**
 * Moves each expiry `ms` later, counted from the later of the expiry and `now` (an expired
 * user gets `ms` from now), at most `MAX_EXPIRES_AT`. Users who never expire keep that.
 */
export async function extendUsersExpiry(db: Q, ids: number[], ms: number, now: number) {
  const changed = await idsOf(
    db,
    sql`SELECT id FROM users WHERE id IN ${list(ids)} AND expires_at IS NOT NULL ORDER BY id`,
  );
  await sql`UPDATE users
    SET expires_at = min(max(expires_at, ${now}) + ${ms}, ${MAX_EXPIRES_AT}), updated_at = ${now}
    WHERE id IN ${list(changed)}`.execute(db);
  return changed;
}

/** Raises each traffic limit by `bytes` (at most 2^53 − 1); unlimited users stay unlimited. */
export async function addUsersQuota(db: Q, ids: number[], bytes: number, now: number) {
  const changed = await idsOf(
    db,
    sql`SELECT id FROM users WHERE id IN ${list(ids)} AND traffic_limit > 0 ORDER BY id`,
  );
  await sql`UPDATE users
    SET traffic_limit = min(traffic_limit + ${bytes}, ${Number.MAX_SAFE_INTEGER}),
      updated_at = ${now}
    WHERE id IN ${list(changed)}`.execute(db);
  return changed;
}

async function touchUsers(db: Q, ids: number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE users SET updated_at = ${now} WHERE id IN ${list(ids)}`.execute(db);
}

/** Assigns the inbound to the users; returns those who did not have it. */
export async function assignUsersInbound(db: Q, ids: number[], inboundId: number, now: number) {
  const changed = await idsOf(
    db,
    sql`SELECT value AS id FROM json_each(${json(ids)}) WHERE NOT EXISTS (
      SELECT 1 FROM user_inbounds WHERE user_id = value AND inbound_id = ${inboundId})
      ORDER BY value`,
  );
  await sql`INSERT INTO user_inbounds (user_id, inbound_id)
    SELECT value, ${inboundId} FROM json_each(${json(changed)})`.execute(db);
  await touchUsers(db, changed, now);
  return changed;
}

/** Takes the inbound from the users; returns those who had it. */
export async function unassignUsersInbound(db: Q, ids: number[], inboundId: number, now: number) {
  const changed = await idsOf(
    db,
    sql`SELECT user_id AS id FROM user_inbounds
      WHERE inbound_id = ${inboundId} AND user_id IN ${list(ids)} ORDER BY user_id`,
  );
  await sql`DELETE FROM user_inbounds
    WHERE inbound_id = ${inboundId} AND user_id IN ${list(changed)}`.execute(db);
  await touchUsers(db, changed, now);
  return changed;
}

/** Deletes the users (all exist) with their assignments and traffic rows, not by cascade. */
export async function deleteUsersRows(db: Q, ids: number[]): Promise<number[]> {
  await sql`DELETE FROM user_inbounds WHERE user_id IN ${list(ids)}`.execute(db);
  await sql`DELETE FROM user_inbound_traffic WHERE user_id IN ${list(ids)}`.execute(db);
  await sql`DELETE FROM users WHERE id IN ${list(ids)}`.execute(db);
  return ids;
}

/**
 * The stored names of users whose name equals one of `names` regardless of case (names
 * are unique regardless of case), at most `limit` of them.
 */
export async function takenUserNames(db: Q, names: string[], limit = 20): Promise<string[]> {
  const result = await sql<{ name: string }>`SELECT name FROM users
    WHERE name COLLATE NOCASE IN ${list(names)} ORDER BY name LIMIT ${limit}`.execute(db);
  return result.rows.map((row) => row.name);
}

/** Rows per INSERT: 13 columns stay far below SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 2000;

/**
 * Inserts many users with multi-row INSERTs of 2,000 and assigns each of them every inbound
 * in `inboundIds` with one INSERT … SELECT; returns the new ids.
 */
export async function insertUsersBatch(
  db: Q,
  rows: NewUserRow[],
  inboundIds: number[],
): Promise<number[]> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await db.insertInto("users").values(rows.slice(start, start + INSERT_CHUNK)).execute();
  }
  const ids = await idsOf(
    db,
    sql`SELECT id FROM users WHERE name IN ${list(rows.map((row) => row.name))} ORDER BY id`,
  );
  if (inboundIds.length > 0 && ids.length > 0) {
    await sql`INSERT INTO user_inbounds (user_id, inbound_id)
      SELECT u.value, i.value FROM json_each(${json(ids)}) AS u
      CROSS JOIN json_each(${json([...new Set(inboundIds)])}) AS i`.execute(db);
  }
  return ids;
}

/**
 * Replaces the placeholder subscription token hash of each `[id, hash]` pair, 1,000 per
 * set-based UPDATE (a batch is inserted with placeholders, `unset:…` as in
 * core/subscriptions/sub_tokens.ts: a token derives from the id). A hash already set (a
 * token regenerated meanwhile) stays.
 */
export async function setUsersTokenHashes(db: Q, hashes: Array<[number, string]>) {
  for (let start = 0; start < hashes.length; start += 1000) {
    await sql`UPDATE users SET sub_token_hash = j.value ->> 1
      FROM json_each(${JSON.stringify(hashes.slice(start, start + 1000))}) AS j
      WHERE users.id = j.value ->> 0 AND users.sub_token_hash >= 'unset:'
        AND users.sub_token_hash < 'unset;'`.execute(db);
  }
}
