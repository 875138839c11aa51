/**
 * The first schema: admins, sessions, API tokens, inbounds, users, their assignments and
 * traffic, outbound traffic, core runs, stat cursors and targets, settings.
 */
import { type Kysely, type Migration, sql } from "kysely";

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    const statements = [
      sql`CREATE TABLE admins (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL)`,
      sql`CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        admin_id INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL) WITHOUT ROWID`,
      sql`CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER)`,
      // AUTOINCREMENT: ids are never reused, so stats targets and cursors of a deleted
      // user or inbound can never land on a new one.
      sql`CREATE TABLE inbounds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tag TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        listen TEXT NOT NULL,
        port INTEGER NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        settings TEXT NOT NULL DEFAULT '{}',
        uplink INTEGER NOT NULL DEFAULT 0,
        downlink INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (listen, port))`,
      sql`CREATE INDEX inbounds_port ON inbounds (port)`,
      sql`CREATE INDEX inbounds_traffic ON inbounds ((uplink + downlink), tag)`,
      sql`CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        uuid TEXT NOT NULL UNIQUE,
        password TEXT NOT NULL,
        traffic_limit INTEGER NOT NULL DEFAULT 0,
        expires_at INTEGER,
        enabled INTEGER NOT NULL DEFAULT 1,
        note TEXT NOT NULL DEFAULT '',
        sub_token TEXT NOT NULL UNIQUE,
        reset_strategy TEXT NOT NULL DEFAULT 'none',
        last_reset_at INTEGER,
        uplink INTEGER NOT NULL DEFAULT 0,
        downlink INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL)`,
      sql`CREATE INDEX users_created ON users (created_at, id)`,
      sql`CREATE INDEX users_expires ON users (expires_at, id)`,
      sql`CREATE INDEX users_traffic ON users ((uplink + downlink), id)`,
      sql`CREATE TABLE user_inbounds (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        inbound_id INTEGER NOT NULL REFERENCES inbounds(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, inbound_id)) WITHOUT ROWID`,
      sql`CREATE INDEX user_inbounds_inbound ON user_inbounds (inbound_id, user_id)`,
      sql`CREATE TABLE user_inbound_traffic (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        inbound_id INTEGER NOT NULL REFERENCES inbounds(id) ON DELETE CASCADE,
        uplink INTEGER NOT NULL DEFAULT 0,
        downlink INTEGER NOT NULL DEFAULT 0,
        run_id INTEGER NOT NULL DEFAULT 0,
        seen_uplink INTEGER,
        seen_downlink INTEGER,
        PRIMARY KEY (user_id, inbound_id)) WITHOUT ROWID`,
      sql`CREATE INDEX user_inbound_traffic_inbound ON user_inbound_traffic (inbound_id)`,
      sql`CREATE TABLE outbound_traffic (
        tag TEXT PRIMARY KEY,
        uplink INTEGER NOT NULL DEFAULT 0,
        downlink INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID`,
      sql`CREATE TABLE core_runs (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        pid INTEGER,
        api_listen TEXT NOT NULL,
        ended_at INTEGER,
        exit_code INTEGER)`,
      sql`CREATE TABLE stat_cursors (
        counter TEXT PRIMARY KEY,
        run_id INTEGER NOT NULL,
        value INTEGER NOT NULL) WITHOUT ROWID`,
      sql`CREATE TABLE stat_targets (
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        user_id INTEGER,
        inbound_id INTEGER,
        PRIMARY KEY (kind, name)) WITHOUT ROWID`,
      sql`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,
    ];
    for (const statement of statements) await statement.execute(db);
  },
};
