/**
 * Many users at once: bulk actions from the Users page (`POST /users/bulk`) and the API
 * (`POST /api/v1/users/bulk`), batch creation by prefix and by CSV, and the status filter
 * in SQL agreeing with `userStatus()`. Real libSQL file, real migrations.
 */
import { assert, assertEquals, assertFalse, assertMatch, assertStringIncludes } from "@std/assert";
import { snapshotDatabase, type TestPanel, withPanel } from "./support/app.ts";
import { insertInboundRow, insertUserRows } from "./support/rows.ts";
import { batchNames, parseBatchCsv } from "../core/users/bulk_input.ts";
import { USER_STATUSES } from "../core/model.ts";
import { DEFAULT_STATUS_THRESHOLDS, userStatus } from "../core/users/user_status.ts";
import { countUsersByStatus } from "../db/user_status.ts";
import { listUsers, toUser, USER_SORTS, userListQuery, usersWithTraffic } from "../db/users.ts";
import { CompiledQuery } from "kysely";
import { MAX_EXPIRES_AT } from "../db/users_bulk.ts";
import { ValidationError } from "../core/errors.ts";

const GB = 1024 ** 3;
const DAY = 24 * 3600 * 1000;

async function expectJson(res: Response, status: number) {
  assertEquals(res.status, status);
  assertMatch(res.headers.get("content-type") ?? "", /^application\/json/);
  return await res.json();
}

async function expectHtml(res: Response, status: number): Promise<string> {
  assertEquals(res.status, status);
  assertEquals(res.headers.get("content-type"), "text/html; charset=UTF-8");
  return await res.text();
}

/** Every user's row with totals, by name. */
async function usersByName(p: TestPanel) {
  const rows = await usersWithTraffic(p.db).orderBy("users.name").execute();
  return new Map(rows.map((row) => [row.name, row]));
}

async function tagsOf(p: TestPanel, name: string): Promise<string[]> {
  const rows = await p.db.selectFrom("user_inbounds")
    .innerJoin("users", "users.id", "user_inbounds.user_id")
    .innerJoin("inbounds", "inbounds.id", "user_inbounds.inbound_id")
    .select("inbounds.tag").where("users.name", "=", name).orderBy("inbounds.tag").execute();
  return rows.map((r) => r.tag);
}

/** Five users: a..e; b and d are disabled; c has a quota; e expires in 2 days; d never. */
async function fiveUsers(p: TestPanel) {
  const now = Date.now();
  const inbound = await insertInboundRow(p.db, { tag: "main" });
  await insertInboundRow(p.db, { tag: "extra" });
  const ids = await insertUserRows(p.db, [
    { name: "a", expires_at: now + 10 * DAY, uplink: 5, downlink: 6 },
    { name: "b", enabled: 0, expires_at: now - DAY },
    { name: "c", traffic_limit: 10 * GB, uplink: 9 * GB },
    { name: "d", enabled: 0 },
    { name: "e", expires_at: now + 2 * DAY, uplink: 1 },
  ]);
  await p.db.insertInto("user_inbounds")
    .values(ids.map((id) => ({ user_id: id, inbound_id: inbound }))).execute();
  await p.db.insertInto("user_inbound_traffic").values({
    user_id: ids[0],
    inbound_id: inbound,
    uplink: 5,
    downlink: 6,
  }).execute();
  return Object.fromEntries(["a", "b", "c", "d", "e"].map((name, i) => [name, ids[i]]));
}

// ---------------------------------------------------------------------------------------
// Statuses in SQL

