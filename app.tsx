/**
 * Builds the Hono app from its dependencies: middleware, the one error handler and every
 * route module. Nothing here connects, listens or polls; `main.ts` does that.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { getCookie } from "hono/cookie";
import { bodyLimit } from "hono/body-limit";
import { jsxRenderer } from "hono/jsx-renderer";
import { languageDetector } from "hono/language";
import type { Db } from "./db/database.ts";
import type { Config } from "./core/config.ts";
import type { Services } from "./core/services.ts";
import {
  type AdminSession,
  authenticateApiToken,
  authenticateSession,
} from "./core/auth/admin_auth.ts";
import { LoginLimiter } from "./core/auth/login_limiter.ts";
import { hostnameOf, isAllowedHost } from "./core/allowed_hosts.ts";
import type { HostProbe } from "./core/port_probe.ts";
import { getSettings } from "./core/settings.ts";
import { SubscriptionTokens } from "./core/subscriptions/sub_tokens.ts";
import { FetchLimiter } from "./core/subscriptions/fetch_limiter.ts";
import { fieldsOf, ForbiddenError, PanelError, RateLimitError, statusOf } from "./core/errors.ts";
import { safeEqual } from "./core/auth/passwords.ts";
import { type I18n, i18nFor } from "./core/i18n/i18n.ts";
import { browserLocale, DEFAULT_LOCALE, isLocale, LOCALES } from "./core/i18n/locales.ts";
import type { Msg } from "./core/i18n/msg.ts";
import { ErrorFlash, ErrorPage } from "./views/error_page.tsx";
import { I18nContext } from "./views/i18n.ts";
import { staticRoutes } from "./routes/static.ts";
import { authRoutes, SESSION_COOKIE } from "./routes/auth.tsx";
import { dashboardRoutes } from "./routes/dashboard.tsx";
import { inboundRoutes } from "./routes/inbounds.tsx";
import { userRoutes } from "./routes/users.tsx";
import { batchBodyLimit } from "./routes/users_bulk.tsx";
import { settingsRoutes } from "./routes/settings.tsx";
import { apiRoutes } from "./routes/api.ts";
import { subscriptionRoutes } from "./routes/sub.tsx";

export interface AppDeps {
  db: Db;
  config: Config;
  services: Services;
  now: () => number;
  limiter: LoginLimiter;
  /** What inbound checks may bind on this host (tests not about the host pass a stand-in). */
  host?: HostProbe;
  /** Derives subscription tokens from the panel secret in the data dir. */
  subscriptionTokens: SubscriptionTokens;
  /** Bounds subscription requests per client address. */
  subscriptionLimiter: FetchLimiter;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    /** The logged-in admin's session (page requests and session-authenticated API calls). */
    session: AdminSession | null;
    /** The browser's language among ours (Hono's language detector), else the default. */
    language: string;
    /** The language pages are rendered in (see the language middleware below). */
    i18n: I18n;
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

/** Paths answered without login, matched against the normalised path. */
const PUBLIC_PATHS = [/^\/login$/, /^\/healthz$/, /^\/sub\/[^/]+$/];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Request bodies: a login is a few fields; forms and JSON stay far below 64 KB. */
const LOGIN_BODY_MAX = 8 * 1024;
const BODY_MAX = 64 * 1024;

