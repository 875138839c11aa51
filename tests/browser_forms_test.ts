// deno-lint-ignore-file no-explicit-any
/**
 * Forms and tools in a real browser (chromium): the inbound form shows only the chosen
 * type's and security's fields and creates with its suggested defaults; the user form's
 * "all" box, expiry shortcuts and hint; bulk actions change exactly the selected users;
 * and a violation of the Content-Security-Policy is caught (so the other tests' "none"
 * means something).
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import type { Page } from "playwright-core";
import { browserTestOptions, screenshot, VIEWPORTS, withBrowserPage } from "./support/browser.ts";
import { createTestPanel, type TestPanel } from "./support/app.ts";
import { insertInboundRow, insertUserRows } from "./support/rows.ts";
import { findInboundByTag } from "../db/inbounds.ts";
import { demoServices } from "./support/demo.ts";

/** A panel with a running (stand-in) core, in chromium at phone size. */
async function withBrowserPanel(
  fn: (page: Page, url: string, panel: TestPanel, violations: string[]) => Promise<void>,
) {
  const panel = await createTestPanel({ services: demoServices() });
  await withBrowserPage(
    panel,
    VIEWPORTS.phone,
    (page, url, violations) => fn(page, url, panel, violations),
  );
}

/** The ids of the visible fieldsets and fields that matter for the security choice. */
function visibleParts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (globalThis as any).document;
    const ids = [
      "field-security",
      "tls-fields",
      "field-tls-serverName",
      "field-tls-certificatePath",
      "reality-fields",
      "field-method",
    ];
    return ids.filter((id) => {
      const el = doc.getElementById(id);
      return el !== null && el.checkVisibility();
    });
  });
}

Deno.test({
  ...browserTestOptions("the inbound form shows only the chosen type's and security's fields"),
  fn: () =>
    withBrowserPanel(async (page, url, panel, violations) => {
      await page.goto(`${url}/inbounds/new`);
      // Prefilled, not placeholders: every address, a free port, a tag from both.
      const port = await page.inputValue("#field-port");
      assertMatch(port, /^\d{5}$/);
      assertEquals(await page.inputValue("#field-tag"), `vless-${port}`);
      assertEquals(await page.inputValue("#field-listen"), "::");
      assertEquals(await page.inputValue("#field-reality-handshakeServer"), "www.microsoft.com");
      assertEquals(await visibleParts(page), ["field-security", "reality-fields"]);
      await screenshot(page, "inbound-form-reality-390-light");

      await page.selectOption("#field-security", "tls");
      assertEquals(await visibleParts(page), [
        "field-security",
        "tls-fields",
        "field-tls-serverName",
      ]);
      await page.selectOption("#field-tls-mode", "files");
      assertEquals(await visibleParts(page), [
        "field-security",
        "tls-fields",
        "field-tls-serverName",
        "field-tls-certificatePath",
      ]);
      await screenshot(page, "inbound-form-tls-files-390-light");
      await page.selectOption("#field-security", "none");
      assertEquals(await visibleParts(page), ["field-security"]);

      // Another type swaps its own fields in; the suggested tag follows the type.
      await page.selectOption("#field-type", "trojan");
      await page.waitForSelector("#tls-fields:not([hidden])");
      assertEquals(await page.inputValue("#field-tag"), `trojan-${port}`);
      assertEquals(await visibleParts(page), ["tls-fields", "field-tls-serverName"]);
      await page.selectOption("#field-type", "shadowsocks");
      await page.waitForSelector("#field-method");
      assertEquals(await visibleParts(page), ["field-method"]);
      await page.selectOption("#field-type", "mixed");
      await page.waitForFunction(() =>
        !(globalThis as any).document.getElementById("field-method")
      );
      assertEquals(await visibleParts(page), []);

      // Back to vless with Reality: the defaults as suggested make a working inbound.
      await page.selectOption("#field-type", "vless");
      await page.waitForSelector("#reality-fields:not([hidden])");
      assertEquals(await page.inputValue("#field-tag"), `vless-${port}`);
      await page.click('#inbound-form button[type="submit"]');
      await page.waitForURL(`${url}/inbounds/vless-${port}/edit?saved=created`);
      const inbound = await findInboundByTag(panel.db, `vless-${port}`);
      assert(inbound, "created");
      assertEquals(inbound.listen, "::");
      assertEquals(inbound.settings.reality?.handshakeServer, "www.microsoft.com");
      assertEquals(inbound.settings.tls, undefined, "hidden TLS fields were not sent");

      // A rejected form names every field in error at the top.
      await page.goto(`${url}/inbounds/new`);
      await page.fill("#field-tag", "bad tag!");
      await page.fill("#field-port", "99999");
      await page.fill("#field-reality-handshakeServer", "");
      await page.click('#inbound-form button[type="submit"]');
      await page.waitForSelector(".error-summary");
      const summary = await page.textContent(".error-summary ul");
      for (const field of ["Tag", "Port", "Handshake server"]) {
        assert(summary?.includes(field), `${field} in ${summary}`);
      }
      await screenshot(page, "inbound-form-errors-390-light");
      assertEquals(violations, []);
    }),
});