Deno.test("statusCondition() and countUsersByStatus() agree with userStatus() for every user", async () => {
  await withPanel(async (p) => {
    const now = Date.now();
    const users = [];
    let i = 0;
    for (const enabled of [0, 1]) {
      for (
        const expires of [null, now - 1, now, now + 1, now + DAY, now + 3 * DAY, now + 9 * DAY]
      ) {
        for (
          const [limit, used] of [[0, 0], [0, 50], [100, 0], [100, 79], [100, 80], [100, 99], [
            100,
            100,
          ], [100, 150]]
        ) {
          users.push({
            name: `u${i++}`,
            enabled,
            expires_at: expires,
            traffic_limit: limit,
            uplink: Math.floor(used / 2),
            downlink: used - Math.floor(used / 2),
          });
        }
      }
    }
    await insertUserRows(p.db, users);
    const rows = (await usersWithTraffic(p.db).execute()).map(toUser);
    for (
      const thresholds of [DEFAULT_STATUS_THRESHOLDS, { nearQuotaPercent: 50, expiringDays: 0 }]
    ) {
      const expected = new Map<string, string>(
        rows.map((u) => [u.name, userStatus(u, now, thresholds)]),
      );
      const counts = await countUsersByStatus(p.db, now, thresholds);
      assertEquals(counts.all, rows.length);
      let covered = 0;
      for (const status of USER_STATUSES) {
        const list = await listUsers(p.db, { status: { status, now, thresholds }, pageSize: 1000 });
        const names = list.rows.map((u) => u.name).sort();
        const want = rows.filter((u) => expected.get(u.name) === status).map((u) => u.name).sort();
        assertEquals(names, want, `status ${status}`);
        assertEquals(list.total, want.length);
        assertEquals(counts[status], want.length, `count of ${status}`);
        covered += want.length;
      }
      assertEquals(covered, rows.length, "every user has exactly one status");
    }
  });
});

Deno.test("userListQuery() with a status filter reads an index, sorting only small sets", async () => {
  await withPanel(async (p) => {
    await fiveUsers(p);
    const now = Date.now();
    const planOf = async (options: Parameters<typeof userListQuery>[1]) => {
      const compiled = userListQuery(p.db, options).compile();
      const { rows } = await p.db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]),
      );
      return rows.map((r) => r.detail).join(" | ");
    };
    const filter = (status: (typeof USER_STATUSES)[number]) => ({
      status,
      now,
      thresholds: DEFAULT_STATUS_THRESHOLDS,
    });
    // Common statuses walk the sort's own index and stop after a page: no sort of matches,
    // only of the page's rows once they are found.
    for (const status of ["active", "limited", "near_limit"] as const) {
      for (const sort of USER_SORTS) {
        const plan = await planOf({ sort, status: filter(status), page: 3 });
        assertMatch(
          plan,
          /^CO-ROUTINE page \| SCAN (users|user_traffic) USING INDEX \w+ \| SEARCH [^|]+ \| SCAN page \|/,
          `${status} ${sort}: ${plan}`,
        );
        assertFalse(
          plan.split("SCAN page")[0].includes("TEMP B-TREE"),
          `${status} ${sort}: ${plan}`,
        );
      }
    }
    // Disabled users by name: the partial index holds only them, in name order.
    assertMatch(
      await planOf({ sort: "name", status: filter("disabled") }),
      /^CO-ROUTINE page \| SCAN users USING (COVERING )?INDEX users_disabled \|/,
    );
    // Expiring soon: a small range of the expiry index.
    assertMatch(
      await planOf({ sort: "expiry", status: filter("expiring") }),
      /^CO-ROUTINE page \| SEARCH users USING INDEX users_expires \(expires_at>\? AND expires_at<\?\)/,
    );
  });
});

Deno.test("GET /users?status= filters by status and the chips count every status", async () => {
  await withPanel(async (p) => {
    await fiveUsers(p);
    const html = await expectHtml(await p.request("/users?status=expiring"), 200);
    const names = [...html.matchAll(/data-name="([^"]+)"/g)].map((m) => m[1]);
    assertEquals(names, ["e"]);
    const chip = (status: string) =>
      new RegExp(`data-status="${status}"[^>]*>[^<]*<span class="count">(\\d+)</span>`).exec(html)
        ?.[1];
    assertEquals(
      ["all", ...USER_STATUSES].map(chip),
      ["5", "1", "1", "1", "0", "0", "2"],
    );
    assertMatch(html, /<a class="chip" aria-current="true" data-status="expiring"/);
    // A search narrows the counts too.
    const searched = await expectHtml(await p.request("/users?search=a"), 200);
    assertMatch(searched, /data-status="all"[^>]*>all <span class="count">1<\/span>/);
    const bad = await p.request("/users?status=sleepy");
    assertEquals(bad.status, 422);
    // The API takes the same filter.
    const body = await expectJson(await p.api("GET", "/api/v1/users?status=disabled"), 200);
    assertEquals(body.users.map((u: { name: string }) => u.name), ["b", "d"]);
    assertEquals(body.users[0].status, "disabled");
  });
});

