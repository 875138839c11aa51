/** `GET /api/v1/status`: the core's and the stats poller's state. */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";

export function apiStatusRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/status", (c) => {
    const { core, stats } = c.var.deps.services;
    return c.json({ core: core.status(), stats: stats.status() });
  });
  return app;
}
