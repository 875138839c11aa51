/**
 * `/sub/{token}` and the subscription API over HTTP, in-process with a real libSQL file:
 * tokens (unknown, old, regenerated, placeholders), formats and headers, blocked users,
 * fetch records, the address clients get, rate limits, and bad input changing nothing.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertStringIncludes,
} from "@std/assert";
import { snapshotDatabase, withPanel } from "./support/app.ts";
import type { TestPanel } from "./support/app.ts";
import { insertInboundRow, insertUserRows } from "./support/rows.ts";
import { checkSingBoxConfig, requireSingBox, singBoxTestOptions } from "./support/sing_box.ts";
import { parseShareLink } from "./support/share_link_parser.ts";
import { saveSettings } from "../core/settings.ts";
import { createTestPanel } from "./support/app.ts";
import { FetchLimiter, subscriptionClientAddress } from "../core/subscriptions/fetch_limiter.ts";

type Json = Record<string, unknown>;
const GB = 1024 ** 3;

async function json(res: Response, status: number): Promise<Json> {
  const body = await res.text();
  assertEquals(res.status, status, body);
  assertStringIncludes(res.headers.get("content-type") ?? "", "application/json");
  return JSON.parse(body);
}

/** Creates a user on a vless inbound through the API; returns the subscription path. */
async function subscribedUser(p: TestPanel, name: string, extra: Json = {}): Promise<string> {
  const body = await json(
    await p.api("POST", "/api/v1/users", { name, inbounds: ["vless-main"], ...extra }),
    201,
  );
  return new URL((body.user as Json).subscriptionUrl as string).pathname;
}

async function setup(p: TestPanel) {
  await insertInboundRow(p.db, { tag: "vless-main", port: 21001 });
}

Deno.test("GET /sub/{token} answers a generic 404 for unknown, malformed and old tokens", async () => {
  await withPanel(async (p, applied) => {
    await setup(p);
    const path = await subscribedUser(p, "alice");
    const ok = await p.app.request(path);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();

    const unknown = await p.app.request(`/sub/${"A".repeat(43)}`);
    const malformed = await p.app.request("/sub/%00%2F..");
    for (const res of [unknown, malformed]) {
      assertEquals(res.status, 404);
      assertEquals(res.headers.get("cache-control"), "no-store");
      assertEquals(await res.text(), "Not found");
    }

    // Regenerating (API) makes the old URL a 404 and the new one work.
    const regenerated = await json(
      await p.api("POST", "/api/v1/users/alice/regenerate-token"),
      200,
    );
    const newPath = new URL((regenerated.user as Json).subscriptionUrl as string).pathname;
    assertNotEquals(newPath, path);
    const old = await p.app.request(path);
    assertEquals([old.status, await old.text()], [404, "Not found"]);
    assertEquals((await p.app.request(newPath)).status, 200);
    assertEquals(applied, ['user "alice" created'], "a new token needs no reload");

    // The same from the user's page (a form post), which redirects back to Connect.
    const res = await p.postForm("/users/alice/regenerate-token", {});
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/users/alice?done=token#connect");
    assertEquals((await p.app.request(newPath)).status, 404);
    const missing = await p.api("POST", "/api/v1/users/nobody/regenerate-token");
    assertEquals(missing.status, 404);
  });
});

