/**
 * The Inbounds page in a real browser (Debian's chromium driven by playwright-core) against
 * a live panel with a real sing-box: header clicks sort server-side and reverse, and new
 * traffic appears in the table without a manual reload.
 */
import { assert, assertEquals } from "@std/assert";
import { launchBrowser } from "./support/browser.ts";
import { TEST_PASSWORD } from "./support/app.ts";
import { startLivePanel, waitFor } from "./support/panel.ts";
import { fetchViaProxy, findSingBox, freePort, startPayloadServer } from "./support/sing_box.ts";

const CHROMIUM = "/usr/bin/chromium";
const GB = 1024 ** 3;

function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const missing = [
  !hasChromium() && `${CHROMIUM} (apt-get install chromium)`,
  findSingBox() === null && "sing-box",
]
  .filter(Boolean).join(" and ");
if (missing && Deno.env.get("CI") !== "true") {
  console.warn(`Ignoring the browser test: ${missing} not found`);
}

Deno.test({
  name: "Inbounds page sorts by traffic on header clicks and shows new traffic without a reload",
  ignore: missing !== "" && Deno.env.get("CI") !== "true",
  async fn() {
    if (missing) throw new Error(`The browser test needs ${missing}`);
    const bin = findSingBox()!;
    const payload = startPayloadServer();
    const panel = await startLivePanel(bin, { pollIntervalMs: 500, tableRefreshSeconds: 1 });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, panel.app.fetch);
    const url = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      for (const tag of ["alpha", "bravo", "charlie"]) {
        await panel.api("POST", "/inbounds", {
          tag,
          type: "vless",
          listen: "127.0.0.1",
          port: freePort(),
        });
      }
      await panel.api("POST", "/users", { name: "surfer", inbounds: ["bravo"] });
      await panel.core.settled();
      // Known totals for the sort: charlie > alpha > bravo.
      const traffic: Record<string, [number, number]> = {
        alpha: [1 * GB, 4 * GB],
        bravo: [0, 1 * GB],
        charlie: [2 * GB, 8 * GB],
      };
      for (const [tag, [uplink, downlink]] of Object.entries(traffic)) {
        await panel.db.updateTable("inbounds").set({ uplink, downlink }).where("tag", "=", tag)
          .execute();
      }

      const page = await browser.newPage();
      await page.goto(`${url}/login`);
      await page.fill('input[name="password"]', TEST_PASSWORD);
      await page.click('button[type="submit"]');
      await page.waitForURL(`${url}/`);
      await page.goto(`${url}/inbounds`);
      const order = () =>
        page.$$eval(
          "#inbounds-table tbody tr[data-tag]",
          (rows) => rows.map((r) => r.getAttribute("data-tag")),
        );
      assertEquals(await order(), ["alpha", "bravo", "charlie"], "sorted by tag at first");
      await page.evaluate(() => (window as unknown as { marker: number }).marker = 42);

      await page.click('#inbounds-table thead a:text-is("Total")');
      await page.waitForSelector('#inbounds-table[data-sort="traffic_desc"]');
      assertEquals(await order(), ["charlie", "alpha", "bravo"], "first click: most traffic first");
      assert(
        page.url().endsWith("/inbounds?sort=traffic_desc"),
        `the sort is in the URL: ${page.url()}`,
      );

      await page.click('#inbounds-table thead a:text-is("Total")');
      await page.waitForSelector('#inbounds-table[data-sort="traffic_asc"]');
      assertEquals(await order(), ["bravo", "alpha", "charlie"], "second click: reversed");
      assert(page.url().endsWith("/inbounds?sort=traffic_asc"));

      // Real bytes through bravo: the poller counts them, the table refreshes itself.
      const cell = '#inbounds-table tr[data-tag="bravo"] td:nth-child(7)';
      assertEquals(await page.textContent(cell), "1.00 GB");
      const client = await panel.client("bravo", "surfer");
      const { status } = await fetchViaProxy(
        client.proxyPort,
        `${payload.url}/bytes/${64 * 1024 * 1024}`,
      );
      assertEquals(status, 200);
      // The first poll after the download may have counted only part of it: wait for the
      // refresh that shows all 64 MiB (1 GB + 64 MiB = 1.06 GB), not just any change.
      await waitFor(
        "the Downlink cell to show all 64 MiB",
        async () => (await page.textContent(cell)) === "1.06 GB",
      );
      assertEquals(
        await page.evaluate(() => (window as unknown as { marker: number }).marker),
        42,
        "no reload happened",
      );
      assertEquals(await order(), ["bravo", "alpha", "charlie"], "the refresh kept the sort");
    } finally {
      await browser.close();
      await server.shutdown();
      await panel.close();
      await payload.stop();
    }
  },
});
