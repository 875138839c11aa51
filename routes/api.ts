/** JSON API v1: bearer token or admin session; errors as `{"error", "fields"}`. */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";
import { apiInboundRoutes } from "./api_inbounds.ts";
import { apiUserRoutes } from "./api_users.ts";
import { apiStatusRoutes } from "./api_status.ts";
import { apiSubscriptionRoutes } from "./api_subscriptions.ts";

export function apiRoutes() {
  const app = new Hono<AppEnv>();
  app.route("/", apiInboundRoutes());
  app.route("/", apiUserRoutes());
  app.route("/", apiSubscriptionRoutes());
  app.route("/", apiStatusRoutes());
  return app;
}