Deno.test({
  ...browserTestOptions("the user form: all inbounds by default, expiry shortcuts with a hint"),
  fn: () =>
    withBrowserPanel(async (page, url, panel, violations) => {
      await insertInboundRow(panel.db, { tag: "in-a" });
      await insertInboundRow(panel.db, { tag: "in-b" });
      await insertInboundRow(panel.db, { tag: "in-off", enabled: 0 });
      await page.goto(`${url}/users/new`);
      const boxes = () =>
        page.$$eval(
          'input[name="inbounds"]',
          (els) => els.map((e: any) => `${e.value}:${e.checked ? 1 : 0}`),
        );
      assertEquals(await boxes(), ["in-a:1", "in-b:1", "in-off:0"]);
      assertEquals(
        await page.$eval("#field-inbounds-all", (e: any) => e.indeterminate),
        true,
      );
      await page.check("#field-inbounds-all");
      assertEquals(await boxes(), ["in-a:1", "in-b:1", "in-off:1"]);
      await page.uncheck("#field-inbounds-all");
      assertEquals(await boxes(), ["in-a:0", "in-b:0", "in-off:0"]);
      await page.check('input[name="inbounds"][value="in-b"]');

      await page.click('button[data-expiry-days="30"]');
      const date = await page.inputValue("#field-expiresAt");
      const expected = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      assertEquals(date, expected);
      await page.waitForFunction(() =>
        /in (29|30) days/.test(
          (globalThis as any).document.getElementById("expiry-hint").textContent,
        )
      );
      await page.click('button[data-expiry-days="7"]');
      const later = new Date(Date.parse(`${expected}T00:00:00Z`) + 7 * 86_400_000);
      assertEquals(await page.inputValue("#field-expiresAt"), later.toISOString().slice(0, 10));
      await page.click('button[data-expiry-days=""]');
      assertEquals(await page.inputValue("#field-expiresAt"), "");
      await page.waitForFunction(() =>
        (globalThis as any).document.getElementById("expiry-hint").textContent === "never expires"
      );
      await page.click('button[data-expiry-days="90"]');

      await page.fill("#field-name", "zoe");
      await page.fill("#field-trafficLimit", "750");
      await page.selectOption('select[name="trafficLimitUnit"]', "MB");
      await page.click('#user-form button[type="submit"]');
      await page.waitForURL(`${url}/users/zoe?done=created`);
      const row = await panel.db.selectFrom("users").selectAll().where("name", "=", "zoe")
        .executeTakeFirstOrThrow();
      assertEquals(row.traffic_limit, 750 * 1024 ** 2);
      assert(row.expires_at! > Date.now() + 89 * 86_400_000);
      // Shown back in its unit.
      assertEquals(await page.inputValue("#field-trafficLimit"), "750");
      assertEquals(await page.inputValue('select[name="trafficLimitUnit"]'), "MB");
      assertEquals(violations, []);
    }),
});

