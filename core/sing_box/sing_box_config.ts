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

/** Which program runs the config: plain sing-box, or singdeck-core (sing-box as a library). */
export type CoreKind = "sing-box" | "singdeck-core";

/** What the config around the inbounds depends on. */
export interface BaseConfigInput {
  /** `host:port` of the V2Ray stats API; the host must be loopback. */
  apiListen: string;
  /** sing-box log level; "info" by default. */
  logLevel?: string;
  /** File sing-box appends its log to (the panel tails it); stderr when absent. */
  logOutput?: string;
  /** The panel's own port: never reachable through the proxy on this host's addresses. */
  panelPort?: number;
  /** This host's addresses; the loopback and unspecified addresses are always added. */
  hostAddresses?: string[];
  /**
   * Let proxy users reach private, loopback, link-local and unique-local destinations
   * (the panel's port and the stats API on this host stay unreachable). Off by default.
   */
  allowPrivateEgress?: boolean;
  /**
   * singdeck-core swaps one inbound while the old one still holds its port (`reuse_addr`)
   * and counts every user by itself (no stats lists); plain sing-box needs the lists.
   */
  core?: CoreKind;
  /** Plain sing-box with the Clash API: a loopback API to close every connection before a planned stop. */
  clashApi?: { listen: string; secret: string };
}

