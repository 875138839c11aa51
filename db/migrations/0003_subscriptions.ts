/**
 * Subscriptions (issue 7). The subscription token is no longer stored: it is derived from
 * the panel secret, the user id and `sub_generation` (core/subscriptions/sub_tokens.ts),
 * and only its SHA-256 is kept, in the old UNIQUE column renamed `sub_token_hash`. The
 * migration cannot read the panel secret, so every existing row gets a unique `unset:`
 * placeholder that the panel replaces before its first subscription lookup. (No
 * subscription URL was served before this migration, so none stops working.)
 *
 * Each fetch of a subscription records its time and the client's User-Agent.
 */
import { type Kysely, type Migration, sql } from "kysely";

export const subscriptions: Migration = {
  async up(db: Kysely<unknown>) {
    const statements = [
      sql`ALTER TABLE users RENAME COLUMN sub_token TO sub_token_hash`,
      sql`UPDATE users SET sub_token_hash = 'unset:' || id`,
      sql`ALTER TABLE users ADD COLUMN sub_generation INTEGER NOT NULL DEFAULT 0`,
      sql`ALTER TABLE users ADD COLUMN sub_fetched_at INTEGER`,
      sql`ALTER TABLE users ADD COLUMN sub_user_agent TEXT NOT NULL DEFAULT ''`,
    ];
    for (const statement of statements) await statement.execute(db);
  },
};
