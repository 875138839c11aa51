/** `GET /api/v1/status`: the core's and the stats poller's state. */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";

export function apiStatusRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/status", (c) => {
    const { services, now } = c.var.deps;
    const core = services.core.status();
    const uptimeSeconds = core.startedAt === null
      ? null
      : Math.floor((now() - core.startedAt) / 1000);
    return c.json({ core: { ...core, uptimeSeconds }, stats: services.stats.status() });
  });
  return app;
}
