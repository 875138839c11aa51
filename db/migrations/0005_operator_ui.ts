/**
 * The operator's UI (issue 9): indexes for the Users page's status filters, and when an
 * inbound's traffic counters were last reset.
 *
 * - users_disabled: the few disabled users, in name order, for the "disabled" filter.
 * - users_with_quota: users with a traffic limit, the only ones that can be "limited" or
 *   "near quota"; their totals join by key. ("expired" and "expiring" are ranges of the
 *   existing users_expires index.)
 */
import { type Kysely, type Migration, sql } from "kysely";

export const operatorUi: Migration = {
  async up(db: Kysely<unknown>) {
    const statements = [
      sql`CREATE INDEX users_disabled ON users (name) WHERE enabled = 0`,
      sql`CREATE INDEX users_with_quota ON users (traffic_limit, id) WHERE traffic_limit > 0`,
      sql`ALTER TABLE inbounds ADD COLUMN traffic_reset_at INTEGER`,
    ];
    for (const statement of statements) await statement.execute(db);
  },
};
