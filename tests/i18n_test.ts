/**
 * The panel's languages over HTTP (in-process, real libSQL files): every catalog has every
 * key of English and no empty message; every page, with its notices and form errors, in
 * Chinese, Russian and Persian has no English left beyond names, data and the words
 * every language keeps (VLESS, TLS, UUID…); the language is the Settings' choice, else the
 * browser's Accept-Language, else English, and survives a restart; an unknown language
 * is refused and changes nothing; the API keeps English.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { createApp } from "../app.tsx";
import { parseConfig } from "../core/config.ts";
import { openDatabase } from "../db/database.ts";
import { en, type Messages } from "../core/i18n/en.ts";
import { CATALOGS, type Locale, LOCALES } from "../core/i18n/locales.ts";
import { idleServices } from "../core/services.ts";
import {
  createTestPanel,
  expectJson,
  loginCookie,
  snapshotDatabase,
  type TestPanel,
  unoccupiedHost,
} from "./support/app.ts";
import {
  createDemoPanel,
  DEMO_TAGS,
  demoSubscriptionPath,
  LONG_TAG,
  LONG_USER,
} from "./support/demo.ts";
import { latinWords, readableText } from "./support/page_text.ts";

// ---------------------------------------------------------------------------------------
// Catalogs

/** Messages that may be empty in a language (the words around a number it does not need). */
const MAY_BE_EMPTY = new Set(["bulk.selectedBefore", "bulk.selectedAfter"]);

/**
 * What a message function gives for sample arguments (numbers, strings); samples of a kind
 * it does not take (it throws) are left out, but one kind at least must do.
 */
function samples(fn: (...args: unknown[]) => unknown): unknown[] {
  const n = Math.max(fn.length, 1);
  const out: unknown[] = [];
  for (const sample of [3, 1, 21, "x"]) {
    try {
      out.push(fn(...Array(n).fill(sample)));
    } catch {
      // a number where a string is needed, or the other way round
    }
  }
  return out.length > 0 ? out : [undefined];
}

/** Every problem of `catalog` against English: missing, extra, mistyped or empty messages. */
function catalogProblems(reference: unknown, catalog: unknown, path = ""): string[] {
  if (reference === null) return catalog === null ? [] : [`${path}: should be null`];
  if (typeof reference === "string") {
    if (typeof catalog !== "string") return [`${path}: not a string`];
    return catalog.trim() === "" && !MAY_BE_EMPTY.has(path) ? [`${path}: empty`] : [];
  }
  if (typeof reference === "function") {
    if (typeof catalog !== "function") return [`${path}: not a function`];
    const out = samples(catalog as (...args: unknown[]) => unknown);
    return out.some((s) => typeof s !== "string" || s.trim() === "")
      ? [`${path}: gives an empty message`]
      : [];
  }
  if (typeof catalog !== "object" || catalog === null) return [`${path}: not an object`];
  const problems: string[] = [];
  const ref = reference as Record<string, unknown>;
  const cat = catalog as Record<string, unknown>;
  for (const key of Object.keys(ref)) {
    const at = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(cat, key)) problems.push(`${at}: missing`);
    else problems.push(...catalogProblems(ref[key], cat[key], at));
  }
  for (const key of Object.keys(cat)) {
    if (!Object.hasOwn(ref, key)) problems.push(`${path ? `${path}.` : ""}${key}: not in English`);
  }
  return problems;
}

Deno.test("every catalog has every key of English and no empty message", () => {
  for (const locale of LOCALES) {
    assertEquals(catalogProblems(en, CATALOGS[locale]), [], locale);
  }
  // The check itself finds a missing key and an empty message.
  const broken = { nav: en.nav, layout: { ...en.layout, mainNav: " ", logOut: "x" } };
  assertEquals(catalogProblems({ nav: en.nav, layout: en.layout, x: "y" }, broken), [
    "layout.mainNav: empty",
    "layout.logOut: not a function",
    "x: missing",
  ]);
});

/**
 * Strings (and sample outputs of functions) that may read the same as English: protocol
 * and product names, units, formats. Anything else identical to English is a message left
 * untranslated.
 */
