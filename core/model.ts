/**
 * The product's nouns as plain data, shared by `db/`, `core/`, `routes/` and `views/`.
 * Timestamps are Unix epoch milliseconds; byte counts are integers (exact below 2^53).
 */

export const INBOUND_TYPES = [
  "vless",
  "vmess",
  "trojan",
  "shadowsocks",
  "hysteria2",
  "tuic",
  "mixed",
] as const;
export type InboundType = typeof INBOUND_TYPES[number];

/**
 * Shadowsocks 2022 methods with their key length in bytes. Only the AES methods serve
 * several users (sing-box refuses `users` with 2022-blake3-chacha20-poly1305), and
 * per-user counting needs `users`, so chacha20 is not offered.
 */
export const SHADOWSOCKS_METHODS = {
  "2022-blake3-aes-128-gcm": 16,
  "2022-blake3-aes-256-gcm": 32,
} as const;
export type ShadowsocksMethod = keyof typeof SHADOWSOCKS_METHODS;

/** TLS served by an inbound: files on disk (the panel writes them when self-signed). */
export interface TlsSettings {
  serverName: string;
  certificatePath: string;
  keyPath: string;
  selfSigned: boolean;
}

/** VLESS Reality: the panel generates the X25519 key pair and short ids. */
export interface RealitySettings {
  handshakeServer: string;
  handshakePort: number;
  serverName: string;
  privateKey: string;
  publicKey: string;
  shortIds: string[];
}

/**
 * Where clients reach an inbound when that differs from the panel's public address: a
 * host name or IP (a CDN, another interface) and, for TLS inbounds, the server name they
 * send. Only share links and profiles use it; sing-box's config does not.
 */
export interface ClientOverride {
  address?: string;
  serverName?: string;
}

/**
 * Type-specific settings, stored as JSON in `inbounds.settings`.
 * - vless: `tls` or `reality` (or neither), `flow` ("" or "xtls-rprx-vision")
 * - vmess: optional `tls`
 * - trojan, hysteria2, tuic: `tls` required
 * - shadowsocks: `method`, `serverKey` (base64 of the method's key length)
 * - mixed: nothing
 * - any type: `client`, the optional address (and TLS server name) clients use
 */
export interface InboundSettings {
  tls?: TlsSettings;
  reality?: RealitySettings;
  flow?: "" | "xtls-rprx-vision";
  method?: ShadowsocksMethod;
  serverKey?: string;
  client?: ClientOverride;
}

export interface Inbound {
  id: number;
  tag: string;
  type: InboundType;
  listen: string;
  port: number;
  enabled: boolean;
  settings: InboundSettings;
  uplink: number;
  downlink: number;
  /** When an admin last reset the traffic counters (null: never; absent: not loaded). */
  trafficResetAt?: number | null;
  createdAt: number;
  updatedAt: number;
}

export const RESET_STRATEGIES = ["none", "day", "week", "month"] as const;
export type ResetStrategy = typeof RESET_STRATEGIES[number];

export interface User {
  id: number;
  name: string;
  /** UUID for vless, vmess, tuic. */
  uuid: string;
  /** Standard base64 of 32 random bytes: trojan, hysteria2, tuic, mixed, shadowsocks. */
  password: string;
  /** Bytes; 0 = unlimited. */
  trafficLimit: number;
  expiresAt: number | null;
  enabled: boolean;
  note: string;
  /** Generation of the subscription token (the token itself is derived, never stored). */
  subGeneration: number;
  /** Last subscription fetch: epoch ms and the client's User-Agent, or null. */
  lastSubscription: { at: number; userAgent: string } | null;
  resetStrategy: ResetStrategy;
  uplink: number;
  downlink: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * A user's status, from the most to the least severe: disabled, expired, limited (quota
 * reached), near_limit (near the quota), expiring (expires soon), active. Only the last three
 * may connect.
 */
export const USER_STATUSES = [
  "active",
  "expiring",
  "near_limit",
  "limited",
  "expired",
  "disabled",
] as const;
export type UserStatus = typeof USER_STATUSES[number];
