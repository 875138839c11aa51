/**
 * Users pages and the users repository: forms, actions, list search/sort/paging, the
 * htmx fragment, escaping, authentication and CSRF, and the list's query plans.
 */
import {
  assert,
  assertEquals,
  assertExists,
  assertFalse,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
} from "@std/assert";
import { CompiledQuery } from "kysely";
import { snapshotDatabase, withPanel } from "./support/app.ts";
import { insertInboundRow, insertUserRows } from "./support/rows.ts";
import { BYTES_PER_GB } from "../core/format.ts";
import { userNameError } from "../core/users/user_fields.ts";
import { english } from "../core/i18n/msg.ts";
import { parseUserForm } from "../core/users/user_input.ts";
import type { Db } from "../db/database.ts";
import {
  listUsers,
  USER_SORTS,
  userListQuery,
  type UserSort,
  usersWithTraffic,
} from "../db/users.ts";

const DAY = 24 * 3600 * 1000;
const GB = BYTES_PER_GB;

/** Asserts status, then the HTML content type; returns the body. */
async function expectHtml(res: Response, status: number, message?: string): Promise<string> {
  assertEquals(res.status, status, message);
  assertEquals(res.headers.get("content-type"), "text/html; charset=UTF-8");
  return await res.text();
}

function userRow(db: Db, name: string) {
  return usersWithTraffic(db).where("name", "=", name).executeTakeFirst();
}

function assignedTags(db: Db, userId: number) {
  return db.selectFrom("user_inbounds").innerJoin("inbounds", "inbounds.id", "inbound_id")
    .select("tag").where("user_id", "=", userId).orderBy("tag").execute()
    .then((rows) => rows.map((r) => r.tag));
}

const VALID_FORM = {
  name: "carol",
  trafficLimit: "1.5",
  trafficLimitUnit: "GB",
  expiresOn: "2031-03-04",
  enabled: "1",
  resetStrategy: "month",
  note: "Line one\r\nline two",
};

// ---------------------------------------------------------------------------------------
// Parsing

Deno.test("userNameError() gives a specific message for each kind of bad name", () => {
  assertEquals(userNameError("alice.b_c@d-e"), null);
  assertStringIncludes(english(userNameError("a>>>b")!), '">>>"');
  assertStringIncludes(english(userNameError("a|b")!), '"|"');
  assertStringIncludes(english(userNameError("a b")!), "whitespace");
  assertStringIncludes(english(userNameError("a\tb")!), "whitespace");
  assertStringIncludes(english(userNameError("x".repeat(49))!), "at most 48");
  assertStringIncludes(english(userNameError("bob!")!), '"!"');
  assertStringIncludes(english(userNameError("")!), "required");
  assertStringIncludes(english(userNameError("new")!), "reserved");
  assertStringIncludes(english(userNameError("..")!), "reserved");
});

Deno.test("parseUserForm() converts a decimal quota in its unit to bytes and a date to the end of that day UTC", () => {
  const parsed = parseUserForm({ ...VALID_FORM, inbounds: ["a", "b", "a"] });
  assertEquals(parsed.errors, {});
  assertEquals(parsed.values, {
    name: "carol",
    trafficLimit: Math.round(1.5 * GB),
    expiresAt: Date.UTC(2031, 2, 4, 23, 59, 59, 999),
    enabled: true,
    resetStrategy: "month",
    note: "Line one\nline two",
    inbounds: ["a", "b"],
  });
  const unlimited = parseUserForm({ name: "d", trafficLimit: "0", expiresOn: "" });
  assertEquals(unlimited.values.trafficLimit, 0);
  assertEquals(unlimited.values.expiresAt, null);
  assertEquals(unlimited.values.enabled, false);
  assertEquals(unlimited.values.resetStrategy, "none");
  const mb = parseUserForm({ name: "e", trafficLimit: "500", trafficLimitUnit: "MB" });
  assertEquals(mb.values.trafficLimit, 500 * 1024 ** 2);
  const tb = parseUserForm({ name: "e", trafficLimit: "1.5", trafficLimitUnit: "TB" });
  assertEquals(tb.values.trafficLimit, 1.5 * 1024 ** 4);
  assertStringIncludes(
    english(
      parseUserForm({ name: "e", trafficLimit: "1", trafficLimitUnit: "PB" }).errors.trafficLimit,
    ),
    "MB, GB, TB",
  );
});

Deno.test("parseUserForm() keeps the stored expiry instant when the date is unchanged", () => {
  const stored = Date.UTC(2031, 0, 2, 8, 30);
  const same = parseUserForm({ ...VALID_FORM, expiresOn: "2031-01-02" }, { expiresAt: stored });
  assertEquals(same.values.expiresAt, stored);
  const moved = parseUserForm({ ...VALID_FORM, expiresOn: "2031-01-03" }, { expiresAt: stored });
  assertEquals(moved.values.expiresAt, Date.UTC(2031, 0, 3, 23, 59, 59, 999));
});

