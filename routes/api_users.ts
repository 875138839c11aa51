/** API v1 users (placeholder until the users module lands). */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";

export function apiUserRoutes() {
  const app = new Hono<AppEnv>();
  return app;
}
