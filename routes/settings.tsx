/**
 * Settings: the panel's language, subscriptions (where clients connect), user status
 * thresholds, private egress, the admin password, API tokens.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { changePassword, createApiToken } from "../core/auth/admin_auth.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import { deleteApiToken, listApiTokens } from "../db/admins.ts";
import { SettingsPage, type SettingsProps } from "../views/settings.tsx";
import { getSettings, saveSettings } from "../core/settings.ts";
import type { SubscriptionSettingsProps } from "../views/settings_subscriptions.tsx";
import type { SecuritySettingsProps } from "../views/settings_security.tsx";
import type { LanguageSettingsProps } from "../views/settings_language.tsx";

const SUBSCRIPTION_KEYS = ["publicAddress", "subscriptionBaseUrl", "profileUpdateHours"] as const;

type Extra =
  & Partial<
    Omit<
      SettingsProps,
      "username" | "csrfToken" | "tokens" | "subscriptions" | "security" | "language"
    >
  >
  & {
    subscriptionForm?: Partial<SubscriptionSettingsProps>;
    securityForm?: Partial<SecuritySettingsProps>;
    languageForm?: Partial<LanguageSettingsProps>;
  };

async function render(c: Context<AppEnv>, extra: Extra = {}, status: 200 | 201 | 422 = 200) {
  const session = c.var.session!;
  const { db } = c.var.deps;
  const tokens = await listApiTokens(db);
  const settings = await getSettings(db);
  c.header("Cache-Control", "no-store"); // a new token is shown once
  const { subscriptionForm, securityForm, languageForm, ...rest } = extra;
  const subscriptions: SubscriptionSettingsProps = {
    csrfToken: session.csrfToken,
    values: {
      publicAddress: settings.publicAddress,
      subscriptionBaseUrl: settings.subscriptionBaseUrl,
      profileUpdateHours: String(settings.profileUpdateHours),
    },
    ...subscriptionForm,
  };
  const security: SecuritySettingsProps = {
    csrfToken: session.csrfToken,
    allowPrivateEgress: settings.allowPrivateEgress,
    ...securityForm,
  };
  const language: LanguageSettingsProps = {
    csrfToken: session.csrfToken,
    value: settings.language,
    ...languageForm,
  };
  c.status(status);
  return c.render(
    <SettingsPage
      username={session.username}
      csrfToken={session.csrfToken}
      tokens={tokens}
      statusValues={{
        nearQuotaPercent: String(settings.nearQuotaPercent),
        expiringDays: String(settings.expiringDays),
      }}
      subscriptions={subscriptions}
      security={security}
      language={language}
      {...rest}
    />,
  );
}

function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === "string" ? v : "";
}

export function settingsRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/settings", (c) => {
    const saved = c.req.query("saved");
    return render(c, {
      statusSaved: saved === "statuses",
      languageForm: { saved: saved === "language" },
    });
  });

  // A new language changes the page itself: answered by a redirect, so the page (and its
  // <html lang dir>) is rendered again in it.
  app.post("/settings/language", async (c) => {
    const form = await c.req.parseBody();
    const value = field(form, "language");
    try {
      await saveSettings(c.var.deps.db, { language: value });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return render(c, { languageForm: { value, errors: e.fieldTexts } }, 422);
    }
    return c.redirect("/settings?saved=language#language", 303);
  });

  app.post("/settings/statuses", async (c) => {
    const form = await c.req.parseBody();
    const values = {
      nearQuotaPercent: field(form, "nearQuotaPercent"),
      expiringDays: field(form, "expiringDays"),
    };
    try {
      await saveSettings(c.var.deps.db, values);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return render(c, { statusValues: values, statusErrors: e.fieldTexts }, 422);
    }
    return c.redirect("/settings?saved=statuses#user-status-settings", 303);
  });

  app.post("/settings/subscriptions", async (c) => {
    const form = await c.req.parseBody();
    const input = Object.fromEntries(SUBSCRIPTION_KEYS.map((key) => [key, field(form, key)]));
    try {
      await saveSettings(c.var.deps.db, input);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const values = input as SubscriptionSettingsProps["values"];
      return render(c, { subscriptionForm: { values, errors: e.fieldTexts } }, 422);
    }
    return render(c, { subscriptionForm: { saved: true } });
  });

  // Private egress changes the generated route rules of every inbound: a global apply.
  app.post("/settings/security", async (c) => {
    const form = await c.req.parseBody();
    const { db, services } = c.var.deps;
    const before = (await getSettings(db)).allowPrivateEgress;
    const after = await saveSettings(db, { allowPrivateEgress: field(form, "allowPrivateEgress") });
    if (after.allowPrivateEgress !== before) {
      services.core.requestApply("private egress setting changed");
    }
    return render(c, { securityForm: { saved: true } });
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
      if (e instanceof ValidationError) return render(c, { passwordErrors: e.fieldTexts }, 422);
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
      if (e instanceof ValidationError) return render(c, { tokenErrors: e.fieldTexts }, 422);
      throw e;
    }
  });

  app.post("/settings/tokens/:id/delete", async (c) => {
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id) || !(await deleteApiToken(c.var.deps.db, id))) {
      const given = c.req.param("id").slice(0, 20);
      throw new NotFoundError((m) => m.errors.tokenNotFound(given));
    }
    return c.redirect("/settings#tokens", 303);
  });

  return app;
}
