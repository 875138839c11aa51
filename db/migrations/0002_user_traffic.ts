/**
 * User totals move out of `users` into the narrow `user_traffic` table (issue 11): a poll
 * rewrites up to every user's totals, and a row of three integers is a fraction of a
 * `users` row to rewrite and to log in the WAL. The traffic index moves with them.
 *
 * Every user has exactly one `user_traffic` row: triggers create it with the user and
 * delete it with the user, whatever path inserts or deletes users.
 */
import { type Kysely, type Migration, sql } from "kysely";

export const userTraffic: Migration = {
  async up(db: Kysely<unknown>) {
    const statements = [
      sql`CREATE TABLE user_traffic (
        user_id INTEGER PRIMARY KEY,
        uplink INTEGER NOT NULL DEFAULT 0,
        downlink INTEGER NOT NULL DEFAULT 0)`,
      sql`INSERT INTO user_traffic (user_id, uplink, downlink)
        SELECT id, uplink, downlink FROM users`,
      sql`CREATE INDEX user_traffic_total ON user_traffic ((uplink + downlink), user_id)`,
      sql`DROP INDEX users_traffic`,
      sql`ALTER TABLE users DROP COLUMN uplink`,
      sql`ALTER TABLE users DROP COLUMN downlink`,
      sql`CREATE TRIGGER users_traffic_row AFTER INSERT ON users BEGIN
        INSERT INTO user_traffic (user_id) VALUES (new.id);
      END`,
      sql`CREATE TRIGGER users_traffic_gone AFTER DELETE ON users BEGIN
        DELETE FROM user_traffic WHERE user_id = old.id;
      END`,
    ];
    for (const statement of statements) await statement.execute(db);
  },
};
