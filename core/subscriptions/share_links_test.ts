import { assert, assertEquals, assertMatch } from "@std/assert";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { resolveClientEndpoint } from "./client_endpoint.ts";
import { type ClientEntry, entryRemark, shareLinks } from "./share_links.ts";
import { generateShadowsocksKey, shadowsocksUserKey } from "../keys.ts";
import type { Inbound, InboundSettings } from "../model.ts";
import {
  makeInbound,
  makeReality,
  makeUser,
  writeSelfSignedTls,
} from "../../tests/support/sing_box.ts";
import { parseShareLink } from "../../tests/support/share_link_parser.ts";

const user = makeUser({ name: "dora@example.com" });
const ctx = { publicAddress: "vpn.example.com", requestHost: "panel.example.com" };

/** The certificate's SHA-256 as openssl prints it, computed by @peculiar/x509. */
async function opensslFingerprint(path: string): Promise<string> {
  x509.cryptoProvider.set(crypto);
  const cert = new x509.X509Certificate(await Deno.readTextFile(path));
  const bytes = new Uint8Array(await cert.getThumbprint("SHA-256"));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

async function entryFor(type: Inbound["type"], settings: InboundSettings, port = 8443) {
  const inbound = makeInbound({ tag: `${type}-in`, type, port, settings });
  const entry: ClientEntry = {
    inbound,
    user,
    endpoint: await resolveClientEndpoint(inbound, ctx),
    remark: entryRemark(inbound, user),
  };
  return { inbound, entry, links: shareLinks(entry) };
}

Deno.test("shareLinks() for every inbound variant parse back with every field as configured", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-links-" });
  try {
    const tls = await writeSelfSignedTls(dir, "proxy.singdeck.test");
    const pin = await opensslFingerprint(tls.certificatePath);
    const filesTls = { ...tls, selfSigned: false, serverName: "files.example.com" };

    await t.step("vless plain", async () => {
      const { links } = await entryFor("vless", { flow: "" });
      const p = parseShareLink(links[0]);
      assertEquals([p.scheme, p.host, p.port, p.uuid], [
        "vless",
        "vpn.example.com",
        8443,
        user.uuid,
      ]);
      assertEquals([p.security, p.params.type, p.params.flow], ["none", "tcp", undefined]);
      assertEquals(p.remark, "vless-in · dora@example.com");
    });
    await t.step("vless TLS self-signed with vision", async () => {
      const { links } = await entryFor("vless", { tls, flow: "xtls-rprx-vision" });
      const p = parseShareLink(links[0]);
      assertEquals([p.security, p.sni, p.insecure], ["tls", "proxy.singdeck.test", true]);
      assertEquals(p.params.flow, "xtls-rprx-vision");
    });
    await t.step("vless TLS files", async () => {
      const { links } = await entryFor("vless", { tls: filesTls, flow: "" });
      const p = parseShareLink(links[0]);
      assertEquals([p.security, p.sni, p.insecure], ["tls", "files.example.com", false]);
    });
    await t.step("vless Reality", async () => {
      const reality = await makeReality("www.example.com", 443, "www.example.com");
      const { links } = await entryFor("vless", { reality, flow: "xtls-rprx-vision" });
      const p = parseShareLink(links[0]);
      assertEquals([p.security, p.sni, p.insecure], ["reality", "www.example.com", false]);
      assertEquals(p.params.pbk, reality.publicKey);
      assertEquals(p.params.sid, reality.shortIds[0]);
      assertEquals(p.params.fp, "chrome");
      assertEquals(p.params.flow, "xtls-rprx-vision");
    });
    await t.step("vmess plain and TLS", async () => {
      const plain = parseShareLink((await entryFor("vmess", {})).links[0]);
      assertEquals([plain.scheme, plain.host, plain.port, plain.uuid], [
        "vmess",
        "vpn.example.com",
        8443,
        user.uuid,
      ]);
      assertEquals([plain.params.aid, plain.params.net, plain.security], ["0", "tcp", "none"]);
      assertEquals(plain.remark, "vmess-in · dora@example.com");
      const secured = parseShareLink((await entryFor("vmess", { tls })).links[0]);
      assertEquals([secured.security, secured.sni, secured.insecure], [
        "tls",
        "proxy.singdeck.test",
        true,
      ]);
    });
    await t.step("trojan", async () => {
      const p = parseShareLink((await entryFor("trojan", { tls })).links[0]);
      assertEquals([p.scheme, p.password, p.sni, p.insecure], [
        "trojan",
        user.password,
        "proxy.singdeck.test",
        true,
      ]);
    });
    for (const method of ["2022-blake3-aes-128-gcm", "2022-blake3-aes-256-gcm"] as const) {
      await t.step(`shadowsocks ${method}`, async () => {
        const serverKey = generateShadowsocksKey(method);
        const { links } = await entryFor("shadowsocks", { method, serverKey });
        assert(
          !links[0].slice(5).startsWith(btoa(method).slice(0, 8)),
          "2022 user info is not base64",
        );
        const p = parseShareLink(links[0]);
        assertEquals(p.method, method);
        const [server, userKey] = p.password!.split(":");
        assertEquals(server, serverKey);
        assertEquals(userKey, shadowsocksUserKey(user.password, method));
        // The user key is exactly the method's key length (16 or 32 bytes).
        assertEquals(atob(userKey).length, method.includes("128") ? 16 : 32);
      });
    }
    await t.step("hysteria2 with the certificate pinned", async () => {
      const p = parseShareLink((await entryFor("hysteria2", { tls })).links[0]);
      assertEquals([p.scheme, p.password, p.sni, p.insecure], [
        "hysteria2",
        user.password,
        "proxy.singdeck.test",
        true,
      ]);
      assertEquals(p.params.pinSHA256, pin);
      const files = parseShareLink((await entryFor("hysteria2", { tls: filesTls })).links[0]);
      assertEquals([files.insecure, files.params.pinSHA256], [false, undefined]);
    });
    await t.step("tuic", async () => {
      const p = parseShareLink((await entryFor("tuic", { tls })).links[0]);
      assertEquals([p.scheme, p.uuid, p.password, p.sni, p.insecure], [
        "tuic",
        user.uuid,
        user.password,
        "proxy.singdeck.test",
        true,
      ]);
      assertEquals([p.params.congestion_control, p.params.alpn], ["bbr", "h3"]);
    });
    await t.step("mixed: SOCKS5 and HTTP with the pair's user name", async () => {
      const { links } = await entryFor("mixed", {});
      const socks = parseShareLink(links[0]);
      const http = parseShareLink(links[1]);
      for (const p of [socks, http]) {
        assertEquals([p.username, p.password, p.host, p.port], [
          "dora@example.com|mixed-in",
          user.password,
          "vpn.example.com",
          8443,
        ]);
      }
      assertEquals([socks.scheme, http.scheme], ["socks5", "http"]);
      assertMatch(links[0], /^socks5:\/\/dora%40example\.com%7Cmixed-in:/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shareLinks() uses the inbound's client override and brackets IPv6 addresses", async () => {
  const inbound = makeInbound({
    tag: "v6",
    type: "trojan",
    port: 443,
    settings: {
      tls: {
        serverName: "origin.example.com",
        certificatePath: "/nonexistent.crt",
        keyPath: "/nonexistent.key",
        selfSigned: false,
      },
      client: { address: "2001:db8::7", serverName: "cdn.example.com" },
    },
  });
  const endpoint = await resolveClientEndpoint(inbound, ctx);
  const [link] = shareLinks({ inbound, user, endpoint, remark: "v6" });
  assertMatch(link, /@\[2001:db8::7\]:443\?/);
  const p = parseShareLink(link);
  assertEquals([p.host, p.sni], ["2001:db8::7", "cdn.example.com"]);
});

Deno.test("resolveClientEndpoint() falls back to the public address, then the request host", async () => {
  const inbound = makeInbound({ tag: "plain", type: "vless", settings: {} });
  assertEquals((await resolveClientEndpoint(inbound, ctx)).server, "vpn.example.com");
  assertEquals(
    (await resolveClientEndpoint(inbound, { ...ctx, publicAddress: "" })).server,
    "panel.example.com",
  );
});
