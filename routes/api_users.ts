/**
 * API v1 users: list, create, read, change, delete, reset traffic, regenerate credentials,
 * and bulk actions.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { jsonBodyLimit, readJson } from "./api_json.ts";
import { type StatusThresholds, userStatus } from "../core/users/user_status.ts";
import { getSettings, getStatusThresholds } from "../core/settings.ts";
import { runBulkAction } from "../core/users/bulk.ts";
import { parseBulkJson } from "../core/users/bulk_input.ts";
import {
  createUser,
  deleteUser,
  getUserDetail,
  regenerateUserCredentials,
  resetUserTraffic,
  updateUser,
} from "../core/users/users.ts";
import { parseUserJson, parseUserListQuery } from "../core/users/user_input.ts";
import { listUsers, USERS_PAGE_SIZE, type UserWithInbounds } from "../db/users.ts";
import { subscriptionBase, subscriptionUrls } from "../core/subscriptions/subscriptions.ts";

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** A user as the API shows it, with their subscription URL and status by `thresholds`. */
export function userJson(
  user: UserWithInbounds,
  now: number,
  subscriptionUrl: string,
  thresholds?: StatusThresholds,
) {
  return {
    id: user.id,
    name: user.name,
    uuid: user.uuid,
    password: user.password,
    trafficLimit: user.trafficLimit,
    expiresAt: iso(user.expiresAt),
    enabled: user.enabled,
    note: user.note,
    resetStrategy: user.resetStrategy,
    status: userStatus(user, now, thresholds),
    uplink: user.uplink,
    downlink: user.downlink,
    inbounds: user.inbounds,
    subscriptionUrl,
    lastSubscription: user.lastSubscription && {
      at: iso(user.lastSubscription.at),
      userAgent: user.lastSubscription.userAgent,
    },
    createdAt: iso(user.createdAt),
  };
}

/**
 * Users as the API shows them: subscription URLs under the configured or request base,
 * statuses by the panel's thresholds.
 */
export async function usersJson(c: Context<AppEnv>, users: UserWithInbounds[]) {
  const { db, now, subscriptionTokens } = c.var.deps;
  const base = subscriptionBase((await getSettings(db)).subscriptionBaseUrl, c.req.url);
  const urls = await subscriptionUrls(subscriptionTokens, base, users);
  const thresholds = await getStatusThresholds(db);
  const at = now();
  return users.map((user) => userJson(user, at, urls.get(user.id)!, thresholds));
}

/** One user as the API shows it. */
export async function oneUserJson(c: Context<AppEnv>, user: UserWithInbounds) {
  return (await usersJson(c, [user]))[0];
}

export function apiUserRoutes() {
  const app = new Hono<AppEnv>();

  const limit = jsonBodyLimit;
  app.use("/users", limit);
  app.use("/users/*", limit);

  app.get("/users", async (c) => {
    const query = parseUserListQuery(c.req.query());
    const now = c.var.deps.now();
    const thresholds = await getStatusThresholds(c.var.deps.db);
    const list = await listUsers(c.var.deps.db, {
      ...query,
      status: query.status ? { status: query.status, now, thresholds } : undefined,
    });
    return c.json({
      users: await usersJson(c, list.rows),
      total: list.total,
      page: query.page,
      pageSize: USERS_PAGE_SIZE,
    });
  });

  app.post("/users", async (c) => {
    const input = parseUserJson(await readJson(c), "create");
    const user = await createUser(c.var.deps, input);
    c.header("Location", `/api/v1/users/${encodeURIComponent(user.name)}`);
    return c.json({ user: await oneUserJson(c, user) }, 201);
  });

  /** One action on many users: `{"action", "users": [names]}` or `{"action", "filter"}`. */
  app.post("/users/bulk", async (c) => {
    const result = await runBulkAction(c.var.deps, parseBulkJson(await readJson(c)));
    return c.json(result);
  });

  app.get("/users/:name", async (c) => {
    const { user, perInbound } = await getUserDetail(c.var.deps.db, c.req.param("name"));
    return c.json({ user: { ...await oneUserJson(c, user), perInbound } });
  });

  app.patch("/users/:name", async (c) => {
    const input = parseUserJson(await readJson(c), "update");
    const user = await updateUser(c.var.deps, c.req.param("name"), input);
    return c.json({ user: await oneUserJson(c, user) });
  });

  app.delete("/users/:name", async (c) => {
    await deleteUser(c.var.deps, c.req.param("name"));
    return c.body(null, 204);
  });

  app.post("/users/:name/reset-traffic", async (c) => {
    const user = await resetUserTraffic(c.var.deps, c.req.param("name"));
    return c.json({ user: await oneUserJson(c, user) });
  });

  app.post("/users/:name/regenerate", async (c) => {
    const user = await regenerateUserCredentials(c.var.deps, c.req.param("name"));
    return c.json({ user: await oneUserJson(c, user) });
  });

  return app;
}
