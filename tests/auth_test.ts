import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import {
  createTestPanel,
  loginCookie,
  snapshotDatabase,
  TEST_PASSWORD,
  withClockedApp,
} from "./support/app.ts";
import { ensureAdmin } from "../core/auth/admin_auth.ts";
import { openDatabase } from "../db/database.ts";

function loginRequest(password: string, headers: Record<string, string> = {}) {
  return {
    method: "POST",
    body: new URLSearchParams({ username: "admin", password }),
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
  };
}

Deno.test("POST /login with the right password sets a hardened session cookie", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.app.request("/login", loginRequest(TEST_PASSWORD));
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/");
    const cookie = res.headers.get("set-cookie") ?? "";
    assertMatch(cookie, /^singdeck_session=[\w-]{40,};/);
    assertStringIncludes(cookie, "HttpOnly");
    assertStringIncludes(cookie, "SameSite=Lax");
    assert(!cookie.includes("Secure"), "no Secure flag over plain HTTP");
    const sessions = await p.db.selectFrom("sessions").select("id_hash").execute();
    const raw = cookie.split(";")[0].split("=")[1];
    assert(sessions.every((s) => s.id_hash !== raw), "the session id is stored hashed");
    const page = await p.app.request("/settings", { headers: { Cookie: cookie.split(";")[0] } });
    assertEquals(page.status, 200);
  } finally {
    await p.close();
  }
});

Deno.test("POST /login over HTTPS marks the cookie Secure", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.app.request("https://localhost/login", loginRequest(TEST_PASSWORD));
    assertEquals(res.status, 303);
    assertStringIncludes(res.headers.get("set-cookie") ?? "", "Secure");
  } finally {
    await p.close();
  }
});

Deno.test("POST /login with a wrong password answers 401 and opens no session", async () => {
  const p = await createTestPanel();
  try {
    const before = await p.db.selectFrom("sessions").selectAll().execute();
    const res = await p.app.request("/login", loginRequest("wrong password"));
    assertEquals(res.status, 401);
    assertStringIncludes(res.headers.get("content-type") ?? "", "text/html");
    assertStringIncludes(await res.text(), "Wrong username or password");
    assertEquals(res.headers.get("set-cookie"), null);
    assertEquals(await p.db.selectFrom("sessions").selectAll().execute(), before);
  } finally {
    await p.close();
  }
});

Deno.test("POST /login locks an address out after 5 failures and answers 429", async () => {
  const p = await createTestPanel();
  try {
    for (let i = 0; i < 5; i++) {
      assertEquals((await p.app.request("/login", loginRequest("nope"))).status, 401);
    }
    const sixth = await p.app.request("/login", loginRequest("nope"));
    assertEquals(sixth.status, 429);
    assert(Number(sixth.headers.get("retry-after")) > 800);
    // Even the right password is refused while locked out.
    const locked = await p.app.request("/login", loginRequest(TEST_PASSWORD));
    assertEquals(locked.status, 429);
    assertStringIncludes(await locked.text(), "Too many failed logins");
  } finally {
    await p.close();
  }
});

Deno.test("POST /login from another site is refused", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.app.request(
      "http://localhost/login",
      loginRequest(TEST_PASSWORD, { Origin: "https://evil.example", Host: "localhost" }),
    );
    assertEquals(res.status, 403);
    assertEquals(res.headers.get("set-cookie"), null);
  } finally {
    await p.close();
  }
});

Deno.test("POST /logout ends the session", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.postForm("/logout", {});
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login");
    const after = await p.request("/settings");
    assertEquals(after.status, 303);
    assertStringIncludes(after.headers.get("location") ?? "", "/login");
  } finally {
    await p.close();
  }
});

Deno.test("a session idle for longer than 12 hours expires", () =>
  withClockedApp(async ({ app, db, clock, cookie }) => {
    assertEquals((await app.request("/settings", { headers: { Cookie: cookie } })).status, 200);
    clock.now += 12 * 3600 * 1000 + 1000;
    const fresh = await loginCookie(app); // a later login sweeps the abandoned session
    assertEquals((await db.selectFrom("sessions").selectAll().execute()).length, 1);
    assertEquals((await app.request("/settings", { headers: { Cookie: cookie } })).status, 303);
    assertEquals((await app.request("/settings", { headers: { Cookie: fresh } })).status, 200);
  }));

