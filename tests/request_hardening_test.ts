/**
 * Request-level hardening: body limits, a malformed Origin, allowed host names (DNS
 * rebinding), session lifetime, Cache-Control and HSTS, and the public-path check on the
 * normalised path.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { createTestPanel, snapshotDatabase, TEST_PASSWORD } from "./support/app.ts";
import { safeEqual } from "../core/auth/passwords.ts";
import { saveSettings } from "../core/settings.ts";

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

/** A body of `bytes` bytes sent without Content-Length (chunked), as a streaming client would. */
function streamedBody(bytes = 10 * 1024 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const chunk = new TextEncoder().encode("password=" + "x".repeat(16 * 1024));
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

// ---------------------------------------------------------------------------------------
// Item 4: body limits

const streamedPost = (): RequestInit => ({ method: "POST", body: streamedBody(), headers: FORM });

/** Asserts a streamed body was refused with 413 without being read to its end. */
async function assertStreamRefused(response: Response | Promise<Response>) {
  const res = await response;
  assertEquals(res.status, 413);
  await res.body?.cancel();
}

Deno.test("POST /login refuses a body over 8 KB with 413, with or without Content-Length", async () => {
  const p = await createTestPanel();
  try {
    const before = await snapshotDatabase(p.db);
    const big = new URLSearchParams({ username: "admin", password: "x".repeat(100 * 1024) });
    const sized = await p.app.request("/login", { method: "POST", body: big, headers: FORM });
    assertEquals(sized.status, 413);
    assertStringIncludes(await sized.text(), "larger than 8 KB");
    await assertStreamRefused(p.app.request("/login", streamedPost()));
    assertEquals(await snapshotDatabase(p.db), before);
  } finally {
    await p.close();
  }
});

Deno.test("form routes refuse a body over 64 KB with 413 before reading it all", async () => {
  const p = await createTestPanel();
  try {
    const before = await snapshotDatabase(p.db);
    for (const path of ["/users", "/inbounds", "/settings/tokens", "/settings/password"]) {
      const res = await p.postForm(path, { name: "x", note: "n".repeat(100 * 1024) });
      assertEquals(res.status, 413, path);
      assertStringIncludes(res.headers.get("content-type") ?? "", "text/html");
      assertStringIncludes(await res.text(), "larger than 64 KB");
    }
    await assertStreamRefused(p.request("/users", streamedPost()));
    assertEquals(await snapshotDatabase(p.db), before);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Item 5: a malformed Origin

Deno.test("POST /login with an unparseable Origin answers 403, not 500", async () => {
  const p = await createTestPanel();
  try {
    for (const origin of ["http://[", "not a url", "http://exa mple.com"]) {
      const res = await p.app.request("/login", {
        method: "POST",
        body: new URLSearchParams({ username: "admin", password: TEST_PASSWORD }),
        headers: { ...FORM, Origin: origin },
      });
      assertEquals(res.status, 403, origin);
      assertStringIncludes(await res.text(), "Cross-site login refused");
      assertEquals(res.headers.get("set-cookie"), null);
    }
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Item 6: allowed host names

Deno.test("the panel answers 421 to host names it was not given (DNS rebinding)", async () => {
  const p = await createTestPanel({ env: { SINGDECK_ALLOWED_HOSTS: "panel.example.com" } });
  try {
    for (const host of ["rebind.attacker.example", "panel.example.com.evil.test"]) {
      const page = await p.request(`http://${host}/settings`);
      assertEquals(page.status, 421, host);
      assertStringIncludes(await page.text(), "--allowed-hosts");
      const login = await p.app.request(`http://${host}/login`, {
        method: "POST",
        body: new URLSearchParams({ username: "admin", password: TEST_PASSWORD }),
        headers: FORM,
      });
      assertEquals(login.status, 421, `login via ${host}`);
      assertEquals(login.headers.get("set-cookie"), null);
      await login.body?.cancel();
    }
    // A Host header that disagrees with the URL counts too.
    const header = await p.request("http://localhost/settings", {
      headers: { Host: "rebind.attacker.example" },
    });
    assertEquals(header.status, 421);
    await header.body?.cancel();

    for (
      const host of [
        "localhost",
        "localhost:2095",
        "127.0.0.1:2095",
        "[::1]:2095",
        "203.0.113.5",
        "panel.example.com",
        "PANEL.example.com:8443",
      ]
    ) {
      const res = await p.request(`http://${host}/settings`);
      assertEquals(res.status, 200, host);
      await res.body?.cancel();
    }
    // The public address setting is a name the panel answers to.
    assertEquals((await p.request("http://vpn.example.net/settings")).status, 421);
    await saveSettings(p.db, { publicAddress: "vpn.example.net" });
    assertEquals((await p.request("http://vpn.example.net/settings")).status, 200);
    // Health checks answer whatever the name.
    assertEquals((await p.app.request("http://anything.example/healthz")).status, 200);
  } finally {
    await p.close();
  }
});

// ---------------------------------------------------------------------------------------
// Item 7: Cache-Control, HSTS, constant-time comparison (the session lifetime: auth_test.ts)

Deno.test("pages and API answers with credentials or the config are not stored by caches", async () => {
  const p = await createTestPanel();
  try {
    await p.api("POST", "/api/v1/users", { name: "alice" });
    const paths = [
      "/settings",
      "/users/alice",
      "/core/config",
      "/",
      "/api/v1/users/alice",
      "/api/v1/users",
      "/api/v1/inbounds",
      "/api/v1/status",
    ];
    for (const path of paths) {
      const res = path.startsWith("/api/") ? await p.api("GET", path) : await p.request(path);
      assertEquals(res.status, 200, path);
      assertEquals(res.headers.get("cache-control"), "no-store", path);
      await res.body?.cancel();
    }
    const created = await p.postForm("/settings/tokens", { name: "ci" });
    assertEquals(created.status, 201);
    assertEquals(created.headers.get("cache-control"), "no-store");
    await created.body?.cancel();
    // Static assets stay cacheable.
    const css = await p.app.request("/static/app.css");
    assertEquals(css.headers.get("cache-control"), "public, max-age=3600");
    await css.body?.cancel();
  } finally {
    await p.close();
  }
});

Deno.test("Strict-Transport-Security is sent over HTTPS only", async () => {
  const p = await createTestPanel();
  try {
    const plain = await p.app.request("http://localhost/login");
    assertEquals(plain.headers.get("strict-transport-security"), null);
    await plain.body?.cancel();
    const tls = await p.app.request("https://localhost/login");
    assertStringIncludes(tls.headers.get("strict-transport-security") ?? "", "max-age=");
    await tls.body?.cancel();
  } finally {
    await p.close();
  }
});

Deno.test("safeEqual() compares strings of any lengths", () => {
  assert(safeEqual("sdk_token", "sdk_token"));
  assert(!safeEqual("sdk_token", "sdk_tokem"));
  assert(!safeEqual("sdk_token", "sdk_token_longer"));
  assert(!safeEqual("", "x"));
  assert(safeEqual("", ""));
});

// ---------------------------------------------------------------------------------------
// Item 9: the public-path check on the normalised path

/** Sends `GET target` byte for byte (no client normalises it) and returns status and body. */
async function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    ),
  );
  let text = "";
  const buf = new Uint8Array(16 * 1024);
  for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  return { status: Number(text.split(" ")[1]), body: text.split("\r\n\r\n").slice(1).join() };
}

Deno.test("paths that only look public are checked after . and .. are resolved", async () => {
  const p = await createTestPanel();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, p.app.fetch);
  try {
    for (
      const target of [
        "/sub/../api/v1/status",
        "/sub/%2e%2e/api/v1/status",
        "/login/../api/v1/status",
        "/healthz/../api/v1/status",
      ]
    ) {
      const res = await rawGet(server.addr.port, target);
      assertEquals(res.status, 401, target);
      assertStringIncludes(res.body, "Authentication required", target);
    }
    const page = await rawGet(server.addr.port, "/sub/../settings");
    assertEquals(page.status, 303);
  } finally {
    await server.shutdown();
    await p.close();
  }
});

Deno.test("unknown static names are 404, with or without login", async () => {
  const p = await createTestPanel();
  try {
    for (const path of ["/static/nope.js", "/static/app.css/x", "/static/x/y", "/static/"]) {
      const anonymous = await p.app.request(path);
      assertEquals(anonymous.status, 404, path);
      await anonymous.body?.cancel();
      const logged = await p.request(path);
      assertEquals(logged.status, 404, path);
      await logged.body?.cancel();
    }
    assertEquals((await p.app.request("/static/htmx.min.js")).status, 200);
  } finally {
    await p.close();
  }
});
