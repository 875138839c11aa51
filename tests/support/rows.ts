/**
 * Inbounds and users written straight into the database, for tests that need them to exist
 * but are not about the forms or the API that create them. Only the database module is
 * imported, so `core/` tests can use these without loading the app.
 */
import type { Db } from "../../db/database.ts";
import type { NewInboundRow, NewUserRow } from "../../db/schema.ts";
import { unsetTokenHash } from "../../core/subscriptions/sub_tokens.ts";

/**
 * Ports of inserted rows only need to differ from each other: these rows are never bound
 * (no sing-box runs in the tests that use them) and inbound checks in test panels do not
 * probe the host (`unoccupiedHost`), so what else holds these ports does not matter.
 */
let nextPort = 20000;

/**
 * Inserts an enabled vless inbound on 0.0.0.0 with empty settings and no traffic, on a port
 * no earlier call used, unless `fields` say otherwise; returns its id.
 */
export async function insertInboundRow(
  db: Db,
  fields: Partial<NewInboundRow> & Pick<NewInboundRow, "tag">,
): Promise<number> {
  const now = Date.now();
  const row = await db.insertInto("inbounds").values({
    type: "vless",
    listen: "0.0.0.0",
    port: nextPort++,
    enabled: 1,
    settings: "{}",
    created_at: now,
    updated_at: now,
    ...fields,
  }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** A user's traffic totals, given with the row in `insertUserRows`. */
type Traffic = { uplink?: number; downlink?: number };

/**
 * Inserts users in order with one multi-row INSERT: each enabled, with a random UUID and
 * subscription token, no limit, expiry, reset, note or traffic, created now, unless its
 * `fields` say otherwise (`uplink` and `downlink` go to its `user_traffic` row). Returns
 * their ids in the same order.
 */
export async function insertUserRows(
  db: Db,
  users: Array<Partial<NewUserRow> & Pick<NewUserRow, "name"> & Traffic>,
): Promise<number[]> {
  const now = Date.now();
  const rows = await db.insertInto("users").values(
    users.map(({ uplink: _u, downlink: _d, ...fields }) => ({
      uuid: crypto.randomUUID(),
      password: "cGFzc3dvcmQ=",
      traffic_limit: 0,
      expires_at: null,
      enabled: 1,
      note: "",
      sub_token_hash: unsetTokenHash(),
      reset_strategy: "none",
      last_reset_at: null,
      created_at: now,
      updated_at: now,
      ...fields,
    })),
  ).returning(["id", "name"]).execute();
  const ids = new Map(rows.map((r) => [r.name, r.id]));
  for (const u of users) {
    if (u.uplink || u.downlink) await setUserTraffic(db, u.name, u.uplink ?? 0, u.downlink ?? 0);
  }
  return users.map((u) => ids.get(u.name)!);
}

/** Sets the traffic totals of the user named `name`, or of every user when it is null. */
export async function setUserTraffic(
  db: Db,
  name: string | null,
  uplink: number,
  downlink: number,
): Promise<void> {
  let query = db.updateTable("user_traffic").set({ uplink, downlink });
  if (name !== null) {
    query = query.where(
      "user_id",
      "=",
      (eb) => eb.selectFrom("users").select("id").where("name", "=", name),
    );
  }
  await query.execute();
}