// ---------------------------------------------------------------------------------------
// Bulk actions through the API

Deno.test("POST /api/v1/users/bulk runs each action on exactly the named users, one apply each", async () => {
  await withPanel(async (p, applied, scopes) => {
    const ids = await fiveUsers(p);
    const before = await usersByName(p);
    const bulk = (body: unknown) => p.api("POST", "/api/v1/users/bulk", body);

    let body = await expectJson(await bulk({ action: "disable", users: ["a", "b"] }), 200);
    assertEquals(body, { action: "disable", matched: 2, changed: 1 });
    let now = await usersByName(p);
    assertEquals([now.get("a")!.enabled, now.get("b")!.enabled, now.get("c")!.enabled], [0, 0, 1]);
    assertEquals(applied.at(-1), "bulk: 1 user disabled");
    assertEquals(scopes.at(-1), { userIds: [ids.a] });

    body = await expectJson(await bulk({ action: "enable", users: ["a", "b", "d"] }), 200);
    assertEquals(body.changed, 3);
    assertEquals(scopes.at(-1), { userIds: [ids.a, ids.b, ids.d] });

    body = await expectJson(await bulk({ action: "resetTraffic", users: ["a"] }), 200);
    now = await usersByName(p);
    assertEquals([now.get("a")!.uplink, now.get("a")!.downlink], [0, 0]);
    assertEquals(now.get("e")!.uplink, 1, "others keep their traffic");
    const pair = await p.db.selectFrom("user_inbound_traffic").selectAll()
      .executeTakeFirstOrThrow();
    assertEquals([pair.uplink, pair.downlink], [0, 0]);

    const t0 = Date.now();
    body = await expectJson(
      await bulk({ action: "extendExpiry", users: ["a", "b", "d"], days: 30 }),
      200,
    );
    assertEquals(body, { action: "extendExpiry", matched: 3, changed: 2 });
    now = await usersByName(p);
    assertEquals(now.get("a")!.expires_at, before.get("a")!.expires_at! + 30 * DAY);
    // An expired user gets the days from now, not from the past expiry.
    assert(now.get("b")!.expires_at! >= t0 + 30 * DAY);
    assert(now.get("b")!.expires_at! <= Date.now() + 30 * DAY);
    assertEquals(now.get("d")!.expires_at, null, "never expiring stays so");

    body = await expectJson(await bulk({ action: "addQuota", users: ["a", "c"], bytes: GB }), 200);
    assertEquals(body.changed, 1);
    now = await usersByName(p);
    assertEquals(now.get("c")!.traffic_limit, 11 * GB);
    assertEquals(now.get("a")!.traffic_limit, 0, "unlimited stays unlimited");

    body = await expectJson(
      await bulk({ action: "assignInbound", users: ["a", "b"], inbound: "extra" }),
      200,
    );
    assertEquals(body.changed, 2);
    assertEquals(await tagsOf(p, "a"), ["extra", "main"]);
    body = await expectJson(
      await bulk({ action: "assignInbound", users: ["a"], inbound: "extra" }),
      200,
    );
    assertEquals(body.changed, 0);
    body = await expectJson(
      await bulk({ action: "unassignInbound", users: ["a", "c"], inbound: "main" }),
      200,
    );
    assertEquals(body.changed, 2);
    assertEquals(await tagsOf(p, "a"), ["extra"]);
    assertEquals(await tagsOf(p, "c"), []);
    assertEquals(await tagsOf(p, "e"), ["main"]);

    const count = applied.length;
    body = await expectJson(
      await bulk({ action: "assignInbound", users: ["a"], inbound: "extra" }),
      200,
    );
    assertEquals(applied.length, count, "nothing changed: no apply");

    body = await expectJson(await bulk({ action: "delete", users: ["a", "b"] }), 200);
    assertEquals(body.changed, 2);
    assertEquals([...(await usersByName(p)).keys()], ["c", "d", "e"]);
    const leftovers = await p.db.selectFrom("user_inbounds").select("user_id")
      .where("user_id", "in", [ids.a, ids.b]).execute();
    assertEquals(leftovers, []);
    const traffic = await p.db.selectFrom("user_traffic").select("user_id")
      .where("user_id", "in", [ids.a, ids.b]).execute();
    assertEquals(traffic, []);
    assertEquals(scopes.at(-1), { userIds: [ids.a, ids.b] });
  });
});

