/** Login and logout. */
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { getConnInfo } from "hono/deno";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { login, logout, SESSION_IDLE_MS } from "../core/auth/admin_auth.ts";
import { ForbiddenError, RateLimitError, UnauthorizedError } from "../core/errors.ts";
import { LoginPage } from "../views/login.tsx";

export const SESSION_COOKIE = "singdeck_session";

/** The client's address for rate limiting (the socket's peer; proxies are not trusted). */
export function clientAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Only a form posted from this site's own pages may log in (login CSRF). */
function checkSameOrigin(c: Context<AppEnv>) {
  const site = c.req.header("Sec-Fetch-Site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new ForbiddenError("Cross-site login refused");
  }
  const origin = c.req.header("Origin");
  if (origin && origin !== "null") {
    const host = c.req.header("Host") ?? new URL(c.req.url).host;
    if (new URL(origin).host !== host) throw new ForbiddenError("Cross-site login refused");
  }
}

function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : "/";
}

export function authRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/login", (c) => c.html(<LoginPage next={safeNext(c.req.query("next"))} />));

  app.post("/login", async (c) => {
    checkSameOrigin(c);
    const { db, limiter, now } = c.var.deps;
    const address = clientAddress(c);
    const wait = limiter.retryAfter(address);
    if (wait > 0) {
      throw new RateLimitError(
        `Too many failed logins; try again in ${Math.ceil(wait / 60)} minutes`,
        wait,
      );
    }
    const form = await c.req.parseBody();
    const username = typeof form.username === "string" ? form.username.slice(0, 64) : "";
    const password = typeof form.password === "string" ? form.password.slice(0, 256) : "";
    let sessionId: string;
    try {
      sessionId = await login(db, username, password, now());
    } catch (e) {
      if (!(e instanceof UnauthorizedError)) throw e;
      const locked = limiter.recordFailure(address);
      if (locked) {
        throw new RateLimitError(
          "Too many failed logins; try again in 15 minutes",
          limiter.retryAfter(address),
        );
      }
      return c.html(
        <LoginPage error={e.message} username={username} next={safeNext(form.next)} />,
        401,
      );
    }
    limiter.recordSuccess(address);
    setCookie(c, SESSION_COOKIE, sessionId, {
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:" ||
        c.req.header("X-Forwarded-Proto") === "https",
      path: "/",
      maxAge: SESSION_IDLE_MS / 1000,
    });
    return c.redirect(safeNext(form.next), 303);
  });

  app.post("/logout", async (c) => {
    const session = c.var.session;
    if (session) await logout(c.var.deps.db, session.idHash);
    if (getCookie(c, SESSION_COOKIE)) deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });

  return app;
}
