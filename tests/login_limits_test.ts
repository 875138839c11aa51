/**
 * The login limit over HTTP (core/auth/login_limiter.ts has the rule): attempts are
 * counted before the password hash runs, and a browser that logged in before keeps its own
 * budget, so lockouts cannot be used to keep the admin out.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { createTestPanel, TEST_PASSWORD } from "./support/app.ts";
import { DEVICE_COOKIE } from "../routes/auth.tsx";

function loginRequest(password: string, cookie?: string): RequestInit {
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
  };
  if (cookie) headers.Cookie = cookie;
  return { method: "POST", body: new URLSearchParams({ username: "admin", password }), headers };
}

/** The `singdeck_device=…` pair a login response set, or null. */
function deviceCookie(res: Response): string | null {
  for (const [name, value] of res.headers) {
    if (name === "set-cookie" && value.startsWith(`${DEVICE_COOKIE}=`)) return value.split(";")[0];
  }
  return null;
}

Deno.test("POST /login checks 5 passwords in all, however many attempts run at once", async () => {
  const p = await createTestPanel();
  try {
    let checked = 0;
    // Ten bursts of 100 concurrent wrong guesses from one address.
    for (let burst = 0; burst < 10; burst++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => p.app.request("/login", loginRequest("wrong guess"))),
      );
      for (const res of answers) {
        assert(res.status === 401 || res.status === 429, `status ${res.status}`);
        if (res.status === 401) checked++;
        await res.body?.cancel();
      }
    }
    assertEquals(checked, 5, "passwords checked");
    // The address is locked out now, even with the right password.
    const after = await p.app.request("/login", loginRequest(TEST_PASSWORD));
    assertEquals(after.status, 429);
    assert(Number(after.headers.get("retry-after")) > 800);
    await after.body?.cancel();
  } finally {
    await p.close();
  }
});

Deno.test("POST /login lets a browser that logged in before in while its address is locked out", async () => {
  const p = await createTestPanel();
  try {
    const first = await p.app.request("/login", loginRequest(TEST_PASSWORD));
    assertEquals(first.status, 303);
    const device = deviceCookie(first);
    assert(device, "a successful login sets the device cookie");
    const raw = first.headers.getSetCookie().find((c) => c.startsWith(DEVICE_COOKIE))!;
    assertStringIncludes(raw, "HttpOnly");
    assertStringIncludes(raw, "Path=/login");
    assertStringIncludes(raw, "SameSite=Strict");

    // Someone at the same address (a proxy user, a neighbour behind the NAT) guesses.
    for (let i = 0; i < 5; i++) {
      assertEquals((await p.app.request("/login", loginRequest("guess"))).status, 401);
    }
    const locked = await p.app.request("/login", loginRequest(TEST_PASSWORD));
    assertEquals(locked.status, 429);
    assertStringIncludes(await locked.text(), "Too many failed logins");

    // The admin's browser carries its device cookie: its own budget, not the address's.
    const admin = await p.app.request("/login", loginRequest(TEST_PASSWORD, device));
    assertEquals(admin.status, 303);
    assertMatch(admin.headers.get("set-cookie") ?? "", /singdeck_session=/);

    // A forged or tampered device cookie is an address like any other.
    const forged = device.slice(0, -4) + (device.endsWith("AAAA") ? "BBBB" : "AAAA");
    const tampered = await p.app.request("/login", loginRequest(TEST_PASSWORD, forged));
    assertEquals(tampered.status, 429);
    await tampered.body?.cancel();
  } finally {
    await p.close();
  }
});

Deno.test("POST /login: a password change revokes device cookies", async () => {
  const p = await createTestPanel();
  try {
    const first = await p.app.request("/login", loginRequest(TEST_PASSWORD));
    const device = deviceCookie(first)!;
    const changed = await p.postForm("/settings/password", {
      current: TEST_PASSWORD,
      next: "another password 1",
      confirm: "another password 1",
    });
    assertEquals(changed.status, 200);
    await changed.body?.cancel();
    for (let i = 0; i < 5; i++) {
      const res = await p.app.request("/login", loginRequest("guess", device));
      assertEquals(res.status, 401);
      await res.body?.cancel();
    }
    // The old cookie no longer gives a budget of its own: the address's lockout applies.
    const res = await p.app.request("/login", loginRequest("another password 1", device));
    assertEquals(res.status, 429);
    await res.body?.cancel();
  } finally {
    await p.close();
  }
});
