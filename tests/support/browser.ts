// deno-lint-ignore-file no-explicit-any
/**
 * Real-browser tests: Debian's chromium driven by playwright-core against a panel served
 * on a free loopback port. Screenshots go to `test-artifacts/screenshots/` (git-ignored,
 * kept as CI artifacts). Without chromium the tests are ignored with the reason, except
 * under `CI=true`, where they fail.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { TEST_PASSWORD, type TestPanel } from "./app.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOT_DIR = new URL("../../test-artifacts/screenshots/", import.meta.url)
  .pathname;

/** The two screens every page must fit: a phone and a laptop. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 900 },
} as const;

function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

let warned = false;

/** Test options: ignored (with the reason) without chromium, unless under CI. */
export function browserTestOptions(name: string): { name: string; ignore: boolean } {
  const missing = !hasChromium();
  const ci = Deno.env.get("CI") === "true";
  if (missing && !ci && !warned) {
    warned = true;
    console.warn(`Ignoring browser tests: ${CHROMIUM} not found (apt-get install chromium)`);
  }
  return { name, ignore: missing && !ci };
}

/** Starts headless chromium; throws a clear error without it (under CI). */
export function launchBrowser(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(`The browser tests need ${CHROMIUM} (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Serves a test panel's app on a free loopback port. */
export function servePanel(panel: Pick<TestPanel, "app">) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, panel.app.fetch);
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/**
 * A browser context that records every Content-Security-Policy violation the pages report
 * (the `securitypolicyviolation` event, and chromium's console message) into `violations`.
 */
export async function newContext(
  browser: Browser,
  options: {
    viewport: { width: number; height: number };
    colorScheme?: "light" | "dark";
    /** The browser's language (its Accept-Language), e.g. "fa-IR". */
    locale?: string;
  },
): Promise<{ context: BrowserContext; violations: string[] }> {
  const context = await browser.newContext({
    viewport: options.viewport,
    colorScheme: options.colorScheme ?? "light",
    locale: options.locale,
  });
  const violations: string[] = [];
  await context.exposeBinding("__reportCsp", (_source, text: string) => void violations.push(text));
  await context.addInitScript(() => {
    const g = globalThis as any;
    g.document.addEventListener("securitypolicyviolation", (e: any) => {
      const on = e.target?.outerHTML?.slice(0, 120) ?? "";
      const blocked = e.blockedURI || "inline";
      g.__reportCsp(
        `${e.violatedDirective} blocked ${blocked} at ${e.sourceFile}:${e.lineNumber} on ${on}`,
      );
    });
  });
  context.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return { context, violations };
}

/**
 * Serves `panel`, opens chromium at `viewport`, logs in and runs `fn` with the page, the
 * panel's URL and the CSP violations seen; closes browser, server and panel afterwards.
 */
export async function withBrowserPage(
  panel: TestPanel,
  viewport: { width: number; height: number },
  fn: (page: Page, url: string, violations: string[]) => Promise<void>,
): Promise<void> {
  const server = servePanel(panel);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const { context, violations } = await newContext(browser, { viewport });
    const page = await context.newPage();
    await logIn(page, server.url);
    await fn(page, server.url, violations);
    await context.close();
  } finally {
    await browser?.close();
    await server.close();
    await panel.close();
  }
}

/** Logs in through the login form. */
export async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${url}/`);
}

/**
 * Opens the login page, logs in, then opens each of `pages` ([name, path]) in turn; `check`
 * gets each page once loaded, the login page as "login". Returns a line per page that
 * answered another status than expected (404 for "not-found", 200 for the others).
 */
export async function visitPages(
  page: Page,
  url: string,
  pages: ReadonlyArray<readonly [string, string]>,
  check: (name: string) => Promise<void>,
): Promise<string[]> {
  const wrong: string[] = [];
  await page.goto(`${url}/login`);
  await check("login");
  await logIn(page, url);
  for (const [name, path] of pages) {
    const res = await page.goto(`${url}${path}`);
    const expected = name === "not-found" ? 404 : 200;
    if (res?.status() !== expected) wrong.push(`${path} answered ${res?.status()}`);
    await page.waitForLoadState("load");
    await check(name);
  }
  return wrong;
}

/**
 * Saves a full-page screenshot under `test-artifacts/screenshots/` (or `dir`); its path.
 * A capture takes well under a second here, but in one CI run headless chromium failed
 * one after "fonts loaded" (the output kept only Playwright's call log, most likely its
 * 30 s timeout). Screenshots are for people to look at, no test asserts on them: a capture
 * that fails, or takes over 15 s, is taken once more, saying why; a second failure fails
 * the test.
 */
export async function screenshot(page: Page, name: string, dir = SCREENSHOT_DIR): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir.replace(/\/?$/, "/")}${name}.png`;
  // caret "initial": hiding the caret would give inputs a style attribute behind the page's back.
  const capture = (timeout: number) =>
    page.screenshot({ path, fullPage: true, caret: "initial", timeout });
  try {
    await capture(15_000);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    console.warn(`Screenshot "${name}" failed (${why}); taking it once more`);
    await capture(30_000);
  }
  return path;
}

/** How much wider than the viewport the page is (0: it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const g = globalThis as any;
    const doc = g.document;
    return Math.max(doc.documentElement.scrollWidth, doc.body.scrollWidth) - g.innerWidth;
  });
}

/**
 * Visible text whose colour contrasts with its background less than WCAG AA asks (4.5:1,
 * 3:1 for large text), each as "ratio: text". Disabled controls are exempt, as in WCAG.
 */
export function lowContrastText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const g = globalThis as any;
    const parse = (color: string): number[] | null => {
      const m = color.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (el: any): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(g.getComputedStyle(e).backgroundColor);
        if (bg && bg[3] > 0.5) return bg;
      }
      return [255, 255, 255, 1];
    };
    const failures: string[] = [];
    const walker = g.document.createTreeWalker(g.document.body, 4 /* NodeFilter.SHOW_TEXT */);
    const seen = new Set<any>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !node.textContent?.trim()) continue;
      seen.add(el);
      if (el.closest("[disabled], :disabled, .skip-link, #toast, noscript, option")) continue;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const style = g.getComputedStyle(el);
      const fg = parse(style.color);
      if (!fg) continue;
      const bg = background(el);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        failures.push(`${ratio.toFixed(2)}: ${node.textContent.trim().slice(0, 40)}`);
      }
    }
    return failures;
  });
}
