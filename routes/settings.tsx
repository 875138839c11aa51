/** Settings: subscriptions (where clients connect), the admin password, API tokens. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { changePassword, createApiToken } from "../core/auth/admin_auth.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import { deleteApiToken, listApiTokens } from "../db/admins.ts";
import { SettingsPage, type SettingsProps } from "../views/settings.tsx";
import { getSettings, saveSettings } from "../core/settings.ts";
import type { SubscriptionSettingsProps } from "../views/settings_subscriptions.tsx";

const SUBSCRIPTION_KEYS = ["publicAddress", "subscriptionBaseUrl", "profileUpdateHours"] as const;

async function render(
  c: Context<AppEnv>,
  extra: Partial<SettingsProps> & { subscriptionForm?: Partial<SubscriptionSettingsProps> } = {},
  status: 200 | 201 | 422 = 200,
) {
  const session = c.var.session!;
  const tokens = await listApiTokens(c.var.deps.db);
  const settings = await getSettings(c.var.deps.db);
  const { subscriptionForm, ...rest } = extra;
  const subscriptions: SubscriptionSettingsProps = {
    csrfToken: session.csrfToken,
    values: {
      publicAddress: settings.publicAddress,
      subscriptionBaseUrl: settings.subscriptionBaseUrl,
      profileUpdateHours: String(settings.profileUpdateHours),
    },
    ...subscriptionForm,
  };
  return c.html(
    <SettingsPage
      username={session.username}
      csrfToken={session.csrfToken}
      tokens={tokens}
      subscriptions={subscriptions}
      {...rest}
    />,
    status,
  );
}

function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === "string" ? v : "";
}

export function settingsRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/settings", (c) => render(c));

  app.post("/settings/subscriptions", async (c) => {
    const form = await c.req.parseBody();
    const input = Object.fromEntries(SUBSCRIPTION_KEYS.map((key) => [key, field(form, key)]));
    try {
      await saveSettings(c.var.deps.db, input);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const values = input as SubscriptionSettingsProps["values"];
      return render(c, { subscriptionForm: { values, errors: e.fields } }, 422);
    }
    return render(c, { subscriptionForm: { saved: true } });
  });

  app.post("/settings/password", async (c) => {
    const form = await c.req.parseBody();
    try {
      await changePassword(
        c.var.deps.db,
        c.var.session!,
        field(form, "current"),
        field(form, "next"),
        field(form, "confirm"),
        c.var.deps.now(),
      );
    } catch (e) {
      if (e instanceof ValidationError) return render(c, { passwordErrors: e.fields }, 422);
      throw e;
    }
    return render(c, { passwordChanged: true });
  });

  app.post("/settings/tokens", async (c) => {
    const form = await c.req.parseBody();
    const name = field(form, "name");
    try {
      const token = await createApiToken(c.var.deps.db, name, c.var.deps.now());
      return render(c, { newToken: { name: name.trim(), token } }, 201);
    } catch (e) {
      if (e instanceof ValidationError) return render(c, { tokenErrors: e.fields }, 422);
      throw e;
    }
  });

  app.post("/settings/tokens/:id/delete", async (c) => {
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id) || !(await deleteApiToken(c.var.deps.db, id))) {
      throw new NotFoundError(`API token ${c.req.param("id")} does not exist`);
    }
    return c.redirect("/settings#tokens", 303);
  });

  return app;
}