/** Input of `generateSingBoxConfig`. */
export interface SingBoxConfigInput extends BaseConfigInput {
  inbounds: InboundWithUsers[];
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
 * no users is left out. For plain sing-box every included inbound, the outbounds and every
 * pair are listed in `experimental.v2ray_api.stats`. The route keeps proxy users off this
 * host (see `routeRules`).
 * Throws when `apiListen` is not a loopback `host:port`, or when an inbound's settings
 * miss what its protocol needs (TLS for trojan, hysteria2, tuic and vision; a
 * multi-user Shadowsocks method and server key).
 */
export function generateSingBoxConfig(input: SingBoxConfigInput): GeneratedConfig {
  const inbounds: Json[] = [];
  const pairs: ConfigPair[] = [];
  const inboundTags: string[] = [];

  for (const { inbound, users } of input.inbounds) {
    if (!inbound.enabled) continue;
    const active = users.filter((user) => isUserActive(user, input.now));
    if (active.length === 0) continue;
    const named = active.map((user) => ({ user, name: pairStatName(user.name, inbound.tag) }));
    inbounds.push(serverInbound(inbound, named, input.core));
    inboundTags.push(inbound.tag);
    for (const { user, name } of named) {
      pairs.push({ name, userId: user.id, inboundId: inbound.id });
    }
  }
  const config = baseConfig(input, {
    inbounds: inboundTags,
    users: pairs.map((pair) => pair.name),
  });
  config.inbounds = inbounds;
  return { config, pairs, inboundTags };
}

/**
 * The config without its inbounds (`inbounds` is an empty list to fill): log, outbounds,
 * route, the stats API, and the Clash API when asked for. `counted` are the stats lists
 * plain sing-box needs; singdeck-core counts every name and gets none.
 */
export function baseConfig(
  input: BaseConfigInput,
  counted: { inbounds: string[]; users: string[] } = { inbounds: [], users: [] },
): Json {
  const apiPort = parseLoopbackListen(input.apiListen);
  const outboundTags = [DIRECT_OUTBOUND_TAG, BLOCK_OUTBOUND_TAG];
  const stats: Json = { enabled: true };
  if (input.core !== "singdeck-core") {
    stats.inbounds = counted.inbounds;
    stats.outbounds = outboundTags;
    stats.users = counted.users;
  }
  const experimental: Json = { v2ray_api: { listen: input.apiListen, stats } };
  const closedPorts = [apiPort];
  if (input.clashApi) {
    experimental.clash_api = {
      external_controller: input.clashApi.listen,
      secret: input.clashApi.secret,
    };
    closedPorts.push(parseLoopbackListen(input.clashApi.listen));
  }
  if (input.panelPort !== undefined) closedPorts.push(input.panelPort);
  return {
    log: {
      level: input.logLevel ?? "info",
      timestamp: true,
      ...(input.logOutput ? { output: input.logOutput } : {}),
    },
    inbounds: [],
    outbounds: [
      { type: "direct", tag: DIRECT_OUTBOUND_TAG },
      { type: "block", tag: BLOCK_OUTBOUND_TAG },
    ],
    route: {
      rules: routeRules(closedPorts, input.hostAddresses ?? [], input.allowPrivateEgress ?? false),
      final: DIRECT_OUTBOUND_TAG,
    },
    experimental,
  };
}

/** Loopback, unspecified and IPv4-mapped forms of this host, always in the host's addresses. */
const LOOPBACK_CIDRS = ["127.0.0.0/8", "::1/128", "0.0.0.0/8", "::/128", "::ffff:127.0.0.0/104"];

/**
 * Destinations proxy users must not reach unless private egress is allowed: what
 * `ip_is_private` matches (RFC 1918, loopback, link-local such as the cloud metadata
 * address 169.254.169.254, unique-local, multicast, unspecified), plus shared address
 * space (CGNAT, often a provider's internal network) and IPv4-mapped IPv6 forms.
 */
const PRIVATE_EXTRA_CIDRS = [
  "100.64.0.0/10",
  "0.0.0.0/8",
  "::ffff:10.0.0.0/104",
  "::ffff:172.16.0.0/108",
  "::ffff:192.168.0.0/112",
  "::ffff:169.254.0.0/112",
  "::ffff:100.64.0.0/106",
  "::ffff:127.0.0.0/104",
  "::ffff:0.0.0.0/104",
];

/**
 * The route rules that keep proxy users off the host (SPEC "Security"), in order:
 * 1. `localhost` names are refused (they would resolve to loopback);
 * 2. domains are resolved, so the IP rules below see where a name really points (a
 *    domain that resolves to 127.0.0.1 is no way around them), and the outbound dials the
 *    resolved addresses, so a second lookup cannot answer differently;
 * 3. the panel's port, the stats API's port (and the Clash API's) are refused on this
 *    host's own addresses, and only there: the same port on other hosts is fine;
 * 4. unless private egress is allowed, private, loopback, link-local and unique-local
 *    destinations are refused.
 */
export function routeRules(
  closedPorts: number[],
  hostAddresses: string[],
  allowPrivateEgress: boolean,
): Json[] {
  const host = [...new Set([...LOOPBACK_CIDRS, ...hostAddresses.map(hostCidr)])];
  const rules: Json[] = [
    { domain: ["localhost"], domain_suffix: [".localhost"], action: "reject" },
    { action: "resolve" },
    { ip_cidr: host, port: [...new Set(closedPorts)], action: "reject" },
  ];
  if (!allowPrivateEgress) {
    rules.push({ ip_is_private: true, action: "reject" });
    rules.push({ ip_cidr: PRIVATE_EXTRA_CIDRS, action: "reject" });
  }
  return rules;
}

function hostCidr(address: string): string {
  return address.includes(":") ? `${address}/128` : `${address}/32`;
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

/** A user of an inbound with the stats name their pair has in the config. */
export interface NamedUser {
  user: Pick<User, "uuid" | "password">;
  name: string;
}

/**
 * One inbound object of the server config, with these users. For singdeck-core the
 * inbound sets `reuse_addr`, so a swap can start the new inbound on the port the old one
 * still holds (SO_REUSEPORT).
 */
export function serverInbound(inbound: Inbound, users: NamedUser[], core?: CoreKind): Json {
  const entry = userEntryOf(inbound);
  return {
    ...inboundShell(inbound, core),
    users: users.map(({ user, name }) => entry(user, name)),
  };
}

/**
 * The inbound object without its users (`users` is an empty list): listener, protocol
 * settings, TLS or Reality. Throws when the settings miss what the protocol needs.
 */
export function inboundShell(inbound: Inbound, core?: CoreKind): Json {
  const s = inbound.settings;
  const base: Json = {
    type: inbound.type,
    tag: inbound.tag,
    listen: inbound.listen,
    listen_port: inbound.port,
    ...(core === "singdeck-core" ? { reuse_addr: true } : {}),
    users: [],
  };
  // Clients that multiplex streams over one connection (sing-box's multiplex, also in
  // v2rayN/NekoBox/Hiddify) need the server to accept it; it costs nothing otherwise.
  const multiplex = { multiplex: { enabled: true } };
  switch (inbound.type) {
    case "vless": {
      const flow = s.flow ?? "";
      if (flow !== "" && !s.tls && !s.reality) {
        throw new Error(`Inbound "${inbound.tag}" uses flow ${flow} without TLS or Reality`);
      }
      return withTls({ ...base, ...multiplex }, inbound, s.reality ? realityServerTls(s) : null);
    }
    case "vmess":
      return withTls({ ...base, ...multiplex }, inbound, null);
    case "trojan":
      return withTls({ ...base, ...multiplex }, inbound, null, true);
    case "shadowsocks": {
      const { method, serverKey } = shadowsocksSettings(inbound);
      return { ...base, ...multiplex, method, password: serverKey };
    }
    case "hysteria2":
      return withTls(base, inbound, null, true, ["h3"]);
    case "tuic":
      return withTls({ ...base, congestion_control: "bbr" }, inbound, null, true, ["h3"]);
    case "mixed":
      return base;
  }
}

/** How one user appears in an inbound's `users` list, for the inbound's protocol. */
export function userEntryOf(
  inbound: Inbound,
): (user: Pick<User, "uuid" | "password">, name: string) => Json {
  switch (inbound.type) {
    case "vless": {
      const flow = inbound.settings.flow ?? "";
      return (user, name) =>
        flow === "" ? { name, uuid: user.uuid } : { name, uuid: user.uuid, flow };
    }
    case "vmess":
      return (user, name) => ({ name, uuid: user.uuid, alterId: 0 });
    case "trojan":
    case "hysteria2":
      return (user, name) => ({ name, password: user.password });
    case "shadowsocks": {
      const { method } = shadowsocksSettings(inbound);
      return (user, name) => ({ name, password: shadowsocksUserKey(user.password, method) });
    }
    case "tuic":
      return (user, name) => ({ name, uuid: user.uuid, password: user.password });
    case "mixed":
      return (user, name) => ({ username: name, password: user.password });
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
