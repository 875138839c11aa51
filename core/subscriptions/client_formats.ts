/**
 * Which format a subscription request gets, and the headers every format carries.
 *
 * `?format=` wins; without it the User-Agent decides, the way operators of 3x-ui, Marzban
 * and Hiddify expect (first match in `USER_AGENT_RULES`, case-insensitive):
 * - sing-box apps (SFA, SFI, SFM, SFT, "sing-box") and Hiddify → `sing-box`
 * - Clash family (clash, mihomo, Stash, FlClash, Clash Verge, ClashX, Koala Clash) → `clash`
 * - v2rayN, v2rayNG, Streisand, NekoBox, Shadowrocket and anything unknown → `links`
 * - no app matched and the request accepts `text/html` (a browser) → `html`
 * Hiddify is matched before Clash: its User-Agent also says "ClashMeta".
 */
import { encodeBase64 } from "../encoding.ts";
import { ValidationError } from "../errors.ts";
import type { User } from "../model.ts";

export const SUBSCRIPTION_FORMATS = ["links", "sing-box", "clash", "html"] as const;
export type SubscriptionFormat = typeof SUBSCRIPTION_FORMATS[number];

/** Other names accepted in `?format=`. */
const FORMAT_ALIASES: Record<string, SubscriptionFormat> = {
  base64: "links",
  v2ray: "links",
  singbox: "sing-box",
  json: "sing-box",
  "clash-meta": "clash",
  clashmeta: "clash",
  mihomo: "clash",
  yaml: "clash",
};

/** User-Agent patterns and the format they get, in order. */
export const USER_AGENT_RULES: ReadonlyArray<[RegExp, SubscriptionFormat]> = [
  [/hiddify/i, "sing-box"],
  [/^(SFA|SFI|SFM|SFT)\//i, "sing-box"],
  [/sing-?box/i, "sing-box"],
  [/v2rayn|v2rayng|streisand|nekobox|nekoray|shadowrocket|v2box|happ\//i, "links"],
  [/clash|mihomo|stash|koala/i, "clash"],
];

/**
 * The format for a request: `?format=` (throws a 400 `ValidationError` for an unknown
 * one), else by User-Agent, else `html` for browsers, else `links`.
 */
export function chooseFormat(
  requested: string | undefined,
  userAgent: string,
  accept: string,
): SubscriptionFormat {
  if (requested !== undefined && requested !== "") {
    const name = requested.toLowerCase();
    if ((SUBSCRIPTION_FORMATS as readonly string[]).includes(name)) {
      return name as SubscriptionFormat;
    }
    if (Object.hasOwn(FORMAT_ALIASES, name)) return FORMAT_ALIASES[name];
    const given = requested.slice(0, 32);
    const formats = SUBSCRIPTION_FORMATS.join(", ");
    throw new ValidationError(
      (m) => m.errors.unknownFormat(given, formats),
      { format: (m) => m.errors.useOneOf(formats) },
      400,
    );
  }
  for (const [pattern, format] of USER_AGENT_RULES) {
    if (pattern.test(userAgent)) return format;
  }
  return /\btext\/html\b/i.test(accept) ? "html" : "links";
}

/**
 * `Subscription-Userinfo`: the user's real uplink (upload) and downlink (download) totals,
 * the limit (0 = unlimited) and the expiry in Unix seconds (0 = never).
 */
export function subscriptionUserinfo(
  user: Pick<User, "uplink" | "downlink" | "trafficLimit" | "expiresAt">,
): string {
  const expire = user.expiresAt === null ? 0 : Math.floor(user.expiresAt / 1000);
  return `upload=${user.uplink}; download=${user.downlink}; total=${user.trafficLimit}; expire=${expire}`;
}

const EXTENSIONS: Record<SubscriptionFormat, string> = {
  links: "txt",
  "sing-box": "json",
  clash: "yaml",
  html: "html",
};

export const CONTENT_TYPES: Record<SubscriptionFormat, string> = {
  links: "text/plain; charset=utf-8",
  "sing-box": "application/json; charset=utf-8",
  clash: "text/yaml; charset=utf-8",
  html: "text/html; charset=utf-8",
};

/**
 * The headers of every subscription response: Userinfo, the update interval in hours, the
 * file name (the user's name; user names are plain ASCII), the profile title (base64, as
 * Hiddify and v2rayN read it), the user's own page, no caching, and `Vary`.
 */
export function subscriptionHeaders(
  user: Pick<User, "name" | "uplink" | "downlink" | "trafficLimit" | "expiresAt">,
  format: SubscriptionFormat,
  options: { updateIntervalHours: number; pageUrl: string },
): Record<string, string> {
  const disposition = format === "html" ? "inline" : "attachment";
  return {
    "Content-Type": CONTENT_TYPES[format],
    "Subscription-Userinfo": subscriptionUserinfo(user),
    "Profile-Update-Interval": String(options.updateIntervalHours),
    "Content-Disposition": `${disposition}; filename="${user.name}.${EXTENSIONS[format]}"`,
    "Profile-Title": `base64:${encodeBase64(new TextEncoder().encode(user.name))}`,
    "Profile-Web-Page-Url": options.pageUrl,
    "Cache-Control": "no-store",
    // Without ?format= the body depends on these request headers.
    Vary: "User-Agent, Accept",
  };
}
