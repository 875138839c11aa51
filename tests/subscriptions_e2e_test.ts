/**
 * Subscriptions against the real sing-box, one live panel for the file: an inbound of every
 * type and variant the panel offers, one user on all of them. The sing-box profile served
 * by `/sub/{token}?format=sing-box` passes `sing-box check` and, run with only its local
 * listen port changed, carries real bytes through each of its outbounds (the selector is
 * switched through a Clash API the test adds on a free loopback port; the served profile
 * has none). Each share link, parsed by the test's own parser into a sing-box outbound,
 * carries real bytes too. The bytes show in the user's per-inbound totals, and
 * `Subscription-Userinfo` equals the API's totals byte for byte.
 *
 * Self-signed inbounds go through the profile with verification on (the profile pins the
 * certificate). The "certificate files" inbound is verified against the system roots,
 * which for the client processes here are the test's certificate (`SSL_CERT_FILE`).
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { startLivePanel } from "./support/panel.ts";
import {
  checkSingBoxConfig,
  expectedBytes,
  fetchViaProxy,
  freePort,
  freeUdpPort,
  requireSingBox,
  type RunningClient,
  sha256Hex,
  singBoxTestOptions,
  startClient,
  startPayloadServer,
  startSingBox,
  transferViaProxy,
} from "./support/sing_box.ts";
import { certificateFiles } from "./support/tls.ts";
import { parseShareLink, toSingBoxOutbound } from "./support/share_link_parser.ts";
import { generateSelfSignedCertificate } from "../core/keys.ts";
import { saveSettings } from "../core/settings.ts";

const DOWNLOAD = 256 * 1024;
const UPLOAD = 64 * 1024;
const USER = "carol";

type Json = Record<string, unknown>;

/** Every inbound variant: its API body (tag, port and listen are added). */
const VARIANTS: Array<{ tag: string; udp?: boolean; body: (dir: string) => Promise<Json> }> = [
  { tag: "vless-plain", body: () => Promise.resolve({ type: "vless" }) },
  {
    tag: "vless-tls",
    body: () => Promise.resolve({ type: "vless", tls: selfSigned("vless.singdeck.test") }),
  },
  {
    tag: "vless-vision",
    body: () =>
      Promise.resolve({
        type: "vless",
        flow: "xtls-rprx-vision",
        tls: selfSigned("vision.singdeck.test"),
      }),
  },
  { tag: "vless-reality", body: () => Promise.resolve({}) }, // filled in once the target runs
  { tag: "vmess-plain", body: () => Promise.resolve({ type: "vmess" }) },
  {
    tag: "vmess-tls",
    body: () => Promise.resolve({ type: "vmess", tls: selfSigned("vmess.singdeck.test") }),
  },
  {
    tag: "trojan",
    body: () => Promise.resolve({ type: "trojan", tls: selfSigned("trojan.singdeck.test") }),
  },
  {
    tag: "trojan-files",
    body: async (dir) => ({
      type: "trojan",
      tls: {
        mode: "files",
        serverName: "files.singdeck.test",
        ...(await certificateFiles(`${dir}/certs`, { serverName: "files.singdeck.test" })),
      },
    }),
  },
  {
    tag: "ss-128",
    body: () => Promise.resolve({ type: "shadowsocks", method: "2022-blake3-aes-128-gcm" }),
  },
  {
    tag: "ss-256",
    body: () => Promise.resolve({ type: "shadowsocks", method: "2022-blake3-aes-256-gcm" }),
  },
  {
    tag: "hysteria2",
    udp: true,
    body: () => Promise.resolve({ type: "hysteria2", tls: selfSigned("hy2.singdeck.test") }),
  },
  {
    tag: "tuic",
    udp: true,
    body: () => Promise.resolve({ type: "tuic", tls: selfSigned("tuic.singdeck.test") }),
  },
  { tag: "mixed", body: () => Promise.resolve({ type: "mixed" }) },
];

function selfSigned(serverName: string): Json {
  return { mode: "self_signed", serverName };
}

/** A client sing-box: its local proxy port and its log. */
type ProxyClient = Pick<RunningClient, "proxyPort" | "logs">;

