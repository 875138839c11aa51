/** Dashboard (placeholder). */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";

export function dashboardRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => c.text("dashboard"));
  return app;
}
