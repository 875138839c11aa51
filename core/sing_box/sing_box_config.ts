/**
 * sing-box configuration: the server config singdeck runs. Pure functions; the field names
 * follow sing-box 1.14's option structs, whose parser rejects unknown fields. (What clients
 * run is in core/subscriptions/.)
 */
import type { Inbound, InboundSettings, ShadowsocksMethod, User } from "../model.ts";
import { shadowsocksUserKey } from "../keys.ts";
import { pairStatName } from "../stats/stats_names.ts";
import { isUserActive } from "../users/user_status.ts";

/** Tag of the outbound every connection leaves through. */
export const DIRECT_OUTBOUND_TAG = "direct";
/**
 * Tag of the `block` outbound. sing-box 1.14 still accepts the legacy `block` type (its
 * docs call it deprecated); blocking itself is done with route rule action `reject`.
 */
export const BLOCK_OUTBOUND_TAG = "block";
/** What `maskSecrets` puts in place of a secret. */
export const SECRET_MASK = "••••••";

/**
 * Shadowsocks 2022 methods that can serve several users (identity headers need AES):
 * sing-box refuses `users` with 2022-blake3-chacha20-poly1305 ("invalid argument"), and
 * per-user counting needs `users`, so inbound validation must offer only these.
 */
export const MULTI_USER_SHADOWSOCKS_METHODS: readonly ShadowsocksMethod[] = [
  "2022-blake3-aes-128-gcm",
  "2022-blake3-aes-256-gcm",
];

/** One inbound with its assigned users, as stored. */
export interface InboundWithUsers {
  inbound: Inbound;
  users: User[];
}

/** Input of `generateSingBoxConfig`. */
export interface SingBoxConfigInput {
  inbounds: InboundWithUsers[];
  /** `host:port` of the V2Ray stats API; the host must be loopback. */
  apiListen: string;
  /** sing-box log level; "info" by default. */
  logLevel?: string;
  /** Epoch ms used to decide which users are active. */
  now: number;
}

/** A (user, inbound) pair present in the config under `name`. */
export interface ConfigPair {
  name: string;
  userId: number;
  inboundId: number;
}

/** The generated config plus what it counts. */
export interface GeneratedConfig {
  config: Record<string, unknown>;
  pairs: ConfigPair[];
  inboundTags: string[];
}

type Json = Record<string, unknown>;

/**
 * Builds the sing-box server config. Disabled inbounds are skipped; inside each inbound
 * only users active at `now` are kept, each named by `pairStatName`; an inbound left with
 * no users is left out. Every included inbound, the outbounds and every pair are listed
 * in `experimental.v2ray_api.stats`. Connections to the stats API port through the proxy
 * are rejected, so users cannot reach (or reset) the counters.
 * Throws when `apiListen` is not a loopback `host:port`, or when an inbound's settings
 * miss what its protocol needs (TLS for trojan, hysteria2, tuic and vision; a
 * multi-user Shadowsocks method and server key).
 */
export function generateSingBoxConfig(input: SingBoxConfigInput): GeneratedConfig {
  const apiPort = parseLoopbackListen(input.apiListen);
  const inbounds: Json[] = [];
  const pairs: ConfigPair[] = [];
  const inboundTags: string[] = [];

  for (const { inbound, users } of input.inbounds) {
    if (!inbound.enabled) continue;
    const active = users.filter((user) => isUserActive(user, input.now));
    if (active.length === 0) continue;
    const named = active.map((user) => ({ user, name: pairStatName(user.name, inbound.tag) }));
    inbounds.push(serverInbound(inbound, named));
    inboundTags.push(inbound.tag);
    for (const { user, name } of named) {
      pairs.push({ name, userId: user.id, inboundId: inbound.id });
    }
  }

  const outboundTags = [DIRECT_OUTBOUND_TAG, BLOCK_OUTBOUND_TAG];
  const config: Json = {
    log: { level: input.logLevel ?? "info", timestamp: true },
    inbounds,
    outbounds: [
      { type: "direct", tag: DIRECT_OUTBOUND_TAG },
      { type: "block", tag: BLOCK_OUTBOUND_TAG },
    ],
    route: {
      rules: [{ port: [apiPort], action: "reject" }],
      final: DIRECT_OUTBOUND_TAG,
    },
    experimental: {
      v2ray_api: {
        listen: input.apiListen,
        stats: {
          enabled: true,
          inbounds: inboundTags,
          outbounds: outboundTags,
          users: pairs.map((pair) => pair.name),
        },
      },
    },
  };
  return { config, pairs, inboundTags };
}

