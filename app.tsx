/**
 * Builds the Hono app from its dependencies: middleware, the one error handler and every
 * route module. Nothing here connects, listens or polls; `main.ts` does that.
 */
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { getCookie } from "hono/cookie";
import type { Db } from "./db/database.ts";
import type { Config } from "./core/config.ts";
import type { Services } from "./core/services.ts";
import {
  type AdminSession,
  authenticateApiToken,
  authenticateSession,
} from "./core/auth/admin_auth.ts";
import { LoginLimiter } from "./core/auth/login_limiter.ts";
import { fieldsOf, ForbiddenError, RateLimitError, statusOf } from "./core/errors.ts";
import { safeEqual } from "./core/auth/passwords.ts";
import { ErrorPage } from "./views/error_page.tsx";
import { staticRoutes } from "./routes/static.ts";
import { authRoutes, SESSION_COOKIE } from "./routes/auth.tsx";
import { dashboardRoutes } from "./routes/dashboard.tsx";
import { inboundRoutes } from "./routes/inbounds.tsx";
import { userRoutes } from "./routes/users.tsx";
import { batchBodyLimit } from "./routes/users_bulk.tsx";
import { settingsRoutes } from "./routes/settings.tsx";
import { apiRoutes } from "./routes/api.ts";

export interface AppDeps {
  db: Db;
  config: Config;
  services: Services;
  now: () => number;
  limiter: LoginLimiter;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    /** The logged-in admin's session (page requests and session-authenticated API calls). */
    session: AdminSession | null;
  };
}

/**
 * Only the panel's own scripts and styles run: no inline scripts, no inline styles, no
 * eval (htmx runs with `allowEval: false`, see views/layout.tsx). Images may be data: URLs
 * (QR codes). Nothing may frame the panel.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const PUBLIC_PATHS = [/^\/login$/, /^\/healthz$/, /^\/static\//, /^\/sub\//];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Creates the panel's app. */
export function createApp(input: Omit<AppDeps, "limiter" | "now"> & Partial<AppDeps>) {
  const deps: AppDeps = { now: Date.now, limiter: new LoginLimiter(), ...input };
  const app = new Hono<AppEnv>();

  app.use(secureHeaders({
    referrerPolicy: "same-origin",
    crossOriginEmbedderPolicy: false,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  }));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("session", null);
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.post("/users/batch", batchBodyLimit);
  app.route("/", staticRoutes());

  // Authentication: a session cookie for pages and the API, a bearer token for the API.
  app.use(async (c, next) => {
    const path = c.req.path;
    if (PUBLIC_PATHS.some((re) => re.test(path))) return next();
    const isApi = path.startsWith("/api/");
    const bearer = c.req.header("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (isApi && bearer) {
      if (await authenticateApiToken(deps.db, bearer, deps.config.apiToken, deps.now())) {
        return next();
      }
      return c.json({ error: "Invalid API token", fields: {} }, 401);
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    const session = cookie ? await authenticateSession(deps.db, cookie, deps.now()) : null;
    if (!session) {
      if (isApi) return c.json({ error: "Authentication required", fields: {} }, 401);
      if (c.req.header("HX-Request")) {
        c.header("HX-Redirect", "/login");
        return c.body(null, 401);
      }
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    c.set("session", session);
    if (!SAFE_METHODS.has(c.req.method)) await checkCsrf(c.req, session);
    return next();
  });

  app.route("/", authRoutes());
  app.route("/", dashboardRoutes());
  app.route("/", inboundRoutes());
  app.route("/", userRoutes());
  app.route("/", settingsRoutes());
  app.route("/api/v1", apiRoutes());

  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) return c.json({ error: "Not found", fields: {} }, 404);
    return c.html(<ErrorPage status={404} message="Page not found" session={c.var.session} />, 404);
  });

  app.onError((err, c) => {
    const status = statusOf(err);
    const message = status === 500 ? "Internal error" : err.message;
    if (status === 500) console.error(`${c.req.method} ${c.req.path} failed:`, err);
    if (err instanceof RateLimitError) c.header("Retry-After", String(err.retryAfterSeconds));
    if (c.req.path.startsWith("/api/")) {
      return c.json({ error: message, fields: fieldsOf(err) }, status);
    }
    if (c.req.header("HX-Request")) {
      return c.html(<div class="flash error" role="alert">{message}</div>, status);
    }
    return c.html(
      <ErrorPage status={status} message={message} session={c.var.session} />,
      status,
    );
  });

  return app;
}

interface RequestLike {
  header(name: string): string | undefined;
  parseBody(): Promise<Record<string, unknown>>;
}

/**
 * CSRF: every state-changing request made with a session cookie must carry the session's
 * token, as the `X-CSRF-Token` header (htmx sends it via `hx-headers`) or a `_csrf` form
 * field. Bearer-token API calls carry no cookie and need none.
 */
async function checkCsrf(req: RequestLike, session: AdminSession) {
  let token = req.header("X-CSRF-Token");
  if (!token) {
    const type = req.header("Content-Type") ?? "";
    if (type.includes("form")) {
      const field = (await req.parseBody())["_csrf"];
      if (typeof field === "string") token = field;
    }
  }
  if (!token || !safeEqual(token, session.csrfToken)) {
    throw new ForbiddenError("Missing or invalid CSRF token; reload the page and try again");
  }
}
