/**
 * The Clash Meta (mihomo) profile a subscription serves (`format=clash`), for mihomo-based
 * clients (Clash Verge Rev, FlClash, Stash, ClashX Meta, Clash Meta for Android): one proxy
 * per entry with the fields mihomo's documentation lists for its type, a select group
 * ("Proxy") over a url-test group ("Auto") and every proxy, and one rule sending
 * everything to "Proxy". Written with the `yaml` library, never by string pasting.
 *
 * TLS: a self-signed certificate is pinned by its SHA-256 (`fingerprint`), so
 * verification stays on; Reality uses `reality-opts` with the Chrome client fingerprint.
 */
import { stringify } from "yaml";
import { clientCredentials } from "./client_credentials.ts";
import type { ClientEntry } from "./share_links.ts";
import { PROFILE_LISTEN_PORT, URLTEST_URL } from "./sing_box_profile.ts";

type Json = Record<string, unknown>;

/** Names of the profile's groups. */
export const CLASH_GROUPS = { select: "Proxy", urltest: "Auto" } as const;

/** TLS fields of a proxy (`servername` for vless/vmess, `sni` for the others). */
function tlsFields(entry: ClientEntry, nameKey: "sni" | "servername"): Json {
  const e = entry.endpoint;
  if (e.security === "none") return {};
  const fields: Json = { [nameKey]: e.serverName };
  if (entry.inbound.type === "vless" || entry.inbound.type === "vmess") fields.tls = true;
  if (e.security === "reality") {
    const reality = entry.inbound.settings.reality!;
    fields["client-fingerprint"] = e.fingerprint;
    fields["reality-opts"] = {
      "public-key": reality.publicKey,
      "short-id": reality.shortIds[0] ?? "",
    };
  } else if (e.selfSigned && e.certificateSha256) {
    fields.fingerprint = e.certificateSha256;
  } else if (e.selfSigned) {
    fields["skip-cert-verify"] = true;
  }
  return fields;
}

/** The mihomo proxy of one entry. */
export function clashProxy(entry: ClientEntry): Json {
  const { inbound, endpoint, remark } = entry;
  const c = clientCredentials(inbound, entry.user);
  const base: Json = { name: remark, type: "", server: endpoint.server, port: inbound.port };
  switch (inbound.type) {
    case "vless":
      return {
        ...base,
        type: "vless",
        uuid: c.uuid,
        network: "tcp",
        udp: true,
        ...(inbound.settings.flow ? { flow: inbound.settings.flow } : {}),
        ...tlsFields(entry, "servername"),
      };
    case "vmess":
      return {
        ...base,
        type: "vmess",
        uuid: c.uuid,
        alterId: 0,
        cipher: "auto",
        network: "tcp",
        udp: true,
        ...tlsFields(entry, "servername"),
      };
    case "trojan":
      return {
        ...base,
        type: "trojan",
        password: c.password,
        udp: true,
        ...tlsFields(entry, "sni"),
      };
    case "shadowsocks":
      return { ...base, type: "ss", cipher: c.method, password: c.password, udp: true };
    case "hysteria2":
      return {
        ...base,
        type: "hysteria2",
        password: c.password,
        alpn: ["h3"],
        ...tlsFields(entry, "sni"),
      };
    case "tuic":
      return {
        ...base,
        type: "tuic",
        uuid: c.uuid,
        password: c.password,
        alpn: ["h3"],
        "congestion-controller": "bbr",
        "udp-relay-mode": "native",
        ...tlsFields(entry, "sni"),
      };
    case "mixed":
      return {
        ...base,
        type: "socks5",
        username: c.username,
        password: c.password,
        udp: true,
      };
  }
}

/**
 * The YAML profile for `entries`. With none, `blocked` (the reason) names the one group,
 * which rejects everything, so the client shows why and nothing leaves unprotected.
 */
export function clashProfile(entries: ClientEntry[], blocked?: string): string {
  const head: Json = {
    "mixed-port": PROFILE_LISTEN_PORT,
    "allow-lan": false,
    mode: "rule",
    "log-level": "warning",
  };
  if (entries.length === 0) {
    const reason = blocked ?? "No servers available";
    return stringify({
      ...head,
      proxies: [],
      "proxy-groups": [{ name: reason, type: "select", proxies: ["REJECT"] }],
      rules: [`MATCH,${reason}`],
    });
  }
  const names = entries.map((entry) => entry.remark);
  return stringify({
    ...head,
    proxies: entries.map(clashProxy),
    "proxy-groups": [
      { name: CLASH_GROUPS.select, type: "select", proxies: [CLASH_GROUPS.urltest, ...names] },
      {
        name: CLASH_GROUPS.urltest,
        type: "url-test",
        proxies: names,
        url: URLTEST_URL,
        interval: 300,
      },
    ],
    rules: [`MATCH,${CLASH_GROUPS.select}`],
  });
}
