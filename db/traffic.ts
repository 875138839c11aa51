/**
 * Traffic totals, stat cursors, stat targets and core runs. Writes are set-based: each
 * table gets one statement per poll, fed a JSON array through `json_each`, so a poll with
 * 100,000 changed users is a handful of statements, not 100,000.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";
import type { ResetStrategy } from "../core/model.ts";
import type { StatCursor, StatsDeltas, StatTargets } from "../core/stats/accounting.ts";
import { counterName } from "../core/stats/stats_names.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** Rows per statement: each statement blocks the event loop while SQLite runs it. */
const CHUNK = 20_000;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Every persisted cursor, by counter name. The cursors of (user, inbound) pairs live in
 * their `user_inbound_traffic` row and are named through `targets` (the running config);
 * all others (inbounds, outbounds, uptime, unknown names) in `stat_cursors`.
 */
export async function loadStatCursors(
  db: Q,
  targets: StatTargets,
  options: { pairsOnly?: boolean } = {},
): Promise<Map<string, StatCursor>> {
  const cursors = new Map<string, StatCursor>();
  if (!options.pairsOnly) {
    const rows = await db.selectFrom("stat_cursors").selectAll().execute();
    for (const r of rows) cursors.set(r.counter, { runId: r.run_id, value: r.value });
  }
  const names = new Map<string, string>();
  const inboundIds = new Set<number>();
  for (const [name, p] of targets.pairs) {
    names.set(`${p.userId}:${p.inboundId}`, name);
    inboundIds.add(p.inboundId);
  }
  let query = db.selectFrom("user_inbound_traffic")
    .select(["user_id", "inbound_id", "run_id", "seen_uplink", "seen_downlink"])
    .where("run_id", ">", 0);
  if (options.pairsOnly) {
    if (inboundIds.size === 0) return cursors;
    query = query.where("inbound_id", "in", [...inboundIds]);
  }
  const pairs = await query.execute();
  for (const r of pairs) {
    const name = names.get(`${r.user_id}:${r.inbound_id}`);
    if (name === undefined) continue;
    cursors.set(counterName("user", name, "uplink"), {
      runId: r.run_id,
      value: r.seen_uplink ?? 0,
    });
    cursors.set(counterName("user", name, "downlink"), {
      runId: r.run_id,
      value: r.seen_downlink ?? 0,
    });
  }
  return cursors;
}

/**
 * Adds the deltas to users, (user, inbound) pairs, inbounds and outbounds and advances
 * the cursors, all in ONE transaction: either everything is applied or nothing is. A
 * pair's cursors are written with its traffic, in the same row. Rows of users or inbounds
 * deleted meanwhile are skipped. Set-based: one statement per table per 20,000 rows.
 */
export async function applyStatsDeltas(db: Kysely<Database>, d: StatsDeltas): Promise<void> {
  const pairs = [...d.pairs.values()].map((p) => [
    p.userId,
    p.inboundId,
    p.uplink,
    p.downlink,
    p.runId,
    p.seenUplink,
    p.seenDownlink,
  ]);
  const otherCursors = [...d.otherCursors].map(([name, c]) => [name, c.runId, c.value]);
  const users = [...d.users].map(([id, t]) => [id, t.uplink, t.downlink]);
  const inbounds = [...d.inbounds].map(([id, t]) => [id, t.uplink, t.downlink]);
  const outbounds = [...d.outbounds].map(([tag, t]) => [tag, t.uplink, t.downlink]);
  await db.transaction().execute(async (tx) => {
    for (const chunk of chunks(users)) {
      await sql`UPDATE user_traffic SET uplink = uplink + j.up, downlink = downlink + j.down
        FROM (SELECT value ->> 0 AS id, value ->> 1 AS up, value ->> 2 AS down
          FROM json_each(${JSON.stringify(chunk)})) AS j
        WHERE user_traffic.user_id = j.id`.execute(tx);
    }
    // A direction without a new cursor keeps its value within the run and restarts at
    // 0 (null) in a new one.
    for (const chunk of chunks(pairs)) {
      await sql`INSERT INTO user_inbound_traffic
          (user_id, inbound_id, uplink, downlink, run_id, seen_uplink, seen_downlink)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
        FROM json_each(${JSON.stringify(chunk)}) AS j
        WHERE EXISTS (SELECT 1 FROM users WHERE users.id = j.value ->> 0)
          AND EXISTS (SELECT 1 FROM inbounds WHERE inbounds.id = j.value ->> 1)
        ON CONFLICT (user_id, inbound_id) DO UPDATE SET
          uplink = uplink + excluded.uplink,
          downlink = downlink + excluded.downlink,
          seen_uplink = CASE WHEN excluded.seen_uplink IS NOT NULL THEN excluded.seen_uplink
            WHEN run_id = excluded.run_id THEN seen_uplink END,
          seen_downlink = CASE WHEN excluded.seen_downlink IS NOT NULL THEN excluded.seen_downlink
            WHEN run_id = excluded.run_id THEN seen_downlink END,
          run_id = excluded.run_id`.execute(tx);
    }
    if (inbounds.length > 0) {
      await sql`UPDATE inbounds SET uplink = uplink + j.up, downlink = downlink + j.down
        FROM (SELECT value ->> 0 AS id, value ->> 1 AS up, value ->> 2 AS down
          FROM json_each(${JSON.stringify(inbounds)})) AS j
        WHERE inbounds.id = j.id`.execute(tx);
    }
    if (outbounds.length > 0) {
      await sql`INSERT INTO outbound_traffic (tag, uplink, downlink)
        SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(${
        JSON.stringify(outbounds)
      }) WHERE true
        ON CONFLICT (tag) DO UPDATE SET
          uplink = uplink + excluded.uplink, downlink = downlink + excluded.downlink`.execute(tx);
    }
    for (const chunk of chunks(otherCursors)) {
      await sql`INSERT INTO stat_cursors (counter, run_id, value)
        SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(${
        JSON.stringify(chunk)
      }) WHERE true
        ON CONFLICT (counter) DO UPDATE SET run_id = excluded.run_id, value = excluded.value`
        .execute(tx);
    }
  });
}

