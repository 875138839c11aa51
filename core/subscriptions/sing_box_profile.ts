/**
 * The sing-box client profile a subscription serves (`format=sing-box`), for the sing-box
 * apps (SFA, SFI, SFM) and Hiddify, sing-box 1.12 or newer: a mixed (HTTP + SOCKS5)
 * inbound on 127.0.0.1:2080, one outbound per entry, a selector ("Proxy", defaulting to
 * the urltest "Auto") over them, and everything routed to the selector. Self-signed
 * certificates travel in the profile (`tls.certificate`), so verification stays on.
 *
 * There is no TUN inbound: the profile runs unchanged wherever sing-box runs, as a local
 * proxy; the apps add their own VPN/TUN layer. The selector is switched in the apps (their
 * command server); no Clash API port is opened, so nothing on the device can clash with
 * or steer it.
 */
import { clientOutbound } from "./client_outbound.ts";
import type { ClientEntry } from "./share_links.ts";

/** Tags of the profile's fixed parts. */
export const PROFILE_TAGS = { inbound: "mixed-in", selector: "Proxy", urltest: "Auto" } as const;
/** The local port of the profile's mixed inbound. */
export const PROFILE_LISTEN_PORT = 2080;
/** The URL the urltest group probes. */
export const URLTEST_URL = "https://www.gstatic.com/generate_204";
/** An address on which nothing answers: where a blocked profile's only outbound points. */
export const UNUSABLE_SERVER = { server: "127.0.0.1", port: 1 } as const;

type Json = Record<string, unknown>;

/** Parts every profile shares: log, DNS (the system resolver), the local inbound. */
function frame(outbounds: Json[], route: Json): Json {
  return {
    log: { level: "info", timestamp: true },
    dns: { servers: [{ type: "local", tag: "local" }], final: "local" },
    inbounds: [{
      type: "mixed",
      tag: PROFILE_TAGS.inbound,
      listen: "127.0.0.1",
      listen_port: PROFILE_LISTEN_PORT,
    }],
    outbounds,
    route: { ...route, default_domain_resolver: "local" },
  };
}

/**
 * The profile for `entries` (each outbound tagged with the entry's remark). With no
 * entries, `blocked` says why: the profile then holds one outbound named after the reason
 * that can carry nothing, and rejects every connection, so the app shows the reason and
 * no traffic leaves unprotected.
 */
export function singBoxProfile(entries: ClientEntry[], blocked?: string): Json {
  if (entries.length === 0) {
    const reason = blocked ?? "No servers available";
    return frame(
      [
        { type: "selector", tag: PROFILE_TAGS.selector, outbounds: [reason] },
        {
          type: "socks",
          tag: reason,
          server: UNUSABLE_SERVER.server,
          server_port: UNUSABLE_SERVER.port,
        },
      ],
      { rules: [{ network: ["tcp", "udp"], action: "reject" }], final: PROFILE_TAGS.selector },
    );
  }
  const tags = entries.map((entry) => entry.remark);
  return frame(
    [
      {
        type: "selector",
        tag: PROFILE_TAGS.selector,
        outbounds: [PROFILE_TAGS.urltest, ...tags],
        default: PROFILE_TAGS.urltest,
        interrupt_exist_connections: true,
      },
      {
        type: "urltest",
        tag: PROFILE_TAGS.urltest,
        outbounds: tags,
        url: URLTEST_URL,
        interval: "3m",
      },
      ...entries.map((entry) =>
        clientOutbound(entry.inbound, entry.user, entry.endpoint, { tag: entry.remark })
      ),
    ],
    { final: PROFILE_TAGS.selector },
  );
}
