/**
 * Share links, one per (user, inbound), in the URI forms that v2rayN/v2rayNG, NekoBox,
 * Hiddify, Streisand and the sing-box apps import:
 * - `vless://uuid@host:port?encryption=none&type=tcp&security=…#remark` (the Xray share
 *   link proposal: sni, fp, pbk, sid, flow, alpn; `allowInsecure=1` for self-signed)
 * - `vmess://` + base64 of v2rayN's JSON (v "2")
 * - `trojan://password@host:port?security=tls&sni=…&type=tcp#remark`
 * - `ss://method:password@host:port#remark` (SIP002; 2022 ciphers are percent-encoded, not
 *   base64, and a multi-user password is `serverPSK:userPSK`)
 * - `hysteria2://password@host:port/?sni=…&insecure=1&pinSHA256=…#remark` (Hysteria 2 URI
 *   scheme; the pin is the certificate's SHA-256 in openssl's colon form)
 * - `tuic://uuid:password@host:port?congestion_control=bbr&alpn=h3&sni=…#remark`
 * - `socks5://user:password@host:port#remark` and `http://…` for mixed inbounds, with the
 *   pair's real user name (`{user}|{tag}`).
 * Every value is percent-encoded; the remark is readable (tag and user name).
 */
import type { Inbound, User } from "../model.ts";
import { encodeBase64 } from "../encoding.ts";
import { clientCredentials } from "./client_credentials.ts";
import type { ResolvedEndpoint } from "./client_endpoint.ts";

/** One (user, inbound) pair as clients reach it. */
export interface ClientEntry {
  inbound: Inbound;
  user: User;
  endpoint: ResolvedEndpoint;
  /** Readable name of the entry in client apps. */
  remark: string;
}

/** The remark of a (user, inbound) pair: `tag · user`. */
export function entryRemark(inbound: Inbound, user: User): string {
  return `${inbound.tag} · ${user.name}`;
}

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** SHA-256 hex as openssl prints it: upper case, colon-separated. */
export function colonFingerprint(hex: string): string {
  return hex.toUpperCase().match(/../g)!.join(":");
}

const enc = encodeURIComponent;

function query(params: Array<[string, string | undefined]>): string {
  return params.filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${enc(v!)}`).join("&");
}

/** TLS query parameters of the Xray-style links (vless, trojan). */
function tlsParams(e: ResolvedEndpoint, alpn?: string): Array<[string, string | undefined]> {
  if (e.security === "none") return [["security", "none"]];
  return [
    ["security", e.security],
    ["sni", e.serverName],
    ["alpn", alpn],
    ["fp", e.fingerprint],
    ["allowInsecure", e.selfSigned ? "1" : undefined],
  ];
}

/**
 * The share links of an entry: one, and for a mixed inbound two (SOCKS5 first, then
 * HTTP). The first is what subscriptions list.
 */
export function shareLinks(entry: ClientEntry): string[] {
  const { inbound, endpoint: e, remark } = entry;
  const c = clientCredentials(inbound, entry.user);
  const at = hostPort(e.server, inbound.port);
  const fragment = `#${enc(remark)}`;
  const s = inbound.settings;
  switch (inbound.type) {
    case "vless": {
      const params = query([
        ["encryption", "none"],
        ["type", "tcp"],
        ["headerType", "none"],
        ...tlsParams(e),
        ["pbk", s.reality?.publicKey],
        ["sid", s.reality?.shortIds[0]],
        ["flow", s.flow || undefined],
      ]);
      return [`vless://${enc(c.uuid!)}@${at}?${params}${fragment}`];
    }
    case "vmess": {
      const json = {
        v: "2",
        ps: remark,
        add: e.server,
        port: String(inbound.port),
        id: c.uuid,
        aid: "0",
        scy: "auto",
        net: "tcp",
        type: "none",
        host: "",
        path: "",
        tls: e.security === "tls" ? "tls" : "",
        sni: e.serverName ?? "",
        alpn: "",
        fp: "",
        ...(e.selfSigned ? { allowInsecure: "1" } : {}),
      };
      return [`vmess://${encodeBase64(new TextEncoder().encode(JSON.stringify(json)))}`];
    }
    case "trojan":
      return [
        `trojan://${enc(c.password!)}@${at}?${
          query([["type", "tcp"], ...tlsParams(e)])
        }${fragment}`,
      ];
    case "shadowsocks":
      return [`ss://${enc(c.method!)}:${enc(c.password!)}@${at}${fragment}`];
    case "hysteria2": {
      const params = query([
        ["sni", e.serverName],
        ["insecure", e.selfSigned ? "1" : undefined],
        ["pinSHA256", e.certificateSha256 && colonFingerprint(e.certificateSha256)],
      ]);
      return [`hysteria2://${enc(c.password!)}@${at}/?${params}${fragment}`];
    }
    case "tuic": {
      const params = query([
        ["congestion_control", "bbr"],
        ["udp_relay_mode", "native"],
        ["alpn", "h3"],
        ["sni", e.serverName],
        ["allow_insecure", e.selfSigned ? "1" : undefined],
      ]);
      return [`tuic://${enc(c.uuid!)}:${enc(c.password!)}@${at}?${params}${fragment}`];
    }
    case "mixed": {
      const userinfo = `${enc(c.username!)}:${enc(c.password!)}`;
      return [`socks5://${userinfo}@${at}${fragment}`, `http://${userinfo}@${at}${fragment}`];
    }
  }
}
