/** Without a sing-box binary the panel runs normally and says how to get one. */
import { assertEquals, assertStringIncludes } from "@std/assert";
import { startLivePanel } from "./support/panel.ts";
import { freePort } from "./support/sing_box.ts";

Deno.test("a panel without sing-box serves the UI and API, writes the config and says what is missing", async () => {
  const logs: string[] = [];
  const panel = await startLivePanel("/nonexistent/sing-box", { log: (m) => logs.push(m) });
  try {
    await panel.api("POST", "/inbounds", {
      tag: "main",
      type: "vless",
      listen: "127.0.0.1",
      port: freePort(),
    });
    await panel.api("POST", "/users", { name: "waiting", inbounds: ["main"] });
    await panel.core.settled();
    const status = await panel.api<{
      core: { state: string; lastError: string; version: null; uptimeSeconds: null };
      stats: { state: string; reason: string };
    }>("GET", "/status");
    assertEquals(status.core.state, "missing");
    assertEquals(status.core.version, null);
    assertEquals(status.core.uptimeSeconds, null);
    assertStringIncludes(status.core.lastError, "with_v2ray_api");
    await panel.core.poller.pollNow();
    await panel.core.poller.pollNow();
    const stats = panel.core.poller.status();
    assertEquals(stats.state, "stale");
    assertStringIncludes(stats.reason ?? "", "binary not found");
    assertEquals(logs.filter((l) => l.includes("stats are stale")).length, 1);
    const config = JSON.parse(await Deno.readTextFile(`${panel.dataDir}/sing-box.json`));
    assertEquals(config.inbounds.map((i: { tag: string }) => i.tag), ["main"]);
    const page = await panel.app.request("/api/v1/users", {
      headers: { Authorization: "Bearer e2e-token-0123456789abcdef" },
    });
    assertEquals(page.status, 200);
  } finally {
    await panel.close();
  }
});
