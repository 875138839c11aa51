/**
 * The sing-box client outbound with which one user reaches one inbound: what the sing-box
 * profile lists, and what tests use as a client. Pure; the field names follow sing-box
 * 1.12+'s outbound option structs (its parser rejects unknown fields).
 */
import type { Inbound, User } from "../model.ts";
import { clientCredentials } from "./client_credentials.ts";

/** Where and how a client reaches an inbound (see `client_endpoint.ts`). */
export interface ClientEndpoint {
  /** Host name or IP address the client connects to. */
  server: string;
  /** TLS server name the client sends; the inbound's own when absent. */
  serverName?: string;
  /**
   * The PEM of a self-signed certificate the client trusts instead of the system roots,
   * so verification stays on.
   */
  certificatePem?: string;
}

/** Options of `clientOutbound`. */
export interface ClientOutboundOptions {
  /** The outbound's tag; "proxy" by default. */
  tag?: string;
  /**
   * Skip certificate verification. By default only for a self-signed certificate whose
   * PEM the endpoint does not carry.
   */
  insecure?: boolean;
}

type Json = Record<string, unknown>;

/** The uTLS fingerprint Reality clients present (Reality needs uTLS). */
export const REALITY_FINGERPRINT = "chrome";

/**
 * The sing-box client outbound for `user` on `inbound` at `endpoint` (or just a server
 * address). Reality clients use uTLS with the Chrome fingerprint and the first short id;
 * Shadowsocks 2022 uses `serverKey:userKey`; a mixed inbound is reached through a SOCKS5
 * outbound with the pair's user name. Certificates are verified against the endpoint's
 * pinned PEM when it has one, else against the system roots, unless `insecure`.
 */
export function clientOutbound(
  inbound: Inbound,
  user: User,
  endpoint: string | ClientEndpoint,
  options: ClientOutboundOptions = {},
): Json {
  const target = typeof endpoint === "string" ? { server: endpoint } : endpoint;
  const s = inbound.settings;
  const credentials = clientCredentials(inbound, user);
  const base: Json = {
    type: inbound.type,
    tag: options.tag ?? "proxy",
    server: target.server,
    server_port: inbound.port,
  };
  const tls = (alpn?: string[]): Json | undefined => {
    if (!s.tls) return undefined;
    const pinned = s.tls.selfSigned && target.certificatePem !== undefined;
    const insecure = options.insecure ?? (s.tls.selfSigned && !pinned);
    return {
      enabled: true,
      server_name: target.serverName ?? s.tls.serverName,
      ...(insecure ? { insecure: true } : {}),
      ...(alpn ? { alpn } : {}),
      ...(pinned && !insecure ? { certificate: target.certificatePem } : {}),
    };
  };
  switch (inbound.type) {
    case "vless": {
      const flow = s.flow ? { flow: s.flow } : {};
      if (s.reality) {
        return {
          ...base,
          uuid: credentials.uuid,
          ...flow,
          tls: {
            enabled: true,
            server_name: s.reality.serverName,
            utls: { enabled: true, fingerprint: REALITY_FINGERPRINT },
            reality: {
              enabled: true,
              public_key: s.reality.publicKey,
              short_id: s.reality.shortIds[0] ?? "",
            },
          },
        };
      }
      return withTls({ ...base, uuid: credentials.uuid, ...flow }, tls());
    }
    case "vmess":
      return withTls({ ...base, uuid: credentials.uuid, security: "auto", alter_id: 0 }, tls());
    case "trojan":
      return withTls({ ...base, password: credentials.password }, tls());
    case "shadowsocks":
      return { ...base, method: credentials.method, password: credentials.password };
    case "hysteria2":
      return withTls({ ...base, password: credentials.password }, tls(["h3"]));
    case "tuic":
      return withTls(
        {
          ...base,
          uuid: credentials.uuid,
          password: credentials.password,
          congestion_control: "bbr",
        },
        tls(["h3"]),
      );
    case "mixed":
      return {
        ...base,
        type: "socks",
        version: "5",
        username: credentials.username,
        password: credentials.password,
      };
  }
}

function withTls(entry: Json, tls: Json | undefined): Json {
  return tls ? { ...entry, tls } : entry;
}