Deno.test("parseUserForm() reports every bad field at once", () => {
  const parsed = parseUserForm({
    name: "a b",
    trafficLimit: "-1",
    expiresOn: "2031-02-30",
    resetStrategy: "yearly",
    note: "x".repeat(501),
  });
  assertEquals(Object.keys(parsed.errors).sort(), [
    "expiresAt",
    "name",
    "note",
    "resetStrategy",
    "trafficLimit",
  ]);
  assertEquals(
    english(parseUserForm({ name: "a", trafficLimit: "1,5" }).errors.trafficLimit).length > 0,
    true,
  );
  assertStringIncludes(
    english(parseUserForm({ name: "a", trafficLimit: "99999999999" }).errors.trafficLimit),
    "at most",
  );
  assertStringIncludes(
    english(parseUserForm({ name: "a", trafficLimit: "0.0000000001" }).errors.trafficLimit),
    "at least 1 byte",
  );
});

// ---------------------------------------------------------------------------------------
// Create, edit and actions through the pages

Deno.test("POST /users creates a user from the form and redirects to its page", async () => {
  await withPanel(async (p, applied) => {
    await insertInboundRow(p.db, { tag: "vless-main" });
    await insertInboundRow(p.db, { tag: "trojan-b" });
    const res = await p.postForm("/users", { ...VALID_FORM, inbounds: ["vless-main", "trojan-b"] });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/users/carol?done=created");
    const row = await userRow(p.db, "carol");
    assertExists(row);
    assertEquals(row.traffic_limit, Math.round(1.5 * GB));
    assertEquals(row.expires_at, Date.UTC(2031, 2, 4, 23, 59, 59, 999));
    assertEquals(row.enabled, 1);
    assertEquals(row.reset_strategy, "month");
    assertEquals(row.note, "Line one\nline two");
    assertMatch(row.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assertEquals(atob(row.password).length, 32);
    assertMatch(row.sub_token_hash, /^[0-9a-f]{64}$/);
    assertEquals(await assignedTags(p.db, row.id), ["trojan-b", "vless-main"]);
    assertEquals(applied, ['user "carol" created']);

    const page = await p.request("/users/carol?done=created");
    const html = await expectHtml(page, 200);
    assertStringIncludes(html, "User created.");
    assertStringIncludes(html, row.uuid);
    assertStringIncludes(html, "1.50 GB");
    // The edit form shows the quota back in its unit.
    assertStringIncludes(html, 'name="trafficLimit" inputmode="decimal" value="1.5"');
    assertStringIncludes(html, '<option value="GB" selected>GB</option>');
  });
});

Deno.test("POST /users from htmx answers with HX-Redirect instead of a 303", async () => {
  await withPanel(async (p) => {
    const res = await p.postForm("/users", VALID_FORM, { "HX-Request": "true" });
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("hx-redirect"), "/users/carol?done=created");
  });
});

Deno.test("GET /users/new renders the form with every enabled inbound checked", async () => {
  await withPanel(async (p) => {
    await insertInboundRow(p.db, { tag: "vless-main" });
    await insertInboundRow(p.db, { tag: "old", enabled: 0 });
    const res = await p.request("/users/new");
    const html = await expectHtml(res, 200);
    assertStringIncludes(html, 'id="user-form"');
    assertStringIncludes(html, 'data-check-all="inbounds"');
    assertStringIncludes(html, 'name="inbounds" value="vless-main" checked');
    assertMatch(html, /name="inbounds" value="old" >.*?\(disabled\)/);
    assertStringIncludes(html, 'name="_csrf"');
    // Expiry shortcuts, a Cancel link back to the list.
    for (const days of ["7", "30", "90", ""]) {
      assertStringIncludes(html, `data-expiry-days="${days}"`);
    }
    assertMatch(html, /<a class="button secondary" href="\/users">Cancel<\/a>/);
  });
});

Deno.test("GET /users/new/expiry-hint says how far the typed date is", async () => {
  await withPanel(async (p) => {
    const inTwelve = new Date(Date.now() + 12.5 * DAY).toISOString().slice(0, 10);
    let res = await p.request(`/users/new/expiry-hint?expiresOn=${inTwelve}`);
    assertEquals(await expectHtml(res, 200), "in 12 days");
    res = await p.request("/users/new/expiry-hint?expiresOn=");
    assertEquals(await expectHtml(res, 200), "never expires");
    res = await p.request("/users/new/expiry-hint?expiresOn=2031-02-30");
    assertEquals(res.status, 422);
  });
});

