/** Users pages (placeholder until the users module lands). */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";

export function userRoutes() {
  const app = new Hono<AppEnv>();
  return app;
}
