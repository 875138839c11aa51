/**
 * Exactly-once traffic accounting against the real sing-box: known payloads pushed
 * through real clients must show up in the user's totals, their per-inbound row and the
 * inbound's totals, across reloads, panel kills and sing-box kills.
 */
import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLessOrEqual,
  assertStringIncludes,
} from "@std/assert";
import type { Db } from "../db/database.ts";
import {
  fetchViaProxy,
  findSingBoxWithoutV2rayApi,
  freePort,
  freeUdpPort,
  type PayloadServer,
  requireSingBox,
  type RunningClient,
  sha256Hex,
  startClient,
  startPayloadServer,
  testWithEachCore,
} from "./support/sing_box.ts";
import { downloadIntact, processExists, startLivePanel, waitFor } from "./support/panel.ts";
import { startPanelProcess } from "./support/panel_process.ts";
import { clientOutbound } from "../core/subscriptions/client_outbound.ts";
import { rowToInbound } from "../db/inbounds.ts";
import { toUser, usersWithTraffic } from "../db/users.ts";
import { openDatabase } from "../db/database.ts";

const MiB = 1024 * 1024;
/** Protocol overhead allowed on top of the payload: 1 % plus 8 KiB (HTTP headers, padding). */
const TOLERANCE = { ratio: 0.01, bytes: 8192 };

function assertCounted(label: string, counted: number, payload: number) {
  assertGreaterOrEqual(counted, payload, `${label}: counted ${counted} < payload ${payload}`);
  assertLessOrEqual(
    counted,
    payload * (1 + TOLERANCE.ratio) + TOLERANCE.bytes,
    `${label}: counted ${counted} exceeds payload ${payload} + tolerance`,
  );
}

interface Totals {
  user: { uplink: number; downlink: number };
  pair: { uplink: number; downlink: number };
  inbound: { uplink: number; downlink: number };
}

async function totals(db: Db, userName: string, tag: string): Promise<Totals> {
  const user = await db.selectFrom("users").innerJoin(
    "user_traffic",
    "user_traffic.user_id",
    "users.id",
  )
    .select(["users.id", "uplink", "downlink"]).where(
      "name",
      "=",
      userName,
    )
    .executeTakeFirstOrThrow();
  const inbound = await db.selectFrom("inbounds").select(["id", "uplink", "downlink"]).where(
    "tag",
    "=",
    tag,
  )
    .executeTakeFirstOrThrow();
  const pair = await db.selectFrom("user_inbound_traffic").select(["uplink", "downlink"])
    .where("user_id", "=", user.id).where("inbound_id", "=", inbound.id).executeTakeFirst();
  return {
    user: { uplink: user.uplink, downlink: user.downlink },
    pair: pair ?? { uplink: 0, downlink: 0 },
    inbound: { uplink: inbound.uplink, downlink: inbound.downlink },
  };
}

function diff(after: Totals, before: Totals): Totals {
  const d = (a: { uplink: number; downlink: number }, b: { uplink: number; downlink: number }) => ({
    uplink: a.uplink - b.uplink,
    downlink: a.downlink - b.downlink,
  });
  return {
    user: d(after.user, before.user),
    pair: d(after.pair, before.pair),
    inbound: d(after.inbound, before.inbound),
  };
}

/** Uploads `up` bytes (POST) and downloads `down` bytes (GET) through the client, intact. */
async function transfer(client: RunningClient, payload: PayloadServer, up: number, down: number) {
  if (up > 0) {
    const body = new Uint8Array(up);
    for (let i = 0; i < up; i += 65536) {
      crypto.getRandomValues(body.subarray(i, Math.min(up, i + 65536)));
    }
    const res = await fetchViaProxy(client, `${payload.url}/upload`, {
      method: "POST",
      body,
    });
    const answer = JSON.parse(new TextDecoder().decode(res.body));
    assertEquals(answer, { received: up, sha256: await sha256Hex(body) });
  }
  if (down > 0) await downloadIntact(client, payload, down);
}