const BAD_FORMS: Array<[string, Record<string, string | string[]>, string, string]> = [
  ["a name with >>>", { name: "a>>>b" }, "name", "&quot;&gt;&gt;&gt;&quot;"],
  ["a name with |", { name: "a|b" }, "name", "&quot;|&quot;"],
  ["a name with whitespace", { name: "a b" }, "name", "whitespace"],
  ["a name with a bad character", { name: "bob!" }, "name", "not &quot;!&quot;"],
  ["a name over 48 characters", { name: "n".repeat(49) }, "name", "at most 48"],
  ["a negative limit", { trafficLimit: "-1" }, "trafficLimit", "0 or more GB"],
  ["a limit that is not a number", { trafficLimit: "ten" }, "trafficLimit", "number of GB"],
  ["an unknown unit", { trafficLimitUnit: "PB" }, "trafficLimit", "one of MB, GB, TB"],
  ["an impossible date", { expiresOn: "2031-02-30" }, "expiresAt", "not a real date"],
  ["a date in another format", { expiresOn: "04/03/2031" }, "expiresAt", "date like"],
  ["an unknown reset strategy", { resetStrategy: "yearly" }, "resetStrategy", "one of"],
  ["an oversize note", { note: "x".repeat(501) }, "note", "at most 500"],
  ["an unknown inbound", { inbounds: ["ghost"] }, "inbounds", "&quot;ghost&quot; does not exist"],
];

Deno.test("POST /users re-renders the form with field errors", async (t) => {
  await withPanel(async (p, applied) => {
    await insertInboundRow(p.db, { tag: "vless-main" });
    await insertUserRows(p.db, [{ name: "taken" }]);
    const cases = [
      ...BAD_FORMS,
      ["a duplicate name", { name: "taken" }, "name", "already exists"] as const,
    ];
    for (const [what, fields, _field, message] of cases) {
      await t.step(`POST /users rejects ${what} with 422 and changes nothing`, async () => {
        const before = await snapshotDatabase(p.db);
        const res = await p.postForm("/users", { ...VALID_FORM, ...fields });
        const html = await expectHtml(res, 422);
        assertStringIncludes(html, '<html lang="en" dir="ltr">'); // the whole page
        assertStringIncludes(html, '<p class="field-error">');
        assertStringIncludes(html, message);
        assertStringIncludes(html, 'aria-invalid="true"');
        assertEquals(await snapshotDatabase(p.db), before);
      });
    }
    await t.step("POST /users from htmx answers only the form with 422", async () => {
      const before = await snapshotDatabase(p.db);
      const res = await p.postForm("/users", { ...VALID_FORM, name: "a|b" }, {
        "HX-Request": "true",
      });
      const html = await expectHtml(res, 422);
      assert(html.startsWith('<form id="user-form"'), html.slice(0, 80));
      assertFalse(html.includes("<html"));
      assertStringIncludes(html, "separates user and inbound");
      assertStringIncludes(html, 'value="a|b"');
      assertEquals(await snapshotDatabase(p.db), before);
    });
    assertEquals(applied, []);
  });
});

Deno.test("POST /users escapes submitted HTML in every re-rendered field", async () => {
  await withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const evil = "<script>alert(1)</script>";
    const res = await p.postForm("/users", {
      name: evil,
      trafficLimit: evil,
      trafficLimitUnit: evil,
      expiresOn: evil,
      resetStrategy: evil,
      note: evil,
      inbounds: [evil],
    });
    const html = await expectHtml(res, 422);
    assertFalse(html.includes("<script>alert"), "raw <script> in the page");
    assertStringIncludes(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

Deno.test("POST /users/:name edits and renames a user and keeps an unchanged expiry", async () => {
  await withPanel(async (p, applied) => {
    const inbound = await insertInboundRow(p.db, { tag: "vless-main" });
    await insertInboundRow(p.db, { tag: "trojan-b" });
    const expiresAt = Date.UTC(2031, 0, 2, 8, 30);
    const [id] = await insertUserRows(p.db, [{
      name: "dave",
      expires_at: expiresAt,
      traffic_limit: 5 * GB,
    }]);
    await p.db.insertInto("user_inbounds").values({ user_id: id, inbound_id: inbound }).execute();

    const res = await p.postForm("/users/dave", {
      name: "dave2",
      trafficLimit: "5",
      expiresOn: "2031-01-02",
      enabled: "1",
      resetStrategy: "week",
      note: "renamed",
      inbounds: ["trojan-b"],
    });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/users/dave2?done=saved");
    assertEquals(await userRow(p.db, "dave"), undefined);
    const row = await userRow(p.db, "dave2");
    assertExists(row);
    assertEquals(row.id, id);
    assertEquals(row.expires_at, expiresAt);
    assertEquals(row.traffic_limit, 5 * GB);
    assertEquals(row.reset_strategy, "week");
    assertEquals(row.note, "renamed");
    assertEquals(await assignedTags(p.db, id), ["trojan-b"]);
    assertEquals(applied, ['user "dave2" edited']);
  });
});

Deno.test("POST /users/:name asks for no reload when only the note changes", async () => {
  await withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "erin" }]);
    const res = await p.postForm("/users/erin", {
      name: "erin",
      trafficLimit: "0",
      expiresOn: "",
      enabled: "1",
      resetStrategy: "none",
      note: "just a note",
    });
    assertEquals(res.status, 303);
    assertEquals((await userRow(p.db, "erin"))?.note, "just a note");
    assertEquals(applied, []);
  });
});

