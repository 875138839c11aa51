/**
 * Every page in a real browser (chromium) at 390×844 and 1366×900, light and dark, with a
 * 47-character user name and a user on six inbounds: no page is wider than the screen,
 * the Users table shows all its columns at 1366 px without scrolling, the
 * Content-Security-Policy reports no violation, and text meets WCAG AA contrast.
 * Screenshots land in test-artifacts/screenshots/ (`<page>-<width>-<scheme>.png`).
 */
import { assertEquals } from "@std/assert";
import {
  browserTestOptions,
  horizontalOverflow,
  launchBrowser,
  lowContrastText,
  newContext,
  screenshot,
  servePanel,
  VIEWPORTS,
  visitPages,
} from "./support/browser.ts";
import { createDemoPanel, DEMO_PAGES, demoSubscriptionPath } from "./support/demo.ts";

const PAGES = DEMO_PAGES;

Deno.test({
  ...browserTestOptions(
    "every page fits 390 and 1366 px wide, light and dark, with no CSP violation and AA contrast",
  ),
  async fn() {
    const panel = await createDemoPanel();
    // The users' own subscription pages (no login): one with six servers, one limited.
    // (Before the last page, the 404, whose navigation is checked after the loop.)
    const pages: Array<[string, string]> = [
      ...PAGES.slice(0, -1),
      ["subscription", `${await demoSubscriptionPath(panel)}?format=html`],
      ["subscription-limited", `${await demoSubscriptionPath(panel, "user-01")}?format=html`],
      ...PAGES.slice(-1),
    ];
    const server = servePanel(panel);
    const browser = await launchBrowser();
    const problems: string[] = [];
    try {
      for (const [size, viewport] of Object.entries(VIEWPORTS)) {
        for (const colorScheme of ["light", "dark"] as const) {
          const { context, violations } = await newContext(browser, { viewport, colorScheme });
          const page = await context.newPage();
          const check = async (name: string) => {
            const where = `${name} at ${viewport.width} px, ${colorScheme}`;
            const overflow = await horizontalOverflow(page);
            if (overflow > 0) problems.push(`${where}: ${overflow} px wider than the screen`);
            for (const text of await lowContrastText(page)) {
              problems.push(`${where}: low contrast ${text}`);
            }
            await screenshot(page, `${name}-${viewport.width}-${colorScheme}`);
            if (name === "users" && size === "desktop") {
              // All nine columns in view at 1366 px, the long name and the six inbounds
              // included: the table does not scroll inside its frame.
              const hidden = await page.locator("#users-list .table-wrap")
                .evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
              if (hidden > 0) problems.push(`users at 1366 px: ${hidden} px of the table scroll`);
            }
          };
          problems.push(...await visitPages(page, server.url, pages, check));
          // The 404 page keeps the navigation.
          assertEquals(await page.locator("header.topbar nav a").count(), 5);
          for (const v of violations) problems.push(`${size} ${colorScheme}: CSP: ${v}`);
          await context.close();
        }
      }
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await server.close();
      await panel.close();
    }
  },
});
