/**
 * The admin's Connect actions for one user: a new subscription URL, the sing-box profile
 * download and the QR code of one share link; and the props of the Connect section.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import type { User } from "../core/model.ts";
import { NotFoundError } from "../core/errors.ts";
import { getSettings } from "../core/settings.ts";
import { getUserDetail } from "../core/users/users.ts";
import { hostOfUrl } from "../core/subscriptions/client_endpoint.ts";
import { shareLinks } from "../core/subscriptions/share_links.ts";
import {
  loadSubscription,
  regenerateSubscriptionToken,
  renderSubscription,
  subscriptionBase,
  subscriptionUrl,
} from "../core/subscriptions/subscriptions.ts";
import { connectItems } from "../core/subscriptions/connect_items.ts";
import { qrSvg } from "../core/subscriptions/qr_codes.ts";
import type { UserConnectProps } from "../views/user_connect.tsx";
import { userUrl } from "../views/users.tsx";
import { redirectAfterPost } from "./htmx.ts";

type C = Context<AppEnv>;

/** The user's subscription as the admin's request sees it (its host is the fallback address). */
async function subscriptionOf(c: C, user: User) {
  const deps = c.var.deps;
  const settings = await getSettings(deps.db);
  const ctx = { publicAddress: settings.publicAddress, requestHost: hostOfUrl(c.req.url) };
  return { settings, sub: await loadSubscription(deps, user, ctx) };
}

/** Props of the Connect section of `user`'s page. */
export async function userConnectProps(c: C, user: User): Promise<UserConnectProps> {
  const deps = c.var.deps;
  const { settings, sub } = await subscriptionOf(c, user);
  const base = subscriptionBase(settings.subscriptionBaseUrl, c.req.url);
  const url = await subscriptionUrl(deps.subscriptionTokens, base, user);
  const page = userUrl(user.name);
  return {
    userName: user.name,
    csrfToken: c.var.session!.csrfToken,
    now: deps.now(),
    url,
    urlQrSvg: qrSvg(url),
    blocked: sub.blocked,
    lastSubscription: user.lastSubscription,
    items: connectItems(
      sub.entries,
      (entry, n) => `${page}/qr/${encodeURIComponent(entry.inbound.tag)}.svg?n=${n}`,
    ),
  };
}

export function userConnectRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/users/:name/regenerate-token", async (c) => {
    const user = await regenerateSubscriptionToken(c.var.deps, c.req.param("name"));
    return redirectAfterPost(c, userUrl(user.name, "?done=token#connect"));
  });

  // What the user's sing-box app would load (entries even while the user is blocked, so
  // the admin can test them).
  app.get("/users/:name/profile.json", async (c) => {
    const { user } = await getUserDetail(c.var.deps.db, c.req.param("name"));
    const { sub } = await subscriptionOf(c, user);
    c.header("Content-Disposition", `attachment; filename="${user.name}.json"`);
    c.header("Cache-Control", "no-store");
    c.header("Content-Type", "application/json; charset=utf-8");
    return c.body(renderSubscription({ ...sub, blocked: null }, "sing-box"));
  });

  app.get("/users/:name/qr/:file{.+\\.svg}", async (c) => {
    const { user } = await getUserDetail(c.var.deps.db, c.req.param("name"));
    const tag = c.req.param("file").replace(/\.svg$/, "");
    const n = Number(c.req.query("n") ?? "0");
    const { sub } = await subscriptionOf(c, user);
    const entry = sub.entries.find((e) => e.inbound.tag === tag);
    const link = entry && shareLinks(entry)[n];
    if (!link) {
      const given = (c.req.query("n") ?? "0").slice(0, 8);
      throw new NotFoundError((m) => m.errors.noShareLink(given, tag.slice(0, 48)));
    }
    c.header("Content-Type", "image/svg+xml");
    c.header("Cache-Control", "no-store");
    return c.body(qrSvg(link));
  });

  return app;
}
