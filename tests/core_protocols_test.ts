/**
 * End-to-end traffic through a real sing-box server and client for every protocol, with
 * the server config from `generateSingBoxConfig` and the client from `clientOutbound`.
 * No web app: 4 MiB down and 2 MiB up per protocol, checked byte for byte.
 */
import { assert, assertEquals } from "@std/assert";
import { generateSingBoxConfig } from "../core/sing_box/sing_box_config.ts";
import { clientOutbound } from "../core/subscriptions/client_outbound.ts";
import { generateSelfSignedCertificate, generateShadowsocksKey } from "../core/keys.ts";
import type { Inbound, InboundSettings, ShadowsocksMethod } from "../core/model.ts";
import { pairStatName } from "../core/stats/stats_names.ts";
import {
  expectedBytes,
  fetchViaProxy,
  freePort,
  freeUdpPort,
  makeInbound,
  makeReality,
  makeUser,
  requireSingBox,
  sha256Hex,
  singBoxTestOptions,
  startClient,
  startPayloadServer,
  startSingBox,
  transferViaProxy,
  waitForLog,
  writeSelfSignedTls,
} from "./support/sing_box.ts";

const DOWNLOAD_BYTES = 4 * 1024 * 1024;
const UPLOAD_BYTES = 2 * 1024 * 1024;

/** What a case needs besides the inbound: things to stop afterwards. */
interface CaseSetup {
  type: Inbound["type"];
  settings: InboundSettings;
  /** QUIC protocols listen on UDP. */
  udp?: boolean;
  cleanup?: () => Promise<void>;
}

type CaseBuilder = (dir: string) => Promise<CaseSetup>;

const tlsCase = (type: Inbound["type"], udp = false): CaseBuilder => async (dir) => ({
  type,
  udp,
  settings: { tls: await writeSelfSignedTls(dir, `${type}.singdeck.test`) },
});

const shadowsocksCase = (method: ShadowsocksMethod): CaseBuilder => () =>
  Promise.resolve({
    type: "shadowsocks",
    settings: { method, serverKey: generateShadowsocksKey(method) },
  });

const cases: Array<[string, CaseBuilder]> = [
  ["vless plain", () => Promise.resolve({ type: "vless", settings: {} })],
  ["vless with TLS", tlsCase("vless")],
  ["vless with TLS and vision", async (dir) => ({
    type: "vless",
    settings: {
      tls: await writeSelfSignedTls(dir, "vision.singdeck.test"),
      flow: "xtls-rprx-vision",
    },
  })],
  ["vless with Reality and vision", realityCase],
  ["vmess plain", () => Promise.resolve({ type: "vmess", settings: {} })],
  ["vmess with TLS", tlsCase("vmess")],
  ["trojan", tlsCase("trojan")],
  ["shadowsocks 2022-blake3-aes-128-gcm", shadowsocksCase("2022-blake3-aes-128-gcm")],
  ["shadowsocks 2022-blake3-aes-256-gcm", shadowsocksCase("2022-blake3-aes-256-gcm")],
  ["hysteria2", tlsCase("hysteria2", true)],
  ["tuic", tlsCase("tuic", true)],
  ["mixed", () => Promise.resolve({ type: "mixed", settings: {} })],
];

/**
 * Reality borrows a real TLS 1.3 handshake from its target: here a local Deno TLS server
 * with a self-signed certificate for the server name, so the test needs no network.
 */
async function realityCase(): Promise<CaseSetup> {
  const serverName = "reality.singdeck.test";
  const { certificatePem, keyPem } = await generateSelfSignedCertificate(serverName);
  const target = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certificatePem, key: keyPem, onListen() {} },
    () => new Response("reality target"),
  );
  return {
    type: "vless",
    settings: {
      reality: await makeReality("127.0.0.1", target.addr.port, serverName),
      flow: "xtls-rprx-vision",
    },
    cleanup: () => target.shutdown(),
  };
}

/** `n` random bytes (getRandomValues gives at most 64 KiB per call). */
function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

/** Index of the first differing byte, or -1 when equal. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

for (const [name, build] of cases) {
  Deno.test({
    ...singBoxTestOptions(`sing-box carries traffic end to end: ${name}`),
    fn: async () => {
      const bin = requireSingBox();
      const dir = await Deno.makeTempDir({ prefix: "singdeck-e2e-" });
      const payload = startPayloadServer();
      const stops: Array<() => Promise<void>> = [];
      let serverLogs = () => "";
      try {
        const setup = await build(dir);
        if (setup.cleanup) stops.push(setup.cleanup);
        const tag = `e2e-${setup.type}`;
        const port = setup.udp ? await freeUdpPort() : freePort();
        const inbound = makeInbound({ tag, type: setup.type, port, settings: setup.settings });
        const user = makeUser({ name: "e2e.user@example.com" });
        const apiPort = freePort();
        const { config } = generateSingBoxConfig({
          inbounds: [{ inbound, users: [user] }],
          apiListen: `127.0.0.1:${apiPort}`,
          // The payload server is on loopback; the stats API stays closed all the same.
          allowPrivateEgress: true,
          now: Date.now(),
        });
        const server = await startSingBox(bin, config, dir, {
          waitForPort: setup.udp ? apiPort : port,
        });
        stops.push(server.stop);
        serverLogs = server.logs;
        // Self-signed certificates make the client skip verification by default.
        const client = await startClient(bin, clientOutbound(inbound, user, "127.0.0.1"), dir);
        stops.push(client.stop);
        serverLogs = () => `server:\n${server.logs()}\nclient:\n${client.logs()}`;

        const download = await transferViaProxy(
          client,
          `${payload.url}/bytes/${DOWNLOAD_BYTES}`,
        );
        assertEquals(download.status, 200);
        assertEquals(download.body.length, DOWNLOAD_BYTES);
        assertEquals(firstDifference(download.body, expectedBytes(DOWNLOAD_BYTES)), -1);

        const uploadBody = randomBytes(UPLOAD_BYTES);
        const uploaded = await transferViaProxy(client, `${payload.url}/upload`, {
          method: "POST",
          body: uploadBody,
        });
        assertEquals(uploaded.status, 200);
        assertEquals(JSON.parse(new TextDecoder().decode(uploaded.body)), {
          received: UPLOAD_BYTES,
          sha256: await sha256Hex(uploadBody),
        });

        const pairName = pairStatName(user.name, tag);
        await waitForLog(server, `[${pairName}] inbound connection to 127.0.0.1:${payload.port}`);
        await waitForLog(
          server,
          `outbound/direct[direct]: outbound connection to 127.0.0.1:${payload.port}`,
        );

        // The stats API has no authentication: users must not reach it through the proxy.
        const toApi = await fetchViaProxy(client, `http://127.0.0.1:${apiPort}/`)
          .catch(() => null);
        assert(toApi === null || toApi.status !== 200);
        await waitForLog(server, `[${pairName}] inbound connection to 127.0.0.1:${apiPort}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const logs = server.logs();
        assert(!logs.includes(`outbound connection to 127.0.0.1:${apiPort}`), logs);
        assert(!/FATAL|panic/.test(logs), logs);
      } catch (error) {
        console.error(serverLogs());
        throw error;
      } finally {
        for (const stop of stops.reverse()) await stop();
        await payload.stop();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
