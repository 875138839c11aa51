/**
 * One user's actions, each a button on the user's page: enable or disable, reset traffic,
 * regenerate credentials, delete.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";
import {
  deleteUser,
  getUserDetail,
  regenerateUserCredentials,
  resetUserTraffic,
  setUserEnabled,
} from "../core/users/users.ts";
import { userUrl } from "../views/users.tsx";
import { readForm, redirectAfterPost } from "./htmx.ts";

/** The routes under `/users/:name/` that change a user without a form of fields. */
export function userActionRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/users/:name/toggle", async (c) => {
    const name = c.req.param("name");
    const wanted = (await readForm(c))["enabled"];
    const enabled = wanted === "1" || wanted === "0"
      ? wanted === "1"
      : !(await getUserDetail(c.var.deps.db, name)).user.enabled;
    await setUserEnabled(c.var.deps, name, enabled);
    return redirectAfterPost(c, userUrl(name, enabled ? "?done=enabled" : "?done=disabled"));
  });

  app.post("/users/:name/reset-traffic", async (c) => {
    const user = await resetUserTraffic(c.var.deps, c.req.param("name"));
    return redirectAfterPost(c, userUrl(user.name, "?done=reset"));
  });

  app.post("/users/:name/regenerate", async (c) => {
    const user = await regenerateUserCredentials(c.var.deps, c.req.param("name"));
    return redirectAfterPost(c, userUrl(user.name, "?done=regenerated"));
  });

  app.post("/users/:name/delete", async (c) => {
    await deleteUser(c.var.deps, c.req.param("name"));
    return redirectAfterPost(c, "/users");
  });

  return app;
}
