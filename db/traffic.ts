/**
 * Traffic totals, stat cursors, stat targets and core runs. Writes are set-based: each
 * table gets one statement per poll, fed a JSON array through `json_each`, so a poll with
 * 100,000 changed users is a handful of statements, not 100,000.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";
import type { StatCursor, StatsDeltas, StatTargets } from "../core/accounting.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** Every persisted cursor. */
export async function loadStatCursors(db: Q): Promise<Map<string, StatCursor>> {
  const rows = await db.selectFrom("stat_cursors").selectAll().execute();
  return new Map(rows.map((r) => [r.counter, { runId: r.run_id, value: r.value }]));
}

/**
 * Adds the deltas to users, (user, inbound) pairs, inbounds and outbounds and advances
 * the cursors, all in ONE transaction: either everything is applied or nothing is.
 * Rows of users or inbounds deleted meanwhile are skipped.
 */
export async function applyStatsDeltas(db: Kysely<Database>, d: StatsDeltas): Promise<void> {
  const users = JSON.stringify([...d.users].map(([id, t]) => [id, t.uplink, t.downlink]));
  const pairs = JSON.stringify(
    [...d.pairs.values()].map((p) => [p.userId, p.inboundId, p.uplink, p.downlink]),
  );
  const inbounds = JSON.stringify([...d.inbounds].map(([id, t]) => [id, t.uplink, t.downlink]));
  const outbounds = JSON.stringify([...d.outbounds].map(([tag, t]) => [tag, t.uplink, t.downlink]));
  const cursors = JSON.stringify([...d.cursors].map(([name, c]) => [name, c.runId, c.value]));
  await db.transaction().execute(async (tx) => {
    if (d.users.size > 0) {
      await sql`UPDATE users SET uplink = uplink + j.up, downlink = downlink + j.down
        FROM (SELECT value ->> 0 AS id, value ->> 1 AS up, value ->> 2 AS down FROM json_each(${users})) AS j
        WHERE users.id = j.id`.execute(tx);
    }
    if (d.pairs.size > 0) {
      await sql`INSERT INTO user_inbound_traffic (user_id, inbound_id, uplink, downlink)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${pairs}) AS j
        WHERE EXISTS (SELECT 1 FROM users WHERE users.id = j.value ->> 0)
          AND EXISTS (SELECT 1 FROM inbounds WHERE inbounds.id = j.value ->> 1)
        ON CONFLICT (user_id, inbound_id) DO UPDATE SET
          uplink = uplink + excluded.uplink, downlink = downlink + excluded.downlink`.execute(tx);
    }
    if (d.inbounds.size > 0) {
      await sql`UPDATE inbounds SET uplink = uplink + j.up, downlink = downlink + j.down
        FROM (SELECT value ->> 0 AS id, value ->> 1 AS up, value ->> 2 AS down FROM json_each(${inbounds})) AS j
        WHERE inbounds.id = j.id`.execute(tx);
    }
    if (d.outbounds.size > 0) {
      await sql`INSERT INTO outbound_traffic (tag, uplink, downlink)
        SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(${outbounds}) WHERE true
        ON CONFLICT (tag) DO UPDATE SET
          uplink = uplink + excluded.uplink, downlink = downlink + excluded.downlink`.execute(tx);
    }
    if (d.cursors.size > 0) {
      await sql`INSERT INTO stat_cursors (counter, run_id, value)
        SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(${cursors}) WHERE true
        ON CONFLICT (counter) DO UPDATE SET run_id = excluded.run_id, value = excluded.value`
        .execute(tx);
    }
  });
}

/** What the running config's stats names stand for, as persisted at its last apply. */
export async function loadStatTargets(db: Q): Promise<StatTargets> {
  const rows = await db.selectFrom("stat_targets").selectAll().execute();
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
    const over = await sql<{ id: number }>`SELECT id FROM users
      WHERE id IN (SELECT value FROM json_each(${JSON.stringify(grownIds)}))
        AND traffic_limit > 0 AND uplink + downlink >= traffic_limit`.execute(db);
    ids.push(...over.rows.map((r) => r.id));
  }
  const expired = await db.selectFrom("users").select("id")
    .where("expires_at", ">", since).where("expires_at", "<=", now).execute();
  ids.push(...expired.map((r) => r.id));
  return ids;
}
