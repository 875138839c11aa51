/**
 * A share link parser for tests, written from the public format descriptions and not from
 * the panel's generator: the Xray VLESS/VMess share link proposal (XTLS/Xray-core #91,
 * #716), v2rayN's vmess base64 JSON, the Trojan-Go URL form, SIP002 (with SIP022's
 * percent-encoded 2022 user info), the Hysteria 2 URI scheme, the tuic:// form used by
 * NekoBox and sing-box installers, and plain socks5:// / http:// proxy URLs. Every value
 * is percent-decoded by the WHATWG URL parser rules. `toSingBoxOutbound` turns a parsed
 * link into a sing-box client outbound, as a client app would.
 */

/** What a link says, protocol by protocol. */
export interface ParsedLink {
  scheme: "vless" | "vmess" | "trojan" | "ss" | "hysteria2" | "tuic" | "socks5" | "http";
  host: string;
  port: number;
  remark: string;
  uuid?: string;
  password?: string;
  username?: string;
  method?: string;
  /** Query parameters (vless, trojan, hysteria2, tuic) or vmess JSON fields, as given. */
  params: Record<string, string>;
  security: "none" | "tls" | "reality";
  sni?: string;
  insecure: boolean;
}

function decode(text: string): string {
  return decodeURIComponent(text);
}

/** Standard or URL-safe base64, padding optional, to UTF-8 text. */
function base64Text(text: string): string {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = normal + "=".repeat((4 - (normal.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

function paramsOf(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (Object.hasOwn(out, k)) throw new Error(`Parameter "${k}" appears twice in ${url.href}`);
    out[k] = v;
  }
  return out;
}

const truthy = (v: string | undefined) => v === "1" || v === "true";

/** Parses one share link; throws on anything malformed. */
export function parseShareLink(link: string): ParsedLink {
  const scheme = link.slice(0, link.indexOf("://"));
  if (scheme === "vmess") return parseVmess(link);
  const url = new URL(link);
  const params = paramsOf(url);
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`No valid port in ${link}`);
  }
  const base = {
    host: hostOf(url),
    port,
    remark: decode(url.hash.replace(/^#/, "")),
    params,
  };
  switch (scheme) {
    case "vless": {
      if (params.encryption !== "none") throw new Error("VLESS links need encryption=none");
      const security = (params.security ?? "none") as ParsedLink["security"];
      return {
        ...base,
        scheme,
        uuid: decode(url.username),
        security,
        sni: params.sni,
        insecure: truthy(params.allowInsecure),
      };
    }
    case "trojan":
      return {
        ...base,
        scheme,
        password: decode(url.username),
        security: (params.security ?? "tls") as ParsedLink["security"],
        sni: params.sni ?? params.peer,
        insecure: truthy(params.allowInsecure),
      };
    case "ss": {
      // SIP002: userinfo is base64url(method:password), or percent-encoded for 2022 ciphers.
      const raw = url.password ? `${url.username}:${url.password}` : url.username;
      const userinfo = raw.includes(":") || raw.includes("%") ? decode(raw) : base64Text(raw);
      const colon = userinfo.indexOf(":");
      return {
        ...base,
        scheme,
        method: userinfo.slice(0, colon),
        password: userinfo.slice(colon + 1),
        security: "none",
        insecure: false,
      };
    }
    case "hysteria2":
    case "hy2":
      return {
        ...base,
        scheme: "hysteria2",
        password: decode(url.password ? `${url.username}:${url.password}` : url.username),
        security: "tls",
        sni: params.sni,
        insecure: truthy(params.insecure),
      };
    case "tuic":
      return {
        ...base,
        scheme,
        uuid: decode(url.username),
        password: decode(url.password),
        security: "tls",
        sni: params.sni,
        insecure: truthy(params.allow_insecure) || truthy(params.insecure),
      };
    case "socks5":
    case "http":
      return {
        ...base,
        scheme,
        username: decode(url.username),
        password: decode(url.password),
        security: "none",
        insecure: false,
      };
    default:
      throw new Error(`Unknown link scheme "${scheme}"`);
  }
}

/** v2rayN's form: `vmess://` + base64 of a JSON object with v "2". */
function parseVmess(link: string): ParsedLink {
  const json = JSON.parse(base64Text(link.slice("vmess://".length))) as Record<string, unknown>;
  const text = (key: string) => (json[key] === undefined ? "" : String(json[key]));
  if (text("v") !== "2") throw new Error(`vmess JSON version ${text("v")} is not 2`);
  const params = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
  return {
    scheme: "vmess",
    host: text("add"),
    port: Number(text("port")),
    remark: text("ps"),
    uuid: text("id"),
    params,
    security: text("tls") === "tls" ? "tls" : "none",
    sni: text("sni") || undefined,
    insecure: truthy(text("allowInsecure")),
  };
}

type Json = Record<string, unknown>;

function tls(link: ParsedLink, extra: Json = {}): Json {
  return {
    enabled: true,
    ...(link.sni ? { server_name: link.sni } : {}),
    ...(link.insecure ? { insecure: true } : {}),
    ...extra,
  };
}

/** The sing-box outbound (tag "proxy") a client app would build from a parsed link. */
export function toSingBoxOutbound(link: ParsedLink): Json {
  const base = { tag: "proxy", server: link.host, server_port: link.port };
  const p = link.params;
  switch (link.scheme) {
    case "vless": {
      const out: Json = { ...base, type: "vless", uuid: link.uuid };
      if (p.flow) out.flow = p.flow;
      if (link.security === "tls") out.tls = tls(link);
      if (link.security === "reality") {
        out.tls = tls(link, {
          utls: { enabled: true, fingerprint: p.fp || "chrome" },
          reality: { enabled: true, public_key: p.pbk, short_id: p.sid ?? "" },
        });
      }
      return out;
    }
    case "vmess": {
      const out: Json = {
        ...base,
        type: "vmess",
        uuid: link.uuid,
        security: p.scy || "auto",
        alter_id: Number(p.aid || "0"),
      };
      if (link.security === "tls") out.tls = tls(link);
      return out;
    }
    case "trojan":
      return { ...base, type: "trojan", password: link.password, tls: tls(link) };
    case "ss":
      return { ...base, type: "shadowsocks", method: link.method, password: link.password };
    case "hysteria2":
      return {
        ...base,
        type: "hysteria2",
        password: link.password,
        tls: tls(link, { alpn: ["h3"] }),
      };
    case "tuic":
      return {
        ...base,
        type: "tuic",
        uuid: link.uuid,
        password: link.password,
        congestion_control: p.congestion_control || "cubic",
        udp_relay_mode: p.udp_relay_mode || "native",
        tls: tls(link, { alpn: (p.alpn || "h3").split(",") }),
      };
    case "socks5":
      return {
        ...base,
        type: "socks",
        version: "5",
        username: link.username,
        password: link.password,
      };
    case "http":
      return { ...base, type: "http", username: link.username, password: link.password };
  }
}
