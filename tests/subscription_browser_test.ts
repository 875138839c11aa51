// deno-lint-ignore-file no-explicit-any
/**
 * Subscriptions in a real browser (Debian's chromium via playwright-core): the QR code on
 * a user's admin page, screenshotted and decoded by Debian's `zbarimg` (zbar-tools), is
 * the subscription URL; the copy button puts it on the clipboard; the user's own page
 * (`/sub/{token}` opened in the browser) shows usage and the one-tap import buttons, and
 * its QR code decodes to the same URL.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { chromium, type Page } from "playwright-core";
import { createTestPanel, TEST_PASSWORD } from "./support/app.ts";
import { insertInboundRow, setUserTraffic } from "./support/rows.ts";

const CHROMIUM = "/usr/bin/chromium";
const ZBARIMG = "/usr/bin/zbarimg";

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const missing = [
  !exists(CHROMIUM) && `${CHROMIUM} (apt-get install chromium)`,
  !exists(ZBARIMG) && `${ZBARIMG} (apt-get install zbar-tools)`,
].filter(Boolean).join(" and ");
const ci = Deno.env.get("CI") === "true";
if (missing && !ci) console.warn(`Ignoring the subscription browser test: ${missing} not found`);

/** Screenshots `selector` and returns what zbarimg decodes from it. */
async function decodeQr(page: Page, selector: string, dir: string): Promise<string> {
  const file = `${dir}/qr-${crypto.randomUUID()}.png`;
  await page.locator(selector).screenshot({ path: file });
  const out = await new Deno.Command(ZBARIMG, {
    args: ["--raw", "-q", file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assertEquals(out.code, 0, `zbarimg found no QR code: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

Deno.test({
  name:
    "The user page's QR code decodes to the subscription URL; the user's own page shows usage and import buttons",
  ignore: missing !== "" && !ci,
  async fn() {
    if (missing) throw new Error(`The subscription browser test needs ${missing}`);
    const panel = await createTestPanel();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, panel.app.fetch);
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    try {
      await insertInboundRow(panel.db, { tag: "vless-main", listen: "127.0.0.1", port: 23001 });
      await panel.api("POST", "/api/v1/users", {
        name: "zoe",
        inbounds: ["vless-main"],
        trafficLimit: 10 * 1024 ** 3,
      });
      await setUserTraffic(panel.db, "zoe", 512 * 1024 ** 2, 1024 ** 3);

      const context = await browser.newContext({ viewport: { width: 1200, height: 1600 } });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${origin}/login`);
      await page.fill('input[name="password"]', TEST_PASSWORD);
      await page.click('button[type="submit"]');
      await page.waitForURL(`${origin}/`);

      await page.goto(`${origin}/users/zoe`);
      const url = (await page.textContent("#subscription-url"))!.trim();
      assertMatch(url, new RegExp(`^${origin}/sub/[A-Za-z0-9_-]{43}$`));
      assertEquals(await decodeQr(page, "#subscription-qr", panel.dataDir), url);

      await page.click('#connect button[data-copy]:text-is("Copy URL")');
      await page.waitForSelector('#connect button[data-copy]:text-is("Copied")');
      assertEquals(
        await page.evaluate(() => (globalThis as any).navigator.clipboard.readText()),
        url,
      );

      // A share link's QR code loads when its block is opened, and decodes to the link.
      await page.click('details[data-tag="vless-main"] summary');
      const link = (await page.textContent('details[data-tag="vless-main"] .link-text'))!.trim();
      assertMatch(link, /^vless:\/\//);
      // (A function, not a string: the panel's CSP forbids evaluating strings.)
      await page.waitForFunction(() => {
        const img = (globalThis as any).document.querySelector(
          'details[data-tag="vless-main"] img.qr',
        );
        return img !== null && img.complete && img.naturalWidth > 0;
      });
      assertEquals(
        await decodeQr(page, 'details[data-tag="vless-main"] img.qr', panel.dataDir),
        link,
      );

      // The user's own page, in a fresh browser context: no login.
      const visitor = await (await browser.newContext()).newPage();
      await visitor.goto(url);
      assertEquals(await visitor.textContent("#sub-download"), "1.00 GB");
      assertEquals(await visitor.textContent("#sub-upload"), "512 MB");
      const usage = await visitor.getAttribute('[role="progressbar"]', "aria-valuenow");
      assertEquals(usage, "15");
      const imports = await visitor.$$eval(
        "#sub-import .import-buttons a",
        (links) => links.map((a) => a.getAttribute("href") ?? ""),
      );
      assertEquals(imports.length, 4);
      assert(
        imports[0].startsWith(`sing-box://import-remote-profile?url=${encodeURIComponent(url)}`),
      );
      assert(imports[1].startsWith(`hiddify://import/${url}`));
      assert(imports[2].startsWith(`v2rayng://install-config?url=${encodeURIComponent(url)}`));
      assert(imports[3].startsWith("clash://install-config?url="));
      assertEquals(await decodeQr(visitor, "#sub-url-qr", panel.dataDir), url);
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await panel.close();
    }
  },
});
