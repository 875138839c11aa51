/**
 * Row types of every table, as Kysely sees them. Timestamps are epoch milliseconds,
 * booleans are 0/1, byte counters are 64-bit integers (exact in JS below 2^53).
 */
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

export interface AdminsTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the session id in the cookie; the id itself is never stored. */
  id_hash: string;
  admin_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
}

export interface InboundsTable {
  id: Generated<number>;
  tag: string;
  type: string;
  listen: string;
  port: number;
  enabled: number;
  /** JSON of `InboundSettings`. */
  settings: string;
  uplink: Generated<number>;
  downlink: Generated<number>;
  /** When the traffic counters were last reset by the admin, or null (migration 0005). */
  traffic_reset_at: Generated<number | null>;
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  uuid: string;
  password: string;
  traffic_limit: number;
  expires_at: number | null;
  enabled: number;
  note: string;
  /** SHA-256 hex of the subscription token, or an `unset:` placeholder (see migration 0003). */
  sub_token_hash: string;
  /** Bumped when the token is regenerated; part of what the token is derived from. */
  sub_generation: Generated<number>;
  /** When the subscription was last fetched, and by which User-Agent. */
  sub_fetched_at: Generated<number | null>;
  sub_user_agent: Generated<string>;
  reset_strategy: string;
  last_reset_at: number | null;
  /** Next periodic reset (epoch ms); null while not anchored (core/users/periodic_reset.ts). */
  next_reset_at: Generated<number | null>;
  created_at: number;
  updated_at: number;
}

/** A user's traffic totals; one row per user, kept by triggers (see migration 0002). */
export interface UserTrafficTable {
  user_id: number;
  uplink: Generated<number>;
  downlink: Generated<number>;
}

export interface UserInboundsTable {
  user_id: number;
  inbound_id: number;
}

/**
 * Per-(user, inbound) traffic: the breakdown of a user's totals, and the cursors of the
 * pair's two sing-box counters (kept in the same row so a poll writes each pair once).
 */
export interface UserInboundTrafficTable {
  user_id: number;
  inbound_id: number;
  uplink: number;
  downlink: number;
  /** Core run of the cursors below. */
  run_id: Generated<number>;
  /** Last value seen of the pair's uplink and downlink counters in `run_id` (null: 0). */
  seen_uplink: number | null;
  seen_downlink: number | null;
}

export interface OutboundTrafficTable {
  tag: string;
  uplink: number;
  downlink: number;
}

/** One sing-box process lifetime (or one reload: a reload is a new run). */
export interface CoreRunsTable {
  id: Generated<number>;
  started_at: number;
  reason: string;
  pid: number | null;
  api_listen: string;
  ended_at: number | null;
  exit_code: number | null;
}

/** Last value seen of one sing-box counter and the core run it belongs to. */
export interface StatCursorsTable {
  counter: string;
  run_id: number;
  value: number;
}

/** What each sing-box stats name of the running config stands for. */
export interface StatTargetsTable {
  name: string;
  kind: string;
  user_id: number | null;
  inbound_id: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  admins: AdminsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  inbounds: InboundsTable;
  users: UsersTable;
  user_traffic: UserTrafficTable;
  user_inbounds: UserInboundsTable;
  user_inbound_traffic: UserInboundTrafficTable;
  outbound_traffic: OutboundTrafficTable;
  core_runs: CoreRunsTable;
  stat_cursors: StatCursorsTable;
  stat_targets: StatTargetsTable;
  settings: SettingsTable;
}

export type InboundRow = Selectable<InboundsTable>;
export type NewInboundRow = Insertable<InboundsTable>;
export type InboundUpdate = Updateable<InboundsTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
