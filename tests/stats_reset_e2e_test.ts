/**
 * The StatsService has no authentication: any local process may ask it to reset counters
 * (issue 8, item 2). sing-box obeys: the panel sees counters lower than at its last poll
 * while the uptime went on, counts them from zero again (nothing twice, nothing negative)
 * and says "counters were reset externally". singdeck-core refuses to reset at all.
 */
import { assert, assertEquals, assertGreaterOrEqual, assertLessOrEqual } from "@std/assert";
import { createChannel, createClient } from "nice-grpc";
import { StatsServiceDefinition } from "../proto/stats.ts";
import { downloadIntact, startLivePanel } from "./support/panel.ts";
import { startPayloadServer, testWithEachCore } from "./support/sing_box.ts";

const MiB = 1024 * 1024;

testWithEachCore(
  "a counter reset from outside is detected and counted from zero, never twice or negative",
  async (bin, flavour) => {
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin);
    const channel = createChannel(panel.core.apiListen);
    const stats = createClient(StatsServiceDefinition, channel);
    try {
      await panel.serveOneUser("victim");
      const client = await panel.client("main", "victim");
      await downloadIntact(client, payload, 2 * MiB);
      await panel.core.poller.pollNow();
      const before = await panel.user("victim");
      assertGreaterOrEqual(before.downlink, 2 * MiB);

      // Another local process zeroes every counter.
      const reset = await stats.queryStats({
        pattern: "",
        patterns: [],
        reset: true,
        regexp: false,
      })
        .then(() => "obeyed", (e) => String(e));
      if (flavour === "singdeck-core") {
        assert(reset.includes("PERMISSION_DENIED"), `singdeck-core refuses: ${reset}`);
      } else {
        assertEquals(reset, "obeyed");
      }
      // Some real traffic after the reset, smaller than what was counted before it.
      await downloadIntact(client, payload, MiB);
      await panel.core.poller.pollNow();
      const after = await panel.user("victim");
      const added = after.downlink - before.downlink;
      assertGreaterOrEqual(added, MiB, "the bytes after the reset are counted");
      assertLessOrEqual(added, MiB * 1.01 + 8192, "and nothing of before is counted again");
      const status = panel.core.poller.status();
      const api = await panel.api<{ stats: { externalResets: number } }>("GET", "/status");
      if (flavour === "sing-box") {
        assertGreaterOrEqual(status.externalResets, 1);
        assert(status.lastExternalResetAt !== null);
        assertGreaterOrEqual(api.stats.externalResets, 1);
      } else {
        assertEquals(status.externalResets, 0, "nothing was reset");
      }
      assertEquals(status.state, "ok");
    } finally {
      channel.close();
      await panel.close();
      await payload.stop();
    }
  },
);
