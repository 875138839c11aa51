/** What the config generator needs: enabled inbounds with their assigned users. */
import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";
import type { User } from "../core/model.ts";
import type { InboundWithUsers } from "../core/sing_box/sing_box_config.ts";
import { rowToInbound } from "./inbounds.ts";
import { toUser } from "./users.ts";

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
    .innerJoin("user_traffic", "user_traffic.user_id", "users.id")
    .selectAll("users")
    .select(["user_traffic.uplink", "user_traffic.downlink"])
    .select("user_inbounds.inbound_id as assigned_inbound_id")
    .where("users.enabled", "=", 1)
    .where("inbounds.enabled", "=", 1)
    .orderBy("users.id")
    .execute();
  const byInbound = new Map<number, User[]>();
  const users = new Map<number, User>();
  for (const row of rows) {
    let user = users.get(row.id);
    if (!user) users.set(row.id, user = toUser(row));
    let list = byInbound.get(row.assigned_inbound_id);
    if (!list) byInbound.set(row.assigned_inbound_id, list = []);
    list.push(user);
  }
  return inbounds.map((r) => ({ inbound: rowToInbound(r), users: byInbound.get(r.id) ?? [] }));
}
