/**
 * `GET /sub/{token}`: a user's subscription, no login (the token is the key). The format
 * comes from `?format=` or the User-Agent (core/subscriptions/client_formats.ts); every
 * format carries `Subscription-Userinfo` and the other profile headers. Requests are
 * bounded per client address; an unknown or old token gets a generic 404 after the same
 * hash lookup as a known one.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";
import { clientAddress } from "./auth.tsx";
import { RateLimitError } from "../core/errors.ts";
import { getSettings } from "../core/settings.ts";
import { chooseFormat, subscriptionHeaders } from "../core/subscriptions/client_formats.ts";
import { hostOfUrl } from "../core/subscriptions/client_endpoint.ts";
import { subscriptionClientAddress } from "../core/subscriptions/fetch_limiter.ts";
import {
  findUserByToken,
  loadSubscription,
  recordFetch,
  renderSubscription,
  subscriptionBase,
} from "../core/subscriptions/subscriptions.ts";
import { connectItems, importLinks } from "../core/subscriptions/connect_items.ts";
import { qrSvg } from "../core/subscriptions/qr_codes.ts";
import { SubscriptionPage } from "../views/subscription_page.tsx";

export function subscriptionRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/sub/:token", async (c) => {
    const deps = c.var.deps;
    const address = subscriptionClientAddress(
      clientAddress(c),
      c.req.header("X-Forwarded-For"),
    );
    const wait = deps.subscriptionLimiter.take(address);
    if (wait > 0) throw new RateLimitError((m) => m.errors.tooManySubscriptionRequests, wait);
    const userAgent = c.req.header("User-Agent") ?? "";
    const format = chooseFormat(c.req.query("format"), userAgent, c.req.header("Accept") ?? "");
    const token = c.req.param("token");
    const user = await findUserByToken(deps, token);
    if (!user) {
      c.header("Cache-Control", "no-store");
      return c.text(c.var.i18n.t.errors.notFound, 404);
    }
    const settings = await getSettings(deps.db);
    const ctx = { publicAddress: settings.publicAddress, requestHost: hostOfUrl(c.req.url) };
    const sub = await loadSubscription(deps, user, ctx);
    if (c.req.method === "GET") await recordFetch(deps, user, userAgent);
    const url = `${subscriptionBase(settings.subscriptionBaseUrl, c.req.url)}/sub/${token}`;
    const headers = subscriptionHeaders(user, format, {
      updateIntervalHours: settings.profileUpdateHours,
      pageUrl: `${url}?format=html`,
    });
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (format !== "html") return c.body(renderSubscription(sub, format), 200);
    return c.render(
      <SubscriptionPage
        sub={sub}
        status={sub.status}
        now={deps.now()}
        url={url}
        urlQrSvg={qrSvg(url)}
        imports={importLinks(url, user.name)}
        items={sub.blocked ? [] : connectItems(sub.entries)}
      />,
    );
  });

  return app;
}
