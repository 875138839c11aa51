/** API v1 subscriptions: a user's share links per inbound, and regenerating their token. */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";
import { getUserDetail } from "../core/users/users.ts";
import { getSettings } from "../core/settings.ts";
import { hostOfUrl } from "../core/subscriptions/client_endpoint.ts";
import { clientCredentials } from "../core/subscriptions/client_credentials.ts";
import { shareLinks } from "../core/subscriptions/share_links.ts";
import {
  blockedRemark,
  loadSubscription,
  regenerateSubscriptionToken,
  subscriptionBase,
  subscriptionUrl,
} from "../core/subscriptions/subscriptions.ts";
import { oneUserJson } from "./api_users.ts";

export function apiSubscriptionRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/users/:name/links", async (c) => {
    const deps = c.var.deps;
    const { user } = await getUserDetail(deps.db, c.req.param("name"));
    const settings = await getSettings(deps.db);
    const ctx = { publicAddress: settings.publicAddress, requestHost: hostOfUrl(c.req.url) };
    const sub = await loadSubscription(deps, user, ctx);
    const base = subscriptionBase(settings.subscriptionBaseUrl, c.req.url);
    return c.json({
      user: user.name,
      subscriptionUrl: await subscriptionUrl(deps.subscriptionTokens, base, user),
      status: sub.status,
      blocked: sub.blocked ? blockedRemark(sub.blocked) : null,
      inbounds: sub.entries.map((entry) => ({
        tag: entry.inbound.tag,
        type: entry.inbound.type,
        address: entry.endpoint.server,
        port: entry.inbound.port,
        serverName: entry.endpoint.serverName ?? null,
        credentials: clientCredentials(entry.inbound, user),
        links: shareLinks(entry),
      })),
    });
  });

  app.post("/users/:name/regenerate-token", async (c) => {
    const user = await regenerateSubscriptionToken(c.var.deps, c.req.param("name"));
    return c.json({ user: await oneUserJson(c, user) });
  });

  return app;
}
