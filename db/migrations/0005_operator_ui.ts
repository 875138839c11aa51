/**
 * The operator's UI (issue 9): indexes for the Users page's status filters, and when an
 * inbound's traffic counters were last reset.
 *
 * - users_disabled: the few disabled users, in name order, for the "disabled" filter.
 * The other statuses use existing indexes: "expired" and "expiring" are ranges of
 * users_expires; "limited", "near quota" and "active" read the list's order index (name,
 * created, expiry or user_traffic_total) and stop after a page of matches. (An index of the
 * users with a quota was tried and dropped: it covers half the users and made SQLite sort
 * all of them for every page.)
 */
import { type Kysely, type Migration, sql } from "kysely";

export const operatorUi: Migration = {
  async up(db: Kysely<unknown>) {
    const statements = [
      sql`CREATE INDEX users_disabled ON users (name) WHERE enabled = 0`,
      sql`ALTER TABLE inbounds ADD COLUMN traffic_reset_at INTEGER`,
    ];
    for (const statement of statements) await statement.execute(db);
  },
};