/** Downloads DOWNLOAD bytes and uploads UPLOAD bytes through the proxy; checks both. */
async function carryTraffic(client: ProxyClient, payloadUrl: string): Promise<void> {
  const down = await transferViaProxy(client, `${payloadUrl}/bytes/${DOWNLOAD}`);
  assertEquals(down.status, 200);
  assertEquals(down.body.length, DOWNLOAD);
  assertEquals(await sha256Hex(down.body), await sha256Hex(expectedBytes(DOWNLOAD)));
  const body = crypto.getRandomValues(new Uint8Array(UPLOAD));
  const up = await transferViaProxy(client, `${payloadUrl}/upload`, { method: "POST", body });
  assertEquals(up.status, 200);
  assertEquals(JSON.parse(new TextDecoder().decode(up.body)), {
    received: UPLOAD,
    sha256: await sha256Hex(body),
  });
}

Deno.test({
  ...singBoxTestOptions(
    "subscriptions: the sing-box profile and every share link carry real traffic through every inbound variant",
  ),
  async fn(t) {
    const bin = requireSingBox();
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    const stops: Array<() => Promise<void>> = [];
    // Reality borrows a TLS 1.3 handshake: a local server with a certificate for its name.
    const realityName = "reality.singdeck.test";
    const target = await generateSelfSignedCertificate(realityName);
    const realityTarget = Deno.serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        cert: target.certificatePem,
        key: target.keyPem,
        onListen() {},
      },
      () => new Response("reality target"),
    );
    stops.push(() => realityTarget.shutdown());
    try {
      const dir = panel.dataDir;
      // The payload server is on loopback: let proxy users reach it.
      await saveSettings(panel.db, { publicAddress: "127.0.0.1", allowPrivateEgress: "1" });
      for (const variant of VARIANTS) {
        let body = await variant.body(dir);
        if (variant.tag === "vless-reality") {
          body = {
            type: "vless",
            flow: "xtls-rprx-vision",
            reality: {
              handshakeServer: "127.0.0.1",
              handshakePort: realityTarget.addr.port,
              serverName: realityName,
            },
          };
        }
        const port = variant.udp ? await freeUdpPort() : freePort();
        await panel.api("POST", "/inbounds", {
          ...body,
          tag: variant.tag,
          listen: "127.0.0.1",
          port,
        });
      }
      const tags = VARIANTS.map((v) => v.tag);
      const { user } = await panel.api<{ user: { subscriptionUrl: string } }>("POST", "/users", {
        name: USER,
        inbounds: tags,
      });
      await panel.core.settled();
      assertEquals(panel.core.status().state, "running", panel.core.status().lastError ?? "");
      const subPath = new URL(user.subscriptionUrl).pathname;
      const filesCert = `${dir}/certs/files.singdeck.test.crt`;
      const clientEnv = { SSL_CERT_FILE: filesCert };

      // The sing-box profile, as served.
      const res = await panel.app.request(`${subPath}?format=sing-box`);
      assertEquals(res.status, 200);
      assertStringIncludes(res.headers.get("content-type") ?? "", "application/json");
      const profile = await res.json() as Json;
      const profileFile = `${dir}/profile.json`;
      await Deno.writeTextFile(profileFile, JSON.stringify(profile));
      const checked = await checkSingBoxConfig(bin, profileFile);
      assertEquals(checked.code, 0, checked.output);

      const outbounds = profile.outbounds as Json[];
      const proxyTags = outbounds.filter((o) => o.type !== "selector" && o.type !== "urltest")
        .map((o) => String(o.tag));
      assertEquals(proxyTags, [...tags].sort().map((tag) => `${tag} · ${USER}`));
      for (const o of outbounds) {
        const tls = o.tls as Json | undefined;
        assert(!tls?.insecure, `${o.tag} verifies certificates`);
      }

      // Run it unchanged but for its local port, plus a Clash API to switch the selector.
      const localPort = freePort();
      const controller = freePort();
      const inbound = (profile.inbounds as Json[])[0];
      const runnable = {
        ...profile,
        inbounds: [{ ...inbound, listen_port: localPort }],
        experimental: { clash_api: { external_controller: `127.0.0.1:${controller}` } },
      };
      const client = await startSingBox(bin, runnable, dir, {
        waitForPort: localPort,
        env: clientEnv,
      });
      stops.push(client.stop);
      for (const tag of proxyTags) {
        await t.step(`profile outbound ${tag}`, async () => {
          const selected = await fetch(`http://127.0.0.1:${controller}/proxies/Proxy`, {
            method: "PUT",
            body: JSON.stringify({ name: tag }),
          });
          await selected.body?.cancel();
          assertEquals(selected.status, 204);
          try {
            await carryTraffic({ proxyPort: localPort, logs: client.logs }, payload.url);
          } catch (error) {
            console.error(`client logs:\n${client.logs().slice(-3000)}`);
            throw error;
          }
        });
      }
      await client.stop();

      // Verification is really on: the same outbound pinned to another certificate fails.
      await t.step("a profile outbound pinned to another certificate carries nothing", async () => {
        const trojan = outbounds.find((o) => o.tag === `trojan · ${USER}`)!;
        const other = await generateSelfSignedCertificate("trojan.singdeck.test");
        const tls = { ...(trojan.tls as Json), certificate: other.certificatePem };
        const wrong = await startClient(bin, { ...trojan, tls }, dir);
        try {
          const res = await fetchViaProxy(wrong.proxyPort, `${payload.url}/bytes/16`)
            .catch(() => null);
          assert(res === null || res.status !== 200, "a wrong pin must not connect");
        } finally {
          await wrong.stop();
        }
      });

      // Every share link, parsed by the test's parser, in a client of its own.
      const linksRes = await panel.app.request(subPath, {
        headers: { "User-Agent": "v2rayNG/1.9.0" },
      });
      assertEquals(linksRes.status, 200);
      const links = atob(await linksRes.text()).split("\n");
      assertEquals(links.length, tags.length);
      for (const link of links) {
        const parsed = parseShareLink(link);
        await t.step(`share link ${parsed.scheme}: ${parsed.remark}`, async () => {
          assertEquals(parsed.host, "127.0.0.1");
          const linkClient = await startClient(bin, toSingBoxOutbound(parsed), dir, {
            env: clientEnv,
          });
          try {
            await carryTraffic(linkClient, payload.url);
          } finally {
            await linkClient.stop();
          }
        });
      }
      // The mixed inbound's HTTP link too (the subscription lists its SOCKS5 link).
      const api = await panel.api<{ inbounds: Array<{ tag: string; links: string[] }> }>(
        "GET",
        `/users/${USER}/links`,
      );
      const httpLink = api.inbounds.find((i) => i.tag === "mixed")!.links[1];
      await t.step("share link http: mixed", async () => {
        const httpClient = await startClient(bin, toSingBoxOutbound(parseShareLink(httpLink)), dir);
        try {
          await carryTraffic(httpClient, payload.url);
        } finally {
          await httpClient.stop();
        }
      });

      // The bytes reach the user's totals, per inbound; Userinfo says the same numbers.
      await panel.core.poller.pollNow();
      const detail = await panel.api<{
        user: {
          uplink: number;
          downlink: number;
          trafficLimit: number;
          perInbound: Array<{ tag: string; uplink: number; downlink: number }>;
        };
      }>("GET", `/users/${USER}`);
      for (const tag of tags) {
        const row = detail.user.perInbound.find((r) => r.tag === tag)!;
        const transfers = tag === "mixed" ? 3 : 2; // profile + link (+ the HTTP link)
        assert(row.downlink >= transfers * DOWNLOAD, `${tag} downlink ${row.downlink}`);
        assert(row.uplink >= transfers * UPLOAD, `${tag} uplink ${row.uplink}`);
      }
      const info = (await panel.app.request(subPath)).headers.get("subscription-userinfo");
      assertEquals(
        info,
        `upload=${detail.user.uplink}; download=${detail.user.downlink}; total=0; expire=0`,
      );
    } finally {
      for (const stop of stops.reverse()) await stop();
      await panel.close();
      await payload.stop();
    }
  },
});
