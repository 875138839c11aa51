import { assert, assertEquals, assertThrows } from "@std/assert";
import { addressKey, type LoginClient, LoginLimiter } from "./login_limiter.ts";
import { RateLimitError } from "../errors.ts";

const MINUTE = 60_000;

function client(key: string, trusted = false): LoginClient {
  return { key, account: "admin", trusted };
}

/** Runs `n` failed attempts of `c` one after another. */
function fail(limiter: LoginLimiter, c: LoginClient, n: number) {
  for (let i = 0; i < n; i++) limiter.begin(c).finish(false);
}

function refused(limiter: LoginLimiter, c: LoginClient): RateLimitError {
  return assertThrows(() => limiter.begin(c), RateLimitError) as RateLimitError;
}

Deno.test("LoginLimiter.begin() counts attempts in flight, so a burst gets no more tries than a sequence", () => {
  const limiter = new LoginLimiter({ maxInFlightPerClient: 100, maxInFlight: 100 });
  const c = client("address:198.51.100.7");
  const started = [];
  for (let i = 0; i < 100; i++) {
    try {
      started.push(limiter.begin(c));
    } catch (e) {
      assert(e instanceof RateLimitError);
    }
  }
  assertEquals(started.length, 5, "only 5 of 100 concurrent attempts reach the password check");
  for (const attempt of started) attempt.finish(false);
  assert(limiter.retryAfter(c) > 14 * 60, "and then the client is locked out");
});

Deno.test("LoginLimiter.begin() bounds concurrent attempts per client and overall", () => {
  const limiter = new LoginLimiter();
  const a = [limiter.begin(client("address:a")), limiter.begin(client("address:a"))];
  const third = refused(limiter, client("address:a"));
  assertEquals(third.retryAfterSeconds, 1);
  const b = [limiter.begin(client("address:b")), limiter.begin(client("address:b"))];
  refused(limiter, client("address:c")); // 4 in flight overall
  a[0].finish(true);
  limiter.begin(client("address:c")).finish(true);
  for (const attempt of [a[1], ...b]) attempt.finish(true);
});

Deno.test("LoginLimiter locks a client for 15 minutes, then twice as long after the next lockout", () => {
  let now = 0;
  const limiter = new LoginLimiter({}, () => now);
  const c = client("address:203.0.113.9");
  fail(limiter, c, 5);
  assertEquals(limiter.retryAfter(c), 15 * 60);
  assertEquals(limiter.retryAfter(client("address:203.0.113.10")), 0, "others are not affected");
  now += 15 * MINUTE;
  assertEquals(limiter.retryAfter(c), 0);
  fail(limiter, c, 5);
  assertEquals(limiter.retryAfter(c), 30 * 60, "the second lockout is twice as long");
});

Deno.test("LoginLimiter forgets failures older than the window and after a success", () => {
  let now = 0;
  const limiter = new LoginLimiter({}, () => now);
  const c = client("address:a");
  fail(limiter, c, 4);
  now += 15 * MINUTE;
  fail(limiter, c, 4);
  assertEquals(limiter.retryAfter(c), 0);
  limiter.begin(c).finish(true);
  fail(limiter, c, 4);
  assertEquals(limiter.retryAfter(c), 0);
});

Deno.test("LoginLimiter locks an account against many addresses but not against its own browser", () => {
  const limiter = new LoginLimiter();
  // A distributed guesser: 4 failures from each of 5 addresses.
  for (let i = 0; i < 5; i++) fail(limiter, client(`address:192.0.2.${i}`), 4);
  const error = refused(limiter, client("address:192.0.2.200"));
  assertEquals(error.message.includes("for this account"), true, error.message);
  // The admin's browser with its device cookie still gets its own attempts.
  const admin = client("device:admin-laptop", true);
  assertEquals(limiter.retryAfter(admin), 0);
  limiter.begin(admin).finish(true);
});

Deno.test("LoginLimiter: failures at the admin's address do not lock out the admin's browser", () => {
  const limiter = new LoginLimiter();
  // A proxy user, or a neighbour behind the same NAT, fails at the admin's address.
  fail(limiter, client("address:198.51.100.1"), 5);
  refused(limiter, client("address:198.51.100.1"));
  const attempt = limiter.begin(client("device:admin-browser", true));
  attempt.finish(true);
});

Deno.test("LoginLimiter: a check that errored counts as nothing", () => {
  const limiter = new LoginLimiter();
  const c = client("address:a");
  for (let i = 0; i < 20; i++) limiter.begin(c).finish(null);
  assertEquals(limiter.retryAfter(c), 0);
});

Deno.test("addressKey() keys IPv4 as is and IPv6 by its /64", () => {
  assertEquals(addressKey("192.0.2.1"), "address:192.0.2.1");
  assertEquals(addressKey("::ffff:192.0.2.1"), "address:192.0.2.1");
  assertEquals(addressKey("2001:db8:1:2:aaaa::1"), "address:2001:db8:1:2::/64");
  assertEquals(addressKey("2001:db8:1:2::ffff"), "address:2001:db8:1:2::/64");
  assertEquals(addressKey("2001:db8::1"), "address:2001:db8:0:0::/64");
  assertEquals(addressKey("::1"), "address:0:0:0:0::/64");
});
