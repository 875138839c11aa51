/**
 * singdeck-core with real traffic: user changes that drop nobody, over-quota users cut off
 * within one poll on every protocol (with multiplex too), and a reset that brings them
 * back, all without a restart of the core.
 */
import { assert, assertEquals, assertGreaterOrEqual, assertLessOrEqual } from "@std/assert";
import { clientOutbound } from "../core/subscriptions/client_outbound.ts";
import { startLivePanel, waitFor } from "./support/panel.ts";
import {
  fetchViaProxy,
  requireSingBox,
  type RunningClient,
  startClient,
  startPayloadServer,
  streamViaProxy,
  testWithEachCore,
} from "./support/sing_box.ts";
import { setUserTraffic } from "./support/rows.ts";

const KiB = 1024, MiB = 1024 * KiB;
/** HTTP response headers the proxies count beside the payload. */
const HEADERS = 8 * KiB;

async function runIds(panel: { db: import("../db/database.ts").Db }): Promise<number[]> {
  return (await panel.db.selectFrom("core_runs").select("id").execute()).map((r) => r.id);
}

async function userTotals(panel: { db: import("../db/database.ts").Db }, name: string) {
  return await panel.db.selectFrom("users").innerJoin("user_traffic", "user_id", "users.id")
    .select(["uplink", "downlink"]).where("name", "=", name).executeTakeFirstOrThrow();
}

testWithEachCore(
  "a long download survives users added to its own and another inbound, fellow users disabled and 100 users over quota",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { pollIntervalMs: 500, applyDelayMs: 200 });
    try {
      await panel.createInbound({ tag: "x", type: "vless" });
      await panel.createInbound({ tag: "y", type: "vless" });
      await panel.api("POST", "/users", { name: "alice", inbounds: ["x"] });
      await panel.api("POST", "/users", { name: "bob", inbounds: ["x"] });
      for (let i = 0; i < 100; i++) {
        await panel.api("POST", "/users", { name: `capped${i}`, inbounds: ["x", "y"] });
      }
      panel.core.poller.start();
      await panel.core.settled();
      const pid = panel.core.status().pid;
      const runs = await runIds(panel);
      const alice = await panel.client("x", "alice");
      const bob = await panel.client("x", "bob");
      assertEquals((await fetchViaProxy(bob, `${payload.url}/bytes/1024`)).status, 200);
      await panel.core.poller.pollNow();
      const before = await userTotals(panel, "alice");

      const SIZE = 10 * MiB;
      const download = streamViaProxy(alice, `${payload.url}/paced/${SIZE}/${3 * MiB}`);
      await new Promise((r) => setTimeout(r, 700));
      for (let i = 0; i < 20; i++) {
        await panel.api("POST", "/users", { name: `later${i}`, inbounds: ["y"] });
      }
      for (let i = 0; i < 5; i++) {
        await panel.api("POST", "/users", { name: `neighbour${i}`, inbounds: ["x"] });
      }
      await panel.api("PATCH", "/users/bob", { enabled: false });
      for (let i = 0; i < 100; i++) {
        await setUserTraffic(panel.db, `capped${i}`, 0, 2 * MiB);
        await panel.api("PATCH", `/users/capped${i}`, { trafficLimit: MiB });
      }
      await panel.core.settled();
      const result = await download;
      assertEquals(result.error, null, "the download was never interrupted");
      assertEquals(result.received, SIZE, "every byte arrived intact");

      assertEquals(panel.core.status().pid, pid, "the core was never restarted");
      assertEquals(await runIds(panel), runs, "no new core run");
      // The newcomers on both inbounds connect; bob cannot.
      for (const [tag, name] of [["x", "neighbour3"], ["y", "later17"]]) {
        const client = await panel.client(tag, name);
        assertEquals(
          (await fetchViaProxy(client, `${payload.url}/bytes/4096`)).status,
          200,
        );
      }
      for (const [tag, name, client] of [["x", "bob", bob], ["y", "capped42", null]] as const) {
        const c = client ?? await panel.client(tag, name);
        const refused = await fetchViaProxy(c, `${payload.url}/bytes/1024`)
          .catch(() => ({ status: 0 }));
        assert(refused.status !== 200, `${name} (disabled or over quota) cannot connect`);
      }
      // Alice's bytes are counted exactly (her totals were not among those zeroed).
      await panel.core.poller.pollNow();
      const after = await userTotals(panel, "alice");
      const counted = after.downlink - before.downlink;
      assertGreaterOrEqual(counted, SIZE);
      assertLessOrEqual(counted, SIZE * 1.01 + HEADERS);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
  ["singdeck-core"],
);

/** One protocol of the cut-off test: the inbound to create and the client's multiplexing. */
interface CutCase {
  tag: string;
  spec: Record<string, unknown>;
  multiplex?: boolean;
}

const selfSigned = { mode: "self_signed", serverName: "localhost" };
const CUT_CASES: CutCase[] = [
  { tag: "vless", spec: { type: "vless" } },
  { tag: "vless-mux", spec: { type: "vless" }, multiplex: true },
  { tag: "vmess", spec: { type: "vmess" } },
  { tag: "vmess-mux", spec: { type: "vmess" }, multiplex: true },
  { tag: "trojan", spec: { type: "trojan", tls: selfSigned } },
  { tag: "trojan-mux", spec: { type: "trojan", tls: selfSigned }, multiplex: true },
  { tag: "ss", spec: { type: "shadowsocks", method: "2022-blake3-aes-256-gcm" } },
  {
    tag: "ss-mux",
    spec: { type: "shadowsocks", method: "2022-blake3-aes-128-gcm" },
    multiplex: true,
  },
  { tag: "hy2", spec: { type: "hysteria2", tls: selfSigned } },
  { tag: "tuic", spec: { type: "tuic", tls: selfSigned } },
];