Deno.test({
  ...browserTestOptions("bulk actions on the Users page change exactly the selected users"),
  fn: () =>
    withBrowserPanel(async (page, url, panel, violations) => {
      await insertInboundRow(panel.db, { tag: "main" });
      const names = ["amy", "ben", "cat", "dan", "eve", "fay", "gus"];
      const ids = await insertUserRows(panel.db, names.map((name) => ({ name })));
      const id = (name: string) => ids[names.indexOf(name)];
      const state = async () =>
        (await panel.db.selectFrom("users").select(["name", "enabled", "traffic_limit"])
          .orderBy("name").execute()).map((u) => `${u.name}:${u.enabled}`);

      await page.goto(`${url}/users`);
      for (const name of ["ben", "dan", "fay"]) await page.check(`#select-${id(name)}`);
      assertEquals(await page.textContent("#bulk-selected"), "3");
      await page.selectOption("#bulk-action", "disable");
      await page.click('#bulk-form button[type="submit"]');
      await page.waitForSelector("#bulk-done");
      assertEquals(await page.textContent("#bulk-done"), "3 users disabled.");
      assertEquals(await state(), [
        "amy:1",
        "ben:0",
        "cat:1",
        "dan:0",
        "eve:1",
        "fay:0",
        "gus:1",
      ]);
      // The list shows it, with the boxes cleared.
      assertEquals(await page.textContent("#bulk-selected"), "0");
      assertEquals(
        await page.textContent(`#user-row-${id("dan")} .badge`),
        "disabled",
      );
      await screenshot(page, "bulk-done-390-light");

      // Delete asks first, with the exact count, then deletes only those.
      for (const name of ["amy", "gus"]) await page.check(`#select-${id(name)}`);
      await page.selectOption("#bulk-action", "delete");
      await page.click('#bulk-form button[type="submit"]');
      await page.waitForSelector("#bulk-confirm");
      assertMatch((await page.textContent("#bulk-confirm"))!, /Delete 2 users with their traffic/);
      assertEquals((await state()).length, 7, "asking deleted nothing");
      await screenshot(page, "bulk-confirm-390-light");
      await page.click('#bulk-confirm button[name="confirm"]');
      await page.waitForSelector("#bulk-done");
      assertEquals(await state(), ["ben:0", "cat:1", "dan:0", "eve:1", "fay:0"]);

      // Every user matching the filter: the status chip, then "every matching user".
      await page.click('a.chip[data-status="disabled"]');
      await page.waitForSelector('a.chip[data-status="disabled"][aria-current="true"]');
      await page.selectOption("#bulk-scope", "filter");
      await page.selectOption("#bulk-action", "enable");
      await page.click('#bulk-form button[type="submit"]');
      await page.waitForSelector("#bulk-done");
      assertEquals(await page.textContent("#bulk-done"), "3 users enabled.");
      assertEquals(await state(), ["ben:1", "cat:1", "dan:1", "eve:1", "fay:1"]);

      // The search box filters the list as one types, keeping the status filter.
      await page.click('a.chip[data-status="all"]');
      await page.waitForSelector('a.chip[data-status="all"][aria-current="true"]');
      await page.fill("#users-search", "ca");
      await page.waitForFunction(() =>
        (globalThis as any).document.querySelectorAll("#users-table tbody tr[data-name]").length ===
          1
      );
      assertEquals(await page.getAttribute("#users-table tbody tr[data-name]", "data-name"), "cat");
      assert(page.url().includes("search=ca"), page.url());

      // Adding quota shows its own fields only.
      await page.selectOption("#bulk-scope", "selected");
      await page.selectOption("#bulk-action", "addQuota");
      assert(await page.isVisible("#bulk-amount"));
      assert(!(await page.isVisible('#bulk-form input[name="days"]')));
      assertEquals(violations, []);
    }),
});

Deno.test({
  ...browserTestOptions("an inline style or script on a page is reported as a CSP violation"),
  fn: () =>
    withBrowserPanel(async (page, url, _panel, violations) => {
      await page.goto(`${url}/settings`);
      assertEquals(violations, []);
      await page.evaluate(() => {
        const doc = (globalThis as any).document;
        doc.body.insertAdjacentHTML("beforeend", '<div style="color: red">inline</div>');
        const script = doc.createElement("script");
        script.textContent = "1 + 1";
        doc.body.append(script);
      });
      await page.waitForTimeout(300);
      assert(violations.some((v) => /style-src/.test(v)), violations.join("\n"));
      assert(violations.some((v) => /script-src/.test(v)), violations.join("\n"));
    }),
});

Deno.test({
  ...browserTestOptions("the log filters swap the lines in place; oldest first follows the end"),
  fn: () =>
    withBrowserPanel(async (page, url, _panel, violations) => {
      await page.goto(`${url}/logs`);
      assertMatch((await page.textContent("#logs-count"))!, /37 lines, newest first/);
      await page.selectOption('select[name="level"]', "warn");
      await page.waitForFunction(() =>
        /3 of 37 lines match/.test(
          (globalThis as any).document.getElementById("logs-count").textContent,
        )
      );
      assert(page.url().endsWith("/logs?level=warn&q=&order=newest"), page.url());
      await page.fill('input[name="q"]', "timeout");
      await page.waitForSelector("#logs mark");
      assertEquals(await page.textContent("#logs mark"), "timeout");
      await page.goto(`${url}/logs?order=oldest`);
      const atEnd = await page.$eval(
        "#logs",
        (pre: any) =>
          pre.scrollHeight > pre.clientHeight &&
          pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8,
      );
      assert(atEnd, "the log starts scrolled to its last line");
      assertEquals(violations, []);
    }),
});

Deno.test({
  ...browserTestOptions("a new API token is shown once with a copy button that copies it"),
  fn: () =>
    withBrowserPanel(async (page, url, _panel, violations) => {
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
        origin: url,
      });
      await page.goto(`${url}/settings`);
      await page.fill("#field-name", "ci");
      await page.click('#tokens button[type="submit"]');
      await page.waitForSelector("#new-token");
      const token = (await page.textContent("#new-token"))!.trim();
      await page.click("#tokens button.copy");
      await page.waitForFunction(() =>
        (globalThis as any).document.querySelector("#tokens button.copy").textContent === "Copied"
      );
      assertEquals(
        await page.evaluate(() => (globalThis as any).navigator.clipboard.readText()),
        token,
      );
      assertEquals(violations, []);
    }),
});