Deno.test("Subscription tokens are derived, 256-bit, stored only as a hash, the secret 0600", async () => {
  await withPanel(async (p) => {
    await setup(p);
    const path = await subscribedUser(p, "bob");
    const token = path.split("/").pop()!;
    assertMatch(token, /^[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify(await snapshotDatabase(p.db));
    assert(!dump.includes(token), "the token is not in the database");
    const row = await p.db.selectFrom("users").select(["sub_token_hash", "sub_generation"])
      .where("name", "=", "bob").executeTakeFirstOrThrow();
    assertMatch(row.sub_token_hash, /^[0-9a-f]{64}$/);
    assertEquals(row.sub_generation, 0);
    const stat = await Deno.stat(`${p.dataDir}/panel.secret`);
    assertEquals(stat.mode! & 0o777, 0o600);
    // The URL is stable: the API shows the same one again.
    const again = await json(await p.api("GET", "/api/v1/users/bob"), 200);
    assertEquals(new URL((again.user as Json).subscriptionUrl as string).pathname, path);
  });
});

Deno.test("GET /sub/{token} serves users written without a hash (placeholders are filled first)", async () => {
  await withPanel(async (p) => {
    await setup(p);
    await insertUserRows(p.db, [{ name: "legacy" }]);
    const body = await json(await p.api("GET", "/api/v1/users/legacy"), 200);
    const path = new URL((body.user as Json).subscriptionUrl as string).pathname;
    assertEquals((await p.app.request(path)).status, 200);
    const row = await p.db.selectFrom("users").select("sub_token_hash")
      .where("name", "=", "legacy").executeTakeFirstOrThrow();
    assertMatch(row.sub_token_hash, /^[0-9a-f]{64}$/);
  });
});

Deno.test("GET /sub/{token} chooses the format by ?format= and User-Agent, with every header", async () => {
  await withPanel(async (p) => {
    await setup(p);
    await saveSettings(p.db, { publicAddress: "vpn.example.com", profileUpdateHours: "6" });
    const path = await subscribedUser(p, "carol", {
      trafficLimit: 10 * GB,
      expiresAt: "2031-06-30T10:00:00Z",
    });
    const cases: Array<[string, HeadersInit, string, string]> = [
      ["", { "User-Agent": "v2rayNG/1.9.16" }, "text/plain", "attachment"],
      ["", { "User-Agent": "SFA/1.11.4 (sing-box 1.11.4)" }, "application/json", "attachment"],
      ["", { "User-Agent": "clash-verge/v1.7.7" }, "text/yaml", "attachment"],
      ["", { "User-Agent": "Mozilla/5.0", Accept: "text/html" }, "text/html", "inline"],
      ["?format=clash", { "User-Agent": "v2rayNG/1.9.16" }, "text/yaml", "attachment"],
    ];
    for (const [query, headers, type, disposition] of cases) {
      const res = await p.app.request(path + query, { headers });
      assertEquals(res.status, 200);
      assertStringIncludes(res.headers.get("content-type")!, type);
      assertEquals(
        res.headers.get("subscription-userinfo"),
        `upload=0; download=0; total=${10 * GB}; expire=${Date.UTC(2031, 5, 30, 10) / 1000}`,
      );
      assertEquals(res.headers.get("profile-update-interval"), "6");
      assertMatch(
        res.headers.get("content-disposition")!,
        new RegExp(`^${disposition}; filename="carol\\.`),
      );
      assertEquals(res.headers.get("profile-title"), `base64:${btoa("carol")}`);
      assertEquals(res.headers.get("cache-control"), "no-store");
      await res.body?.cancel();
    }
    const links = atob(await (await p.app.request(`${path}?format=links`)).text()).split("\n");
    assertEquals(links.length, 1);
    const link = parseShareLink(links[0]);
    assertEquals([link.scheme, link.host, link.remark], [
      "vless",
      "vpn.example.com",
      "vless-main · carol",
    ]);
  });
});

Deno.test("GET /sub/{token} without a public address uses the request's host, never the listen address", async () => {
  await withPanel(async (p) => {
    await setup(p); // listens on 0.0.0.0
    const path = await subscribedUser(p, "dave");
    const res = await p.app.request(`http://panel.example.org:2095${path}?format=links`);
    const link = parseShareLink(atob(await res.text()));
    assertEquals(link.host, "panel.example.org");
    // An inbound's own client address wins over both.
    await p.db.updateTable("inbounds")
      .set({ settings: JSON.stringify({ client: { address: "edge.example.net" } }) })
      .where("tag", "=", "vless-main").execute();
    await saveSettings(p.db, { publicAddress: "vpn.example.com" });
    const overridden = await p.app.request(`${path}?format=links`);
    assertEquals(parseShareLink(atob(await overridden.text())).host, "edge.example.net");
  });
});

Deno.test("GET /sub/{token} gives blocked users 200, the real Userinfo and one entry saying why", async () => {
  await withPanel(async (p) => {
    await setup(p);
    const inbound = (await p.db.selectFrom("inbounds").select("id").executeTakeFirstOrThrow()).id;
    const [limited, expired, disabled] = await insertUserRows(p.db, [
      { name: "limited", traffic_limit: GB, uplink: GB / 2, downlink: GB / 2 + 7 },
      { name: "expired", expires_at: Date.now() - 1000 },
      { name: "disabled", enabled: 0 },
    ]);
    await p.db.insertInto("user_inbounds").values(
      [limited, expired, disabled].map((user_id) => ({ user_id, inbound_id: inbound })),
    ).execute();
    await insertUserRows(p.db, [{ name: "unassigned" }]);
    const reasons: Record<string, string> = {
      limited: "⛔ Traffic limit reached",
      expired: "⛔ Subscription expired",
      disabled: "⛔ Account disabled",
      unassigned: "⛔ No servers assigned",
    };
    for (const [name, reason] of Object.entries(reasons)) {
      const body = await json(await p.api("GET", `/api/v1/users/${name}`), 200);
      const path = new URL((body.user as Json).subscriptionUrl as string).pathname;
      const user = body.user as Json;
      const res = await p.app.request(`${path}?format=links`);
      assertEquals(res.status, 200);
      assertEquals(
        res.headers.get("subscription-userinfo"),
        `upload=${user.uplink}; download=${user.downlink}; total=${user.trafficLimit}; expire=${
          user.expiresAt ? Math.floor(Date.parse(user.expiresAt as string) / 1000) : 0
        }`,
      );
      const links = atob(await res.text()).split("\n");
      assertEquals(links.length, 1);
      const entry = parseShareLink(links[0]);
      assertEquals([entry.remark, entry.host, entry.port], [reason, "127.0.0.1", 1]);

      const profile = await (await p.app.request(`${path}?format=sing-box`)).json();
      const tags = (profile.outbounds as Json[]).map((o) => o.tag);
      assertEquals(tags, ["Proxy", reason]);
      const page = await (await p.app.request(`${path}?format=html`)).text();
      assertStringIncludes(page, reason);
      assert(!page.includes("vless://"), "a blocked user's page lists no links");
    }
    assertEquals(
      (await json(await p.api("GET", "/api/v1/users/limited/links"), 200)).blocked,
      "⛔ Traffic limit reached",
    );
  });
});

Deno.test({
  ...singBoxTestOptions("A blocked user's sing-box profile passes sing-box check"),
  async fn() {
    const bin = requireSingBox();
    await withPanel(async (p) => {
      await insertUserRows(p.db, [{ name: "limited", enabled: 0 }]);
      const body = await json(await p.api("GET", "/api/v1/users/limited"), 200);
      const path = new URL((body.user as Json).subscriptionUrl as string).pathname;
      const file = `${p.dataDir}/blocked.json`;
      await Deno.writeTextFile(file, await (await p.app.request(`${path}?format=sing-box`)).text());
      const checked = await checkSingBoxConfig(bin, file);
      assertEquals(checked.code, 0, checked.output);
    });
  },
});

Deno.test("GET /sub/{token} records each fetch's time and User-Agent; the API and the user page show it", async () => {
  await withPanel(async (p) => {
    await setup(p);
    const path = await subscribedUser(p, "erin");
    let user = (await json(await p.api("GET", "/api/v1/users/erin"), 200)).user as Json;
    assertEquals(user.lastSubscription, null);
    const before = Date.now();
    const res = await p.app.request(path, { headers: { "User-Agent": "v2rayNG/1.9.16\u0007x" } });
    await res.body?.cancel();
    user = (await json(await p.api("GET", "/api/v1/users/erin"), 200)).user as Json;
    const last = user.lastSubscription as { at: string; userAgent: string };
    assertEquals(last.userAgent, "v2rayNG/1.9.16 x");
    assert(Date.parse(last.at) >= before - 1000);
    const page = await (await p.request("/users/erin")).text();
    assertMatch(
      page,
      /Last subscription update: \d+s ago <bdi dir="ltr">\(.* UTC\)<\/bdi>, <bdi>v2rayNG\/1\.9\.16 x<\/bdi>/,
    );
  });
});

Deno.test("GET /sub/{token}?format=unknown is a 400 that records nothing", async () => {
  await withPanel(async (p) => {
    await setup(p);
    const path = await subscribedUser(p, "fay");
    const before = await snapshotDatabase(p.db);
    const res = await p.app.request(`${path}?format=xray`);
    assertEquals(res.status, 400);
    assertStringIncludes(await res.text(), "Unknown format");
    assertEquals(await snapshotDatabase(p.db), before);
  });
});

Deno.test("GET /sub/ is rate limited per client address, known token or not", async () => {
  const p = await createTestPanel();
  try {
    await setup(p);
    const path = await subscribedUser(p, "gus");
    const limiter = new FetchLimiter();
    for (let i = 0; i < limiter.burst; i++) {
      const res = await p.app.request(i % 2 ? path : "/sub/unknown");
      assert(res.status === 200 || res.status === 404);
      await res.body?.cancel();
    }
    const limited = await p.app.request(path);
    assertEquals(limited.status, 429);
    assertEquals(limited.headers.get("retry-after"), "2");
    await limited.body?.cancel();
  } finally {
    await p.close();
  }
});

Deno.test("subscriptionClientAddress() trusts X-Forwarded-For only from a proxy on loopback", () => {
  assertEquals(subscriptionClientAddress("203.0.113.5", "198.51.100.1"), "203.0.113.5");
  assertEquals(subscriptionClientAddress("127.0.0.1", "10.0.0.1, 198.51.100.1"), "198.51.100.1");
  assertEquals(subscriptionClientAddress("::1", "2001:db8::2"), "2001:db8::2");
  assertEquals(subscriptionClientAddress("127.0.0.1", undefined), "127.0.0.1");
  assertEquals(subscriptionClientAddress("127.0.0.1", " , "), "127.0.0.1");
});

Deno.test("FetchLimiter refills over time and keeps addresses apart", () => {
  let now = 0;
  const limiter = new FetchLimiter(2, 60, () => now);
  assertEquals([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 1]);
  assertEquals(limiter.take("b"), 0);
  now += 1000;
  assertEquals(limiter.take("a"), 0);
  assertEquals(limiter.take("a"), 1);
});

Deno.test("GET /api/v1/users/{name}/links lists each inbound's links and exact credentials", async () => {
  await withPanel(async (p) => {
    await setup(p);
    await p.api("POST", "/api/v1/inbounds", {
      tag: "ss-small",
      type: "shadowsocks",
      listen: "127.0.0.1",
      port: 21002,
      method: "2022-blake3-aes-128-gcm",
    });
    await p.api("POST", "/api/v1/inbounds", {
      tag: "mix",
      type: "mixed",
      listen: "127.0.0.1",
      port: 21003,
    });
    const created = await json(
      await p.api("POST", "/api/v1/users", {
        name: "hana",
        inbounds: ["ss-small", "mix", "vless-main"],
      }),
      201,
    );
    const user = created.user as Json;
    const body = await json(await p.api("GET", "/api/v1/users/hana/links"), 200);
    assertEquals(body.subscriptionUrl, user.subscriptionUrl);
    const inbounds = body.inbounds as Array<Json & { credentials: Json; links: string[] }>;
    assertEquals(inbounds.map((i) => i.tag), ["mix", "ss-small", "vless-main"]);
    const ss = inbounds[1];
    const [serverKey, userKey] = String(ss.credentials.password).split(":");
    assertEquals(atob(serverKey).length, 16);
    assertEquals(
      atob(userKey).length,
      16,
      "an aes-128 user key is 16 bytes, not the 32-byte password",
    );
    assertEquals(parseShareLink(ss.links[0]).password, ss.credentials.password);
    assertEquals(inbounds[0].credentials, { username: "hana|mix", password: user.password });
    assertEquals(inbounds[0].links.length, 2);
    assertEquals(inbounds[2].credentials, { uuid: user.uuid });
    assertEquals((await p.api("GET", "/api/v1/users/nobody/links")).status, 404);
  });
});

Deno.test("The subscription base URL setting decides the URL the API and pages show", async () => {
  await withPanel(async (p) => {
    await setup(p);
    await saveSettings(p.db, { subscriptionBaseUrl: "https://sub.example.com/panel/" });
    const created = await json(await p.api("POST", "/api/v1/users", { name: "ivy" }), 201);
    assertMatch(
      (created.user as Json).subscriptionUrl as string,
      /^https:\/\/sub\.example\.com\/panel\/sub\/[A-Za-z0-9_-]{43}$/,
    );
  });
});
