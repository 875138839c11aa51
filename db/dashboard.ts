/**
 * Inbound counts and traffic through all inbounds for the dashboard (users per status:
 * `countUsersByStatus` in db/user_status.ts).
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.ts";

export interface DashboardCounts {
  inbounds: number;
  inboundsEnabled: number;
  uplink: number;
  downlink: number;
}

/** Inbounds, enabled inbounds, and traffic through all inbounds. */
export async function dashboardCounts(db: Kysely<Database>): Promise<DashboardCounts> {
  const inbounds = await sql<{ n: number; enabled: number; up: number; down: number }>`
    SELECT count(*) AS n, coalesce(sum(enabled), 0) AS enabled,
      coalesce(sum(uplink), 0) AS up, coalesce(sum(downlink), 0) AS down FROM inbounds`.execute(db);
  const i = inbounds.rows[0];
  return {
    inbounds: Number(i.n),
    inboundsEnabled: Number(i.enabled),
    uplink: Number(i.up),
    downlink: Number(i.down),
  };
}
