/**
 * Which host names the panel answers to (DNS rebinding protection). A page on an attacker's
 * domain whose name later resolves to this server reaches the panel with that domain in
 * `Host`; answering only known names stops it. Answered are:
 *
 * - `localhost` and any IP address literal: a browser at an IP address is on that address's
 *   own origin, which rebinding cannot produce (it needs a name the attacker controls);
 * - the listen address, when it is a name;
 * - the public address setting (the name clients and admins use);
 * - the names given with `--allowed-hosts` / `SINGDECK_ALLOWED_HOSTS` (`*`: any name, for
 *   operators who check names in front of the panel).
 */
import { isHostname, normalizeIpAddress } from "./addresses.ts";

/** The host name of a `Host` header value or URL host: lower case, no port, no brackets. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(trimmed);
  if (bracketed) return bracketed[1];
  return trimmed.replace(/:\d*$/, "").replace(/\.$/, "");
}

/** Whether the panel answers to `hostname` (see the module comment for the rule). */
export function isAllowedHost(
  hostname: string,
  allowed: { configured: readonly string[]; listenHost: string; publicAddress: string },
): boolean {
  if (hostname === "localhost" || normalizeIpAddress(hostname) !== null) return true;
  if (!isHostname(hostname)) return false;
  return hostname === allowed.listenHost.toLowerCase() ||
    hostname === allowed.publicAddress.toLowerCase() ||
    allowed.configured.includes(hostname) || allowed.configured.includes("*");
}
