/**
 * User statuses in SQL: the rules of `core/users/user_status.ts` as conditions over `users`
 * joined with `user_traffic` (as `usersWithTraffic` joins them), for the Users page's
 * status filter and the counts on its chips and on the dashboard. The conditions are
 * mutually exclusive and together cover every user, like `userStatus()`.
 *
 * Index use: `disabled` reads the partial index users_disabled; `expired` and `expiring`
 * are ranges of users_expires; the others read the list's order index and stop after a
 * page of matches. `active`, `limited` and `near_limit` compare `+users.expires_at` (no
 * index), so SQLite does not trade the order index for two range searches of
 * users_expires and a sort of every matching user.
 */
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";
import type { Db } from "./database.ts";
import { cachedRead } from "./read_cache.ts";
import { USER_STATUSES, type UserStatus } from "../core/model.ts";
import { DAY_MS, type StatusThresholds } from "../core/users/user_status.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** A status filter: the status and what it is measured against. */
export interface StatusFilter {
  status: UserStatus;
  now: number;
  thresholds: StatusThresholds;
}

const used = sql`(user_traffic.uplink + user_traffic.downlink)`;

/** Whether the user has a quota and has used at least the "near quota" share of it. */
function nearQuota(t: StatusThresholds) {
  return sql`(users.traffic_limit > 0 AND ${used} * 100 >= users.traffic_limit * ${t.nearQuotaPercent})`;
}

/** The SQL condition of one status, over `users` and `user_traffic`. */
export function statusCondition(filter: StatusFilter): RawBuilder<boolean> {
  const { now, thresholds: t } = filter;
  const soon = now + t.expiringDays * DAY_MS;
  const live = sql`users.enabled = 1 AND (+users.expires_at IS NULL OR +users.expires_at > ${now})`;
  switch (filter.status) {
    case "disabled":
      return sql<boolean>`users.enabled = 0`;
    case "expired":
      return sql<boolean>`(users.enabled = 1 AND users.expires_at <= ${now})`;
    case "limited":
      return sql<boolean>`(${live} AND users.traffic_limit > 0
        AND ${used} >= users.traffic_limit)`;
    case "near_limit":
      return sql<boolean>`(${live} AND users.traffic_limit > 0
        AND ${used} < users.traffic_limit AND ${nearQuota(t)})`;
    case "expiring":
      return sql<boolean>`(users.enabled = 1 AND users.expires_at > ${now}
        AND users.expires_at <= ${soon} AND NOT ${nearQuota(t)})`;
    case "active":
      return sql<boolean>`(users.enabled = 1
        AND (+users.expires_at IS NULL OR +users.expires_at > ${soon}) AND NOT ${nearQuota(t)})`;
  }
}

/** Users per status and in all, the counts of the status chips and the dashboard. */
export type StatusCounts = Record<UserStatus | "all", number>;

/**
 * Each user's status as one CASE, in the order of `userStatus()` (the first that applies
 * wins), for counting: cheaper than one condition per status.
 */
function statusCase(now: number, t: StatusThresholds) {
  return sql<UserStatus>`CASE
    WHEN users.enabled = 0 THEN 'disabled'
    WHEN users.expires_at <= ${now} THEN 'expired'
    WHEN users.traffic_limit > 0 AND ${used} >= users.traffic_limit THEN 'limited'
    WHEN ${nearQuota(t)} THEN 'near_limit'
    WHEN users.expires_at <= ${now + t.expiringDays * DAY_MS} THEN 'expiring'
    ELSE 'active' END`;
}

/**
 * How many users have each status at `now` (among those whose name contains `search`,
 * when given), in one pass over users and their totals.
 */
export async function countUsersByStatus(
  db: Q,
  now: number,
  thresholds: StatusThresholds,
  search?: RawBuilder<boolean>,
): Promise<StatusCounts> {
  const where = search ? sql`WHERE ${search}` : sql``;
  const result = await sql<{ status: UserStatus; n: number }>`
    SELECT ${statusCase(now, thresholds)} AS status, count(*) AS n
    FROM users JOIN user_traffic ON user_traffic.user_id = users.id ${where}
    GROUP BY status`.execute(db);
  const counts = { all: 0 } as StatusCounts;
  for (const status of USER_STATUSES) counts[status] = 0;
  for (const row of result.rows) {
    counts[row.status] = Number(row.n);
    counts.all += Number(row.n);
  }
  return counts;
}

/**
 * `countUsersByStatus` over every user, for the chips of every Users page and the
 * dashboard: kept (db/read_cache.ts) until the next write, or the next moment a status
 * changes by time alone, whichever comes first: a user's expiry, or a user entering the
 * "expiring" window.
 */
export function countAllUsersByStatus(
  db: Db,
  now: number,
  thresholds: StatusThresholds,
): Promise<StatusCounts> {
  const key = `status counts ${thresholds.expiringDays} ${thresholds.nearQuotaPercent}`;
  return cachedRead(db, key, now, async () => {
    const value = await countUsersByStatus(db, now, thresholds);
    const window = thresholds.expiringDays * DAY_MS;
    const next = await sql<{ expiry: number | null; expiring: number | null }>`SELECT
      (SELECT min(expires_at) FROM users WHERE expires_at > ${now}) AS expiry,
      (SELECT min(expires_at) FROM users WHERE expires_at > ${now + window}) AS expiring`
      .execute(db);
    const { expiry, expiring } = next.rows[0];
    const until = Math.min(
      expiry === null ? Infinity : Number(expiry),
      expiring === null ? Infinity : Number(expiring) - window,
    );
    return { value, until };
  });
}
