/**
 * The operator's pages over HTTP (in-process, real libSQL file): the Content-Security-
 * Policy and pages without inline code, error pages with navigation, the dashboard's
 * counts and core buttons, the Logs filters, status settings, the inbound traffic reset,
 * the inbound form's suggestions and the user page's live fragment.
 */
import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertNotMatch,
  assertStringIncludes,
} from "@std/assert";
import { createTestPanel, snapshotDatabase, type TestPanel, withPanel } from "./support/app.ts";
import {
  createDemoPanel,
  DEMO_TAGS,
  demoServices,
  demoSubscriptionPath,
  LONG_USER,
} from "./support/demo.ts";
import { insertInboundRow, insertUserRows } from "./support/rows.ts";
import { idleServices, type Services } from "../core/services.ts";
import { filterLogLines, parseLogLine } from "../core/sing_box/log_lines.ts";
import { findInboundByTag } from "../db/inbounds.ts";
import { getSettings } from "../core/settings.ts";

const GB = 1024 ** 3;
const DAY = 24 * 3600 * 1000;

async function expectHtml(res: Response, status: number): Promise<string> {
  assertEquals(res.status, status);
  assertEquals(res.headers.get("content-type"), "text/html; charset=UTF-8");
  return await res.text();
}

// ---------------------------------------------------------------------------------------
// Content-Security-Policy

const PAGES = [
  "/",
  "/?fragment=status",
  "/inbounds",
  "/inbounds/new",
  `/inbounds/${DEMO_TAGS[0]}/edit`,
  "/users",
  "/users?status=limited",
  `/users/${LONG_USER}`,
  "/users/new",
  "/users/batch",
  "/logs",
  "/logs?level=warn&q=tls",
  "/settings",
  "/core/config",
];

Deno.test("every response carries a CSP without unsafe-inline or unsafe-eval", async () => {
  const p = await createDemoPanel();
  try {
    const responses = [
      await p.app.request("/login"),
      await p.app.request("/static/app.js"),
      await p.request("/"),
      await p.request("/users", { headers: { "HX-Request": "true" } }),
      await p.api("GET", "/api/v1/users"),
      await p.request("/no-such-page"),
      await p.app.request(`${await demoSubscriptionPath(p)}?format=html`),
    ];
    for (const res of responses) {
      const csp = res.headers.get("content-security-policy") ?? "";
      await res.body?.cancel();
      assertStringIncludes(csp, "default-src 'self'");
      assertStringIncludes(csp, "script-src 'self'");
      assertStringIncludes(csp, "style-src 'self'");
      assertStringIncludes(csp, "frame-ancestors 'none'");
      assertStringIncludes(csp, "object-src 'none'");
      assertNotMatch(csp, /unsafe-inline|unsafe-eval/);
    }
  } finally {
    await p.close();
  }
});

Deno.test("no page has an inline script, style or event handler, and htmx may not eval", async () => {
  const p = await createDemoPanel();
  try {
    // The user's own subscription page (no login) too.
    const subscription = `${await demoSubscriptionPath(p)}?format=html`;
    for (const path of [...PAGES, subscription, "/no-such-page"]) {
      const res = await p.request(path);
      const html = await res.text();
      assert(res.status === 200 || path === "/no-such-page", `${path}: ${res.status}`);
      assertNotMatch(html, /\sstyle=/, `style attribute on ${path}`);
      assertNotMatch(html, /<style[\s>]/, `<style> on ${path}`);
      assertNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, `inline <script> on ${path}`);
      assertNotMatch(html, /\son[a-z]+=/, `event handler attribute on ${path}`);
      assertNotMatch(html, /hx-on|hx-vars|js:/, `htmx evaluation on ${path}`);
      // htmx trigger filters ([...]) need eval.
      for (const m of html.matchAll(/hx-trigger="([^"]*)"/g)) {
        assertFalse(m[1].includes("["), `eval filter "${m[1]}" on ${path}`);
      }
    }
    const login = await (await p.app.request("/login")).text();
    assertStringIncludes(login, "&quot;allowEval&quot;:false");
    assertStringIncludes(login, "&quot;includeIndicatorStyles&quot;:false");
  } finally {
    await p.close();
  }
});