Deno.test("POST /api/v1/users/bulk with a filter acts on every matching user", async () => {
  await withPanel(async (p, _applied, scopes) => {
    const ids = await fiveUsers(p);
    let body = await expectJson(
      await p.api("POST", "/api/v1/users/bulk", {
        action: "enable",
        filter: { status: "disabled" },
      }),
      200,
    );
    assertEquals(body, { action: "enable", matched: 2, changed: 2 });
    assertEquals(scopes.at(-1), { userIds: [ids.b, ids.d] });
    body = await expectJson(
      await p.api("POST", "/api/v1/users/bulk", { action: "disable", filter: {} }),
      200,
    );
    assertEquals(body.matched, 5);
    const rows = await usersByName(p);
    assert([...rows.values()].every((u) => u.enabled === 0));
  });
});

const BAD_BULK: Array<[string, unknown, number, string]> = [
  ["not an object", [1], 400, "JSON object"],
  ["no action", { users: ["a"] }, 422, "Choose an action"],
  ["an unknown action", { action: "explode", users: ["a"] }, 422, "must be one of"],
  ["neither users nor filter", { action: "enable" }, 422, 'either "users"'],
  ["users and filter", { action: "enable", users: ["a"], filter: {} }, 422, 'either "users"'],
  ["an empty user list", { action: "enable", users: [] }, 422, "at least one"],
  ["a user list of numbers", { action: "enable", users: [1] }, 422, "list of user names"],
  ["an unknown user", { action: "enable", users: ["a", "ghost"] }, 422, '"ghost" does not exist'],
  [
    "an unknown field",
    { action: "enable", users: ["a"], force: true },
    422,
    'Unknown field "force"',
  ],
  ["a bad status", { action: "enable", filter: { status: "sleepy" } }, 422, "must be one of"],
  ["an unknown filter field", { action: "enable", filter: { name: "a" } }, 422, "Unknown filter"],
  [
    "a filter matching nobody",
    { action: "enable", filter: { search: "zzz" } },
    422,
    "No users match",
  ],
  ["no days", { action: "extendExpiry", users: ["a"] }, 422, "Days must be"],
  ["zero days", { action: "extendExpiry", users: ["a"], days: 0 }, 422, "Days must be"],
  ["too many days", { action: "extendExpiry", users: ["a"], days: 99999 }, 422, "Days must be"],
  ["fractional bytes", { action: "addQuota", users: ["a"], bytes: 1.5 }, 422, "whole number"],
  ["no inbound", { action: "assignInbound", users: ["a"] }, 422, "Choose an inbound"],
  [
    "an unknown inbound",
    { action: "assignInbound", users: ["a"], inbound: "nope" },
    422,
    '"nope" does not exist',
  ],
];

Deno.test("POST /api/v1/users/bulk refuses bad input with a clear error and changes nothing", async (t) => {
  await withPanel(async (p, applied) => {
    await fiveUsers(p);
    for (const [what, body, status, message] of BAD_BULK) {
      await t.step(`refuses ${what}`, async () => {
        const before = await snapshotDatabase(p.db);
        const json = await expectJson(await p.api("POST", "/api/v1/users/bulk", body), status);
        assertStringIncludes(json.error + JSON.stringify(json.fields), message);
        assertEquals(await snapshotDatabase(p.db), before);
      });
    }
    assertEquals(applied, []);
  });
});

// ---------------------------------------------------------------------------------------
// Bulk actions through the page

Deno.test("POST /users/bulk from the page changes the checked users and answers the list", async () => {
  await withPanel(async (p, applied) => {
    const ids = await fiveUsers(p);
    const res = await p.postForm(
      "/users/bulk",
      { action: "disable", scope: "selected", ids: [String(ids.a), String(ids.e)], sort: "name" },
      { "HX-Request": "true" },
    );
    const html = await expectHtml(res, 200);
    assert(html.startsWith('<div id="users-list"'), html.slice(0, 60));
    assertMatch(
      html,
      /<div id="bulk-result"[^>]*hx-swap-oob="true"><p class="flash" role="status" id="bulk-done">2 users disabled\.<\/p>/,
    );
    const rows = await usersByName(p);
    assertEquals([...rows.values()].map((u) => `${u.name}${u.enabled}`), [
      "a0",
      "b0",
      "c1",
      "d0",
      "e0",
    ]);
    assertEquals(applied, ["bulk: 2 users disabled"]);
  });
});