/**
 * What the running config's stats names stand for, as persisted at its last apply; only
 * those of `inboundIds` when given.
 */
export async function loadStatTargets(db: Q, inboundIds?: number[]): Promise<StatTargets> {
  let query = db.selectFrom("stat_targets").selectAll();
  if (inboundIds !== undefined) {
    if (inboundIds.length === 0) return { pairs: new Map(), inbounds: new Map() };
    query = query.where("inbound_id", "in", inboundIds);
  }
  const rows = await query.execute();
  const targets: StatTargets = { pairs: new Map(), inbounds: new Map() };
  for (const r of rows) {
    if (r.kind === "pair" && r.user_id !== null && r.inbound_id !== null) {
      targets.pairs.set(r.name, { userId: r.user_id, inboundId: r.inbound_id });
    } else if (r.kind === "inbound" && r.inbound_id !== null) {
      targets.inbounds.set(r.name, r.inbound_id);
    }
  }
  return targets;
}

/** Replaces the stat targets with those of a config about to run (one transaction). */
export async function replaceStatTargets(
  db: Kysely<Database>,
  targets: StatTargets,
): Promise<void> {
  const rows = JSON.stringify([
    ...[...targets.pairs].map(([name, p]) => [name, "pair", p.userId, p.inboundId]),
    ...[...targets.inbounds].map(([name, id]) => [name, "inbound", null, id]),
  ]);
  await db.transaction().execute(async (tx) => {
    await sql`DELETE FROM stat_targets`.execute(tx);
    await sql`INSERT INTO stat_targets (name, kind, user_id, inbound_id)
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${rows})`.execute(
      tx,
    );
  });
}

/**
 * Replaces the stat targets of one inbound: its tag and its pairs (or removes them all
 * when `tag` is null), in one transaction; the other inbounds' rows are not touched.
 */
export async function replaceInboundStatTargets(
  db: Kysely<Database>,
  inboundId: number,
  tag: string | null,
  pairs: Array<[name: string, userId: number]>,
): Promise<void> {
  const rows = JSON.stringify(pairs.map(([name, userId]) => [name, userId]));
  await db.transaction().execute(async (tx) => {
    await sql`DELETE FROM stat_targets WHERE inbound_id = ${inboundId}`.execute(tx);
    if (tag === null) return;
    // OR REPLACE: a tag (or pair name) another inbound held before a rename is now this one's.
    await sql`INSERT OR REPLACE INTO stat_targets (name, kind, user_id, inbound_id)
      VALUES (${tag}, 'inbound', NULL, ${inboundId})`.execute(tx);
    await sql`INSERT OR REPLACE INTO stat_targets (name, kind, user_id, inbound_id)
      SELECT value ->> 0, 'pair', value ->> 1, ${inboundId} FROM json_each(${rows})`.execute(tx);
  });
}

