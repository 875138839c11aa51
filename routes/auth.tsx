/** Login and logout. */
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { getConnInfo } from "hono/deno";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import {
  DEVICE_TOKEN_MAX_MS,
  issueDeviceToken,
  login,
  logout,
  SESSION_MAX_MS,
  verifyDeviceToken,
} from "../core/auth/admin_auth.ts";
import { addressKey, type LoginClient } from "../core/auth/login_limiter.ts";
import { ForbiddenError, UnauthorizedError } from "../core/errors.ts";
import { LoginPage } from "../views/login.tsx";

export const SESSION_COOKIE = "singdeck_session";
/** A browser that logged in before (see `issueDeviceToken`); only the login reads it. */
export const DEVICE_COOKIE = "singdeck_device";

/** The client's address for rate limiting (the socket's peer; proxies are not trusted). */
export function clientAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Whether the request came over TLS (the panel's own, or a proxy that says so). */
function isHttps(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === "https:" ||
    c.req.header("X-Forwarded-Proto") === "https";
}

/**
 * Only a form posted from this site's own pages may log in (login CSRF). An `Origin` that
 * is not a URL at all is refused like a foreign one.
 */
function checkSameOrigin(c: Context<AppEnv>) {
  const refused = new ForbiddenError((m) => m.errors.crossSiteLogin);
  const site = c.req.header("Sec-Fetch-Site");
  if (site && site !== "same-origin" && site !== "none") throw refused;
  const origin = c.req.header("Origin");
  if (origin && origin !== "null") {
    const host = c.req.header("Host") ?? new URL(c.req.url).host;
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw refused;
    }
    if (originHost !== host) throw refused;
  }
}

function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : "/";
}

export function authRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/login", (c) => c.render(<LoginPage next={safeNext(c.req.query("next"))} />));

  app.post("/login", async (c) => {
    checkSameOrigin(c);
    const { db, limiter, now } = c.var.deps;
    const form = await c.req.parseBody();
    const username = typeof form.username === "string" ? form.username.slice(0, 64) : "";
    const password = typeof form.password === "string" ? form.password.slice(0, 256) : "";
    const deviceCookie = getCookie(c, DEVICE_COOKIE);
    const device = deviceCookie ? await verifyDeviceToken(db, deviceCookie, now()) : null;
    const trusted = device !== null && device.username === username;
    const client: LoginClient = {
      key: trusted ? `device:${device.deviceId}` : addressKey(clientAddress(c)),
      account: username.toLowerCase(),
      trusted,
    };
    // Reserved before the password is hashed; throws 429 when locked or too busy.
    const attempt = limiter.begin(client);
    let sessionId: string;
    try {
      sessionId = await login(db, username, password, now());
    } catch (e) {
      const wrongPassword = e instanceof UnauthorizedError;
      attempt.finish(wrongPassword ? false : null);
      if (!wrongPassword) throw e;
      c.status(401);
      return c.render(
        <LoginPage error={e.text} username={username} next={safeNext(form.next)} />,
      );
    }
    attempt.finish(true);
    const secure = isHttps(c);
    setCookie(c, SESSION_COOKIE, sessionId, {
      httpOnly: true,
      sameSite: "Lax",
      secure,
      path: "/",
      maxAge: SESSION_MAX_MS / 1000,
    });
    if (!trusted) {
      setCookie(c, DEVICE_COOKIE, await issueDeviceToken(db, username, now()), {
        httpOnly: true,
        sameSite: "Strict",
        secure,
        path: "/login",
        maxAge: DEVICE_TOKEN_MAX_MS / 1000,
      });
    }
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