testWithEachCore(
  "real traffic on every protocol is counted for the user, the pair and the inbound",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    try {
      const selfSigned = { mode: "self_signed", serverName: "localhost" };
      const specs: Array<Record<string, unknown>> = [
        { tag: "vless-in", type: "vless" },
        { tag: "vmess-in", type: "vmess" },
        { tag: "trojan-in", type: "trojan", tls: selfSigned },
        { tag: "ss-in", type: "shadowsocks", method: "2022-blake3-aes-256-gcm" },
        { tag: "hy2-in", type: "hysteria2", tls: selfSigned },
      ];
      for (const spec of specs) {
        const port = spec.type === "hysteria2" ? await freeUdpPort() : freePort();
        await panel.api("POST", "/inbounds", { listen: "127.0.0.1", port, ...spec });
      }
      await panel.api("POST", "/users", { name: "meter", inbounds: specs.map((s) => s.tag) });
      await panel.core.settled();
      const UP = 3 * MiB, DOWN = 5 * MiB;
      const overheads: string[] = [];
      for (const spec of specs) {
        const tag = spec.tag as string;
        const client = await panel.client(tag, "meter");
        await panel.core.poller.pollNow();
        const before = await totals(panel.db, "meter", tag);
        await transfer(client, payload, UP, DOWN);
        await client.stop();
        await panel.core.poller.pollNow();
        assertEquals(panel.core.poller.status().state, "ok");
        const d = diff(await totals(panel.db, "meter", tag), before);
        for (const part of ["user", "pair", "inbound"] as const) {
          assertCounted(`${tag} ${part} uplink`, d[part].uplink, UP);
          assertCounted(`${tag} ${part} downlink`, d[part].downlink, DOWN);
        }
        assertEquals(
          d.pair,
          d.user,
          `${tag}: the only pair in use carries all of the user's bytes`,
        );
        overheads.push(`${tag}: +${d.user.uplink - UP} B up, +${d.user.downlink - DOWN} B down`);
      }
      console.log(`counted beyond the payload: ${overheads.join("; ")}`);
      const api = await panel.api<
        { user: { uplink: number; perInbound: Array<{ tag: string; uplink: number }> } }
      >(
        "GET",
        "/users/meter",
      );
      assertEquals(api.user.perInbound.length, specs.length);
      assertEquals(api.user.perInbound.reduce((sum, p) => sum + p.uplink, 0), api.user.uplink);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "a reload flushes first: nothing lost, nothing counted twice",
  async (bin, flavour) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    try {
      await panel.serveOneUser("flow");
      const start = await totals(panel.db, "flow", "main");
      let client = await panel.client("main", "flow");
      await transfer(client, payload, 1 * MiB, 4 * MiB); // not polled yet
      await client.stop();
      const runs = (await panel.db.selectFrom("core_runs").select("id").execute()).length;
      // sing-box reloads (a new run); singdeck-core swaps the inbound in the same run.
      await panel.api("POST", "/users", { name: "newcomer", inbounds: ["main"] });
      await panel.core.settled();
      assertEquals(
        (await panel.db.selectFrom("core_runs").select("id").execute()).length,
        flavour === "sing-box" ? runs + 1 : runs,
      );
      client = await panel.client("main", "flow");
      await transfer(client, payload, 2 * MiB, 3 * MiB);
      await client.stop();
      await panel.core.poller.pollNow();
      await panel.core.poller.pollNow();
      const d = diff(await totals(panel.db, "flow", "main"), start);
      assertCounted("user uplink across the reload", d.user.uplink, 3 * MiB);
      assertCounted("user downlink across the reload", d.user.downlink, 7 * MiB);
      assertCounted("inbound downlink across the reload", d.inbound.downlink, 7 * MiB);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "kill -9 of sing-box: totals never decrease, loss bounded by one poll",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    try {
      await panel.serveOneUser("crashy");
      let client = await panel.client("main", "crashy");
      await transfer(client, payload, 0, 4 * MiB);
      await panel.core.poller.pollNow();
      const polled = await totals(panel.db, "crashy", "main");
      assertCounted("before the crash", polled.user.downlink, 4 * MiB);
      await transfer(client, payload, 0, 2 * MiB); // after the last poll: lost in the crash
      await client.stop();
      const pid = panel.core.status().pid!;
      Deno.kill(pid, "SIGKILL");
      await waitFor("sing-box to restart", () => {
        const s = panel.core.status();
        return s.state === "running" && s.pid !== pid;
      });
      await panel.core.poller.pollNow();
      const afterCrash = await totals(panel.db, "crashy", "main");
      assertGreaterOrEqual(afterCrash.user.downlink, polled.user.downlink, "totals never decrease");
      assertLessOrEqual(
        afterCrash.user.downlink - polled.user.downlink,
        2 * MiB + 8192,
        "at most the unpolled bytes",
      );
      client = await panel.client("main", "crashy");
      await transfer(client, payload, 0, 3 * MiB);
      await panel.core.poller.pollNow();
      const after = await totals(panel.db, "crashy", "main");
      assertCounted("after the restart", after.user.downlink - afterCrash.user.downlink, 3 * MiB);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "kill -9 of the panel: the core serves new connections meanwhile, and their bytes are counted once",
  async (bin) => {
    const payload = startPayloadServer();
    const dataDir = await Deno.makeTempDir({ prefix: "singdeck-kill-" });
    const env = { SINGDECK_SING_BOX: bin, SINGDECK_POLL_INTERVAL: "3600" };
    let panel = await startPanelProcess(dataDir, env);
    const clients: RunningClient[] = [];
    let orphanPid = 0;
    try {
      const port = freePort();
      assertEquals(
        (await panel.api("POST", "/inbounds", {
          tag: "main",
          type: "vless",
          listen: "127.0.0.1",
          port,
        })).status,
        201,
      );
      assertEquals(
        (await panel.api("POST", "/users", { name: "survivor", inbounds: ["main"] })).status,
        201,
      );
      await waitFor("the core to serve the inbound", async () => {
        const s = await panel.api<{ core: { state: string; pid: number } }>("GET", "/status");
        if (s.body.core.state !== "running") return false;
        return await Deno.connect({ hostname: "127.0.0.1", port }).then(
          (conn) => (conn.close(), true),
          () => false,
        );
      });
      const status = await panel.api<{ core: { pid: number } }>("GET", "/status");
      orphanPid = status.body.core.pid;
      const db = await openDatabase(`file:${dataDir}/singdeck.db`);
      const inbound = rowToInbound(
        await db.selectFrom("inbounds").selectAll().executeTakeFirstOrThrow(),
      );
      const user = toUser(await usersWithTraffic(db).executeTakeFirstOrThrow());
      await db.destroy();
      const client = await startClient(
        requireSingBox(),
        clientOutbound(inbound, user, "127.0.0.1"),
        dataDir,
      );
      clients.push(client);
      await transfer(client, payload, 1 * MiB, 6 * MiB);
      await panel.kill("SIGKILL"); // no flush, no shutdown: sing-box keeps running
      assert(processExists(orphanPid), "sing-box outlives the killed panel");
      // New connections keep working while the panel is dead: the core logs to a file and
      // holds no pipe to the panel that its first log line of a connection would break.
      const meanwhile = await startClient(
        requireSingBox(),
        clientOutbound(inbound, user, "127.0.0.1"),
        dataDir,
      );
      clients.push(meanwhile);
      await transfer(meanwhile, payload, 0, 3 * MiB);
      await transfer(client, payload, 0, 2 * MiB);
      assert(processExists(orphanPid), "the core still runs after serving new connections");

      panel = await startPanelProcess(dataDir, env);
      assert(
        !processExists(orphanPid),
        "the new panel polled, then replaced the leftover sing-box",
      );
      const read = async () =>
        (await panel.api<{ user: { uplink: number; downlink: number } }>("GET", "/users/survivor"))
          .body.user;
      const counted = await read();
      assertCounted("uplink across the panel kill", counted.uplink, 1 * MiB);
      assertCounted("downlink across the panel kill", counted.downlink, 11 * MiB);
      assertStringIncludes(panel.output(), `taking over the core pid ${orphanPid}`);
      // A clean stop of the panel flushes and leaves no sing-box behind.
      const s = await panel.api<{ core: { pid: number } }>("GET", "/status");
      await panel.kill("SIGTERM");
      assert(!processExists(s.body.core.pid), "SIGTERM to the panel stops its sing-box");
      const db2 = await openDatabase(`file:${dataDir}/singdeck.db`);
      const final = await db2.selectFrom("user_traffic").select(["uplink", "downlink"])
        .executeTakeFirstOrThrow();
      await db2.destroy();
      assertEquals(
        final,
        { uplink: counted.uplink, downlink: counted.downlink },
        "nothing counted twice",
      );
    } finally {
      for (const c of clients) await c.stop();
      // A failed assertion may leave the current panel's core running too: kill it as well.
      const current = await panel.api<{ core: { pid: number | null } }>("GET", "/status")
        .then((s) => s.body.core.pid, () => null);
      await panel.kill("SIGKILL");
      for (const pid of [orphanPid, current]) {
        if (pid && processExists(pid)) Deno.kill(pid, "SIGKILL");
      }
      await payload.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
);

Deno.test({
  name: "a sing-box without with_v2ray_api, or stopped, leaves the panel working with stale stats",
  ignore: findSingBoxWithoutV2rayApi() === null && Deno.env.get("CI") !== "true",
  async fn() {
    const bin = findSingBoxWithoutV2rayApi();
    if (!bin) {
      throw new Error(
        "no sing-box without with_v2ray_api: run scripts/install_sing_box.sh --without-v2ray-api",
      );
    }
    const payload = startPayloadServer();
    const logs: string[] = [];
    const panel = await startLivePanel(bin, { log: (m) => logs.push(m) });
    try {
      await panel.serveOneUser("uncounted");
      const core = panel.core.status();
      assertEquals(core.state, "running", core.configError ?? "");
      assertEquals(core.hasV2rayApi, false);
      const client = await panel.client("main", "uncounted");
      await transfer(client, payload, 0, MiB); // it proxies, it just cannot count
      for (let i = 0; i < 3; i++) await panel.core.poller.pollNow();
      const stats = panel.core.poller.status();
      assertEquals(stats.state, "stale");
      assertStringIncludes(stats.reason ?? "", "without with_v2ray_api");
      const page = await panel.app.request("/api/v1/users", {
        headers: { Authorization: "Bearer e2e-token-0123456789abcdef" },
      });
      assertEquals(page.status, 200);
      assertEquals((await panel.user("uncounted")).downlink, 0);
      assertEquals(logs.filter((l) => l.includes("stats are stale")).length, 1, logs.join("\n"));
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
});

testWithEachCore(
  "stats go stale while sing-box is stopped, logged once, and recover",
  async (bin) => {
    const panel = await startLivePanel(bin);
    try {
      await panel.core.poller.pollNow();
      assertEquals(panel.core.poller.status().state, "ok");
      await panel.core.stop();
      for (let i = 0; i < 3; i++) await panel.core.poller.pollNow();
      assertEquals(panel.core.poller.status().state, "stale");
      assertStringIncludes(panel.core.poller.status().reason ?? "", "not running");
      const api = await panel.api<{ stats: { state: string; reason: string } }>("GET", "/status");
      assertEquals(api.stats.state, "stale");
      await panel.core.start();
      await panel.core.poller.pollNow();
      assertEquals(panel.core.poller.status().state, "ok");
    } finally {
      await panel.close();
    }
  },
);

testWithEachCore(
  "a user over quota leaves the config after the poll; a reset brings them back",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { applyDelayMs: 100 });
    try {
      await panel.serveOneUser("capped");
      await panel.api("PATCH", "/users/capped", { trafficLimit: 2 * MiB });
      await panel.core.settled();
      const client = await panel.client("main", "capped");
      await transfer(client, payload, 0, 3 * MiB);
      await panel.core.poller.pollNow();
      await waitFor("the reload that drops the user", async () => {
        await panel.core.settled();
        const config = await panel.core.currentConfig();
        return !JSON.stringify(config).includes('"capped|main"');
      });
      const api = await panel.api<{ user: { status: string } }>("GET", "/users/capped");
      assertEquals(api.user.status, "limited");
      const refused = await fetchViaProxy(client, `${payload.url}/bytes/1024`).catch(
        () => ({ status: 0 }),
      );
      assert(refused.status !== 200, "a limited user cannot connect");
      await panel.api("POST", "/users/capped/reset-traffic", undefined, 200);
      await panel.core.settled();
      await downloadIntact(client, payload, MiB);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);
