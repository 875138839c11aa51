/**
 * Proxy users are kept off the server itself (issue 8, item 1), with a real core and real
 * connections to loopback only: by default loopback destinations and `localhost` names
 * are refused; with private egress allowed they are reachable, but the panel's port and
 * the stats API on this host stay closed. The core's environment holds none of the panel's
 * `SINGDECK_*` settings.
 */
import { assert, assertEquals } from "@std/assert";
import { saveSettings } from "../core/settings.ts";
import { startLivePanel } from "./support/panel.ts";
import {
  fetchViaProxy,
  freePort,
  startPayloadServer,
  testWithEachCore,
} from "./support/sing_box.ts";

async function reachable(proxyPort: number, url: string): Promise<boolean> {
  const res = await fetchViaProxy(proxyPort, url).catch(() => null);
  return res !== null && res.status === 200;
}

testWithEachCore(
  "proxy users reach no loopback or localhost by default; with private egress allowed the panel and stats ports stay closed",
  async (bin) => {
    const payload = startPayloadServer();
    const panelPort = freePort();
    const panel = await startLivePanel(bin, { applyDelayMs: 100, panelPort, privateEgress: false });
    // The panel itself, served on the port its generated config knows as the panel's.
    const panelServer = Deno.serve(
      { hostname: "127.0.0.1", port: panelPort, onListen() {} },
      panel.app.fetch,
    );
    try {
      await panel.serveOneUser("visitor");
      const client = await panel.client("main", "visitor");

      assert(!await reachable(client.proxyPort, `${payload.url}/bytes/1024`), "127.0.0.1 refused");
      assert(
        !await reachable(client.proxyPort, `http://localhost:${payload.port}/bytes/1024`),
        "localhost refused",
      );
      assert(
        !await reachable(client.proxyPort, `http://127.0.0.1:${panelPort}/healthz`),
        "the panel refused",
      );
      const logs = panel.core.logLines().join("\n");
      assert(!logs.includes(`outbound connection to 127.0.0.1:${payload.port}`), logs);

      await saveSettings(panel.db, { allowPrivateEgress: "1" });
      panel.core.requestApply("private egress allowed");
      await panel.core.settled();
      assert(
        await reachable(client.proxyPort, `${payload.url}/bytes/1024`),
        "loopback allowed now",
      );
      assert(
        !await reachable(client.proxyPort, `http://127.0.0.1:${panelPort}/healthz`),
        "the panel's port stays closed",
      );
      const statsPort = Number(panel.core.apiListen.split(":").pop());
      assert(
        !await reachable(client.proxyPort, `http://127.0.0.1:${statsPort}/`),
        "the stats API stays closed",
      );
      // The panel's settings (secrets among them) are not in the core's environment.
      const pid = panel.core.status().pid!;
      const environ = await Deno.readTextFile(`/proc/${pid}/environ`);
      assertEquals(environ.split("\0").filter((v) => v.startsWith("SINGDECK_")), []);
    } finally {
      await panelServer.shutdown();
      await panel.close();
      await payload.stop();
    }
  },
);