const SAME_AS_ENGLISH: Record<Exclude<Locale, "en">, string[]> = {
  "zh-CN": [
    "common.utc",
    "units.bytes.B",
    "units.bytes.KB",
    "units.bytes.MB",
    "units.bytes.GB",
    "units.bytes.TB",
    "inboundFields.tls",
    "inboundFields.reality",
    "connect.credentials.uuid",
    "logs.levels.panic",
    "batch.fields.csv",
  ],
  ru: [
    "common.utc",
    "common.paren",
    "common.colon",
    "common.comma",
    "inboundFields.tls",
    "inboundFields.reality",
    "inboundFields.flow",
    "connect.credentials.uuid",
    "logs.levels.panic",
    "batch.fields.csv",
  ],
  fa: [
    "common.utc",
    "common.paren",
    "common.colon",
    "units.bytes.B",
    "units.bytes.KB",
    "units.bytes.MB",
    "units.bytes.GB",
    "units.bytes.TB",
    "inboundFields.tls",
    "inboundFields.reality",
    "inboundFields.flow",
    "connect.credentials.uuid",
    "logs.levels.panic",
    "bulk.selectedBefore",
    "batch.fields.csv",
  ],
};

/** Paths whose message (or sample output) is the same as English. */
function sameAsEnglish(reference: unknown, catalog: unknown, path = ""): string[] {
  if (typeof reference === "string") return reference === catalog ? [path] : [];
  if (typeof reference === "function" && typeof catalog === "function") {
    const a = samples(reference as (...args: unknown[]) => unknown);
    const b = samples(catalog as (...args: unknown[]) => unknown);
    return JSON.stringify(a) === JSON.stringify(b) ? [path] : [];
  }
  if (typeof reference !== "object" || reference === null) return [];
  return Object.entries(reference).flatMap(([key, value]) =>
    sameAsEnglish(value, (catalog as Record<string, unknown>)[key], path ? `${path}.${key}` : key)
  );
}

Deno.test("no catalog leaves an English message untranslated", () => {
  for (const [locale, allowed] of Object.entries(SAME_AS_ENGLISH)) {
    const same = sameAsEnglish(en, CATALOGS[locale as Locale] as Messages);
    assertEquals(same.filter((path) => !allowed.includes(path)), [], locale);
  }
});

// ---------------------------------------------------------------------------------------
// Every page in every language

/**
 * Latin words a page may show in any language: protocol, product and app names, formats,
 * units, log levels, language codes (compared ignoring case).
 */
const ALLOWED_WORDS = new Set(
  [
    "VLESS",
    "VMess",
    "Trojan",
    "Shadowsocks",
    "TUIC",
    "SOCKS",
    "HTTP",
    "HTTPS",
    "TLS",
    "SNI",
    "Reality",
    "Flow",
    "xtls-rprx-vision",
    "Short",
    "UUID",
    "URL",
    "QR",
    "ID",
    "API",
    "CSV",
    "CSRF",
    "PEM",
    "ISO",
    "JSON",
    "UTC",
    "IP",
    "CDN",
    "AES",
    "sing-box",
    "singdeck",
    "singdeck-core",
    "SFA",
    "SFI",
    "SFM",
    "Hiddify",
    "Clash",
    "Meta",
    "mihomo",
    "loopback",
    "link-local",
    "provisioning",
    "localhost",
    "B",
    "KB",
    "MB",
    "GB",
    "TB",
    "trace",
    "debug",
    "info",
    "fatal",
    "panic",
    "en",
    "zh-CN",
    "ru",
    "fa",
  ].map((word) => word.toLowerCase()),
);

/** Names and values of the demo panel and of this test's input: data, in any language. */
const DATA = [
  ...DEMO_TAGS,
  `${LONG_TAG}-refused`,
  LONG_USER,
  "Six inbounds and a name as long as allowed.",
  "direct",
  "block",
  "admin",
  "name",
  "www.microsoft.com",
  // what this test types into forms and URLs
  "zzz",
  "nobody",
  "bogus",
  "ZB",
].sort((a, b) => b.length - a.length);

/** The English words left on a page, each with a little context. */
function englishLeft(html: string): string[] {
  const left: string[] = [];
  for (let text of readableText(html)) {
    for (const data of DATA) text = text.replaceAll(data, " ");
    for (const word of latinWords(text)) {
      if (!ALLOWED_WORDS.has(word.toLowerCase())) left.push(`${word} in “${text.slice(0, 90)}”`);
    }
  }
  return left;
}