Deno.test("GET /static/idiomorph-ext.min.js serves the morph extension; unknown names are 404", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.app.request("/static/idiomorph-ext.min.js");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    const js = await res.text();
    assertStringIncludes(js, "Idiomorph");
    assertStringIncludes(js, 'defineExtension("morph"');
    const missing = await p.app.request("/static/nope.js");
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Error pages

Deno.test("error pages keep the navigation for a logged-in admin", async () => {
  await withPanel(async (p) => {
    const notFound = await expectHtml(await p.request("/no-such-page"), 404);
    assertStringIncludes(notFound, '<nav aria-label="Main">');
    assertStringIncludes(notFound, '<a class="skip-link" href="#main">Skip to content</a>');
    const missingUser = await expectHtml(await p.request("/users/ghost"), 404);
    assertStringIncludes(missingUser, '<nav aria-label="Main">');
    assertStringIncludes(missingUser, "User &quot;ghost&quot; does not exist");
    const forbidden = await expectHtml(
      await p.request("/users/bulk", {
        method: "POST",
        csrf: false,
        body: new URLSearchParams({ action: "enable" }),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      }),
      403,
    );
    assertStringIncludes(forbidden, '<nav aria-label="Main">');
    const stranger = await p.app.request("/no-such-page");
    assertEquals(stranger.status, 303, "strangers are sent to the login page");
    await stranger.body?.cancel();
  });
});

// ---------------------------------------------------------------------------------------
// Dashboard

function servicesInState(state: "running" | "stopped" | "missing" | "crashed"): Services {
  const demo = demoServices();
  return { ...demo, core: { ...demo.core, status: () => ({ ...demo.core.status(), state }) } };
}

Deno.test("the dashboard counts every status and enables the core buttons by state", async () => {
  const expected = {
    running: { start: false, restart: true, stop: true },
    stopped: { start: true, restart: false, stop: false },
    crashed: { start: true, restart: true, stop: true },
    missing: { start: false, restart: false, stop: false },
  } as const;
  for (const [state, buttons] of Object.entries(expected)) {
    const p = await createTestPanel({ services: servicesInState(state as "running") });
    try {
      const now = Date.now();
      await insertUserRows(p.db, [
        { name: "a" },
        { name: "b", enabled: 0 },
        { name: "c", expires_at: now + DAY },
        { name: "d", traffic_limit: GB, uplink: GB },
      ]);
      const html = await expectHtml(await p.request("/"), 200);
      for (const [action, enabled] of Object.entries(buttons)) {
        const tag = new RegExp(`<button[^>]*id="core-${action}"[^>]*>`).exec(html)![0];
        assertEquals(!tag.includes("disabled"), enabled, `${state}: ${action}`);
      }
      const count = (status: string) =>
        new RegExp(`data-status="${status}">[^<]*<span class="count">(\\d+)`).exec(html)?.[1];
      assertEquals(
        ["active", "expiring", "near_limit", "limited", "expired", "disabled"].map(count),
        ["1", "1", "0", "1", "0", "1"],
      );
      // The last poll with seconds, and how long ago.
      assertMatch(
        html,
        /<td id="last-poll"><span><bdi dir="ltr">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/bdi> <span class="muted">\((11|12|13) s ago\)<\/span>/,
      );
    } finally {
      await p.close();
    }
  }
});

Deno.test("GET /?fragment=status from htmx answers the self-refreshing part only", async () => {
  const p = await createTestPanel({ services: demoServices() });
  try {
    const html = await expectHtml(
      await p.request("/?fragment=status", { headers: { "HX-Request": "true" } }),
      200,
    );
    assert(html.startsWith('<div id="dashboard-status"'), html.slice(0, 60));
    assertStringIncludes(html, 'hx-trigger="refresh" data-refresh="5" hx-swap="morph"');
    assertFalse(html.includes("\x1b["), "colour codes are removed from log lines");
  } finally {
    await p.close();
  }
});

Deno.test("the dashboard shows the core's mode, blocked users, refused inbounds and external resets", async () => {
  const demo = demoServices();
  const p = await createTestPanel({ services: demo });
  try {
    const html = await expectHtml(await p.request("/"), 200);
    assertMatch(
      html,
      /<td id="core-kind">singdeck-core 0\.1\.0 <span class="muted">\(user changes apply without restarts\)<\/span>/,
    );
    assertStringIncludes(html, '<td id="blocked-users">3</td>');
    const failed = /<div class="flash error" id="failed-inbounds"[\s\S]*?<\/div>/.exec(html)?.[0] ??
      "";
    const refused = demo.core.status().failedInbounds[0];
    // sing-box's own words, kept as they are (English, left to right).
    assertStringIncludes(
      failed,
      `>${refused.tag}</a>: <bdi class="core-output" lang="en" dir="ltr">${refused.reason}</bdi>`,
    );
    assertStringIncludes(failed, `href="/inbounds/${refused.tag}/edit"`);
    assertMatch(
      html,
      /id="external-resets">Traffic counters were reset externally: 24 counters since the panel started, last seen at <span><bdi dir="ltr">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/bdi> <span class="muted">\(5 min ago\)<\/span>/,
    );
  } finally {
    await p.close();
  }
  const plain: Services = {
    ...demo,
    core: { ...demo.core, status: () => ({ ...demo.core.status(), kind: "sing-box" }) },
  };
  const q = await createTestPanel({ services: plain });
  try {
    const html = await expectHtml(await q.request("/"), 200);
    assertStringIncludes(html, 'sing-box <span class="muted">(every change restarts it)</span>');
  } finally {
    await q.close();
  }
  const idle = await createTestPanel({ services: idleServices() });
  try {
    const html = await expectHtml(await idle.request("/"), 200);
    assertFalse(html.includes('id="failed-inbounds"'), "no refused inbound, no message");
    assertFalse(html.includes('id="external-resets"'), "no external reset, no message");
    assertStringIncludes(html, '<td id="blocked-users">0</td>');
  } finally {
    await idle.close();
  }
});

// ---------------------------------------------------------------------------------------
// Logs

Deno.test("parseLogLine() removes colour codes and finds the level", () => {
  assertEquals(parseLogLine("+0000 2030-01-01 00:00:00 \x1b[33mWARN\x1b[0m router: slow"), {
    text: "+0000 2030-01-01 00:00:00 WARN router: slow",
    level: "warn",
  });
  assertEquals(parseLogLine("singdeck: starting sing-box (panel started)").level, "info");
  assertEquals(parseLogLine("singdeck: flush before reload failed: timeout").level, "warn");
  assertEquals(parseLogLine("no level here").level, "info");
});

Deno.test("filterLogLines() filters by least level and text, newest or oldest first", () => {
  const lines = ["a INFO one", "b WARN two", "c ERROR three", "d DEBUG four", "e INFO Two"];
  const texts = (level: "" | "warn" | "error", text: string, order: "newest" | "oldest") =>
    filterLogLines(lines, { level, text, order }).map((l) => l.text[0]).join("");
  assertEquals(texts("", "", "oldest"), "abcde");
  assertEquals(texts("", "", "newest"), "edcba");
  assertEquals(texts("warn", "", "oldest"), "bc");
  assertEquals(texts("error", "", "newest"), "c");
  assertEquals(texts("", "two", "oldest"), "be");
});

Deno.test("GET /logs filters by level and text, marks the text, and refreshes as a fragment", async () => {
  const p = await createTestPanel({ services: demoServices() });
  try {
    let html = await expectHtml(await p.request("/logs"), 200);
    assertStringIncludes(html, "37 lines, newest first");
    const first = html.indexOf("singdeck: flush before reload failed");
    assert(first > 0 && first < html.indexOf("sing-box started"), "newest first");
    html = await expectHtml(await p.request("/logs?level=warn"), 200);
    assertStringIncludes(html, "3 of 37 lines match");
    assertStringIncludes(html, '<span class="level-error">');
    assertFalse(html.includes("inbound connection from"));
    html = await expectHtml(await p.request("/logs?q=BAD%20CERT&order=oldest"), 200);
    assertStringIncludes(html, "<mark>bad cert</mark>");
    assertStringIncludes(html, "1 of 37 lines match");
    assertStringIncludes(html, 'data-follow=""');
    const fragment = await expectHtml(
      await p.request("/logs?level=error", { headers: { "HX-Request": "true" } }),
      200,
    );
    assert(fragment.startsWith('<div id="logs-view" hx-get="/logs?level=error"'), fragment);
    // Unknown values fall back to showing everything.
    html = await expectHtml(await p.request("/logs?level=loud&order=sideways"), 200);
    assertStringIncludes(html, "37 lines, newest first");
    const empty = await createTestPanel({ services: idleServices() });
    try {
      assertStringIncludes(await (await empty.request("/logs")).text(), "No log lines yet");
    } finally {
      await empty.close();
    }
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Settings

Deno.test("POST /settings/statuses saves the thresholds that decide near quota and expiring", async () => {
  await withPanel(async (p) => {
    await insertUserRows(p.db, [
      { name: "half", traffic_limit: 10 * GB, uplink: 5 * GB },
      { name: "week", expires_at: Date.now() + 6 * DAY },
    ]);
    const status = async (name: string) =>
      (await (await p.api("GET", `/api/v1/users/${name}`)).json()).user.status;
    assertEquals([await status("half"), await status("week")], ["active", "active"]);
    const res = await p.postForm("/settings/statuses", {
      nearQuotaPercent: "50",
      expiringDays: "7",
    });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/settings?saved=statuses#user-status-settings");
    assertEquals([await status("half"), await status("week")], ["near_limit", "expiring"]);
    const page = await expectHtml(await p.request("/settings?saved=statuses"), 200);
    assertStringIncludes(
      page,
      'name="nearQuotaPercent" type="number" min="1" max="100" value="50"',
    );
    const list = await expectHtml(await p.request("/users?status=expiring"), 200);
    assertStringIncludes(list, 'data-name="week"');
  });
});

Deno.test("POST /settings/security saves private egress and asks for one apply of everything", async () => {
  await withPanel(async (p, applied, scopes) => {
    const box = /<input id="field-allowPrivateEgress"[^>]*>/;
    let page = await expectHtml(await p.request("/settings"), 200);
    assertFalse(box.exec(page)![0].includes("checked"), "off by default");
    const on = await expectHtml(
      await p.postForm("/settings/security", { allowPrivateEgress: "1" }),
      200,
    );
    assertStringIncludes(on, "Security settings saved.");
    assert(box.exec(on)![0].includes("checked"));
    assertEquals((await getSettings(p.db)).allowPrivateEgress, true);
    assertEquals(applied, ["private egress setting changed"]);
    assertEquals(scopes, [{}], "no scope: every inbound's route rules change");
    // Saving the same value again changes nothing sing-box sees: no apply.
    await expectHtml(await p.postForm("/settings/security", { allowPrivateEgress: "1" }), 200);
    assertEquals(applied.length, 1);
    // An unchecked box is not sent: off again.
    page = await expectHtml(await p.postForm("/settings/security", {}), 200);
    assertFalse(box.exec(page)![0].includes("checked"));
    assertEquals((await getSettings(p.db)).allowPrivateEgress, false);
    assertEquals(applied, ["private egress setting changed", "private egress setting changed"]);
  });
});

Deno.test("POST /settings/statuses shows every field error and saves nothing", async () => {
  await withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const html = await expectHtml(
      await p.postForm("/settings/statuses", { nearQuotaPercent: "0", expiringDays: "x" }),
      422,
    );
    assertStringIncludes(html, "Near quota from must be a whole number from 1 to 100");
    assertStringIncludes(html, "Expires soon within must be a whole number from 0 to 365");
    assertMatch(html, /<a href="#field-nearQuotaPercent">/);
    assertMatch(html, /<a href="#field-expiringDays">/);
    assertStringIncludes(html, 'value="x"', "the form keeps what was typed");
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

Deno.test("POST /settings/password names every problem at once", async () => {
  await withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const html = await expectHtml(
      await p.postForm("/settings/password", { current: "wrong", next: "short", confirm: "x" }),
      422,
    );
    assertStringIncludes(html, "Current password is wrong");
    assertStringIncludes(html, "New password must be 8 to 256 characters");
    assertStringIncludes(html, "Passwords do not match");
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

Deno.test("POST /settings/tokens shows the new token once, with a copy button", async () => {
  await withPanel(async (p) => {
    const res = await p.postForm("/settings/tokens", { name: "ci" });
    const html = await expectHtml(res, 201);
    assertEquals(res.headers.get("cache-control"), "no-store");
    assertMatch(html, /<p class="secret" id="new-token">sdk_[^<]+<\/p>/);
    const token = /id="new-token">([^<]+)</.exec(html)![1];
    assertStringIncludes(html, `data-copy="${token}"`);
    assertStringIncludes(html, 'data-confirm="Revoke the token “ci”?"');
  });
});

// ---------------------------------------------------------------------------------------
// Inbounds: traffic reset, form suggestions

async function inboundWithTraffic(p: TestPanel) {
  const inbound = await insertInboundRow(p.db, { tag: "edge", uplink: 7 * GB, downlink: 9 * GB });
  const [user] = await insertUserRows(p.db, [{ name: "u", uplink: 3, downlink: 4 }]);
  await p.db.insertInto("user_inbound_traffic").values({
    user_id: user,
    inbound_id: inbound,
    uplink: 3,
    downlink: 4,
  }).execute();
  await p.db.insertInto("stat_cursors").values({
    counter: "inbound>>>edge>>>traffic>>>uplink",
    run_id: 1,
    value: 123,
  }).execute();
  return inbound;
}

Deno.test("POST /inbounds/:tag/reset-traffic zeroes the inbound only, with no reload", async () => {
  await withPanel(async (p, applied) => {
    await inboundWithTraffic(p);
    const before = await snapshotDatabase(p.db);
    const res = await p.postForm("/inbounds/edge/reset-traffic", {});
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/inbounds/edge/edit?saved=reset");
    const inbound = (await findInboundByTag(p.db, "edge"))!;
    assertEquals([inbound.uplink, inbound.downlink], [0, 0]);
    assert(inbound.trafficResetAt! > Date.now() - 60_000);
    const after = await snapshotDatabase(p.db);
    assertEquals(after.users, before.users);
    assertEquals(after.user_traffic, before.user_traffic, "users keep their traffic");
    assertEquals(after.user_inbound_traffic, before.user_inbound_traffic);
    assertEquals(after.stat_cursors, before.stat_cursors, "cursors stay: no byte counted twice");
    assertEquals(applied, []);
    const page = await expectHtml(await p.request("/inbounds/edge/edit?saved=reset"), 200);
    assertStringIncludes(page, "Traffic reset to zero");
    assertMatch(page, /counted since <bdi dir="ltr">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/bdi>/);
  });
});

Deno.test("POST /api/v1/inbounds/:tag/reset-traffic answers the inbound; unknown is 404", async () => {
  await withPanel(async (p, applied) => {
    await inboundWithTraffic(p);
    const res = await p.api("POST", "/api/v1/inbounds/edge/reset-traffic");
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals([body.inbound.uplink, body.inbound.downlink], [0, 0]);
    assertMatch(body.inbound.trafficResetAt, /^\d{4}-\d\d-\d\dT/);
    const before = await snapshotDatabase(p.db);
    const missing = await p.api("POST", "/api/v1/inbounds/ghost/reset-traffic");
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

Deno.test("GET /inbounds/new suggests a free port, a tag and Reality defaults", async () => {
  await withPanel(async (p) => {
    const html = await expectHtml(await p.request("/inbounds/new"), 200);
    const port = /id="field-port" name="port" value="(\d+)"/.exec(html)?.[1];
    assert(port && Number(port) >= 10000 && Number(port) < 60000, `port ${port}`);
    assertStringIncludes(html, `id="field-tag" name="tag" value="vless-${port}"`);
    assertStringIncludes(html, 'id="field-listen" name="listen" value="::"');
    assertStringIncludes(html, 'name="reality_handshake_server" value="www.microsoft.com"');
    assertNotMatch(html, /placeholder=/, "no placeholders that look like values");
    // Only Reality's fields show for the default security; TLS's start hidden.
    assertMatch(
      html,
      /<fieldset id="tls-fields" data-shown-by="field-security" data-show-for="tls" hidden="">/,
    );
    assertMatch(
      html,
      /<fieldset id="reality-fields" data-shown-by="field-security" data-show-for="reality"\s*>/,
    );
  });
});

Deno.test("GET /inbounds/form-fields moves a suggested tag to the new type, never a typed one", async () => {
  await withPanel(async (p) => {
    let html = await expectHtml(
      await p.request("/inbounds/form-fields?type=trojan&tag=vless-23456&port=23456"),
      200,
    );
    assertStringIncludes(html, '<div id="type-fields">');
    assertStringIncludes(html, 'id="field-tag" name="tag" value="trojan-23456"');
    assertStringIncludes(html, 'hx-swap-oob="true"');
    html = await expectHtml(
      await p.request("/inbounds/form-fields?type=trojan&tag=my-edge&port=23456"),
      200,
    );
    assertFalse(html.includes("hx-swap-oob"));
  });
});

// ---------------------------------------------------------------------------------------
// The user page

Deno.test("GET /users/:name?fragment=live from htmx answers the refreshing part only", async () => {
  await withPanel(async (p) => {
    await insertUserRows(p.db, [{ name: "lia", uplink: 3.5 * GB, traffic_limit: 4 * GB }]);
    const res = await p.request("/users/lia?fragment=live", { headers: { "HX-Request": "true" } });
    const html = await expectHtml(res, 200);
    assertEquals(res.headers.get("cache-control"), "no-store");
    assert(html.startsWith('<div id="user-live" hx-get="/users/lia?fragment=live"'), html);
    assertStringIncludes(html, '<span id="user-status" class="badge near_limit">near quota</span>');
    assertFalse(html.includes("user-uuid"), "no credentials in the fragment");
    // Without htmx the same URL is the whole page.
    const page = await expectHtml(await p.request("/users/lia?fragment=live"), 200);
    assertStringIncludes(page, "<html");
  });
});