testWithEachCore(
  "an over-quota user is cut off within one poll on every protocol, with multiplex too, and comes back after a reset",
  async (bin) => {
    const payload = startPayloadServer();
    const POLL_MS = 500, RATE = 2 * MiB, LIMIT = MiB;
    const panel = await startLivePanel(bin, { pollIntervalMs: POLL_MS, applyDelayMs: 200 });
    const clients: RunningClient[] = [];
    try {
      for (const c of CUT_CASES) {
        await panel.createInbound({ tag: c.tag, ...c.spec });
        await panel.api("POST", "/users", {
          name: `q-${c.tag}`,
          inbounds: [c.tag],
          trafficLimit: LIMIT,
        });
      }
      await panel.core.settled();
      panel.core.poller.start();
      const pid = panel.core.status().pid;
      const runs = await runIds(panel);
      const report: string[] = [];
      for (const c of CUT_CASES) {
        const name = `q-${c.tag}`;
        const outbound = clientOutbound(
          await panel.inbound(c.tag),
          await panel.user(name),
          "127.0.0.1",
        );
        if (c.multiplex) {
          outbound.multiplex = { enabled: true, protocol: "h2mux", max_connections: 1 };
        }
        const client = await startClient(requireSingBox(), outbound, panel.dataDir);
        clients.push(client);
        const started = Date.now();
        const cut = await streamViaProxy(
          client,
          `${payload.url}/paced/${16 * MiB}/${RATE}`,
        );
        assert(cut.error !== null, `${c.tag}: the download is cut (got ${cut.received} bytes)`);
        assertGreaterOrEqual(cut.received, LIMIT - HEADERS, `${c.tag}: served up to the quota`);
        // Within one poll: the bytes past the quota are at most a poll interval's worth.
        await panel.core.poller.pollNow();
        const counted = await userTotals(panel, name);
        const past = counted.uplink + counted.downlink - LIMIT;
        report.push(`${c.tag}: cut after ${Date.now() - started} ms, ${past} B past the quota`);
        assertLessOrEqual(
          past,
          RATE * (POLL_MS / 1000) * 1.5 + 64 * KiB,
          `${c.tag}: ${past} B past`,
        );
        // New connections (or new streams on the multiplexed / QUIC connection) fail.
        const again = await fetchViaProxy(client, `${payload.url}/bytes/1024`)
          .catch(() => ({ status: 0 }));
        assert(again.status !== 200, `${c.tag}: a blocked user opened a new connection or stream`);
        // A traffic reset brings them back at once.
        await panel.api("POST", `/users/${name}/reset-traffic`, undefined, 200);
        await panel.core.settled();
        const back = await fetchViaProxy(client, `${payload.url}/bytes/${64 * KiB}`);
        assertEquals(back.status, 200, `${c.tag}: back after the reset`);
      }
      console.log(report.join("\n"));
      assertEquals(panel.core.status().pid, pid, "never restarted");
      assertEquals(await runIds(panel), runs);
    } finally {
      for (const client of clients) await client.stop();
      await panel.close();
      await payload.stop();
    }
  },
  ["singdeck-core"],
);

testWithEachCore(
  "a blocked user stays out after the core crashes and restarts; the blocked set follows the database",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { pollIntervalMs: 500, applyDelayMs: 200 });
    const clients: RunningClient[] = [];
    try {
      await panel.createInbound({ tag: "x", type: "vless" });
      await panel.api("POST", "/users", { name: "capped", inbounds: ["x"], trafficLimit: MiB });
      await panel.api("POST", "/users", { name: "free", inbounds: ["x"] });
      await panel.core.settled();
      panel.core.poller.start();
      const capped = await panel.client("x", "capped");
      const free = await panel.client("x", "free");
      clients.push(capped, free);
      const cut = await streamViaProxy(
        capped,
        `${payload.url}/paced/${8 * MiB}/${2 * MiB}`,
      );
      assert(cut.error !== null, `the over-quota download is cut (got ${cut.received} bytes)`);
      await panel.core.settled();
      assertEquals(panel.core.status().blockedUsers, 1, "one pair blocked, without a restart");

      const pid = panel.core.status().pid!;
      Deno.kill(pid, "SIGKILL");
      await waitFor("the core to be restarted", () => {
        const s = panel.core.status();
        return s.state === "running" && s.pid !== null && s.pid !== pid;
      });
      await panel.core.settled();
      // The restarted core runs the database's config: the over-quota user is not in it, so
      // nothing needs blocking, and the blocked set holds no more than the database says.
      assertEquals(panel.core.status().blockedUsers, 0);
      const refused = await fetchViaProxy(capped, `${payload.url}/bytes/1024`, {}, 5000)
        .catch(() => ({ status: 0 }));
      assert(refused.status !== 200, "the over-quota user connected after the core's restart");
      const config = await Deno.readTextFile(`${panel.dataDir}/sing-box.json`);
      assert(!config.includes((await panel.user("capped")).uuid), "capped left the config");
      assertEquals((await fetchViaProxy(free, `${payload.url}/bytes/1024`)).status, 200);

      // A reset lets them in again on the restarted core.
      await panel.api("POST", "/users/capped/reset-traffic", undefined, 200);
      await panel.core.settled();
      await waitFor(
        "capped to connect after the reset",
        async () =>
          (await fetchViaProxy(capped, `${payload.url}/bytes/1024`, {}, 5000)
            .catch(() => ({ status: 0 }))).status === 200,
      );
    } finally {
      for (const client of clients) await client.stop();
      await panel.close();
      await payload.stop();
    }
  },
  ["singdeck-core"],
);
