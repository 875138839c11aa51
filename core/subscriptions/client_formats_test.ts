import { assertEquals, assertThrows } from "@std/assert";
import { chooseFormat, subscriptionHeaders, subscriptionUserinfo } from "./client_formats.ts";
import { ValidationError } from "../errors.ts";

const HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

Deno.test("chooseFormat() picks the format by User-Agent the way operators expect", () => {
  const table: Array<[string, string]> = [
    ["v2rayNG/1.9.16", "links"],
    ["v2rayN/7.0.0", "links"],
    ["Streisand/1.6.3", "links"],
    ["NekoBox/Android/1.3.4 (Prefer ClashMeta Format)", "links"],
    ["Shadowrocket/2.2.35 CFNetwork/1490.0.4 Darwin/23.2.0", "links"],
    ["SFA/1.11.4 (114; sing-box 1.11.4)", "sing-box"],
    ["SFI/1.10.1 (Build 301; sing-box 1.10.1; language en_US)", "sing-box"],
    ["SFM/1.12.0 (sing-box 1.12.0)", "sing-box"],
    ["sing-box 1.12.0", "sing-box"],
    ["HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box", "sing-box"],
    ["clash.meta", "clash"],
    ["ClashMetaForAndroid/2.10.1.Meta", "clash"],
    ["mihomo/1.18.9", "clash"],
    ["clash-verge/v1.7.7", "clash"],
    ["FlClash/v0.8.66 clash-verge Platform/android", "clash"],
    ["Stash/2.7.2 Clash/1.11.0", "clash"],
    ["curl/8.5.0", "links"],
    ["", "links"],
  ];
  for (const [agent, format] of table) {
    assertEquals(chooseFormat(undefined, agent, "*/*"), format, agent);
  }
  // A browser gets the page; an app keeps its format even if it accepts HTML.
  const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36";
  assertEquals(chooseFormat(undefined, chrome, HTML), "html");
  assertEquals(chooseFormat(undefined, "v2rayNG/1.9.16", HTML), "links");
  assertEquals(chooseFormat(undefined, chrome, "*/*"), "links");
});

Deno.test("chooseFormat() lets ?format= win, accepts aliases and refuses unknown formats", () => {
  assertEquals(chooseFormat("clash", "SFA/1.11.4", "*/*"), "clash");
  assertEquals(chooseFormat("sing-box", "v2rayNG/1.9", HTML), "sing-box");
  assertEquals(chooseFormat("LINKS", "", HTML), "links");
  assertEquals(chooseFormat("html", "v2rayNG/1.9", "*/*"), "html");
  assertEquals(chooseFormat("base64", "", ""), "links");
  assertEquals(chooseFormat("mihomo", "", ""), "clash");
  assertEquals(chooseFormat("singbox", "", ""), "sing-box");
  assertEquals(chooseFormat("", "SFA/1.11.4", ""), "sing-box");
  const error = assertThrows(
    () => chooseFormat("xray", "", ""),
    ValidationError,
  ) as ValidationError;
  assertEquals(error.status, 400);
  assertEquals(error.message, 'Unknown format "xray"; use one of links, sing-box, clash, html');
});

Deno.test("subscriptionUserinfo() writes the real numbers: zero, 2^53-1, unlimited, no expiry", () => {
  const max = Number.MAX_SAFE_INTEGER;
  assertEquals(
    subscriptionUserinfo({ uplink: 0, downlink: 0, trafficLimit: 0, expiresAt: null }),
    "upload=0; download=0; total=0; expire=0",
  );
  assertEquals(
    subscriptionUserinfo({ uplink: max, downlink: max, trafficLimit: max, expiresAt: null }),
    "upload=9007199254740991; download=9007199254740991; total=9007199254740991; expire=0",
  );
  assertEquals(
    subscriptionUserinfo({
      uplink: 1536,
      downlink: 10 * 1024 ** 3,
      trafficLimit: 0,
      expiresAt: Date.UTC(2031, 5, 30, 10, 0, 0, 999),
    }),
    `upload=1536; download=10737418240; total=0; expire=${Date.UTC(2031, 5, 30, 10) / 1000}`,
  );
});

Deno.test("subscriptionHeaders() carries the profile headers on every format", () => {
  const user = {
    name: "erin.k",
    uplink: 1,
    downlink: 2,
    trafficLimit: 3,
    expiresAt: 4000,
  };
  const page = "https://sub.example.com/sub/t?format=html";
  const links = subscriptionHeaders(user, "links", { updateIntervalHours: 12, pageUrl: page });
  assertEquals(links, {
    "Content-Type": "text/plain; charset=utf-8",
    "Subscription-Userinfo": "upload=1; download=2; total=3; expire=4",
    "Profile-Update-Interval": "12",
    "Content-Disposition": 'attachment; filename="erin.k.txt"',
    "Profile-Title": `base64:${btoa("erin.k")}`,
    "Profile-Web-Page-Url": page,
    "Cache-Control": "no-store",
    Vary: "User-Agent, Accept",
  });
  const html = subscriptionHeaders(user, "html", { updateIntervalHours: 6, pageUrl: page });
  assertEquals(html["Content-Disposition"], 'inline; filename="erin.k.html"');
  assertEquals(html["Profile-Update-Interval"], "6");
  assertEquals(
    subscriptionHeaders(user, "clash", { updateIntervalHours: 1, pageUrl: page })["Content-Type"],
    "text/yaml; charset=utf-8",
  );
});