Deno.test("POST /users/bulk delete asks first, then deletes exactly the selection", async () => {
  await withPanel(async (p) => {
    const ids = await fiveUsers(p);
    const form = { action: "delete", scope: "selected", ids: [String(ids.b), String(ids.c)] };
    const before = await snapshotDatabase(p.db);
    let res = await p.postForm("/users/bulk", form, { "HX-Request": "true" });
    let html = await expectHtml(res, 200);
    assertEquals(res.headers.get("hx-retarget"), "#bulk-result");
    assertStringIncludes(html, "Delete 2 users with their traffic records?");
    assertStringIncludes(html, '<button type="submit" name="confirm" value="yes" class="danger">');
    assertEquals(await snapshotDatabase(p.db), before, "asking changes nothing");

    res = await p.postForm("/users/bulk", { ...form, confirm: "yes" }, { "HX-Request": "true" });
    html = await expectHtml(res, 200);
    assertStringIncludes(html, "2 users deleted.");
    assertEquals([...(await usersByName(p)).keys()], ["a", "d", "e"]);
  });
});

Deno.test("POST /users/bulk with every matching user uses the list's search and status", async () => {
  await withPanel(async (p) => {
    await fiveUsers(p);
    const res = await p.postForm("/users/bulk", {
      action: "extendExpiry",
      days: "7",
      scope: "filter",
      status: "expiring",
      search: "",
    });
    const html = await expectHtml(res, 200); // a plain form: the whole page
    assertStringIncludes(html, "<html");
    assertStringIncludes(html, "1 user given a later expiry.");
  });
});

