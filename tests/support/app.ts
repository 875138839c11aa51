/**
 * An in-process panel for HTTP tests: a real temporary libSQL file with real migrations,
 * the app built by `createApp`, and helpers to log in and send requests.
 */
import { createApp } from "../../app.tsx";
import { openDatabase } from "../../db/database.ts";
import type { Db } from "../../db/database.ts";
import { parseConfig } from "../../core/config.ts";
import { ensureAdmin } from "../../core/auth/admin_auth.ts";
import { type ApplyScope, idleServices, type Services } from "../../core/services.ts";
import type { HostProbe } from "../../core/port_probe.ts";

/**
 * A host on which every listen address exists and every port is free: tests that are not
 * about the host's ports use it, so they pass whatever else runs on the machine. Tests of
 * the port and address probes pass `realHost` instead.
 */
export const unoccupiedHost: HostProbe = {
  listenAddressProblem: () => Promise.resolve(null),
  portTakenOn: () => Promise.resolve(null),
};

export const TEST_PASSWORD = "correct horse battery";

export interface TestPanel {
  app: ReturnType<typeof createApp>;
  db: Db;
  dataDir: string;
  /** Sends a request as a logged-in admin (cookie + CSRF header unless `csrf: false`). */
  request(path: string, init?: RequestInit & { csrf?: boolean }): Promise<Response>;
  /** Sends a form POST as the logged-in admin (with the `_csrf` field). */
  postForm(
    path: string,
    fields: Record<string, string | string[]>,
    headers?: HeadersInit,
  ): Promise<Response>;
  /** Sends a JSON request with the API token. */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  cookie: string;
  csrfToken: string;
  apiToken: string;
  close(): Promise<void>;
}

/** Logs in through the real login form; returns the session cookie header value. */
export async function loginCookie(
  app: TestPanel["app"],
  password = TEST_PASSWORD,
): Promise<string> {
  const res = await app.request("/login", {
    method: "POST",
    body: new URLSearchParams({ username: "admin", password }),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const setCookie = res.headers.get("set-cookie");
  if (res.status !== 303 || !setCookie) throw new Error(`Login failed with ${res.status}`);
  return setCookie.split(";")[0];
}

/** Builds a panel on a fresh temporary data dir, logged in. */
export async function createTestPanel(
  options: { services?: Services; env?: Record<string, string>; host?: HostProbe } = {},
): Promise<TestPanel> {
  const dataDir = await Deno.makeTempDir({ prefix: "singdeck-test-" });
  const apiToken = "test-api-token-0123456789";
  const config = parseConfig([], {
    SINGDECK_DATA_DIR: dataDir,
    SINGDECK_API_TOKEN: apiToken,
    ...options.env,
  });
  const db = await openDatabase(config.dbUrl);
  await ensureAdmin(db, TEST_PASSWORD, Date.now());
  const app = createApp({
    db,
    config,
    services: options.services ?? idleServices(),
    host: options.host ?? unoccupiedHost,
  });
  const cookie = await loginCookie(app);
  const page = await app.request("/settings", { headers: { Cookie: cookie } });
  const csrfToken = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1];
  if (!csrfToken) throw new Error("No CSRF token found on /settings");
  const panel: TestPanel = {
    app,
    db,
    dataDir,
    cookie,
    csrfToken,
    apiToken,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("Cookie", cookie);
      if (init.csrf !== false) headers.set("X-CSRF-Token", csrfToken);
      return Promise.resolve(app.request(path, { ...init, headers }));
    },
    postForm(path, fields, headers) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) {
        for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
      }
      body.set("_csrf", csrfToken);
      const h = new Headers(headers);
      h.set("Cookie", cookie);
      h.set("Content-Type", "application/x-www-form-urlencoded");
      return Promise.resolve(app.request(path, { method: "POST", body, headers: h }));
    },
    api(method, path, body) {
      const headers: Record<string, string> = { Authorization: `Bearer ${apiToken}` };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return Promise.resolve(app.request(path, {
        method,
        headers,
        body: body === undefined
          ? undefined
          : typeof body === "string"
          ? body
          : JSON.stringify(body),
      }));
    },
    async close() {
      await db.destroy();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
  return panel;
}

/**
 * Runs `fn` with an app on a fresh database whose clock the test moves (`clock.now`), and
 * the session cookie of a login at the start.
 */
export async function withClockedApp(
  fn: (
    t: { app: TestPanel["app"]; db: Db; clock: { now: number }; cookie: string },
  ) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "singdeck-test-" });
  const db = await openDatabase(`file:${dataDir}/t.db`);
  try {
    const clock = { now: Date.now() };
    await ensureAdmin(db, TEST_PASSWORD, clock.now);
    const app = createApp({
      db,
      config: parseConfig([], { SINGDECK_DATA_DIR: dataDir }),
      services: idleServices(),
      now: () => clock.now,
    });
    await fn({ app, db, clock, cookie: await loginCookie(app) });
  } finally {
    await db.destroy();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Services whose core records the reason and scope of every apply request. */
function recordingServices(): { services: Services; applied: string[]; scopes: ApplyScope[] } {
  const applied: string[] = [];
  const scopes: ApplyScope[] = [];
  const base = idleServices();
  const requestApply = (reason: string, scope?: ApplyScope) => {
    applied.push(reason);
    scopes.push(scope ?? {});
  };
  return { applied, scopes, services: { ...base, core: { ...base.core, requestApply } } };
}

/**
 * Runs `fn` with a fresh logged-in panel, the reasons its core was asked to apply the
 * config and the scope of each request, in order; closes the panel afterwards.
 */
export async function withPanel(
  fn: (p: TestPanel, applied: string[], scopes: ApplyScope[]) => Promise<void>,
  options: { host?: HostProbe } = {},
): Promise<void> {
  const { services, applied, scopes } = recordingServices();
  const p = await createTestPanel({ services, host: options.host });
  try {
    await fn(p, applied, scopes);
  } finally {
    await p.close();
  }
}

/** A snapshot of every table's rows, to assert a bad request changed nothing. */
export async function snapshotDatabase(db: Db): Promise<Record<string, unknown[]>> {
  const tables = [
    "admins",
    "api_tokens",
    "inbounds",
    "users",
    "user_traffic",
    "user_inbounds",
    "user_inbound_traffic",
    "outbound_traffic",
    "stat_cursors",
    "settings",
  ] as const;
  const out: Record<string, unknown[]> = {};
  for (const t of tables) out[t] = await db.selectFrom(t).selectAll().execute();
  return out;
}

/** Asserts the status, then a JSON content type; returns the parsed body. */
export async function expectJson<T = Record<string, unknown>>(
  res: Response,
  status: number,
): Promise<T> {
  const text = await res.text();
  if (res.status !== status) {
    throw new Error(`Expected status ${status}, got ${res.status}: ${text}`);
  }
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) throw new Error(`Expected JSON, got "${type}"`);
  return JSON.parse(text) as T;
}