/** Records a new core run; returns its id. */
export async function insertCoreRun(
  db: Q,
  run: { startedAt: number; reason: string; pid: number | null; apiListen: string },
): Promise<number> {
  const row = await db.insertInto("core_runs").values({
    started_at: run.startedAt,
    reason: run.reason,
    pid: run.pid,
    api_listen: run.apiListen,
    ended_at: null,
    exit_code: null,
  }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** Records the end of a core run. */
export async function endCoreRun(db: Q, runId: number, exitCode: number | null, endedAt: number) {
  await db.updateTable("core_runs").set({ ended_at: endedAt, exit_code: exitCode })
    .where("id", "=", runId).where("ended_at", "is", null).execute();
}

/** Runs that never recorded an end (the panel died while they ran), newest first. */
export function openCoreRuns(db: Q) {
  return db.selectFrom("core_runs").selectAll().where("ended_at", "is", null).orderBy("id", "desc")
    .execute();
}

/** Traffic through each outbound. */
export function listOutboundTraffic(db: Q) {
  return db.selectFrom("outbound_traffic").selectAll().orderBy("tag").execute();
}

/**
 * Of `grownIds` (users whose traffic just grew), those now at or over their quota, plus
 * users whose expiry fell in (since, now].
 */
export async function usersCrossingLimits(
  db: Kysely<Database>,
  grownIds: number[],
  since: number,
  now: number,
): Promise<number[]> {
  const ids: number[] = [];
  if (grownIds.length > 0) {
    const over = await sql<{ id: number }>`SELECT users.id FROM users
      JOIN user_traffic t ON t.user_id = users.id
      WHERE users.id IN (SELECT value FROM json_each(${JSON.stringify(grownIds)}))
        AND traffic_limit > 0 AND t.uplink + t.downlink >= traffic_limit`.execute(db);
    ids.push(...over.rows.map((r) => r.id));
  }
  const expired = await db.selectFrom("users").select("id")
    .where("expires_at", ">", since).where("expires_at", "<=", now).execute();
  ids.push(...expired.map((r) => r.id));
  return ids;
}

type NextReset = (createdAt: number, strategy: ResetStrategy, now: number) => number | null;

/**
 * Gives every user with a reset strategy and no next reset one: the next anniversary of
 * their creation after `now` (set-based, one statement). Nothing is zeroed.
 */
export async function anchorPeriodicResets(
  db: Kysely<Database>,
  now: number,
  nextAfter: NextReset,
): Promise<number> {
  const rows = await sql<{ id: number; created_at: number; reset_strategy: string }>`
    SELECT id, created_at, reset_strategy FROM users INDEXED BY users_reset_unanchored
    WHERE next_reset_at IS NULL AND reset_strategy != 'none'`.execute(db);
  if (rows.rows.length === 0) return 0;
  const next = rows.rows.map((r) => [
    r.id,
    nextAfter(r.created_at, r.reset_strategy as ResetStrategy, now),
  ]);
  await sql`UPDATE users SET next_reset_at = j.value ->> 1
    FROM json_each(${JSON.stringify(next)}) AS j WHERE users.id = j.value ->> 0`.execute(db);
  return next.length;
}

/**
 * Zeroes the traffic of users whose next reset is at or before `now` (their totals and
 * per-inbound rows, keeping the stats cursors), records the reset and moves their next
 * reset on, in one transaction; returns their ids. Inbound totals are never touched.
 */
export async function resetDueUsers(
  db: Kysely<Database>,
  now: number,
  nextAfter: NextReset,
): Promise<number[]> {
  return await db.transaction().execute(async (tx) => {
    const due = await sql<{ id: number; created_at: number; reset_strategy: string }>`
      SELECT id, created_at, reset_strategy FROM users
      WHERE next_reset_at IS NOT NULL AND next_reset_at <= ${now}`.execute(tx);
    if (due.rows.length === 0) return [];
    const rows = due.rows.map((r) => [
      r.id,
      nextAfter(r.created_at, r.reset_strategy as ResetStrategy, now),
    ]);
    const json = JSON.stringify(rows);
    await sql`UPDATE users SET last_reset_at = ${now}, updated_at = ${now},
        next_reset_at = j.value ->> 1
      FROM json_each(${json}) AS j WHERE users.id = j.value ->> 0`.execute(tx);
    await sql`UPDATE user_traffic SET uplink = 0, downlink = 0
      WHERE user_id IN (SELECT value ->> 0 FROM json_each(${json}))`.execute(tx);
    await sql`UPDATE user_inbound_traffic SET uplink = 0, downlink = 0
      WHERE user_id IN (SELECT value ->> 0 FROM json_each(${json}))`.execute(tx);
    return due.rows.map((r) => r.id);
  });
}
