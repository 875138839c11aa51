/**
 * For singdeck-core and 100,000 users (issues 10 and 11):
 * - `users.next_reset_at`: the instant of a user's next periodic traffic reset, indexed, so
 *   finding who is due is a range scan (core/users/periodic_reset.ts). It is cleared (and
 *   anchored again) when the reset strategy changes.
 * - `stat_targets` by inbound, so one inbound's pairs are replaced without touching the rest.
 */
import { type Kysely, type Migration, sql } from "kysely";

export const coreHost: Migration = {
  async up(db: Kysely<unknown>) {
    const statements = [
      sql`ALTER TABLE users ADD COLUMN next_reset_at INTEGER`,
      sql`CREATE INDEX users_next_reset ON users (next_reset_at) WHERE next_reset_at IS NOT NULL`,
      sql`CREATE INDEX users_reset_unanchored ON users (id)
        WHERE next_reset_at IS NULL AND reset_strategy != 'none'`,
      sql`CREATE TRIGGER users_reset_strategy_changed AFTER UPDATE OF reset_strategy ON users
        WHEN new.reset_strategy IS NOT old.reset_strategy BEGIN
          UPDATE users SET next_reset_at = NULL WHERE id = new.id;
        END`,
      sql`CREATE INDEX stat_targets_inbound ON stat_targets (inbound_id)`,
    ];
    for (const statement of statements) await statement.execute(db);
  },
};