Deno.test("POST /users/:name rejects a name taken by another user and changes nothing", async () => {
  await withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "frank" }, { name: "grace" }]);
    const before = await snapshotDatabase(p.db);
    const res = await p.postForm("/users/frank", { ...VALID_FORM, name: "grace" });
    const html = await expectHtml(res, 422);
    assertStringIncludes(html, "A user named &quot;grace&quot; already exists");
    assertStringIncludes(html, "<h1>frank");
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

Deno.test("POST /users/:name/toggle disables and enables a user", async () => {
  await withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "heidi" }]);
    let res = await p.postForm("/users/heidi/toggle", { enabled: "0" });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/users/heidi?done=disabled");
    assertEquals((await userRow(p.db, "heidi"))?.enabled, 0);
    const page = await (await p.request("/users/heidi")).text();
    assertMatch(page, /<span [^>]*class="badge disabled">disabled<\/span>/);
    res = await p.postForm("/users/heidi/toggle", {}, { "HX-Request": "true" });
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("hx-redirect"), "/users/heidi?done=enabled");
    assertEquals((await userRow(p.db, "heidi"))?.enabled, 1);
    assertEquals(applied, ['user "heidi" disabled', 'user "heidi" enabled']);
  });
});

Deno.test("POST /users/:name/regenerate makes a new UUID and password", async () => {
  await withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "ivan" }]);
    const before = (await userRow(p.db, "ivan"))!;
    const res = await p.postForm("/users/ivan/regenerate", {});
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/users/ivan?done=regenerated");
    const after = (await userRow(p.db, "ivan"))!;
    assertNotEquals(after.uuid, before.uuid);
    assertNotEquals(after.password, before.password);
    assertEquals(after.sub_token_hash, before.sub_token_hash);
    assertEquals(after.sub_generation, before.sub_generation);
    assertEquals(applied, ['user "ivan" credentials regenerated']);
  });
});

Deno.test("POST /users/:name/reset-traffic zeroes the user but not the inbound totals", async () => {
  await withPanel(async (p, applied) => {
    const inbound = await insertInboundRow(p.db, {
      tag: "vless-main",
      uplink: 5000,
      downlink: 7000,
    });
    const [id, otherId] = await insertUserRows(p.db, [
      { name: "judy", uplink: 3000, downlink: 4000, traffic_limit: 5000 },
      { name: "ken", uplink: 2000, downlink: 3000 },
    ]);
    await p.db.insertInto("user_inbound_traffic").values([
      {
        user_id: id,
        inbound_id: inbound,
        uplink: 3000,
        downlink: 4000,
        run_id: 3,
        seen_uplink: 30,
        seen_downlink: 40,
      },
      {
        user_id: otherId,
        inbound_id: inbound,
        uplink: 2000,
        downlink: 3000,
        run_id: 0,
        seen_uplink: null,
        seen_downlink: null,
      },
    ]).execute();
    const page = await (await p.request("/users/judy")).text();
    assertMatch(page, /<span [^>]*class="badge limited">limited<\/span>/);

    const res = await p.postForm("/users/judy/reset-traffic", {});
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/users/judy?done=reset");
    const row = (await userRow(p.db, "judy"))!;
    assertEquals([row.uplink, row.downlink], [0, 0]);
    assertExists(row.last_reset_at);
    // The rows stay, zeroed, keeping the stats cursors (else the next poll counts again).
    const traffic = await p.db.selectFrom("user_inbound_traffic").selectAll().orderBy("user_id")
      .execute();
    assertEquals(traffic, [
      {
        user_id: id,
        inbound_id: inbound,
        uplink: 0,
        downlink: 0,
        run_id: 3,
        seen_uplink: 30,
        seen_downlink: 40,
      },
      {
        user_id: otherId,
        inbound_id: inbound,
        uplink: 2000,
        downlink: 3000,
        run_id: 0,
        seen_uplink: null,
        seen_downlink: null,
      },
    ]);
    const totals = await p.db.selectFrom("inbounds").select(["uplink", "downlink"]).execute();
    assertEquals(totals, [{ uplink: 5000, downlink: 7000 }]);
    const ken = (await userRow(p.db, "ken"))!;
    assertEquals([ken.uplink, ken.downlink], [2000, 3000]);
    assertEquals(applied, ['user "judy" traffic reset']);
  });
});

