// deno-lint-ignore-file no-explicit-any
/**
 * Persian, Russian and Chinese in a real browser (chromium, its language set to fa-IR,
 * ru-RU or zh-CN) at 390×844 and 1366×900: no page is wider than the screen (Russian words
 * are long), the Persian pages are mirrored (`dir=rtl`, the brand and the navigation start
 * at the right, a usage bar fills from the right) and numbers and byte counts in tables
 * still read left to right. Screenshots go to a temporary directory outside the repository
 * (`SINGDECK_I18N_SCREENSHOTS`, else a new one), named `<lang>-<page>-<width>.png`.
 */
import { assertEquals } from "@std/assert";
import type { Page } from "playwright-core";
import {
  browserTestOptions,
  horizontalOverflow,
  launchBrowser,
  newContext,
  screenshot,
  servePanel,
  VIEWPORTS,
  visitPages,
} from "./support/browser.ts";
import { createDemoPanel, DEMO_PAGES, demoSubscriptionPath, LONG_USER } from "./support/demo.ts";

/** Pages with tables of numbers: their byte counts must read left to right. */
const TABLE_PAGES = new Set(["dashboard", "inbounds", "users", "user"]);

/**
 * Byte counts in table cells whose number does not come before its unit on screen: in a
 * byte count like `۲۴٫۸ MB` the first character must be left of the last one.
 */
function reversedNumbers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const g = globalThis as any;
    const out: string[] = [];
    for (const el of g.document.querySelectorAll("td.num bdi")) {
      const text = el.firstChild;
      if (!text || text.nodeType !== 3 || text.textContent.length < 3) continue;
      if (!el.checkVisibility()) continue;
      const rect = (from: number) => {
        const range = g.document.createRange();
        range.setStart(text, from);
        range.setEnd(text, from + 1);
        return range.getBoundingClientRect();
      };
      const first = rect(0);
      const last = rect(text.textContent.length - 1);
      const direction = g.getComputedStyle(el).direction;
      if (direction !== "ltr" || !(first.left < last.left)) {
        out.push(`${text.textContent} (${direction})`);
      }
    }
    return out;
  });
}

/** Where the top bar's brand and first two navigation links are, and the page's direction. */
function layoutFacts(page: Page) {
  return page.evaluate(() => {
    const g = globalThis as any;
    const doc = g.document;
    const box = (el: any) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top };
    };
    const links = [...doc.querySelectorAll("header.topbar nav a")].map(box);
    const brand = doc.querySelector("header.topbar .brand");
    return {
      dir: doc.documentElement.dir,
      lang: doc.documentElement.lang,
      computed: g.getComputedStyle(doc.body).direction,
      width: g.innerWidth,
      brand: brand ? box(brand) : null,
      links,
    };
  });
}

Deno.test({
  ...browserTestOptions(
    "Persian, Russian and Chinese pages fit 390 and 1366 px, Persian mirrored with numbers left to right",
  ),
  async fn() {
    const dir = Deno.env.get("SINGDECK_I18N_SCREENSHOTS") ??
      await Deno.makeTempDir({ prefix: "singdeck-i18n-screenshots-" });
    const panel = await createDemoPanel();
    const pages: Array<[string, string]> = [
      ...DEMO_PAGES,
      ["subscription", `${await demoSubscriptionPath(panel)}?format=html`],
    ];
    const server = servePanel(panel);
    const browser = await launchBrowser();
    const problems: string[] = [];
    const shots: string[] = [];
    try {
      for (
        const [lang, locale] of [["fa", "fa-IR"], ["ru", "ru-RU"], ["zh-CN", "zh-CN"]] as const
      ) {
        for (const viewport of Object.values(VIEWPORTS)) {
          const { context, violations } = await newContext(browser, { viewport, locale });
          const page = await context.newPage();
          const check = async (name: string) => {
            const where = `${lang} ${name} at ${viewport.width} px`;
            const facts = await layoutFacts(page);
            const rtl = lang === "fa";
            if (facts.lang !== lang) problems.push(`${where}: lang="${facts.lang}"`);
            if (facts.dir !== (rtl ? "rtl" : "ltr") || facts.computed !== facts.dir) {
              problems.push(`${where}: dir="${facts.dir}", body direction ${facts.computed}`);
            }
            const overflow = await horizontalOverflow(page);
            if (overflow > 0) problems.push(`${where}: ${overflow} px wider than the screen`);
            // Mirrored: the brand at the right end, the first link right of the second.
            if (rtl && facts.brand) {
              if (facts.brand.left < facts.width / 2) {
                problems.push(`${where}: the brand is not at the right`);
              }
              const [first, second] = facts.links;
              if (first && second && first.top === second.top && !(first.left > second.left)) {
                problems.push(`${where}: the navigation does not start at the right`);
              }
            }
            if (TABLE_PAGES.has(name)) {
              for (const text of await reversedNumbers(page)) {
                problems.push(`${where}: "${text}" does not read left to right`);
              }
            }
            shots.push(await screenshot(page, `${lang}-${name}-${viewport.width}`, dir));
          };
          for (const wrong of await visitPages(page, server.url, pages, check)) {
            problems.push(`${lang} ${wrong}`);
          }
          if (lang === "fa") {
            // A usage bar fills from the right: its fill's right edge is the bar's right edge.
            await page.goto(`${server.url}/users/${LONG_USER}`);
            const bar = await page.evaluate(() => {
              const g = globalThis as any;
              const svg = g.document.querySelector("#user-live svg.bar");
              const fill = svg.querySelector(".fill").getBoundingClientRect();
              const all = svg.getBoundingClientRect();
              return { fill: fill.right, bar: all.right, fillLeft: fill.left, barLeft: all.left };
            });
            if (Math.abs(bar.fill - bar.bar) > 1 || bar.fillLeft - bar.barLeft < 1) {
              problems.push(`fa usage bar at ${viewport.width} px does not fill from the right`);
            }
          }
          for (const v of violations) problems.push(`${lang} ${viewport.width}: CSP: ${v}`);
          await context.close();
        }
      }
      console.log(`Screenshots (${shots.length}) in ${dir}`);
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await server.close();
      await panel.close();
    }
  },
});
