/** API v1 inbounds (placeholder until the inbounds module lands). */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";

export function apiInboundRoutes() {
  const app = new Hono<AppEnv>();
  return app;
}
