/** Settings: subscriptions, user status thresholds, security, the admin password, API tokens. */
import { CopyButton, CsrfField, ErrorSummary, FieldError, fieldId, Layout } from "./layout.tsx";
import { formatTime } from "../core/format.ts";
import { SubscriptionSettings, type SubscriptionSettingsProps } from "./settings_subscriptions.tsx";
import { SecuritySettings, type SecuritySettingsProps } from "./settings_security.tsx";

export interface ApiTokenView {
  id: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export interface SettingsProps {
  username: string;
  csrfToken: string;
  tokens: ApiTokenView[];
  /** The "near quota" and "expires soon" thresholds: stored, or as submitted. */
  statusValues: { nearQuotaPercent: string; expiringDays: string };
  statusErrors?: Record<string, string>;
  statusSaved?: boolean;
  /** A token just created, shown once. */
  newToken?: { name: string; token: string };
  passwordErrors?: Record<string, string>;
  passwordChanged?: boolean;
  tokenErrors?: Record<string, string>;
  subscriptions: SubscriptionSettingsProps;
  security: SecuritySettingsProps;
}

const PASSWORD_LABELS = {
  current: "Current password",
  next: "New password",
  confirm: "Repeat new password",
};

const STATUS_LABELS = {
  nearQuotaPercent: "Near quota from",
  expiringDays: "Expires soon within",
};

function StatusSettings(props: SettingsProps) {
  const v = props.statusValues;
  const e = props.statusErrors ?? {};
  return (
    <section class="card" id="user-status-settings">
      <h2>User statuses</h2>
      {props.statusSaved && <p class="flash" role="status">Saved.</p>}
      <ErrorSummary title="Nothing was saved:" errors={e} labels={STATUS_LABELS} />
      <form method="post" action="/settings/statuses">
        <CsrfField token={props.csrfToken} />
        <div class="grid">
          <label>
            {STATUS_LABELS.nearQuotaPercent} (% of the quota used)
            <input
              id={fieldId("nearQuotaPercent")}
              name="nearQuotaPercent"
              type="number"
              min="1"
              max="100"
              value={v.nearQuotaPercent}
              aria-invalid={e.nearQuotaPercent ? "true" : undefined}
            />
            <span class="hint">A user with a quota shows “near quota” from this share.</span>
            <FieldError error={e.nearQuotaPercent} />
          </label>
          <label>
            {STATUS_LABELS.expiringDays} (days)
            <input
              id={fieldId("expiringDays")}
              name="expiringDays"
              type="number"
              min="0"
              max="365"
              value={v.expiringDays}
              aria-invalid={e.expiringDays ? "true" : undefined}
            />
            <span class="hint">“Expires soon” this many days before the expiry; 0: never.</span>
            <FieldError error={e.expiringDays} />
          </label>
        </div>
        <button type="submit">Save</button>
      </form>
    </section>
  );
}

export function SettingsPage(props: SettingsProps) {
  const pe = props.passwordErrors ?? {};
  return (
    <Layout
      title="Settings"
      active="settings"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <h1>Settings</h1>
      <SubscriptionSettings {...props.subscriptions} />
      <StatusSettings {...props} />
      <SecuritySettings {...props.security} />
      <section class="card" id="password">
        <h2>Change password</h2>
        {props.passwordChanged && (
          <p class="flash" role="status">Password changed; other sessions were logged out.</p>
        )}
        <ErrorSummary title="The password was not changed:" errors={pe} labels={PASSWORD_LABELS} />
        <form method="post" action="/settings/password">
          <CsrfField token={props.csrfToken} />
          <label>
            {PASSWORD_LABELS.current}
            <input
              id={fieldId("current")}
              type="password"
              name="current"
              autocomplete="current-password"
              required
              aria-invalid={pe.current ? "true" : undefined}
            />
            <FieldError error={pe.current} />
          </label>
          <label>
            {PASSWORD_LABELS.next} (8 characters or more)
            <input
              id={fieldId("next")}
              type="password"
              name="next"
              autocomplete="new-password"
              required
              aria-invalid={pe.next ? "true" : undefined}
            />
            <FieldError error={pe.next} />
          </label>
          <label>
            {PASSWORD_LABELS.confirm}
            <input
              id={fieldId("confirm")}
              type="password"
              name="confirm"
              autocomplete="new-password"
              required
              aria-invalid={pe.confirm ? "true" : undefined}
            />
            <FieldError error={pe.confirm} />
          </label>
          <button type="submit">Change password</button>
        </form>
      </section>
      <section class="card" id="tokens">
        <h2>API tokens</h2>
        <p class="muted">
          Send as <code>Authorization: Bearer &lt;token&gt;</code> to{" "}
          <code>/api/v1/…</code>. A token is shown once; only its hash is stored.
        </p>
        {props.newToken && (
          <div class="flash" role="status">
            New token “{props.newToken.name}”: copy it now, it is not shown again.
            <div class="secret-row">
              <p class="secret" id="new-token">{props.newToken.token}</p>
              <CopyButton text={props.newToken.token} small />
            </div>
          </div>
        )}
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Created</th>
                <th>Last used</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.length === 0 && (
                <tr>
                  <td colspan={4} class="muted">No tokens yet</td>
                </tr>
              )}
              {props.tokens.map((t) => (
                <tr>
                  <td>
                    <span class="truncate" title={t.name}>{t.name}</span>
                  </td>
                  <td>{formatTime(t.created_at)}</td>
                  <td>{formatTime(t.last_used_at)}</td>
                  <td>
                    <form
                      method="post"
                      action={`/settings/tokens/${t.id}/delete`}
                      data-confirm={`Revoke the token “${t.name}”?`}
                    >
                      <CsrfField token={props.csrfToken} />
                      <button type="submit" class="danger small">Revoke</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form method="post" action="/settings/tokens" class="actions">
          <CsrfField token={props.csrfToken} />
          <label>
            Token name
            <input
              id={fieldId("name")}
              name="name"
              maxlength={64}
              required
              aria-invalid={props.tokenErrors?.name ? "true" : undefined}
            />
            <span class="hint">What the token is for, e.g. provisioning</span>
            <FieldError error={props.tokenErrors?.name} />
          </label>
          <button type="submit">Create token</button>
        </form>
      </section>
    </Layout>
  );
}