Deno.test("POST /users/:name/delete removes the user with assignments and traffic rows", async () => {
  await withPanel(async (p, applied) => {
    const inbound = await insertInboundRow(p.db, { tag: "vless-main", uplink: 10, downlink: 20 });
    const [id, keepId] = await insertUserRows(p.db, [{ name: "leo" }, { name: "mia" }]);
    await p.db.insertInto("user_inbounds").values([
      { user_id: id, inbound_id: inbound },
      { user_id: keepId, inbound_id: inbound },
    ]).execute();
    await p.db.insertInto("user_inbound_traffic").values([
      { user_id: id, inbound_id: inbound, uplink: 10, downlink: 20 },
    ]).execute();
    const res = await p.postForm("/users/leo/delete", {}, { "HX-Request": "true" });
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("hx-redirect"), "/users");
    assertEquals(await userRow(p.db, "leo"), undefined);
    assertEquals(
      await p.db.selectFrom("user_inbounds").selectAll().execute(),
      [{ user_id: keepId, inbound_id: inbound }],
    );
    assertEquals(await p.db.selectFrom("user_inbound_traffic").selectAll().execute(), []);
    assertEquals(
      await p.db.selectFrom("inbounds").select(["uplink", "downlink"]).execute(),
      [{ uplink: 10, downlink: 20 }],
    );
    assertEquals(applied, ['user "leo" deleted']);
  });
});