Deno.test("englishLeft() finds English words and passes data and protocol names", () => {
  const html = '<p title="Copy link">VLESS · Reality <b>1.05 GB</b> user-01</p>' +
    '<pre>any log line</pre><code>name,quota</code><bdi lang="en">bind: in use</bdi>' +
    '<p class="secret">vless://x@example.com:443</p><p>入站 www.microsoft.com</p>';
  assertEquals(englishLeft(html), ["Copy in “Copy link”", "link in “Copy link”"]);
});

type Visit = [name: string, send: (headers: HeadersInit) => Response | Promise<Response>];

/** Every page and state of the demo panel, as requests carrying the given headers. */
async function visits(p: TestPanel): Promise<Visit[]> {
  const get = (path: string) => (headers: HeadersInit) => p.request(path, { headers });
  const post =
    (path: string, fields: Record<string, string | string[]>) => (headers: HeadersInit) =>
      p.postForm(path, fields, headers);
  const subscription = `${await demoSubscriptionPath(p)}?format=html`;
  const limited = `${await demoSubscriptionPath(p, "user-01")}?format=html`;
  const ids = (await p.db.selectFrom("users").select("id").where("name", "in", [
    "user-03",
    "user-04",
  ]).execute()).map((u) => String(u.id));
  const pages = [
    "/",
    "/core/config",
    "/inbounds",
    "/inbounds?sort=traffic_desc",
    "/inbounds/new",
    "/inbounds/new?type=mixed",
    "/inbounds/new?type=trojan",
    "/inbounds/new?type=shadowsocks",
    `/inbounds/${DEMO_TAGS[0]}/edit`,
    `/inbounds/${DEMO_TAGS[1]}/edit?saved=created`,
    `/inbounds/${DEMO_TAGS[4]}/edit?saved=reset`,
    `/inbounds/${DEMO_TAGS[5]}/edit?saved=1`,
    "/users",
    "/users?status=expiring",
    "/users?status=limited&search=user",
    "/users?search=zzz",
    "/users?page=4",
    `/users/${LONG_USER}?done=regenerated`,
    "/users/user-01?done=created",
    "/users/user-05?done=disabled",
    "/users/new",
    "/users/batch",
    "/logs",
    "/logs?level=warn&q=tls&order=oldest",
    "/logs?q=zzzz",
    "/settings",
    "/settings?saved=statuses",
    "/settings?saved=language",
    "/no-such-page",
    "/users/nobody",
    "/users?status=bogus",
    "/users/new/expiry-hint?expiresOn=2031-02-30",
  ];
  return [
    ...pages.map((path): Visit => [path, get(path)]),
    ["login", (headers) => p.app.request("/login", { headers })],
    ["subscription", (headers) => p.app.request(subscription, { headers })],
    ["subscription-limited", (headers) => p.app.request(limited, { headers })],
    ["user form errors", post("/users", { name: "a b", trafficLimit: "-1", expiresOn: "31" })],
    [
      "inbound form errors",
      post("/inbounds", {
        type: "vless",
        tag: "",
        listen: "1.2.3",
        port: "99999",
        security: "tls",
        tls_mode: "files",
        tls_certificate_path: "relative.pem",
        tls_key_path: "",
        flow: "",
      }),
    ],
    ["status errors", post("/settings/statuses", { nearQuotaPercent: "0", expiringDays: "x" })],
    [
      "subscription errors",
      post("/settings/subscriptions", {
        publicAddress: "1*2",
        subscriptionBaseUrl: "ftp://1.2.3.4",
        profileUpdateHours: "0",
      }),
    ],
    ["password errors", post("/settings/password", { current: "1", next: "2", confirm: "3" })],
    ["token error", post("/settings/tokens", { name: "" })],
    ["new token", post("/settings/tokens", { name: "token-1" })],
    ["language error", post("/settings/language", { language: "x1" })],
    ["batch errors", post("/users/batch", { mode: "prefix", prefix: "", count: "0" })],
    [
      "csv errors",
      post("/users/batch", { mode: "csv", csv: "x y,10\nuser-01\nu1,1 ZB\nu2,,31-12" }),
    ],
    ["bulk error", post("/users/bulk", { action: "", scope: "selected" })],
    ["bulk delete", post("/users/bulk", { action: "delete", scope: "selected", ids })],
    ["bulk done", post("/users/bulk", { action: "enable", scope: "selected", ids })],
  ];
}

