/**
 * Periodic traffic resets (a user's reset strategy: day, week or month, in UTC). A user is
 * due when their last reset (or creation) lies before the start of the current period.
 */
import type { Db } from "../../db/database.ts";
import { resetTrafficBefore } from "../../db/traffic.ts";

/** Start (epoch ms, UTC) of the day, the ISO week (Monday) and the month containing `now`. */
export function periodStarts(now: number): { day: number; week: number; month: number } {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return {
    day,
    week: day - sinceMonday * 24 * 3600 * 1000,
    month: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
  };
}

/**
 * Zeroes the traffic of every user whose period ended (set-based, one transaction);
 * returns how many were reset. Inbound totals are never touched.
 */
export function resetDueTraffic(db: Db, now: number): Promise<number> {
  return resetTrafficBefore(db, periodStarts(now), now);
}
