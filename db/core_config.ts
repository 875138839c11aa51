/**
 * What the config builder and the apply pipeline read: enabled inbounds, one inbound's
 * active users a page at a time (only the columns the config needs), and the state of a
 * few users after a change. A user is active when enabled, not expired and under their
 * quota (core/users/user_status.ts `isUserActive`, here in SQL).
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.ts";
import type { Inbound } from "../core/model.ts";
import { rowToInbound } from "./inbounds.ts";

type Q = Kysely<Database>;

/** Every enabled inbound, by id. */
export async function enabledInbounds(db: Q): Promise<Inbound[]> {
  const rows = await db.selectFrom("inbounds").selectAll().where("enabled", "=", 1)
    .orderBy("id").execute();
  return rows.map(rowToInbound);
}

/** The inbounds with these ids (enabled or not), by id. */
export async function inboundsByIds(db: Q, ids: number[]): Promise<Inbound[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("inbounds").selectAll().where("id", "in", ids)
    .orderBy("id").execute();
  return rows.map(rowToInbound);
}

/** A user as the config needs them. */
export interface ConfigUser {
  id: number;
  name: string;
  uuid: string;
  password: string;
}

const ACTIVE = (now: number) =>
  sql<boolean>`u.enabled = 1 AND (u.expires_at IS NULL OR u.expires_at > ${now})
    AND (u.traffic_limit = 0 OR t.uplink + t.downlink < u.traffic_limit)`;

/**
 * Up to `limit` active users assigned to an inbound with ids above `after`, by id: a
 * range scan of the `user_inbounds_inbound` index, one page at a time.
 */
export async function activeUsersOfInbound(
  db: Q,
  inboundId: number,
  now: number,
  after: number,
  limit: number,
): Promise<ConfigUser[]> {
  const result = await sql<ConfigUser>`SELECT u.id, u.name, u.uuid, u.password
    FROM user_inbounds ui
    JOIN users u ON u.id = ui.user_id
    JOIN user_traffic t ON t.user_id = u.id
    WHERE ui.inbound_id = ${inboundId} AND ui.user_id > ${after} AND ${ACTIVE(now)}
    ORDER BY ui.user_id LIMIT ${limit}`.execute(db);
  return result.rows;
}

/** One of the users a change touched, as the apply pipeline sees them now. */
export interface UserForApply extends ConfigUser {
  active: boolean;
  /** Enabled inbounds the user is assigned to. */
  inboundIds: number[];
}

/** The users among `ids` that still exist, with their activity and enabled assignments. */
export async function usersForApply(db: Q, ids: number[], now: number): Promise<UserForApply[]> {
  if (ids.length === 0) return [];
  const result = await sql<ConfigUser & { active: number; inbound_id: number | null }>`
    SELECT u.id, u.name, u.uuid, u.password, ${ACTIVE(now)} AS active, i.id AS inbound_id
    FROM users u
    JOIN user_traffic t ON t.user_id = u.id
    LEFT JOIN user_inbounds ui ON ui.user_id = u.id
    LEFT JOIN inbounds i ON i.id = ui.inbound_id AND i.enabled = 1
    WHERE u.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
    ORDER BY u.id`.execute(db);
  const users = new Map<number, UserForApply>();
  for (const row of result.rows) {
    let user = users.get(row.id);
    if (!user) {
      user = {
        id: row.id,
        name: row.name,
        uuid: row.uuid,
        password: row.password,
        active: row.active === 1,
        inboundIds: [],
      };
      users.set(row.id, user);
    }
    if (row.inbound_id !== null) user.inboundIds.push(row.inbound_id);
  }
  return [...users.values()];
}