/** Returns the port of a loopback `host:port`; throws for any other address. */
function parseLoopbackListen(listen: string): number {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(listen);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || port < 1 || port > 65535) {
    throw new Error(`Stats API listen address "${listen}" is not a host:port`);
  }
  const loopbackIpv4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) &&
    host.split(".").every((part) => Number(part) <= 255);
  const loopback = loopbackIpv4 || host === "::1" || host === "localhost";
  if (!loopback) {
    throw new Error(
      `Stats API listen address "${listen}" is not loopback; the API has no authentication`,
    );
  }
  return port;
}

function serverInbound(inbound: Inbound, users: Array<{ user: User; name: string }>): Json {
  const s = inbound.settings;
  const base: Json = {
    type: inbound.type,
    tag: inbound.tag,
    listen: inbound.listen,
    listen_port: inbound.port,
  };
  switch (inbound.type) {
    case "vless": {
      const flow = s.flow ?? "";
      if (flow !== "" && !s.tls && !s.reality) {
        throw new Error(`Inbound "${inbound.tag}" uses flow ${flow} without TLS or Reality`);
      }
      const list = users.map(({ user, name }) =>
        flow === "" ? { name, uuid: user.uuid } : { name, uuid: user.uuid, flow }
      );
      return withTls({ ...base, users: list }, inbound, s.reality ? realityServerTls(s) : null);
    }
    case "vmess": {
      const list = users.map(({ user, name }) => ({ name, uuid: user.uuid, alterId: 0 }));
      return withTls({ ...base, users: list }, inbound, null);
    }
    case "trojan": {
      const list = users.map(({ user, name }) => ({ name, password: user.password }));
      return withTls({ ...base, users: list }, inbound, null, true);
    }
    case "shadowsocks": {
      const { method, serverKey } = shadowsocksSettings(inbound);
      const list = users.map(({ user, name }) => ({
        name,
        password: shadowsocksUserKey(user.password, method),
      }));
      return { ...base, method, password: serverKey, users: list };
    }
    case "hysteria2": {
      const list = users.map(({ user, name }) => ({ name, password: user.password }));
      return withTls({ ...base, users: list }, inbound, null, true, ["h3"]);
    }
    case "tuic": {
      const list = users.map(({ user, name }) => ({
        name,
        uuid: user.uuid,
        password: user.password,
      }));
      return withTls(
        { ...base, users: list, congestion_control: "bbr" },
        inbound,
        null,
        true,
        ["h3"],
      );
    }
    case "mixed": {
      const list = users.map(({ user, name }) => ({ username: name, password: user.password }));
      return { ...base, users: list };
    }
  }
}

/** Adds the inbound's `tls` block: Reality when given, else certificate files if set. */
function withTls(
  entry: Json,
  inbound: Inbound,
  reality: Json | null,
  required = false,
  alpn?: string[],
): Json {
  if (reality) return { ...entry, tls: reality };
  const tls = inbound.settings.tls;
  if (!tls) {
    if (required) throw new Error(`Inbound "${inbound.tag}" of type ${inbound.type} needs TLS`);
    return entry;
  }
  return {
    ...entry,
    tls: {
      enabled: true,
      server_name: tls.serverName,
      ...(alpn ? { alpn } : {}),
      certificate_path: tls.certificatePath,
      key_path: tls.keyPath,
    },
  };
}

function realityServerTls(s: InboundSettings): Json {
  const r = s.reality!;
  return {
    enabled: true,
    server_name: r.serverName,
    reality: {
      enabled: true,
      handshake: { server: r.handshakeServer, server_port: r.handshakePort },
      private_key: r.privateKey,
      short_id: r.shortIds,
    },
  };
}

function shadowsocksSettings(inbound: Inbound): { method: ShadowsocksMethod; serverKey: string } {
  const { method, serverKey } = inbound.settings;
  if (!method || !serverKey) {
    throw new Error(`Inbound "${inbound.tag}" of type shadowsocks needs a method and server key`);
  }
  if (!MULTI_USER_SHADOWSOCKS_METHODS.includes(method)) {
    throw new Error(
      `Inbound "${inbound.tag}" uses Shadowsocks method ${method}, which sing-box cannot serve to several users`,
    );
  }
  return { method, serverKey };
}

/** Keys whose values are credentials or private key material. */
const SECRET_KEYS = new Set([
  "uuid",
  "password",
  "private_key",
  "short_id",
  "key",
  "client_key",
  "pre_shared_key",
  "token",
  "secret",
]);

/**
 * A deep copy of a config for display, with every secret (uuid, password, private_key,
 * short_id and similar) replaced by `SECRET_MASK`; arrays of secrets keep their length.
 */
export function maskSecrets<T>(config: T): T {
  return maskValue(config, false) as T;
}

function maskValue(value: unknown, secret: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => maskValue(item, secret));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, maskValue(inner, SECRET_KEYS.has(key))]),
    );
  }
  return secret ? SECRET_MASK : value;
}
