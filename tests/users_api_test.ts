/** API v1 users: every route, the bad-input catalog, authentication and CSRF. */
import { assert, assertEquals, assertExists, assertMatch, assertNotEquals } from "@std/assert";
import { snapshotDatabase, withPanel } from "./support/app.ts";
import { insertInboundRow, setUserTraffic } from "./support/rows.ts";

const GB = 1024 ** 3;
const JSON_TYPE = "application/json";

/** Asserts status, then JSON content type; returns the body. */
async function expectJson(res: Response, status: number) {
  assertEquals(res.status, status);
  assertMatch(res.headers.get("content-type") ?? "", /^application\/json/);
  return await res.json();
}

const ALICE = {
  name: "alice",
  trafficLimit: 10 * GB,
  expiresAt: "2031-06-30T12:00:00+02:00",
  enabled: true,
  note: "first user",
  resetStrategy: "month",
  inbounds: ["vless-main"],
};

// ---------------------------------------------------------------------------------------
// Routes

Deno.test("POST /api/v1/users creates a user and answers 201 with it", async () => {
  await withPanel(async (p, applied) => {
    await insertInboundRow(p.db, { tag: "vless-main" });
    const res = await p.api("POST", "/api/v1/users", ALICE);
    const body = await expectJson(res, 201);
    assertEquals(res.headers.get("location"), "/api/v1/users/alice");
    const user = body.user;
    assertEquals(Object.keys(user).sort(), [
      "createdAt",
      "downlink",
      "enabled",
      "expiresAt",
      "id",
      "inbounds",
      "lastSubscription",
      "name",
      "note",
      "password",
      "resetStrategy",
      "status",
      "subscriptionUrl",
      "trafficLimit",
      "uplink",
      "uuid",
    ]);
    assertEquals(user.name, "alice");
    assertEquals(user.trafficLimit, 10 * GB);
    assertEquals(user.expiresAt, "2031-06-30T10:00:00.000Z");
    assertEquals(user.enabled, true);
    assertEquals(user.note, "first user");
    assertEquals(user.resetStrategy, "month");
    assertEquals(user.status, "active");
    assertEquals([user.uplink, user.downlink], [0, 0]);
    assertEquals(user.inbounds, ["vless-main"]);
    assertMatch(user.uuid, /^[0-9a-f-]{36}$/);
    assertEquals(atob(user.password).length, 32);
    assertMatch(user.subscriptionUrl, /^http:\/\/localhost\/sub\/[A-Za-z0-9_-]{43}$/);
    assertEquals(user.lastSubscription, null);
    assertMatch(user.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assertEquals(applied, ['user "alice" created']);
  });
});

Deno.test("POST /api/v1/users fills defaults and reads a bare date as the end of that day", async () => {
  await withPanel(async (p) => {
    let body = await expectJson(await p.api("POST", "/api/v1/users", { name: "bob" }), 201);
    assertEquals(body.user.trafficLimit, 0);
    assertEquals(body.user.expiresAt, null);
    assertEquals(body.user.enabled, true);
    assertEquals(body.user.note, "");
    assertEquals(body.user.resetStrategy, "none");
    assertEquals(body.user.inbounds, []);
    body = await expectJson(
      await p.api("POST", "/api/v1/users", { name: "bo", expiresAt: "2031-01-31" }),
      201,
    );
    assertEquals(body.user.expiresAt, "2031-01-31T23:59:59.999Z");
  });
});

Deno.test("GET /api/v1/users lists a page with total, page and pageSize", async () => {
  await withPanel(async (p) => {
    for (let i = 0; i < 55; i++) {
      const name = `user${String(i).padStart(2, "0")}`;
      await expectJson(await p.api("POST", "/api/v1/users", { name }), 201);
    }
    await setUserTraffic(p.db, "user07", 500, 1);
    let body = await expectJson(await p.api("GET", "/api/v1/users"), 200);
    assertEquals([body.total, body.page, body.pageSize, body.users.length], [55, 1, 50, 50]);
    assertEquals(body.users[0].name, "user00");
    body = await expectJson(await p.api("GET", "/api/v1/users?page=2&sort=name"), 200);
    assertEquals(body.users.map((u: { name: string }) => u.name), [
      "user50",
      "user51",
      "user52",
      "user53",
      "user54",
    ]);
    body = await expectJson(await p.api("GET", "/api/v1/users?sort=traffic_desc"), 200);
    assertEquals([body.users[0].name, body.users[0].uplink], ["user07", 500]);
    body = await expectJson(await p.api("GET", "/api/v1/users?sort=created"), 200);
    assertEquals(body.users[0].name, "user54");
    body = await expectJson(await p.api("GET", "/api/v1/users?search=er1"), 200);
    assertEquals(body.total, 10);
    body = await expectJson(await p.api("GET", "/api/v1/users?page=9"), 200);
    assertEquals([body.total, body.page, body.users], [55, 9, []]);
  });
});

Deno.test("GET /api/v1/users/:name includes the traffic per inbound", async () => {
  await withPanel(async (p) => {
    const a = await insertInboundRow(p.db, { tag: "vless-main" });
    await insertInboundRow(p.db, { tag: "trojan-b" });
    await expectJson(
      await p.api("POST", "/api/v1/users", { name: "carol", inbounds: ["vless-main", "trojan-b"] }),
      201,
    );
    const id = (await p.db.selectFrom("users").select("id").executeTakeFirstOrThrow()).id;
    await p.db.insertInto("user_inbound_traffic").values({
      user_id: id,
      inbound_id: a,
      uplink: 100,
      downlink: 250,
    }).execute();
    await setUserTraffic(p.db, null, 100, 250);
    const body = await expectJson(await p.api("GET", "/api/v1/users/carol"), 200);
    assertEquals(body.user.name, "carol");
    assertEquals([body.user.uplink, body.user.downlink], [100, 250]);
    assertEquals(body.user.inbounds, ["trojan-b", "vless-main"]);
    assertEquals(body.user.perInbound, [
      { tag: "trojan-b", uplink: 0, downlink: 0, assigned: true },
      { tag: "vless-main", uplink: 100, downlink: 250, assigned: true },
    ]);
  });
});

Deno.test("PATCH /api/v1/users/:name changes only the given fields", async () => {
  await withPanel(async (p, applied) => {
    await insertInboundRow(p.db, { tag: "vless-main" });
    await insertInboundRow(p.db, { tag: "trojan-b" });
    const created = (await expectJson(await p.api("POST", "/api/v1/users", ALICE), 201)).user;
    let body = await expectJson(
      await p.api("PATCH", "/api/v1/users/alice", { trafficLimit: 0, inbounds: ["trojan-b"] }),
      200,
    );
    assertEquals(body.user.trafficLimit, 0);
    assertEquals(body.user.inbounds, ["trojan-b"]);
    assertEquals(body.user.expiresAt, created.expiresAt);
    assertEquals(body.user.note, created.note);
    assertEquals(body.user.uuid, created.uuid);
    body = await expectJson(
      await p.api("PATCH", "/api/v1/users/alice", { name: "alice2", expiresAt: null }),
      200,
    );
    assertEquals([body.user.name, body.user.expiresAt, body.user.id], ["alice2", null, created.id]);
    await expectJson(await p.api("GET", "/api/v1/users/alice"), 404);
    body = await expectJson(await p.api("PATCH", "/api/v1/users/alice2", { note: "hi" }), 200);
    assertEquals(body.user.note, "hi");
    body = await expectJson(await p.api("PATCH", "/api/v1/users/alice2", { enabled: false }), 200);
    assertEquals([body.user.enabled, body.user.status], [false, "disabled"]);
    assertEquals(applied, [
      'user "alice" created',
      'user "alice" edited',
      'user "alice2" edited',
      'user "alice2" edited',
    ]);
  });
});

Deno.test("DELETE /api/v1/users/:name deletes the user and its rows", async () => {
  await withPanel(async (p, applied) => {
    const inbound = await insertInboundRow(p.db, { tag: "vless-main" });
    await expectJson(await p.api("POST", "/api/v1/users", ALICE), 201);
    const id = (await p.db.selectFrom("users").select("id").executeTakeFirstOrThrow()).id;
    await p.db.insertInto("user_inbound_traffic").values({
      user_id: id,
      inbound_id: inbound,
      uplink: 1,
      downlink: 2,
    }).execute();
    const res = await p.api("DELETE", "/api/v1/users/alice");
    assertEquals(res.status, 204);
    assertEquals(await res.text(), "");
    assertEquals(await p.db.selectFrom("users").selectAll().execute(), []);
    assertEquals(await p.db.selectFrom("user_inbounds").selectAll().execute(), []);
    assertEquals(await p.db.selectFrom("user_inbound_traffic").selectAll().execute(), []);
    const again = await expectJson(await p.api("DELETE", "/api/v1/users/alice"), 404);
    assertEquals(again, { error: 'User "alice" does not exist', fields: {} });
    assertEquals(applied, ['user "alice" created', 'user "alice" deleted']);
  });
});

Deno.test("POST /api/v1/users/:name/reset-traffic zeroes the user's traffic", async () => {
  await withPanel(async (p, applied) => {
    const inbound = await insertInboundRow(p.db, { tag: "vless-main" });
    await expectJson(
      await p.api("POST", "/api/v1/users", { ...ALICE, trafficLimit: 1000 }),
      201,
    );
    const id = (await p.db.selectFrom("users").select("id").executeTakeFirstOrThrow()).id;
    await setUserTraffic(p.db, null, 600, 400);
    await p.db.updateTable("inbounds").set({ uplink: 600, downlink: 400 }).execute();
    await p.db.insertInto("user_inbound_traffic").values({
      user_id: id,
      inbound_id: inbound,
      uplink: 600,
      downlink: 400,
    }).execute();
    let body = await expectJson(await p.api("GET", "/api/v1/users/alice"), 200);
    assertEquals(body.user.status, "limited");
    body = await expectJson(await p.api("POST", "/api/v1/users/alice/reset-traffic"), 200);
    assertEquals([body.user.uplink, body.user.downlink, body.user.status], [0, 0, "active"]);
    const pairs = await p.db.selectFrom("user_inbound_traffic").select(["uplink", "downlink"])
      .execute();
    assertEquals(pairs, [{ uplink: 0, downlink: 0 }]);
    const totals = await p.db.selectFrom("inbounds").select(["uplink", "downlink"]).execute();
    assertEquals(totals, [{ uplink: 600, downlink: 400 }]);
    assertEquals(applied.at(-1), 'user "alice" traffic reset');
  });
});

Deno.test("POST /api/v1/users/:name/regenerate gives a new UUID and password", async () => {
  await withPanel(async (p, applied) => {
    const created = (await expectJson(await p.api("POST", "/api/v1/users", { name: "dan" }), 201))
      .user;
    const body = await expectJson(await p.api("POST", "/api/v1/users/dan/regenerate"), 200);
    assertNotEquals(body.user.uuid, created.uuid);
    assertNotEquals(body.user.password, created.password);
    assertEquals(body.user.subscriptionUrl, created.subscriptionUrl);
    assertEquals(applied.at(-1), 'user "dan" credentials regenerated');
  });
});

Deno.test("API user routes answer 404 JSON for an unknown user", async () => {
  await withPanel(async (p) => {
    const calls: Array<[string, string, unknown?]> = [
      ["GET", "/api/v1/users/ghost"],
      ["PATCH", "/api/v1/users/ghost", { note: "x" }],
      ["DELETE", "/api/v1/users/ghost"],
      ["POST", "/api/v1/users/ghost/reset-traffic"],
      ["POST", "/api/v1/users/ghost/regenerate"],
    ];
    const before = await snapshotDatabase(p.db);
    for (const [method, path, body] of calls) {
      const json = await expectJson(await p.api(method, path, body), 404);
      assertEquals(json, { error: 'User "ghost" does not exist', fields: {} });
    }
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

// ---------------------------------------------------------------------------------------
// Bad input: status, content type, error body naming the field, and nothing changed

interface BadCase {
  what: string;
  method: "POST" | "PATCH" | "GET";
  path?: string;
  body?: unknown;
  status: number;
  /** The field the error must name; null for body-level errors. */
  field: string | null;
  /** Text the message (field message, or `error` when field is null) must include. */
  says: string;
}

const EVIL = "<script>alert(1)</script>";

const BAD_CASES: BadCase[] = [
  {
    what: "a duplicate name",
    method: "POST",
    body: { name: "taken" },
    status: 409,
    field: "name",
    says: 'A user named "taken" already exists',
  },
  {
    what: "a name with >>>",
    method: "POST",
    body: { name: "a>>>b" },
    status: 422,
    field: "name",
    says: '">>>"',
  },
  {
    what: "a name with the pair separator |",
    method: "POST",
    body: { name: "a|b" },
    status: 422,
    field: "name",
    says: '"|"',
  },
  {
    what: "a name with whitespace",
    method: "POST",
    body: { name: " bob" },
    status: 422,
    field: "name",
    says: "whitespace",
  },
  {
    what: "a name outside the character set",
    method: "POST",
    body: { name: "bób" },
    status: 422,
    field: "name",
    says: 'not "ó"',
  },
  {
    what: "a name over 48 characters",
    method: "POST",
    body: { name: "n".repeat(49) },
    status: 422,
    field: "name",
    says: "at most 48",
  },
  {
    what: "HTML in the name",
    method: "POST",
    body: { name: EVIL },
    status: 422,
    field: "name",
    says: 'not "<"',
  },
  {
    what: "a missing name",
    method: "POST",
    body: { note: "x" },
    status: 422,
    field: "name",
    says: "required",
  },
  {
    what: "a name that is not a string",
    method: "POST",
    body: { name: 42 },
    status: 422,
    field: "name",
    says: "string",
  },
  {
    what: "a reserved name",
    method: "POST",
    body: { name: "new" },
    status: 422,
    field: "name",
    says: "reserved",
  },
  {
    what: "an oversize note",
    method: "POST",
    body: { name: "ok", note: "x".repeat(501) },
    status: 422,
    field: "note",
    says: "at most 500",
  },
  {
    what: "a negative trafficLimit",
    method: "POST",
    body: { name: "ok", trafficLimit: -1 },
    status: 422,
    field: "trafficLimit",
    says: "0 (unlimited) or more",
  },
  {
    what: "a decimal trafficLimit",
    method: "POST",
    body: { name: "ok", trafficLimit: 1.5 },
    status: 422,
    field: "trafficLimit",
    says: "whole number",
  },
  {
    what: "a huge trafficLimit",
    method: "POST",
    body: { name: "ok", trafficLimit: 2 ** 53 },
    status: 422,
    field: "trafficLimit",
    says: "at most 9007199254740991",
  },
  {
    what: "a trafficLimit given as a string",
    method: "POST",
    body: { name: "ok", trafficLimit: "10" },
    status: 422,
    field: "trafficLimit",
    says: "number of bytes",
  },
  {
    what: "an expiresAt that is not a date",
    method: "POST",
    body: { name: "ok", expiresAt: "next tuesday" },
    status: 422,
    field: "expiresAt",
    says: "ISO 8601",
  },
  {
    what: "an expiresAt without a time zone",
    method: "POST",
    body: { name: "ok", expiresAt: "2031-01-01T10:00:00" },
    status: 422,
    field: "expiresAt",
    says: "ISO 8601",
  },
  {
    what: "an impossible expiresAt",
    method: "POST",
    body: { name: "ok", expiresAt: "2031-02-30T10:00:00Z" },
    status: 422,
    field: "expiresAt",
    says: "not a real date",
  },
  {
    what: "an expiresAt given as a number",
    method: "POST",
    body: { name: "ok", expiresAt: 1700000000000 },
    status: 422,
    field: "expiresAt",
    says: "ISO 8601",
  },
  {
    what: "HTML in expiresAt",
    method: "POST",
    body: { name: "ok", expiresAt: EVIL },
    status: 422,
    field: "expiresAt",
    says: "ISO 8601",
  },
  {
    what: "an unknown resetStrategy",
    method: "POST",
    body: { name: "ok", resetStrategy: "yearly" },
    status: 422,
    field: "resetStrategy",
    says: "none, day, week, month",
  },
  {
    what: "HTML in resetStrategy",
    method: "POST",
    body: { name: "ok", resetStrategy: EVIL },
    status: 422,
    field: "resetStrategy",
    says: "none, day, week, month",
  },
  {
    what: "an enabled flag that is not a boolean",
    method: "POST",
    body: { name: "ok", enabled: "yes" },
    status: 422,
    field: "enabled",
    says: "true or false",
  },
  {
    what: "an unknown inbound",
    method: "POST",
    body: { name: "ok", inbounds: ["vless-main", "ghost"] },
    status: 422,
    field: "inbounds",
    says: 'Inbound "ghost" does not exist',
  },
  {
    what: "HTML as an inbound tag",
    method: "POST",
    body: { name: "ok", inbounds: [EVIL] },
    status: 422,
    field: "inbounds",
    says: "does not exist",
  },
  {
    what: "inbounds that are not a list",
    method: "POST",
    body: { name: "ok", inbounds: "vless-main" },
    status: 422,
    field: "inbounds",
    says: "list of inbound tags",
  },
  {
    what: "an unknown field",
    method: "POST",
    body: { name: "ok", traffic_limit: 5 },
    status: 422,
    field: "traffic_limit",
    says: 'Unknown field "traffic_limit"',
  },
  {
    what: "a read-only field",
    method: "POST",
    body: { name: "ok", uuid: "00000000-0000-4000-8000-000000000000" },
    status: 422,
    field: "uuid",
    says: "read-only",
  },
  {
    what: "malformed JSON",
    method: "POST",
    body: '{"name": "ok",',
    status: 400,
    field: null,
    says: "valid JSON",
  },
  {
    what: "an array body",
    method: "POST",
    body: [{ name: "ok" }],
    status: 400,
    field: null,
    says: "JSON object",
  },
  {
    what: "a null body",
    method: "POST",
    body: "null",
    status: 400,
    field: null,
    says: "JSON object",
  },
  {
    what: "an empty body",
    method: "POST",
    body: "",
    status: 400,
    field: null,
    says: "Request body is empty",
  },
  {
    what: "a rename to a taken name",
    method: "PATCH",
    path: "/api/v1/users/existing",
    body: { name: "taken" },
    status: 409,
    field: "name",
    says: "already exists",
  },
  {
    what: "an unknown inbound",
    method: "PATCH",
    path: "/api/v1/users/existing",
    body: { note: "changed", inbounds: ["ghost"] },
    status: 422,
    field: "inbounds",
    says: 'Inbound "ghost" does not exist',
  },
  {
    what: "a bad limit next to a good note",
    method: "PATCH",
    path: "/api/v1/users/existing",
    body: { note: "changed", trafficLimit: -5 },
    status: 422,
    field: "trafficLimit",
    says: "0 (unlimited) or more",
  },
  {
    what: "malformed JSON",
    method: "PATCH",
    path: "/api/v1/users/existing",
    body: "{nope",
    status: 400,
    field: null,
    says: "valid JSON",
  },
  {
    what: "an unknown sort",
    method: "GET",
    path: "/api/v1/users?sort=color",
    status: 422,
    field: "sort",
    says: 'Sort "color" must be one of',
  },
  {
    what: "page 0",
    method: "GET",
    path: "/api/v1/users?page=0",
    status: 422,
    field: "page",
    says: "whole number from 1",
  },
  {
    what: 'page "abc"',
    method: "GET",
    path: "/api/v1/users?page=abc",
    status: 422,
    field: "page",
    says: "whole number from 1",
  },
  {
    what: "a negative page",
    method: "GET",
    path: "/api/v1/users?page=-2",
    status: 422,
    field: "page",
    says: "whole number from 1",
  },
];

Deno.test("API user input is rejected with a clear error and changes nothing", async (t) => {
  await withPanel(async (p, applied) => {
    await insertInboundRow(p.db, { tag: "vless-main" });
    await expectJson(await p.api("POST", "/api/v1/users", { name: "taken" }), 201);
    await expectJson(await p.api("POST", "/api/v1/users", { name: "existing", note: "n" }), 201);
    applied.length = 0;
    for (const c of BAD_CASES) {
      const path = c.path ?? "/api/v1/users";
      await t.step(`${c.method} ${path} rejects ${c.what} and changes nothing`, async () => {
        const before = await snapshotDatabase(p.db);
        const json = await expectJson(await p.api(c.method, path, c.body), c.status);
        assertEquals(Object.keys(json).sort(), ["error", "fields"]);
        assertEquals(typeof json.error, "string");
        if (c.field === null) {
          assert(json.error.includes(c.says), `error "${json.error}" lacks "${c.says}"`);
          assertEquals(json.fields, {});
        } else {
          assertExists(json.fields[c.field], `no "${c.field}" in ${JSON.stringify(json.fields)}`);
          assert(
            json.fields[c.field].includes(c.says),
            `"${json.fields[c.field]}" lacks "${c.says}"`,
          );
        }
        assertEquals(await snapshotDatabase(p.db), before);
      });
    }
    assertEquals(applied, []);
  });
});

Deno.test("POST /api/v1/users reports every bad field in one answer", async () => {
  await withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const json = await expectJson(
      await p.api("POST", "/api/v1/users", {
        name: "a|b",
        trafficLimit: -1,
        expiresAt: "soon",
        inbounds: ["ghost"],
      }),
      422,
    );
    assertEquals(Object.keys(json.fields).sort(), [
      "expiresAt",
      "inbounds",
      "name",
      "trafficLimit",
    ]);
    assertEquals(json.error, "4 fields are invalid: name, trafficLimit, expiresAt, inbounds");
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

Deno.test("POST /api/v1/users stores a note with HTML as text", async () => {
  await withPanel(async (p) => {
    const body = await expectJson(
      await p.api("POST", "/api/v1/users", { name: "eve", note: EVIL }),
      201,
    );
    assertEquals(body.user.note, EVIL);
  });
});

Deno.test("POST /api/v1/users refuses a body over 64 KB", async () => {
  await withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const json = await expectJson(
      await p.api("POST", "/api/v1/users", { name: "big", note: "x".repeat(70_000) }),
      413,
    );
    assertEquals(json, { error: "Request body is larger than 64 KB", fields: {} });
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

// ---------------------------------------------------------------------------------------
// Authentication and CSRF

const API_CALLS: Array<[string, string]> = [
  ["GET", "/api/v1/users"],
  ["POST", "/api/v1/users"],
  ["GET", "/api/v1/users/someone"],
  ["PATCH", "/api/v1/users/someone"],
  ["DELETE", "/api/v1/users/someone"],
  ["POST", "/api/v1/users/someone/reset-traffic"],
  ["POST", "/api/v1/users/someone/regenerate"],
];

Deno.test("API user routes without credentials answer 401 JSON", async () => {
  await withPanel(async (p) => {
    for (const [method, path] of API_CALLS) {
      const body = method === "GET" || method === "DELETE" ? undefined : '{"name":"x"}';
      const res = await p.app.request(path, {
        method,
        body,
        headers: { "Content-Type": JSON_TYPE },
      });
      const json = await expectJson(res, 401);
      assertEquals(json, { error: "Authentication required", fields: {} }, `${method} ${path}`);
      const bad = await p.app.request(path, {
        method,
        body,
        headers: { "Content-Type": JSON_TYPE, Authorization: "Bearer wrong-token" },
      });
      assertEquals((await expectJson(bad, 401)).error, "Invalid API token");
    }
  });
});

Deno.test("API user changes with a session but no CSRF token answer 403 and change nothing", async () => {
  await withPanel(async (p, applied) => {
    await expectJson(await p.api("POST", "/api/v1/users", { name: "someone" }), 201);
    applied.length = 0;
    const before = await snapshotDatabase(p.db);
    for (const [method, path] of API_CALLS.filter(([m]) => m !== "GET")) {
      const res = await p.request(path, {
        method,
        csrf: false,
        body: method === "DELETE" ? undefined : '{"name":"x"}',
        headers: { "Content-Type": JSON_TYPE },
      });
      const json = await expectJson(res, 403);
      assertMatch(json.error, /CSRF/, `${method} ${path}`);
    }
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
    // The same session with its token works.
    const ok = await p.request("/api/v1/users", {
      method: "POST",
      body: '{"name":"fromsession"}',
      headers: { "Content-Type": JSON_TYPE },
    });
    assertEquals(ok.status, 201);
  });
});

Deno.test("POST /api/v1/users twice at once with one name creates one user and answers 409", async () => {
  await withPanel(async (p) => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => p.api("POST", "/api/v1/users", { name: "race" })),
    );
    const statuses = results.map((r) => r.status).sort();
    for (const r of results) await r.body?.cancel();
    assertEquals(statuses, [201, 409, 409, 409, 409]);
    assertEquals((await p.db.selectFrom("users").select("name").execute()).length, 1);
  });
});

Deno.test("GET /api/v1/users/:name and the page accept URL-encoded names", async () => {
  await withPanel(async (p) => {
    await expectJson(await p.api("POST", "/api/v1/users", { name: "ann@example.com" }), 201);
    const body = await expectJson(await p.api("GET", "/api/v1/users/ann%40example.com"), 200);
    assertEquals(body.user.name, "ann@example.com");
    const list = await (await p.request("/users")).text();
    assertMatch(list, /<a href="\/users\/ann%40example\.com"[^>]*>ann@example\.com<\/a>/);
    const page = await p.request("/users/ann%40example.com");
    assertEquals(page.status, 200);
    assertMatch(await page.text(), /action="\/users\/ann%40example\.com\/delete"/);
  });
});

Deno.test("PATCH /api/v1/users/:name with an empty object changes nothing", async () => {
  await withPanel(async (p, applied) => {
    await expectJson(await p.api("POST", "/api/v1/users", { name: "same" }), 201);
    applied.length = 0;
    const before = await snapshotDatabase(p.db);
    const body = await expectJson(await p.api("PATCH", "/api/v1/users/same", {}), 200);
    assertEquals(body.user.name, "same");
    assertEquals(await snapshotDatabase(p.db), before);
    assertEquals(applied, []);
  });
});

Deno.test("POST /api/v1/users rejects a field named __proto__ and changes nothing", async () => {
  await withPanel(async (p) => {
    const before = await snapshotDatabase(p.db);
    const json = await expectJson(
      await p.api("POST", "/api/v1/users", '{"name":"proto","__proto__":{"x":1}}'),
      422,
    );
    assertEquals(json.fields["__proto__"], 'Unknown field "__proto__"');
    assertEquals(await snapshotDatabase(p.db), before);
  });
});
