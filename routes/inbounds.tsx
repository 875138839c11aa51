/** Inbounds pages (placeholder until the inbounds module lands). */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";

export function inboundRoutes() {
  const app = new Hono<AppEnv>();
  return app;
}