const BROWSERS: Record<Exclude<Locale, "en">, string> = {
  "zh-CN": "zh-CN,zh;q=0.9,en;q=0.8",
  ru: "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7",
  fa: "fa-IR,fa;q=0.9,en-US;q=0.8",
};

Deno.test("every page renders in every language; in Chinese, Russian and Persian no English is left but names and data", async () => {
  const p = await createDemoPanel();
  try {
    const problems: string[] = [];
    const languages = [["en", "en-US,en;q=0.9"], ...Object.entries(BROWSERS)];
    for (const [locale, acceptLanguage] of languages) {
      const dir = locale === "fa" ? "rtl" : "ltr";
      for (const [name, send] of await visits(p)) {
        const res = await send({ "Accept-Language": acceptLanguage });
        const html = await res.text();
        const where = `${locale} ${name} (${res.status})`;
        if (res.status >= 500) problems.push(`${where}: server error`);
        if (html.includes("<html") && !html.includes(`<html lang="${locale}" dir="${dir}">`)) {
          problems.push(`${where}: <html> is not lang="${locale}" dir="${dir}"`);
        }
        if (locale === "en") continue; // the source language
        for (const left of englishLeft(html)) problems.push(`${where}: ${left}`);
      }
    }
    assertEquals(problems, []);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Choosing the language

async function pageLanguage(res: Response): Promise<string> {
  assertEquals(res.headers.get("content-type"), "text/html; charset=UTF-8");
  const html = await res.text();
  return /<html lang="([^"]+)" dir="(ltr|rtl)">/.exec(html)?.slice(1).join(" ") ?? html;
}

Deno.test("the language follows Accept-Language, else English", async () => {
  const p = await createTestPanel();
  try {
    const as = async (acceptLanguage?: string) =>
      await pageLanguage(
        await p.request("/", {
          headers: acceptLanguage ? { "Accept-Language": acceptLanguage } : {},
        }),
      );
    assertEquals(await as(), "en ltr");
    assertEquals(await as("ru-RU,ru;q=0.9,en;q=0.8"), "ru ltr");
    assertEquals(await as("fa-IR"), "fa rtl");
    assertEquals(await as("zh"), "zh-CN ltr");
    assertEquals(await as("zh-Hans-CN,zh;q=0.9"), "zh-CN ltr");
    assertEquals(await as("de-DE,de;q=0.9"), "en ltr");
    assertEquals(await as("de-DE,fa;q=0.5"), "fa rtl");
    assertEquals(await as("en-GB,ru;q=0.9"), "en ltr");
    // Pages say they differ by the browser's language.
    const res = await p.request("/users");
    assertStringIncludes(res.headers.get("vary") ?? "", "Accept-Language");
    await res.body?.cancel();
    // The login page too (no session).
    const login = await p.app.request("/login", { headers: { "Accept-Language": "ru" } });
    assertEquals(await pageLanguage(login), "ru ltr");
  } finally {
    await p.close();
  }
});

/** A panel on an existing data dir (a restart), logged in. */
async function reopenPanel(dataDir: string) {
  const config = parseConfig([], { SINGDECK_DATA_DIR: dataDir });
  const db = await openDatabase(config.dbUrl);
  const app = createApp({ db, config, services: idleServices(), host: unoccupiedHost });
  const cookie = await loginCookie(app);
  return { db, app, cookie };
}

Deno.test("the language chosen in Settings beats Accept-Language and survives a restart", async () => {
  const p = await createTestPanel();
  let reopened: Awaited<ReturnType<typeof reopenPanel>> | undefined;
  try {
    const russianBrowser = { "Accept-Language": "ru-RU,ru;q=0.9" };
    assertEquals(await pageLanguage(await p.request("/", { headers: russianBrowser })), "ru ltr");

    const res = await p.postForm("/settings/language", { language: "fa" }, russianBrowser);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/settings?saved=language#language");
    const settings = await p.request("/settings?saved=language", { headers: russianBrowser });
    const html = await settings.text();
    assertStringIncludes(html, '<html lang="fa" dir="rtl">');
    assertStringIncludes(html, CATALOGS.fa.settings.language.saved);
    assertStringIncludes(html, '<option value="fa" lang="fa" selected>');
    assertEquals(await pageLanguage(await p.request("/")), "fa rtl");
    assertEquals(await pageLanguage(await p.app.request("/login")), "fa rtl");

    // The users' own subscription page follows the visitor's browser, not the panel.
    await expectJson(await p.api("POST", "/api/v1/users", { name: "ann" }), 201);
    const links = await expectJson<{ subscriptionUrl: string }>(
      await p.api("GET", "/api/v1/users/ann/links"),
      200,
    );
    const sub = `${new URL(links.subscriptionUrl).pathname}?format=html`;
    assertEquals(
      await pageLanguage(await p.app.request(sub, { headers: russianBrowser })),
      "ru ltr",
    );
    assertEquals(await pageLanguage(await p.app.request(sub)), "en ltr");

    // The API stays English, with its field keys.
    const bad = await expectJson<{ error: string; fields: Record<string, string> }>(
      await p.app.request("/api/v1/users", {
        method: "POST",
        headers: {
          Authorization: `Bearer ${p.apiToken}`,
          "Content-Type": "application/json",
          ...russianBrowser,
        },
        body: JSON.stringify({ name: "a b" }),
      }),
      422,
    );
    assertEquals(bad.fields, { name: "Name must not contain spaces or other whitespace" });

    // A restart: the same database file opened again by a new app.
    await p.db.destroy();
    reopened = await reopenPanel(p.dataDir);
    const after = await reopened.app.request("/", {
      headers: { Cookie: reopened.cookie, ...russianBrowser },
    });
    assertEquals(await pageLanguage(after), "fa rtl");

    // Back to the browser's language.
    const page = await reopened.app.request("/settings", { headers: { Cookie: reopened.cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const reset = await reopened.app.request("/settings/language", {
      method: "POST",
      headers: {
        Cookie: reopened.cookie,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ language: "", _csrf: csrf }),
    });
    assertEquals(reset.status, 303);
    const browser = await reopened.app.request("/", {
      headers: { Cookie: reopened.cookie, ...russianBrowser },
    });
    assertEquals(await pageLanguage(browser), "ru ltr");
  } finally {
    await reopened?.db.destroy();
    await Deno.remove(p.dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("POST /settings/language refuses an unknown language and changes nothing", async () => {
  const p = await createTestPanel();
  try {
    assertEquals((await p.postForm("/settings/language", { language: "ru" })).status, 303);
    const before = await snapshotDatabase(p.db);
    for (const value of ["de", "RU", "zh-cn", "<b>x</b>"]) {
      const res = await p.postForm("/settings/language", { language: value });
      assertEquals(res.status, 422, value);
      assertEquals(res.headers.get("content-type"), "text/html; charset=UTF-8");
      const html = await res.text();
      // Said in the language in force (Russian), naming the value, escaped.
      assertStringIncludes(html, '<html lang="ru" dir="ltr">');
      assertStringIncludes(html, CATALOGS.ru.settings.nothingSaved);
      const shown = value.replace(/</g, "&lt;").replace(/>/g, "&gt;");
      assertStringIncludes(html, `Язык «${shown}» не поддерживается`);
      assert(!html.includes("<b>x</b>"), "the value is escaped");
      assertStringIncludes(html, 'aria-invalid="true"');
    }
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(await pageLanguage(await p.request("/")), "ru ltr");
  } finally {
    await p.close();
  }
});

Deno.test("app.css puts things at the start and end, not left and right, so pages mirror", async () => {
  const css = await Deno.readTextFile(new URL("../static/app.css", import.meta.url));
  const physical = css.split("\n").map((line, i) => [i + 1, line] as const).filter(([, line]) =>
    /^\s*(left|right|margin-(left|right)|padding-(left|right)|border-(left|right)[\w-]*|float)\s*:/
      .test(line) || /text-align:\s*(left|right)/.test(line)
  );
  assertEquals(physical, []);
});