Deno.test("POST /users/bulk refuses a bad form with every reason and changes nothing", async () => {
  await withPanel(async (p, applied) => {
    await fiveUsers(p);
    const before = await snapshotDatabase(p.db);
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ action: "disable", scope: "selected" }, "Select at least one user"],
      [{ action: "disable", scope: "selected", ids: ["99999"] }, "no longer exist"],
      [{ action: "disable", scope: "selected", ids: ["x"] }, "invalid"],
      [{ action: "nope", scope: "selected", ids: ["1"] }, "must be one of"],
      [
        { action: "addQuota", scope: "selected", ids: ["1"], amount: "-3", unit: "GB" },
        "0 or more",
      ],
      [
        { action: "addQuota", scope: "selected", ids: ["1"], amount: "0", unit: "GB" },
        "more than 0",
      ],
      [{ action: "extendExpiry", scope: "selected", days: "abc" }, "Days must be"],
    ];
    for (const [form, message] of cases) {
      const res = await p.postForm("/users/bulk", form, { "HX-Request": "true" });
      const html = await expectHtml(res, 422);
      assertEquals(res.headers.get("hx-retarget"), "#bulk-result");
      assertStringIncludes(html, message);
      assertFalse(html.includes('id="users-list"'));
    }
    // Two problems at once are both named.
    const html = await expectHtml(
      await p.postForm("/users/bulk", { action: "extendExpiry", scope: "selected", days: "0" }),
      422,
    );
    assertStringIncludes(html, "Days must be");
    assertStringIncludes(html, "Select at least one user");
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

// ---------------------------------------------------------------------------------------
// Batch creation

Deno.test("batchNames() pads the numbers to the widest", () => {
  assertEquals(batchNames("u-", 1, 3), ["u-1", "u-2", "u-3"]);
  assertEquals(batchNames("u-", 9, 3), ["u-09", "u-10", "u-11"]);
});

Deno.test("parseBatchCsv() reads name, quota and expiry and names the line of each problem", () => {
  const batch = parseBatchCsv(
    'name,quota,expiry\nann,10 GB,2031-01-02\nbob;500MB;\n"cy",,2031-05-06T10:00:00Z\n# a comment\ndee,2\n',
    ["main"],
  );
  assertEquals(batch.inbounds, ["main"]);
  assertEquals(batch.users, [
    {
      name: "ann",
      trafficLimit: 10 * GB,
      expiresAt: Date.UTC(2031, 0, 2, 23, 59, 59, 999),
      line: 2,
    },
    { name: "bob", trafficLimit: 500 * 1024 ** 2, expiresAt: null, line: 3 },
    { name: "cy", trafficLimit: 0, expiresAt: Date.UTC(2031, 4, 6, 10), line: 4 },
    { name: "dee", trafficLimit: 2 * GB, expiresAt: null, line: 6 },
  ]);
  try {
    parseBatchCsv("ok,1\nbad name,1\nOK,2\nx,lots\ny,1,2031-13-01\nz,1,,extra", []);
    throw new Error("no error");
  } catch (e) {
    assert(e instanceof ValidationError);
    assertEquals(Object.keys(e.fields), ["line 2", "line 3", "line 4", "line 5", "line 6"]);
    assertStringIncludes(e.fields["line 2"], "Line 2: Name must not contain spaces");
    assertStringIncludes(e.fields["line 3"], 'Line 3: "OK" is also on line 1');
    assertStringIncludes(e.fields["line 4"], "Line 4: Quota");
    assertStringIncludes(e.fields["line 5"], "Line 5:");
    assertStringIncludes(e.fields["line 6"], "more than 3 fields");
  }
});

Deno.test("POST /users/batch by prefix creates every user in one transaction and one apply", async () => {
  await withPanel(async (p, applied, scopes) => {
    await insertInboundRow(p.db, { tag: "main" });
    await insertInboundRow(p.db, { tag: "spare" });
    const res = await p.postForm("/users/batch", {
      mode: "prefix",
      prefix: "team-",
      count: "12",
      start: "1",
      trafficLimit: "5",
      trafficLimitUnit: "GB",
      expiresOn: "2031-01-31",
      inbounds: ["main"],
    });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/users?search=team-&created=12");
    const users = await usersByName(p);
    assertEquals([...users.keys()].slice(0, 3), ["team-01", "team-02", "team-03"]);
    assertEquals(users.size, 12);
    for (const u of users.values()) {
      assertEquals(u.traffic_limit, 5 * GB);
      assertEquals(u.expires_at, Date.UTC(2031, 0, 31, 23, 59, 59, 999));
      assertEquals(u.enabled, 1);
    }
    assertEquals(new Set([...users.values()].map((u) => u.uuid)).size, 12, "each has its own UUID");
    assertEquals(await tagsOf(p, "team-07"), ["main"]);
    assertEquals(applied, ["batch: 12 users created"]);
    assertEquals(scopes[0].userIds?.length, 12);
    const list = await expectHtml(await p.request("/users?search=team-&created=12"), 200);
    assertStringIncludes(list, "12 users created.");
  });
});

Deno.test("POST /users/batch from CSV names the lines in error and creates nobody", async () => {
  await withPanel(async (p, applied) => {
    await insertInboundRow(p.db, { tag: "main" });
    await insertUserRows(p.db, [{ name: "taken" }]);
    const before = await snapshotDatabase(p.db);
    const csv = "fresh,1\ntaken,2 GB\nbad!,3";
    let html = await expectHtml(await p.postForm("/users/batch", { mode: "csv", csv }), 422);
    assertStringIncludes(html, "Line 3: Name may contain only");
    assertEquals(await snapshotDatabase(p.db), before);
    // With the syntax fixed, the taken name is reported by its line.
    html = await expectHtml(
      await p.postForm("/users/batch", { mode: "csv", csv: "fresh,1\nTaken,2 GB" }, {
        "HX-Request": "true",
      }),
      422,
    );
    assert(html.startsWith('<form id="batch-csv"'), html.slice(0, 40));
    assertStringIncludes(html, "Line 2: A user named &quot;taken&quot; already exists");
    assertEquals(await snapshotDatabase(p.db), before);
    const unknown = await expectHtml(
      await p.postForm("/users/batch", { mode: "csv", csv: "fresh,1", inbounds: ["ghost"] }),
      422,
    );
    assertStringIncludes(unknown, "Inbound &quot;ghost&quot; does not exist");
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

Deno.test("POST /users/batch reads an uploaded CSV file", async () => {
  await withPanel(async (p, applied) => {
    await insertInboundRow(p.db, { tag: "main" });
    const body = new FormData();
    body.set("_csrf", p.csrfToken);
    body.set("mode", "csv");
    body.append("inbounds", "main");
    body.set("file", new File(["name,quota,expiry\nzed,1 TB,\nyan,,2031-02-03\n"], "users.csv"));
    const res = await p.request("/users/batch", { method: "POST", body, csrf: false });
    assertEquals(res.status, 303, await res.text());
    const users = await usersByName(p);
    assertEquals(users.get("zed")!.traffic_limit, 1024 ** 4);
    assertEquals(users.get("yan")!.expires_at, Date.UTC(2031, 1, 3, 23, 59, 59, 999));
    assertEquals(await tagsOf(p, "yan"), ["main"]);
    assertEquals(applied, ["batch: 2 users created"]);
  });
});

Deno.test("POST /users/batch takes a CSV over the 64 KB limit of other forms", async () => {
  await withPanel(async (p, applied) => {
    const lines = Array.from({ length: 4000 }, (_, i) => `csv-user-${i},10 GB,2031-02-03`);
    const csv = `name,quota,expiry\n${lines.join("\n")}\n`;
    assert(csv.length > 100 * 1024, `${csv.length} bytes`);
    const body = new FormData();
    body.set("_csrf", p.csrfToken);
    body.set("mode", "csv");
    body.set("file", new File([csv], "users.csv"));
    const res = await p.request("/users/batch", { method: "POST", body, csrf: false });
    assertEquals(res.status, 303, await res.text());
    assertEquals((await usersByName(p)).size, 4000);
    assertEquals(applied, ["batch: 4000 users created"]);
  });
});

Deno.test("POST /users/batch gives every new user a subscription URL that is served", async () => {
  await withPanel(async (p) => {
    const first = await expectJson(await p.api("POST", "/api/v1/users", { name: "first" }), 201);
    // Served once: the placeholder hashes of older rows are filled, never again.
    const served = await p.app.request(`${new URL(first.user.subscriptionUrl).pathname}`);
    assertEquals(served.status, 200);
    await served.body?.cancel();
    const res = await p.postForm("/users/batch", { mode: "prefix", prefix: "sub-", count: "3" });
    assertEquals(res.status, 303);
    for (const name of ["sub-1", "sub-2", "sub-3"]) {
      const { user } = await expectJson(await p.api("GET", `/api/v1/users/${name}`), 200);
      const sub = await p.app.request(`${new URL(user.subscriptionUrl).pathname}?format=json`);
      assertEquals(sub.status, 200, `${name}'s subscription`);
      assertStringIncludes(sub.headers.get("subscription-userinfo") ?? "", "upload=0");
      await sub.body?.cancel();
    }
  });
});

Deno.test("POST /users/batch refuses a bad prefix form with every problem", async () => {
  await withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const html = await expectHtml(
      await p.postForm("/users/batch", {
        mode: "prefix",
        prefix: "a b",
        count: "0",
        trafficLimit: "x",
      }),
      422,
    );
    assertStringIncludes(html, "Count must be a whole number");
    assertStringIncludes(html, "Traffic limit &quot;x&quot;");
    const prefix = await expectHtml(
      await p.postForm("/users/batch", { mode: "prefix", prefix: "a b", count: "3" }),
      422,
    );
    assertStringIncludes(prefix, "not valid: Name must not contain spaces");
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

Deno.test("extendUsersExpiry() never goes past the last storable date", async () => {
  await withPanel(async (p) => {
    await insertUserRows(p.db, [{ name: "far", expires_at: MAX_EXPIRES_AT - DAY }]);
    await expectJson(
      await p.api("POST", "/api/v1/users/bulk", {
        action: "extendExpiry",
        users: ["far"],
        days: 3650,
      }),
      200,
    );
    assertEquals((await usersByName(p)).get("far")!.expires_at, MAX_EXPIRES_AT);
  });
});

Deno.test("POST /users/batch refuses an upload over 16 MB with 413 and creates nobody", async () => {
  await withPanel(async (p, applied) => {
    const before = await snapshotDatabase(p.db);
    const body = new FormData();
    body.set("_csrf", p.csrfToken);
    body.set("mode", "csv");
    body.set("file", new File(["x,1\n".repeat(4_300_000)], "huge.csv"));
    const res = await p.request("/users/batch", { method: "POST", body, csrf: false });
    assertEquals(res.status, 413);
    assertStringIncludes(await res.text(), "larger than 16 MB");
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});
