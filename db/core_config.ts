/** What the config generator needs: enabled inbounds with their assigned users. */
import type { Kysely } from "kysely";
import type { Database, InboundRow, UserRow } from "./schema.ts";
import type { Inbound, InboundType, ResetStrategy, User } from "../core/model.ts";
import type { InboundWithUsers } from "../core/sing_box_config.ts";

/** Maps an inbounds row to the model. */
export function inboundFromRow(r: InboundRow): Inbound {
  return {
    id: r.id,
    tag: r.tag,
    type: r.type as InboundType,
    listen: r.listen,
    port: r.port,
    enabled: r.enabled === 1,
    settings: JSON.parse(r.settings),
    uplink: r.uplink,
    downlink: r.downlink,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Maps a users row to the model. */
export function userFromRow(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    uuid: r.uuid,
    password: r.password,
    trafficLimit: r.traffic_limit,
    expiresAt: r.expires_at,
    enabled: r.enabled === 1,
    note: r.note,
    subToken: r.sub_token,
    resetStrategy: r.reset_strategy as ResetStrategy,
    uplink: r.uplink,
    downlink: r.downlink,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Enabled inbounds, each with its enabled users (the generator drops limited and expired
 * ones). Two queries, whatever the number of users.
 */
export async function loadConfigInput(db: Kysely<Database>): Promise<InboundWithUsers[]> {
  const inbounds = await db.selectFrom("inbounds").selectAll().where("enabled", "=", 1)
    .orderBy("id").execute();
  const rows = await db.selectFrom("user_inbounds")
    .innerJoin("users", "users.id", "user_inbounds.user_id")
    .innerJoin("inbounds", "inbounds.id", "user_inbounds.inbound_id")
    .selectAll("users")
    .select("user_inbounds.inbound_id as assigned_inbound_id")
    .where("users.enabled", "=", 1)
    .where("inbounds.enabled", "=", 1)
    .orderBy("users.id")
    .execute();
  const byInbound = new Map<number, User[]>();
  const users = new Map<number, User>();
  for (const row of rows) {
    let user = users.get(row.id);
    if (!user) users.set(row.id, user = userFromRow(row));
    let list = byInbound.get(row.assigned_inbound_id);
    if (!list) byInbound.set(row.assigned_inbound_id, list = []);
    list.push(user);
  }
  return inbounds.map((r) => ({ inbound: inboundFromRow(r), users: byInbound.get(r.id) ?? [] }));
}
