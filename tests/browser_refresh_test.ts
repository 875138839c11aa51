// deno-lint-ignore-file no-explicit-any
/**
 * The self-refresh in a real browser: the Users table, a user's page and the dashboard
 * refresh every second (morphed, not replaced) while the operator works in them. Keyboard
 * focus, a text selection, an open inbound list and a checked box survive two refresh
 * cycles, and what changed in the database does show.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import type { Page } from "playwright-core";
import { browserTestOptions, screenshot, VIEWPORTS, withBrowserPage } from "./support/browser.ts";
import { createDemoPanel, LONG_USER } from "./support/demo.ts";
import { waitFor } from "./support/wait.ts";
import type { TestPanel } from "./support/app.ts";

/** Resolves after `n` more self-refresh responses for `path` have been swapped in. */
function refreshes(page: Page, path: RegExp, n: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const onResponse = async (response: import("playwright-core").Response) => {
      const request = response.request();
      if (!path.test(new URL(request.url()).pathname + new URL(request.url()).search)) return;
      if ((await request.headerValue("hx-request")) !== "true") return;
      if (++seen === n) {
        page.off("response", onResponse);
        // Let htmx swap and settle the last one.
        await page.waitForTimeout(300);
        resolve();
      }
    };
    page.on("response", onResponse);
  });
}

async function userId(panel: TestPanel, name: string): Promise<number> {
  const row = await panel.db.selectFrom("users").select("id").where("name", "=", name)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Selects the whole text of the first text node under `selector`; returns it. */
function selectText(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => {
    const g = globalThis as any;
    const el = g.document.querySelector(sel);
    const walker = g.document.createTreeWalker(el, 4);
    const text = walker.nextNode();
    const range = g.document.createRange();
    range.selectNodeContents(text);
    g.getSelection().removeAllRanges();
    g.getSelection().addRange(range);
    return g.getSelection().toString();
  }, selector);
}

function selection(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as any).getSelection().toString());
}

/** Marks the focused element with a property only this very node carries. */
function markFocused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    el.__marker = "kept";
    return el.textContent.trim();
  });
}

function focusedMarker(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as any).document.activeElement?.__marker ?? null);
}

Deno.test({
  ...browserTestOptions(
    "the self-refresh keeps focus, selection, open lists and checked boxes over two cycles",
  ),
  async fn() {
    const panel = await createDemoPanel({ env: { SINGDECK_TABLE_REFRESH: "1" } });
    await withBrowserPage(panel, VIEWPORTS.desktop, async (page, url, violations) => {
      // --- Users table
      await page.goto(`${url}/users`);
      const long = await userId(panel, LONG_USER);
      const u2 = await userId(panel, "user-02");
      const u3 = await userId(panel, "user-03");
      const u4 = await userId(panel, "user-04");
      const u5 = await userId(panel, "user-05");
      await page.focus(`#user-row-${u2} a.truncate`);
      assertEquals(await markFocused(page), "user-02");
      await page.click(`#user-row-${long} details.popover summary`);
      await page.check(`#select-${u5}`);
      await page.focus(`#user-row-${u2} a.truncate`);
      const created = `#user-row-${u3} td:nth-last-child(2)`;
      const selected = await selectText(page, created);
      assert(/^\d{4}-\d\d-\d\d$/.test(selected), selected);

      const uplink = `#user-row-${u4} td:nth-child(5)`;
      const before = await page.textContent(uplink);
      await refreshes(page, /^\/users$/, 1);
      await panel.db.updateTable("user_traffic").set({ uplink: 5 * 1024 ** 3 })
        .where("user_id", "=", u4).execute();
      await refreshes(page, /^\/users$/, 1);
      assertEquals(await page.textContent(uplink), "5.00 GB", `was ${before}`);
      assertEquals(await focusedMarker(page), "kept", "the focused link is the same node");
      assertEquals(await selection(page), selected, "the selection survived");
      assertEquals(
        await page.getAttribute(`#user-row-${long} details.popover`, "open"),
        "",
        "the inbound list stays open",
      );
      assert(await page.isChecked(`#select-${u5}`), "the checked box stays checked");
      assertEquals(await page.textContent("#bulk-selected"), "1");
      await screenshot(page, "refresh-users-1366-light");

      // --- One user's page: the live part refreshes, the selection in it survives.
      await page.goto(`${url}/users/${LONG_USER}`);
      await page.focus('#user-form a[href$="/users/' + LONG_USER + '"]');
      await markFocused(page);
      const value = await selectText(page, "#user-uplink bdi");
      await refreshes(page, new RegExp(`^/users/${LONG_USER}\\?fragment=live$`), 1);
      await panel.db.updateTable("user_traffic").set({ downlink: 7 * 1024 ** 3 })
        .where("user_id", "=", long).execute();
      await refreshes(page, new RegExp(`^/users/${LONG_USER}\\?fragment=live$`), 1);
      assertEquals(await page.textContent("#user-downlink"), "7.00 GB");
      assertEquals(await selection(page), value);
      assertEquals(await focusedMarker(page), "kept");

      // --- Dashboard: focus on a link inside the refreshed part, a selection in a cell.
      await page.goto(`${url}/`);
      await page.focus('#dashboard-status a[href="/core/config"]');
      await markFocused(page);
      const logLine = await selectText(page, "#core-version");
      assertEquals(logLine, "1.14.1");
      await refreshes(page, /^\/\?fragment=status$/, 2);
      assertEquals(await focusedMarker(page), "kept");
      assertEquals(await selection(page), logLine);
      assertMatch((await page.textContent("#last-poll")) ?? "", /\((11|12|13) s ago\)/);
      assertEquals(violations, []);
    });
  },
});

Deno.test({
  ...browserTestOptions("the self-refresh pauses while the tab is hidden"),
  async fn() {
    const panel = await createDemoPanel({ env: { SINGDECK_TABLE_REFRESH: "1" } });
    await withBrowserPage(panel, VIEWPORTS.desktop, async (page, url) => {
      await page.goto(`${url}/users`);
      let count = 0;
      page.on("request", (r) => {
        if (new URL(r.url()).pathname === "/users") count++;
      });
      // What a hidden tab reports; the refresh loop asks on every tick.
      await page.evaluate(() => {
        Object.defineProperty((globalThis as any).document, "visibilityState", {
          get: () => "hidden",
          configurable: true,
        });
      });
      await page.waitForTimeout(3000);
      assertEquals(count, 0, "no refresh while hidden");
      await page.evaluate(() => {
        const doc = (globalThis as any).document;
        Object.defineProperty(doc, "visibilityState", { get: () => "visible", configurable: true });
        doc.dispatchEvent(new (globalThis as any).Event("visibilitychange"));
      });
      await waitFor("a refresh once visible again", () => Promise.resolve(count > 0), 3000);
    });
  },
});
