/**
 * Planned stops lose nothing: a restart of the core, or SIGTERM to the panel, in the middle
 * of a paced download, ten times over. Before the final poll the traffic is stopped
 * (singdeck-core drains; sing-box closes every connection through its Clash API), so the
 * bytes counted are the bytes the client received, within the HTTP headers.
 */
import { assertEquals, assertGreaterOrEqual, assertLessOrEqual } from "@std/assert";
import { openDatabase } from "../db/database.ts";
import { clientOutbound } from "../core/subscriptions/client_outbound.ts";
import { rowToInbound } from "../db/inbounds.ts";
import { toUser, usersWithTraffic } from "../db/users.ts";
import { startLivePanel, waitFor } from "./support/panel.ts";
import { startPanelProcess } from "./support/panel_process.ts";
import {
  freePort,
  requireSingBox,
  type RunningClient,
  startClient,
  startPayloadServer,
  streamViaProxy,
  testWithEachCore,
} from "./support/sing_box.ts";

const KiB = 1024, MiB = 1024 * KiB;
const ROUNDS = 10;
/** 1 MiB/s in 4 KiB chunks: little is in flight when the traffic stops. */
const RATE = MiB;

/** Counted bytes must cover what arrived and exceed it by no more than the headers. */
function assertMatches(what: string, counted: number, received: number) {
  assertGreaterOrEqual(counted, received, `${what}: counted ${counted} < received ${received}`);
  assertLessOrEqual(
    counted,
    received * 1.01 + 8 * KiB,
    `${what}: counted ${counted} for ${received} received`,
  );
}

testWithEachCore(
  "a restart in the middle of a paced download counts exactly the bytes received, ten times",
  async (bin) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    try {
      await panel.serveOneUser("paced");
      const client = await panel.client("main", "paced");
      const report: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await panel.core.poller.pollNow();
        const before = (await panel.user("paced")).downlink;
        const download = streamViaProxy(
          client.proxyPort,
          `${payload.url}/paced/${4 * MiB}/${RATE}`,
        );
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 500));
        await panel.core.restart();
        const got = await download;
        await panel.core.poller.pollNow();
        const counted = (await panel.user("paced")).downlink - before;
        report.push(`${got.received}/${counted}`);
        assertMatches(`round ${round}`, counted, got.received);
      }
      console.log(`received/counted per restart: ${report.join(", ")}`);
    } finally {
      await panel.close();
      await payload.stop();
    }
  },
);

testWithEachCore(
  "SIGTERM to the panel in the middle of a paced download counts exactly the bytes received, ten times",
  async (bin) => {
    const payload = startPayloadServer();
    const dataDir = await Deno.makeTempDir({ prefix: "singdeck-sigterm-" });
    const env = { SINGDECK_SING_BOX: bin, SINGDECK_POLL_INTERVAL: "3600" };
    let client: RunningClient | null = null;
    const report: string[] = [];
    try {
      const port = freePort();
      for (let round = 0; round < ROUNDS; round++) {
        const panel = await startPanelProcess(dataDir, env);
        try {
          if (round === 0) {
            await panel.api("POST", "/inbounds", {
              tag: "main",
              type: "vless",
              listen: "127.0.0.1",
              port,
            });
            await panel.api("POST", "/users", { name: "paced", inbounds: ["main"] });
          }
          await waitFor("the core to serve", async () => {
            const s = await panel.api<{ core: { state: string } }>("GET", "/status");
            if (s.body.core.state !== "running") return false;
            return await Deno.connect({ hostname: "127.0.0.1", port }).then(
              (conn) => (conn.close(), true),
              () => false,
            );
          });
          if (!client) {
            const db = await openDatabase(`file:${dataDir}/singdeck.db`);
            const inbound = rowToInbound(
              await db.selectFrom("inbounds").selectAll().executeTakeFirstOrThrow(),
            );
            const user = toUser(await usersWithTraffic(db).executeTakeFirstOrThrow());
            await db.destroy();
            client = await startClient(
              requireSingBox(),
              clientOutbound(inbound, user, "127.0.0.1"),
              dataDir,
            );
          }
          const before = (await panel.api<{ user: { downlink: number } }>("GET", "/users/paced"))
            .body.user.downlink;
          const download = streamViaProxy(
            client.proxyPort,
            `${payload.url}/paced/${4 * MiB}/${RATE}`,
          );
          await new Promise((r) => setTimeout(r, 300 + Math.random() * 500));
          await panel.kill("SIGTERM");
          const got = await download;
          const db = await openDatabase(`file:${dataDir}/singdeck.db`);
          const after = await db.selectFrom("user_traffic").select("downlink")
            .executeTakeFirstOrThrow();
          await db.destroy();
          report.push(`${got.received}/${after.downlink - before}`);
          assertMatches(`round ${round}`, after.downlink - before, got.received);
        } finally {
          await panel.kill("SIGKILL");
        }
      }
      console.log(`received/counted per panel SIGTERM: ${report.join(", ")}`);
      assertEquals(report.length, ROUNDS);
    } finally {
      await client?.stop();
      await payload.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
);
