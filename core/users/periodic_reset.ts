/**
 * Periodic traffic resets (a user's reset strategy: day, week or month). A user's cycle is
 * anchored on their creation time: a user created on 15 March at 10:20 UTC with a monthly
 * reset is reset on the 15th of every month at 10:20 UTC (on the last day of shorter
 * months), a weekly one every 7 days, a daily one every 24 hours from that instant. So
 * 100,000 users do not all reset (and reconnect) in the same second.
 *
 * Each user's next reset instant is stored (`users.next_reset_at`, indexed), so finding
 * who is due is an index range scan. A user with a strategy and no next reset yet (just
 * created, imported, or their strategy just changed) is first anchored: their next reset
 * becomes the next anniversary after now, and nothing is zeroed at once.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { anchorPeriodicResets, resetDueUsers } from "../../db/traffic.ts";
import type { ResetStrategy } from "../model.ts";

const DAY_MS = 24 * 3600 * 1000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The `k`-th monthly anniversary of `anchor` (k = 0 is the anchor), clamped to month ends. */
function monthAnniversary(anchor: number, k: number): number {
  const a = new Date(anchor);
  const monthIndex = a.getUTCMonth() + k;
  const year = a.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const day = Math.min(a.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(
    year,
    month,
    day,
    a.getUTCHours(),
    a.getUTCMinutes(),
    a.getUTCSeconds(),
    a.getUTCMilliseconds(),
  );
}

/**
 * The first anniversary of `createdAt` for `strategy` strictly after `now`, or null for
 * "none". Anniversaries are every 24 hours, every 7 days, or the same day and time of
 * each month (the last day of months that are too short).
 */
export function nextResetAfter(
  createdAt: number,
  strategy: ResetStrategy,
  now: number,
): number | null {
  if (strategy === "none") return null;
  if (strategy === "day" || strategy === "week") {
    const period = strategy === "day" ? DAY_MS : 7 * DAY_MS;
    if (now < createdAt) return createdAt + period;
    return createdAt + (Math.floor((now - createdAt) / period) + 1) * period;
  }
  const a = new Date(createdAt), n = new Date(now);
  let k = Math.max(
    1,
    (n.getUTCFullYear() - a.getUTCFullYear()) * 12 + n.getUTCMonth() - a.getUTCMonth(),
  );
  while (monthAnniversary(createdAt, k) <= now) k++;
  while (k > 1 && monthAnniversary(createdAt, k - 1) > now) k--;
  return monthAnniversary(createdAt, k);
}

/**
 * Anchors users with a strategy and no next reset, then zeroes the traffic of every user
 * whose next reset has come (set-based, one transaction each) and moves their next reset
 * on. Returns the ids of the users reset. Inbound totals are never touched.
 */
export async function resetDueTraffic(db: Kysely<Database>, now: number): Promise<number[]> {
  await anchorPeriodicResets(db, now, nextResetAfter);
  return await resetDueUsers(db, now, nextResetAfter);
}
