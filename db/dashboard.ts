/** Counts and totals for the dashboard: a few aggregate queries. */
import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.ts";

export interface DashboardCounts {
  inbounds: number;
  inboundsEnabled: number;
  users: number;
  usersDisabled: number;
  usersExpired: number;
  usersLimited: number;
  uplink: number;
  downlink: number;
}

/** Inbound and user counts by state, and traffic through all inbounds, at `now`. */
export async function dashboardCounts(db: Kysely<Database>, now: number): Promise<DashboardCounts> {
  const inbounds = await sql<{ n: number; enabled: number; up: number; down: number }>`
    SELECT count(*) AS n, coalesce(sum(enabled), 0) AS enabled,
      coalesce(sum(uplink), 0) AS up, coalesce(sum(downlink), 0) AS down FROM inbounds`.execute(db);
  const users = await sql<{ n: number; disabled: number; expired: number; limited: number }>`
    SELECT count(*) AS n,
      coalesce(sum(enabled = 0), 0) AS disabled,
      coalesce(sum(enabled = 1 AND expires_at IS NOT NULL AND expires_at <= ${now}), 0) AS expired,
      coalesce(sum(enabled = 1 AND (expires_at IS NULL OR expires_at > ${now})
        AND traffic_limit > 0 AND t.uplink + t.downlink >= traffic_limit), 0) AS limited
    FROM users JOIN user_traffic t ON t.user_id = users.id`.execute(db);
  const i = inbounds.rows[0], u = users.rows[0];
  return {
    inbounds: Number(i.n),
    inboundsEnabled: Number(i.enabled),
    users: Number(u.n),
    usersDisabled: Number(u.disabled),
    usersExpired: Number(u.expired),
    usersLimited: Number(u.limited),
    uplink: Number(i.up),
    downlink: Number(i.down),
  };
}