Deno.test("users actions on an unknown user answer 404 and change nothing", async () => {
  await withPanel(async (p, applied) => {
    const before = await snapshotDatabase(p.db);
    for (const path of ["/users/nobody"]) {
      const res = await p.request(path);
      assertStringIncludes(await expectHtml(res, 404), "User &quot;nobody&quot; does not exist");
    }
    for (const action of ["", "/toggle", "/regenerate", "/reset-traffic", "/delete"]) {
      const res = await p.postForm(`/users/nobody${action}`, VALID_FORM);
      assertStringIncludes(await expectHtml(res, 404, action), "does not exist");
    }
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

// ---------------------------------------------------------------------------------------
// Detail and list rendering

Deno.test("GET /users/:name shows the traffic per inbound, assigned ones with zeros", async () => {
  await withPanel(async (p) => {
    const a = await insertInboundRow(p.db, { tag: "in-a" });
    const b = await insertInboundRow(p.db, { tag: "in-b" });
    const c = await insertInboundRow(p.db, { tag: "in-c" });
    await insertInboundRow(p.db, { tag: "in-unrelated" });
    const [id] = await insertUserRows(p.db, [{ name: "nina", uplink: 3 * GB, downlink: 5 }]);
    await p.db.insertInto("user_inbounds").values([
      { user_id: id, inbound_id: a },
      { user_id: id, inbound_id: b },
    ]).execute();
    await p.db.insertInto("user_inbound_traffic").values([
      { user_id: id, inbound_id: a, uplink: 3 * GB, downlink: 2 },
      { user_id: id, inbound_id: c, uplink: 0, downlink: 3 },
    ]).execute();
    const res = await p.request("/users/nina");
    const html = await expectHtml(res, 200);
    const table = html.slice(html.indexOf('<table id="user-inbounds"'), html.indexOf("</table>"));
    const text = (cell: string) => cell.replace(/<[^>]+>/g, "").trim();
    const rows = [
      ...table.matchAll(
        /<tr[^>]*><td>(.*?)<\/td><td class="num">(.*?)<\/td><td class="num">(.*?)<\/td><\/tr>/g,
      ),
    ]
      .map((m) => [text(m[1]), text(m[2]), text(m[3])]);
    assertEquals(rows, [
      ["in-a", "3.00 GB", "2 B"],
      ["in-b", "0 B", "0 B"],
      ["in-c (no longer assigned)", "0 B", "3 B"],
    ]);
  });
});

Deno.test("GET /users shows status badges, usage bars and expiry for every status", async () => {
  await withPanel(async (p) => {
    const now = Date.now();
    const inbound = await insertInboundRow(p.db, { tag: "vless-main" });
    const [okId] = await insertUserRows(p.db, [
      { name: "ok", uplink: GB, downlink: GB / 4, traffic_limit: 10 * GB },
      { name: "near", uplink: 8 * GB, traffic_limit: 10 * GB },
      { name: "soon", expires_at: now + DAY },
      { name: "both", uplink: 9 * GB, traffic_limit: 10 * GB, expires_at: now + DAY },
      { name: "over", uplink: 10 * GB, downlink: 1, traffic_limit: 10 * GB },
      { name: "past", expires_at: Date.UTC(2020, 0, 1, 23, 59, 59, 999) },
      { name: "off", enabled: 0 },
    ]);
    await p.db.insertInto("user_inbounds").values({ user_id: okId, inbound_id: inbound }).execute();
    const res = await p.request("/users");
    const html = await expectHtml(res, 200);
    const row = (name: string) => {
      const start = html.indexOf(`data-name="${name}"`);
      return html.slice(start, html.indexOf("</tr>", start));
    };
    const text = (fragment: string) => fragment.replace(/<[^>]+>/g, "");
    assertStringIncludes(row("ok"), '<span class="badge active">active</span>');
    assertStringIncludes(row("ok"), '<svg class="bar active"');
    assertStringIncludes(row("ok"), '<rect class="fill" width="12.5" height="6">');
    assertStringIncludes(text(row("ok")), "1.25 GB / 10.0 GB");
    // Byte counts stay left to right in a right-to-left page (an isolate).
    assertStringIncludes(
      row("ok"),
      '<td class="num"><bdi dir="ltr" title="1,073,741,824 bytes">1.00 GB</bdi></td>' +
        '<td class="num"><bdi dir="ltr" title="268,435,456 bytes">256 MB</bdi></td>',
    );
    assertStringIncludes(
      row("ok"),
      '<span class="truncate inbound-tag" title="vless-main">vless-main</span>',
    );
    // Near the quota and expiring soon are two statuses: used traffic alone makes "near quota".
    assertStringIncludes(row("near"), '<span class="badge near_limit">near quota</span>');
    assertStringIncludes(row("near"), '<svg class="bar near_limit"');
    assertStringIncludes(row("soon"), '<span class="badge expiring">expires soon</span>');
    assertStringIncludes(text(row("soon")), "0 B / ∞");
    assertMatch(
      row("soon"),
      /<span class="soon-date">\d{4}-\d\d-\d\d<\/span> <span class="muted expiry-rel">\(in 23 h\)<\/span>/,
    );
    assertStringIncludes(row("both"), '<span class="badge near_limit">near quota</span>');
    assertStringIncludes(row("over"), '<span class="badge limited">limited</span>');
    assertStringIncludes(row("over"), '<rect class="fill" width="100" height="6">');
    assertStringIncludes(row("past"), '<span class="badge expired">expired</span>');
    assertMatch(row("past"), /<span class="expired-date"[^>]*>2020-01-01<\/span>/);
    assertStringIncludes(row("off"), '<span class="badge disabled">disabled</span>');
    assertStringIncludes(row("off"), '<span class="muted">never</span>');
    assertStringIncludes(html, '<span id="users-total">7 users</span>');
  });
});

Deno.test("GET /users and GET /users/:name never show a note's or name's HTML raw", async () => {
  await withPanel(async (p) => {
    const evil = "<script>alert('x')</script>";
    const res = await p.api("POST", "/api/v1/users", { name: "olga", note: evil });
    assertEquals(res.status, 201);
    assertEquals((await userRow(p.db, "olga"))?.note, evil);
    for (const path of ["/users", "/users/olga", "/users?search=%3Cscript%3E"]) {
      const page = await p.request(path);
      assertEquals(page.status, 200);
      const html = await page.text();
      assertFalse(html.includes("<script>alert"), `raw <script> on ${path}`);
    }
    const detail = await (await p.request("/users/olga")).text();
    assertStringIncludes(detail, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  });
});

Deno.test("GET /users with HX-Request returns only the self-refreshing table fragment", async () => {
  await withPanel(async (p) => {
    await insertUserRows(p.db, [{ name: "pat" }]);
    const res = await p.request("/users?search=pa&sort=traffic_desc&page=1", {
      headers: { "HX-Request": "true" },
    });
    const html = await expectHtml(res, 200);
    assert(html.startsWith('<div id="users-list"'), html.slice(0, 80));
    assertFalse(html.includes("<html"));
    assertFalse(html.includes('type="search"'));
    assertStringIncludes(html, 'id="users-table"');
    assertStringIncludes(
      html,
      'hx-get="/users?search=pa&amp;sort=traffic_desc" hx-trigger="refresh" data-refresh="5" ' +
        'hx-swap="morph"',
    );
    assertStringIncludes(
      html,
      '<span id="users-search-state" hx-swap-oob="true">' +
        '<input type="hidden" name="sort" value="traffic_desc">',
    );
    // Headers keep the search and toggle the direction of the current sort.
    assertStringIncludes(html, 'href="/users?search=pa&amp;sort=traffic_asc"');
    assertStringIncludes(html, 'hx-push-url="true"');

    const full = await (await p.request("/users?search=pa")).text();
    assertStringIncludes(full, '<input type="search" id="users-search" name="search" value="pa"');
    assertStringIncludes(full, 'hx-trigger="input changed delay:300ms, search"');
  });
});

// ---------------------------------------------------------------------------------------
// Search, sort and paging over 120 users

interface Seeded {
  id: number;
  name: string;
  traffic: number;
  expiresAt: number | null;
  createdAt: number;
}

/** 120 users whose names, traffic, expiry and creation orders all differ, with ties. */
async function seedList(db: Db): Promise<Seeded[]> {
  const base = Date.UTC(2030, 0, 1);
  const users: Array<Omit<Seeded, "id">> = [];
  for (let i = 0; i < 120; i++) {
    users.push({
      name: `u${String((i * 37) % 120).padStart(3, "0")}${i % 7 === 0 ? "_x" : ""}`,
      traffic: i % 10 === 0 ? 0 : ((i * 919) % 1000) * 1000,
      expiresAt: i % 3 === 0 ? null : base + ((i * 13) % 40) * DAY,
      createdAt: base - Math.floor(i / 2) * 1000 * ((i * 7) % 5 + 1),
    });
  }
  const ids = await insertUserRows(
    db,
    users.map((u) => ({
      name: u.name,
      uplink: Math.floor(u.traffic / 3),
      downlink: u.traffic - Math.floor(u.traffic / 3),
      expires_at: u.expiresAt,
      created_at: u.createdAt,
    })),
  );
  return users.map((u, i) => ({ id: ids[i], ...u }));
}

const cmp = (a: number | string, b: number | string) => a < b ? -1 : a > b ? 1 : 0;
const EXPECTED_ORDER: Record<UserSort, (a: Seeded, b: Seeded) => number> = {
  name: (a, b) => cmp(a.name, b.name),
  name_desc: (a, b) => cmp(b.name, a.name),
  created: (a, b) => cmp(b.createdAt, a.createdAt) || cmp(b.id, a.id),
  created_asc: (a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id),
  expiry: (a, b) =>
    cmp(a.expiresAt === null ? 1 : 0, b.expiresAt === null ? 1 : 0) ||
    cmp(a.expiresAt ?? 0, b.expiresAt ?? 0) || cmp(a.id, b.id),
  expiry_desc: (a, b) =>
    cmp(b.expiresAt === null ? 1 : 0, a.expiresAt === null ? 1 : 0) ||
    cmp(b.expiresAt ?? 0, a.expiresAt ?? 0) || cmp(b.id, a.id),
  traffic_asc: (a, b) => cmp(a.traffic, b.traffic) || cmp(a.id, b.id),
  traffic_desc: (a, b) => cmp(b.traffic, a.traffic) || cmp(b.id, a.id),
};

Deno.test("listUsers() pages through every sort in the expected order", async () => {
  await withPanel(async (p) => {
    const seeded = await seedList(p.db);
    for (const sort of USER_SORTS) {
      const expected = [...seeded].sort(EXPECTED_ORDER[sort]).map((u) => u.name);
      const got: string[] = [];
      for (const page of [1, 2, 3, 4]) {
        const list = await listUsers(p.db, { sort, page });
        assertEquals(list.total, 120);
        assertEquals(list.rows.length, [50, 50, 20, 0][page - 1], `${sort} page ${page}`);
        got.push(...list.rows.map((u) => u.name));
      }
      assertEquals(got, expected, `sort ${sort}`);
    }
  });
});

Deno.test("GET /users?page=3 shows the last 20 users and the pager", async () => {
  await withPanel(async (p) => {
    const seeded = await seedList(p.db);
    const expected = [...seeded].sort(EXPECTED_ORDER.traffic_desc).slice(100).map((u) => u.name);
    const res = await p.request("/users?sort=traffic_desc&page=3");
    const html = await expectHtml(res, 200);
    const names = [...html.matchAll(/<tr id="user-row-\d+" data-name="([^"]+)"/g)].map((m) => m[1]);
    assertEquals(names, expected);
    assertStringIncludes(html, '<span id="users-total">120 users</span>');
    assertStringIncludes(html, "Page 3 of 3");
    assertStringIncludes(html, 'href="/users?sort=traffic_desc&amp;page=2"');
    assertStringIncludes(html, "<span>Next →</span>");
    // Past the end shows the last page.
    const past = await (await p.request("/users?sort=traffic_desc&page=9")).text();
    assertStringIncludes(past, "Page 3 of 3");
  });
});

Deno.test("listUsers() searches names literally, with % and _ not acting as wildcards", async () => {
  await withPanel(async (p) => {
    await seedList(p.db);
    await insertUserRows(p.db, [{ name: "a_b" }, { name: "axb" }, { name: "A_B2" }, {
      name: "x\\y",
    }]);
    const names = async (search: string) =>
      (await listUsers(p.db, { search, sort: "name" })).rows.map((u) => u.name);
    assertEquals(await names("a_b"), ["A_B2", "a_b"]);
    assertEquals((await listUsers(p.db, { search: "%" })).total, 0);
    assertEquals(await names("\\"), ["x\\y"]);
    assertEquals((await listUsers(p.db, { search: "_x" })).total, 18);
    assertEquals((await listUsers(p.db, { search: "u00" })).total, 10);
    assertEquals((await listUsers(p.db, { search: "u0", page: 2 })).rows.length, 50);
    assertEquals((await listUsers(p.db, { search: "u0", page: 2 })).total, 100);

    const res = await p.request("/users?search=%25");
    assertEquals(res.status, 200);
    assertStringIncludes(await res.text(), "No users match “%”");
  });
});

Deno.test("userListQuery() finds a page's ids on the sort's index alone, and sorts only the page", async () => {
  await withPanel(async (p) => {
    await seedList(p.db);
    for (const sort of USER_SORTS) {
      for (const search of [undefined, "a"]) {
        const compiled = userListQuery(p.db, { sort, search, page: 1000 }).compile();
        const { rows } = await p.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]),
        );
        const plan = rows.map((r) => r.detail).join(" | ");
        // The page's ids: one scan of the sort's index, skipping earlier pages without
        // visiting the other table. Unfiltered, the users indexes cover the query;
        // user_traffic_total is an expression index, read with its narrow table rows.
        const ids = sort.startsWith("traffic")
          ? search
            ? "SCAN user_traffic USING INDEX user_traffic_total \\| SEARCH users USING INTEGER PRIMARY KEY \\(rowid=\\?\\)"
            : "SCAN user_traffic USING INDEX user_traffic_total"
          : search
          ? "SCAN users USING (COVERING )?INDEX \\w+" // a search reads names from the rows
          : "SCAN users USING COVERING INDEX \\w+";
        // Then the page's rows by primary key, and a sort of those rows only.
        const rowsOfPage =
          "SCAN page \\| SEARCH users USING INTEGER PRIMARY KEY \\(rowid=\\?\\) \\| " +
          "SEARCH user_traffic USING INTEGER PRIMARY KEY \\(rowid=\\?\\) \\| USE TEMP B-TREE FOR ORDER BY";
        assertMatch(
          plan,
          new RegExp(`^CO-ROUTINE page \\| ${ids} \\| ${rowsOfPage}$`),
          `${sort} ${search ?? ""}: ${plan}`,
        );
      }
    }
  });
});

Deno.test("listUsers() gives deep pages in order, each row with its own totals", async () => {
  await withPanel(async (p) => {
    await seedList(p.db);
    const all = await usersWithTraffic(p.db).execute();
    const byTraffic = [...all].sort((a, b) =>
      (b.uplink + b.downlink) - (a.uplink + a.downlink) || b.id - a.id
    );
    const pages = [];
    for (let page = 1; (page - 1) * 2 < all.length; page++) {
      pages.push(...(await listUsers(p.db, { sort: "traffic_desc", page, pageSize: 2 })).rows);
    }
    assertEquals(
      pages.map((u) => [u.name, u.uplink, u.downlink]),
      byTraffic.map((r) => [r.name, r.uplink, r.downlink]),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Authentication and CSRF

const PAGE_GETS = ["/users", "/users/new", "/users/someone"];
const PAGE_POSTS = [
  "/users",
  "/users/someone",
  "/users/someone/toggle",
  "/users/someone/regenerate",
  "/users/someone/reset-traffic",
  "/users/someone/delete",
];

Deno.test("users pages without a session redirect to /login", async () => {
  await withPanel(async (p) => {
    for (const path of [...PAGE_GETS]) {
      const res = await p.app.request(path);
      assertEquals(res.status, 303, path);
      assertEquals(res.headers.get("location"), `/login?next=${encodeURIComponent(path)}`);
    }
    for (const path of PAGE_POSTS) {
      const res = await p.app.request(path, {
        method: "POST",
        body: new URLSearchParams({ name: "x" }),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      assertEquals(res.status, 303, path);
      assertMatch(res.headers.get("location") ?? "", /^\/login/);
    }
  });
});

Deno.test("users posts without a CSRF token are refused with 403 and change nothing", async () => {
  await withPanel(async (p, applied) => {
    await insertUserRows(p.db, [{ name: "someone" }]);
    const before = await snapshotDatabase(p.db);
    for (const path of PAGE_POSTS) {
      const res = await p.request(path, {
        method: "POST",
        csrf: false,
        body: new URLSearchParams(VALID_FORM),
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      assertStringIncludes(await expectHtml(res, 403, path), "CSRF");
    }
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

Deno.test("GET /users answers the whole page to an htmx history restore", async () => {
  await withPanel(async (p) => {
    const res = await p.request("/users?sort=expiry", {
      headers: { "HX-Request": "true", "HX-History-Restore-Request": "true" },
    });
    const html = await expectHtml(res, 200);
    assertStringIncludes(res.headers.get("vary") ?? "", "HX-Request");
    assertStringIncludes(html, '<html lang="en" dir="ltr">');
    assertStringIncludes(html, 'type="search"');
  });
});