Deno.test("a session in constant use still expires 24 hours after login", () =>
  withClockedApp(async ({ app, db, clock, cookie }) => {
    for (let hour = 1; hour < 24; hour++) {
      clock.now += 3600_000;
      const res = await app.request("/settings", { headers: { Cookie: cookie } });
      assertEquals(res.status, 200, `after ${hour} h of use`);
      await res.body?.cancel();
    }
    clock.now += 3600_000 + 1000;
    const expired = await app.request("/settings", { headers: { Cookie: cookie } });
    assertEquals(expired.status, 303);
    assertEquals(await db.selectFrom("sessions").selectAll().execute(), []);
  }));

Deno.test("state-changing requests without the CSRF token are refused and change nothing", async () => {
  const p = await createTestPanel();
  try {
    const before = await snapshotDatabase(p.db);
    const noToken = await p.request("/settings/tokens", {
      method: "POST",
      csrf: false,
      body: new URLSearchParams({ name: "x" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    assertEquals(noToken.status, 403);
    assertStringIncludes(await noToken.text(), "CSRF");
    const wrongToken = await p.request("/settings/tokens", {
      method: "POST",
      csrf: false,
      body: new URLSearchParams({ name: "x", _csrf: "forged" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    assertEquals(wrongToken.status, 403);
    const htmx = await p.request("/core/stop", {
      method: "POST",
      csrf: false,
      headers: { "HX-Request": "true" },
    });
    assertEquals(htmx.status, 403);
    const api = await p.request("/api/v1/users", {
      method: "POST",
      csrf: false,
      body: JSON.stringify({ name: "x" }),
      headers: { "Content-Type": "application/json" },
    });
    assertEquals(api.status, 403);
    assertEquals(api.headers.get("content-type"), "application/json");
    assertEquals(await snapshotDatabase(p.db), before);
  } finally {
    await p.close();
  }
});

const PAGES = [
  "/",
  "/inbounds",
  "/inbounds/new",
  "/inbounds/form-fields?type=vless",
  "/inbounds/x/edit",
  "/users",
  "/users/new",
  "/users/x",
  "/logs",
  "/settings",
  "/core/config",
  "/core/config.json",
];
const API_ROUTES: Array<[string, string]> = [
  ["GET", "/api/v1/inbounds"],
  ["GET", "/api/v1/inbounds/x"],
  ["POST", "/api/v1/inbounds"],
  ["PATCH", "/api/v1/inbounds/x"],
  ["DELETE", "/api/v1/inbounds/x"],
  ["GET", "/api/v1/users"],
  ["POST", "/api/v1/users"],
  ["GET", "/api/v1/users/x"],
  ["PATCH", "/api/v1/users/x"],
  ["DELETE", "/api/v1/users/x"],
  ["POST", "/api/v1/users/x/reset-traffic"],
  ["POST", "/api/v1/users/x/regenerate"],
  ["GET", "/api/v1/status"],
];

Deno.test("every page without a session redirects to /login", async () => {
  const p = await createTestPanel();
  try {
    for (const path of PAGES) {
      const res = await p.app.request(path);
      assertEquals(res.status, 303, path);
      assertStringIncludes(res.headers.get("location") ?? "", "/login", path);
    }
    for (
      const path of [
        "/core/start",
        "/core/stop",
        "/core/restart",
        "/settings/password",
        "/settings/tokens",
        "/settings/tokens/1/delete",
        "/inbounds",
        "/inbounds/x",
        "/inbounds/x/toggle",
        "/inbounds/x/delete",
        "/users",
        "/users/x",
        "/users/x/toggle",
        "/users/x/reset-traffic",
        "/users/x/regenerate",
        "/users/x/delete",
        "/logout",
      ]
    ) {
      const res = await p.app.request(path, { method: "POST" });
      assertEquals(res.status, 303, path);
    }
    const htmx = await p.app.request("/users", { headers: { "HX-Request": "true" } });
    assertEquals(htmx.status, 401);
    assertEquals(htmx.headers.get("hx-redirect"), "/login");
  } finally {
    await p.close();
  }
});

Deno.test("every API route without credentials answers 401 JSON", async () => {
  const p = await createTestPanel();
  try {
    for (const [method, path] of API_ROUTES) {
      const res = await p.app.request(path, { method });
      assertEquals(res.status, 401, `${method} ${path}`);
      assertEquals(res.headers.get("content-type"), "application/json");
      assertEquals((await res.json()).error, "Authentication required");
      const bad = await p.app.request(path, {
        method,
        headers: { Authorization: "Bearer sdk_nope" },
      });
      assertEquals(bad.status, 401, `${method} ${path} with a bad token`);
      assertEquals((await bad.json()).error, "Invalid API token");
    }
  } finally {
    await p.close();
  }
});

Deno.test("GET /healthz answers without login", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.app.request("/healthz");
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/json");
    assertEquals(await res.json(), { ok: true });
  } finally {
    await p.close();
  }
});

Deno.test("pages carry security headers", async () => {
  const p = await createTestPanel();
  try {
    const res = await p.request("/settings");
    assertEquals(res.headers.get("x-frame-options"), "SAMEORIGIN");
    assertEquals(res.headers.get("x-content-type-options"), "nosniff");
    assertEquals(res.headers.get("referrer-policy"), "same-origin");
  } finally {
    await p.close();
  }
});

Deno.test("API tokens: created on Settings, shown once, stored hashed, revocable", async () => {
  const p = await createTestPanel();
  try {
    const created = await p.postForm("/settings/tokens", { name: "provisioning" });
    assertEquals(created.status, 201);
    const html = await created.text();
    const token = html.match(/id="new-token">(sdk_[\w-]+)</)?.[1];
    assert(token, "the new token is shown");
    const row = await p.db.selectFrom("api_tokens").selectAll().executeTakeFirstOrThrow();
    assert(row.token_hash !== token && !row.token_hash.includes(token));
    const again = await (await p.request("/settings")).text();
    assert(!again.includes(token), "the token is shown only once");
    const api = await p.app.request("/api/v1/status", {
      headers: { Authorization: `Bearer ${token}` },
    });
    assertEquals(api.status, 200);
    const revoke = await p.postForm(`/settings/tokens/${row.id}/delete`, {});
    assertEquals(revoke.status, 303);
    const after = await p.app.request("/api/v1/status", {
      headers: { Authorization: `Bearer ${token}` },
    });
    assertEquals(after.status, 401);
  } finally {
    await p.close();
  }
});

Deno.test("POST /settings/tokens rejects an empty name and changes nothing", async () => {
  const p = await createTestPanel();
  try {
    const before = await snapshotDatabase(p.db);
    const res = await p.postForm("/settings/tokens", { name: "  " });
    assertEquals(res.status, 422);
    assertStringIncludes(await res.text(), "Token name must be 1 to 64 characters");
    assertEquals(await snapshotDatabase(p.db), before);
  } finally {
    await p.close();
  }
});

Deno.test("POST /settings/password changes the password and checks the current one", async () => {
  const p = await createTestPanel();
  try {
    const before = await snapshotDatabase(p.db);
    const wrong = await p.postForm("/settings/password", {
      current: "nope",
      next: "new password 1",
      confirm: "new password 1",
    });
    assertEquals(wrong.status, 422);
    assertStringIncludes(await wrong.text(), "Current password is wrong");
    const short = await p.postForm("/settings/password", {
      current: TEST_PASSWORD,
      next: "short",
      confirm: "short",
    });
    assertEquals(short.status, 422);
    const mismatch = await p.postForm("/settings/password", {
      current: TEST_PASSWORD,
      next: "new password 1",
      confirm: "new password 2",
    });
    assertEquals(mismatch.status, 422);
    assertEquals(await snapshotDatabase(p.db), before);
    const ok = await p.postForm("/settings/password", {
      current: TEST_PASSWORD,
      next: "new password 1",
      confirm: "new password 1",
    });
    assertEquals(ok.status, 200);
    assertEquals((await p.app.request("/login", loginRequest(TEST_PASSWORD))).status, 401);
    assertEquals((await p.app.request("/login", loginRequest("new password 1"))).status, 303);
  } finally {
    await p.close();
  }
});

Deno.test("ensureAdmin() generates a password once when none is given", async () => {
  const dir = await Deno.makeTempDir();
  const db = await openDatabase(`file:${dir}/t.db`);
  try {
    const pw = await ensureAdmin(db, undefined, Date.now());
    assert(pw && pw.length >= 16);
    assertEquals(await ensureAdmin(db, undefined, Date.now()), null);
    const row = await db.selectFrom("admins").selectAll().executeTakeFirstOrThrow();
    assertMatch(row.password_hash, /^scrypt\$32768\$8\$1\$/);
  } finally {
    await db.destroy();
    await Deno.remove(dir, { recursive: true });
  }
});
