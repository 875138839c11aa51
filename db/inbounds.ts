/** Inbounds: the list with traffic sort and user counts, lookups, port clashes and writes. */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database, InboundRow } from "./schema.ts";
import { cachedRead } from "./read_cache.ts";
import type { Inbound, InboundSettings, InboundType } from "../core/model.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** Orders of the inbounds list: by tag, or by total traffic (uplink + downlink). */
export const INBOUND_SORTS = ["tag", "traffic_asc", "traffic_desc"] as const;
export type InboundSort = typeof INBOUND_SORTS[number];

/** An inbound with how many users are assigned to it. */
export interface InboundSummary extends Inbound {
  users: number;
}

/** The columns an insert or update writes (counters are never written here). */
export type InboundValues = Pick<
  Inbound,
  "tag" | "type" | "listen" | "port" | "enabled" | "settings"
>;

/** Maps a row to the model, parsing the settings JSON. */
export function rowToInbound(row: InboundRow): Inbound {
  let settings: InboundSettings;
  try {
    settings = JSON.parse(row.settings) as InboundSettings;
  } catch {
    throw new Error(`Inbound "${row.tag}" has settings that are not valid JSON`);
  }
  return {
    id: row.id,
    tag: row.tag,
    type: row.type as InboundType,
    listen: row.listen,
    port: row.port,
    enabled: row.enabled === 1,
    settings,
    uplink: row.uplink,
    downlink: row.downlink,
    trafficResetAt: row.traffic_reset_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Every inbound with its assigned user count, in one query. Traffic sorts order by
 * `(uplink + downlink)` then tag (the `inbounds_traffic` index); `traffic_desc` is the
 * exact reverse of `traffic_asc`.
 */
export async function listInbounds(db: Q, sort: InboundSort = "tag"): Promise<InboundSummary[]> {
  let query = db.selectFrom("inbounds").selectAll("inbounds");
  const traffic = sql`(inbounds.uplink + inbounds.downlink)`;
  if (sort === "traffic_asc") {
    query = query.orderBy(traffic, "asc").orderBy("inbounds.tag", "asc");
  } else if (sort === "traffic_desc") {
    query = query.orderBy(traffic, "desc").orderBy("inbounds.tag", "desc");
  } else {
    query = query.orderBy("inbounds.tag", "asc");
  }
  const rows = await query.execute();
  const users = await usersPerInbound(db);
  return rows.map((row) => ({ ...rowToInbound(row), users: users.get(row.id) ?? 0 }));
}

/**
 * Users assigned to each inbound: a count over every assignment (180,000 at 100,000 users),
 * the same for every open Inbounds tab's refresh, so kept until the next write
 * (db/read_cache.ts).
 */
function usersPerInbound(db: Q): Promise<Map<number, number>> {
  return cachedRead(db, "users per inbound", 0, async () => {
    const rows = await db.selectFrom("user_inbounds")
      .select(["inbound_id", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("inbound_id").execute();
    return { value: new Map(rows.map((r) => [r.inbound_id, Number(r.n)])), until: Infinity };
  });
}

/** The inbound with this tag, if any. */
export async function findInboundByTag(db: Q, tag: string): Promise<Inbound | undefined> {
  const row = await db.selectFrom("inbounds").selectAll().where("tag", "=", tag)
    .executeTakeFirst();
  return row ? rowToInbound(row) : undefined;
}

/** The inbound with this id, if any. */
export async function findInboundById(db: Q, id: number): Promise<Inbound | undefined> {
  const row = await db.selectFrom("inbounds").selectAll().where("id", "=", id)
    .executeTakeFirst();
  return row ? rowToInbound(row) : undefined;
}

/** How many users are assigned to an inbound. */
export async function countInboundUsers(db: Q, inboundId: number): Promise<number> {
  const row = await db.selectFrom("user_inbounds")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("inbound_id", "=", inboundId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The first inbound (by tag) on `port` whose listen address is one of `listens`, or on
 * any address when `listens` is null; `excludeId` leaves out the inbound being edited.
 */
export async function findPortClash(
  db: Q,
  clash: { port: number; listens: string[] | null; excludeId?: number },
): Promise<Inbound | undefined> {
  let query = db.selectFrom("inbounds").selectAll().where("port", "=", clash.port);
  if (clash.listens) query = query.where("listen", "in", clash.listens);
  if (clash.excludeId !== undefined) query = query.where("id", "!=", clash.excludeId);
  const row = await query.orderBy("tag").executeTakeFirst();
  return row ? rowToInbound(row) : undefined;
}

/** Creates an inbound; returns its id. */
export async function insertInbound(db: Q, values: InboundValues, now: number): Promise<number> {
  const row = await db.insertInto("inbounds").values({
    ...toColumns(values),
    created_at: now,
    updated_at: now,
  }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** Replaces an inbound's tag, address, port, enabled flag and settings. */
export async function updateInbound(db: Q, id: number, values: InboundValues, now: number) {
  await db.updateTable("inbounds").set({ ...toColumns(values), updated_at: now })
    .where("id", "=", id).execute();
}

/** Flips an inbound's enabled flag; returns its id and new state, or undefined when no such tag. */
export async function toggleInboundEnabled(
  db: Q,
  tag: string,
  now: number,
): Promise<{ id: number; enabled: boolean } | undefined> {
  const row = await db.updateTable("inbounds")
    .set({ enabled: sql<number>`1 - enabled`, updated_at: now })
    .where("tag", "=", tag).returning(["id", "enabled"]).executeTakeFirst();
  return row ? { id: row.id, enabled: row.enabled === 1 } : undefined;
}

/**
 * Sets an inbound's traffic totals to zero and records when. Its stats cursors stay, so
 * the next poll adds only what sing-box counts from now on. Users' totals are untouched.
 */
export async function clearInboundTraffic(db: Q, id: number, now: number): Promise<void> {
  await db.updateTable("inbounds")
    .set({ uplink: 0, downlink: 0, traffic_reset_at: now, updated_at: now })
    .where("id", "=", id).execute();
}

/**
 * Deletes an inbound with its user assignments and per-user traffic rows, explicitly
 * (no reliance on foreign-key cascades). Run it inside a transaction.
 */
export async function deleteInbound(db: Q, id: number): Promise<void> {
  await db.deleteFrom("user_inbound_traffic").where("inbound_id", "=", id).execute();
  await db.deleteFrom("user_inbounds").where("inbound_id", "=", id).execute();
  await db.deleteFrom("inbounds").where("id", "=", id).execute();
}

function toColumns(values: InboundValues) {
  return {
    tag: values.tag,
    type: values.type,
    listen: values.listen,
    port: values.port,
    enabled: values.enabled ? 1 : 0,
    settings: JSON.stringify(values.settings),
  };
}