/** Creates the panel's app. */
export function createApp(
  input: Pick<AppDeps, "db" | "config" | "services"> & Partial<AppDeps>,
) {
  const deps: AppDeps = {
    now: Date.now,
    limiter: new LoginLimiter(),
    subscriptionTokens: new SubscriptionTokens(input.config.dataDir),
    subscriptionLimiter: new FetchLimiter(),
    ...input,
  };
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("session", null);
    await next();
  });

  // The language: the admin's choice in Settings, else the browser's Accept-Language
  // (Hono's detector, no cookie), else English. A user's subscription page follows the
  // visitor's browser only. Every page and fragment renders inside the language's
  // provider (views/i18n.ts); the API's messages stay English.
  app.use(languageDetector({
    order: ["header"],
    caches: false,
    supportedLanguages: [...LOCALES],
    fallbackLanguage: DEFAULT_LOCALE,
    convertDetectedLanguage: browserLocale,
  }));
  app.use(async (c, next) => {
    const chosen = c.req.path.startsWith("/sub/") ? "" : (await getSettings(deps.db)).language;
    const browser = isLocale(c.var.language) ? c.var.language : DEFAULT_LOCALE;
    c.set("i18n", i18nFor(chosen || browser));
    await next();
    // Pages in the browser's language differ by Accept-Language (routes may set Vary too).
    if (chosen === "" && c.res.headers.get("Content-Type")?.startsWith("text/html")) {
      c.res.headers.append("Vary", "Accept-Language");
    }
  });
  app.use(jsxRenderer(
    ({ children }, c) => <I18nContext.Provider value={c.var.i18n}>{children}</I18nContext.Provider>,
    { docType: false },
  ));

  // DNS rebinding: only known host names are served (core/allowed_hosts.ts).
  app.use(async (c, next) => {
    // /healthz and subscriptions answer any name: a rebinding page gains nothing from them
    // (no session rides on them; a subscription needs its unguessable token), and a
    // client may fetch its subscription through any name that reaches the server.
    if (c.req.path === "/healthz" || c.req.path.startsWith("/sub/")) return next();
    const names = [new URL(c.req.url).host, c.req.header("Host")].filter((h) => h !== undefined);
    const { publicAddress, subscriptionBaseUrl } = await getSettings(deps.db);
    const subscriptionHost = subscriptionBaseUrl ? new URL(subscriptionBaseUrl).hostname : "";
    const allowed = {
      configured: subscriptionHost
        ? [...deps.config.allowedHosts, hostnameOf(subscriptionHost)]
        : deps.config.allowedHosts,
      listenHost: deps.config.listenHost,
      publicAddress,
    };
    const refused = names.map(hostnameOf).find((name) => !isAllowedHost(name, allowed));
    if (refused === undefined) return next();
    return c.text(c.var.i18n.t.errors.unknownHost(refused.slice(0, 100)), 421);
  });

  app.use(secureHeaders({
    referrerPolicy: "same-origin",
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  }));
  app.use(async (c, next) => {
    await next();
    // HSTS only over HTTPS: over plain HTTP it is ignored, and it must not be sent by a
    // panel that has no certificate to keep the promise.
    if (new URL(c.req.url).protocol === "https:") {
      c.header("Strict-Transport-Security", "max-age=15552000; includeSubDomains");
    }
    // Pages and API answers carry credentials, configs and tokens: no cache keeps them.
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  // Bodies are bounded before anything reads them (the CSRF check parses forms).
  const loginBodyLimit = bodyLimit({
    maxSize: LOGIN_BODY_MAX,
    onError: (c) => tooLarge(c, LOGIN_BODY_MAX),
  });
  const otherBodyLimit = bodyLimit({ maxSize: BODY_MAX, onError: (c) => tooLarge(c, BODY_MAX) });
  // A batch of users (a CSV upload, routes/users_bulk.tsx) may be up to 16 MB.
  app.use((c, next) => {
    if (c.req.path === "/login") return loginBodyLimit(c, next);
    if (c.req.method === "POST" && c.req.path === "/users/batch") return batchBodyLimit(c, next);
    return otherBodyLimit(c, next);
  });

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/", staticRoutes());
  app.route("/", subscriptionRoutes());

  // Authentication: a session cookie for pages and the API, a bearer token for the API.
  app.use(async (c, next) => {
    const path = normalizedPath(c.req.path);
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
    return renderError(c, (t) => t.errors.pageNotFound, 404);
  });

  app.onError((err, c) => {
    const status = statusOf(err);
    if (status === 500) console.error(`${c.req.method} ${c.req.path} failed:`, err);
    if (err instanceof RateLimitError) c.header("Retry-After", String(err.retryAfterSeconds));
    if (c.req.path.startsWith("/api/")) {
      const message = status === 500 ? "Internal error" : err.message;
      return c.json({ error: message, fields: fieldsOf(err) }, status);
    }
    const text: Msg = status === 500
      ? (t) => t.errors.internal
      : err instanceof PanelError
      ? err.text
      : err.message;
    return renderError(c, text, status, c.req.header("HX-Request") !== undefined);
  });

  return app;
}

/**
 * An error page (with the navigation when logged in), or for htmx a fragment the toast
 * shows, in the request's language: English when the error came before it was known.
 */
function renderError(
  c: Context<AppEnv>,
  message: Msg,
  status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500,
  fragment = false,
) {
  const i18n = c.get("i18n") ?? i18nFor(DEFAULT_LOCALE);
  const body = fragment
    ? <ErrorFlash message={message} />
    : <ErrorPage status={status} message={message} session={c.get("session")} />;
  return c.html(<I18nContext.Provider value={i18n}>{body}</I18nContext.Provider>, status);
}

function tooLarge(c: Context<AppEnv>, max: number) {
  if (c.req.path.startsWith("/api/")) {
    return c.json({ error: `Request body is larger than ${max / 1024} KB`, fields: {} }, 413);
  }
  return renderError(c, (t) => t.errors.bodyTooLarge(`${max / 1024} KB`), 413);
}

/**
 * A request path as the public-path check must see it: percent-decoded, `.` and `..`
 * resolved, empty segments dropped. Deno passes the request target through unchanged, so
 * `/sub/../api/v1/status` must not count as a path under `/sub/`.
 */
export function normalizedPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch { /* keep the raw path: malformed escapes match no public path */ }
  const segments: string[] = [];
  for (const segment of decoded.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return "/" + segments.join("/");
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
    throw new ForbiddenError((t) => t.errors.csrf);
  }
}
