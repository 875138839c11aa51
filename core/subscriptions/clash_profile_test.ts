/**
 * The Clash Meta profile, parsed back with the `yaml` library and checked against the
 * fields mihomo's documentation (wiki.metacubex.one, "Proxies") requires per type. No
 * mihomo can run here, so this is a document check, not a traffic test.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { parse } from "yaml";
import { clashProfile } from "./clash_profile.ts";
import { resolveClientEndpoint } from "./client_endpoint.ts";
import { entryRemark } from "./share_links.ts";
import { generateShadowsocksKey } from "../keys.ts";
import type { Inbound, InboundSettings } from "../model.ts";
import {
  makeInbound,
  makeReality,
  makeUser,
  writeSelfSignedTls,
} from "../../tests/support/sing_box.ts";

type Json = Record<string, unknown>;

/** Fields mihomo requires besides name, type, server and port, by proxy type. */
const REQUIRED: Record<string, string[]> = {
  vless: ["uuid"],
  vmess: ["uuid", "alterId", "cipher"],
  trojan: ["password"],
  ss: ["cipher", "password"],
  hysteria2: ["password"],
  tuic: ["uuid", "password"],
  socks5: [],
};

Deno.test("clashProfile() writes YAML whose proxies have every field mihomo requires", async () => {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-clash-" });
  try {
    const user = makeUser({ name: "frank" });
    const tls = await writeSelfSignedTls(dir, "proxy.singdeck.test");
    const reality = await makeReality("www.example.com", 443, "www.example.com");
    const variants: Array<[Inbound["type"], InboundSettings]> = [
      ["vless", { flow: "" }],
      ["vless", { tls, flow: "xtls-rprx-vision" }],
      ["vless", { reality, flow: "xtls-rprx-vision" }],
      ["vmess", {}],
      ["vmess", { tls }],
      ["trojan", { tls }],
      ["shadowsocks", {
        method: "2022-blake3-aes-128-gcm",
        serverKey: generateShadowsocksKey("2022-blake3-aes-128-gcm"),
      }],
      ["hysteria2", { tls }],
      ["tuic", { tls }],
      ["mixed", {}],
    ];
    const entries = await Promise.all(variants.map(async ([type, settings], i) => {
      const inbound = makeInbound({ tag: `${type}-${i}`, type, port: 10000 + i, settings });
      return {
        inbound,
        user,
        endpoint: await resolveClientEndpoint(inbound, {
          publicAddress: "203.0.113.9",
          requestHost: "h",
        }),
        remark: entryRemark(inbound, user),
      };
    }));
    const doc = parse(clashProfile(entries)) as Json;
    const proxies = doc.proxies as Json[];
    assertEquals(proxies.length, variants.length);
    for (const proxy of proxies) {
      for (const field of ["name", "type", "server", "port", ...REQUIRED[String(proxy.type)]]) {
        assert(proxy[field] !== undefined && proxy[field] !== "", `${proxy.name} lacks ${field}`);
      }
      assertEquals(proxy.server, "203.0.113.9");
      assert(proxy["skip-cert-verify"] !== true, `${proxy.name} verifies certificates`);
    }
    const byName = new Map(proxies.map((p) => [String(p.name), p]));
    const tlsVless = byName.get("vless-1 · frank")!;
    assertEquals([tlsVless.tls, tlsVless.servername, tlsVless.flow], [
      true,
      "proxy.singdeck.test",
      "xtls-rprx-vision",
    ]);
    assertMatch(String(tlsVless.fingerprint), /^[0-9a-f]{64}$/);
    const realityVless = byName.get("vless-2 · frank")!;
    assertEquals(realityVless["reality-opts"], {
      "public-key": reality.publicKey,
      "short-id": reality.shortIds[0],
    });
    assertEquals(realityVless["client-fingerprint"], "chrome");
    assertMatch(String(byName.get("shadowsocks-6 · frank")!.password), /^[^:]+:[^:]+$/);
    assertEquals(byName.get("mixed-9 · frank")!.username, "frank|mixed-9");
    assertEquals(byName.get("tuic-8 · frank")!["congestion-controller"], "bbr");

    const groups = doc["proxy-groups"] as Json[];
    const names = proxies.map((p) => p.name);
    assertEquals(groups.map((g) => [g.name, g.type]), [["Proxy", "select"], ["Auto", "url-test"]]);
    assertEquals(groups[0].proxies, ["Auto", ...names]);
    assertEquals(groups[1].proxies, names);
    assertEquals(doc.rules, ["MATCH,Proxy"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("clashProfile() without entries names the reason in a group that rejects everything", () => {
  const doc = parse(clashProfile([], "⛔ Traffic limit reached")) as Json;
  assertEquals(doc.proxies, []);
  assertEquals(doc["proxy-groups"], [
    { name: "⛔ Traffic limit reached", type: "select", proxies: ["REJECT"] },
  ]);
  assertEquals(doc.rules, ["MATCH,⛔ Traffic limit reached"]);
});
