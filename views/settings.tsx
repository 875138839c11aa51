/** Settings: subscriptions, change password, API tokens. */
import { CsrfField, FieldError, Layout } from "./layout.tsx";
import { formatTime } from "../core/format.ts";
import { SubscriptionSettings, type SubscriptionSettingsProps } from "./settings_subscriptions.tsx";

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
  /** A token just created, shown once. */
  newToken?: { name: string; token: string };
  passwordErrors?: Record<string, string>;
  passwordChanged?: boolean;
  tokenErrors?: Record<string, string>;
  subscriptions: SubscriptionSettingsProps;
}

export function SettingsPage(props: SettingsProps) {
  return (
    <Layout
      title="Settings"
      active="settings"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <h1>Settings</h1>
      <SubscriptionSettings {...props.subscriptions} />
      <section class="card" id="password">
        <h2>Change password</h2>
        {props.passwordChanged && (
          <p class="flash">Password changed; other sessions were logged out.</p>
        )}
        <form method="post" action="/settings/password">
          <CsrfField token={props.csrfToken} />
          <label>
            Current password
            <input type="password" name="current" autocomplete="current-password" required />
            <FieldError error={props.passwordErrors?.current} />
          </label>
          <label>
            New password (8 characters or more)
            <input type="password" name="next" autocomplete="new-password" required />
            <FieldError error={props.passwordErrors?.next} />
          </label>
          <label>
            Repeat new password
            <input type="password" name="confirm" autocomplete="new-password" required />
            <FieldError error={props.passwordErrors?.confirm} />
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
          <div class="flash">
            New token “{props.newToken.name}”, copy it now:
            <p class="secret" id="new-token">{props.newToken.token}</p>
          </div>
        )}
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Last used</th>
              <th></th>
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
                <td>{t.name}</td>
                <td>{formatTime(t.created_at)}</td>
                <td>{formatTime(t.last_used_at)}</td>
                <td>
                  <form
                    method="post"
                    action={`/settings/tokens/${t.id}/delete`}
                    onsubmit="return confirm('Revoke this token?')"
                  >
                    <CsrfField token={props.csrfToken} />
                    <button type="submit" class="danger">Revoke</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/settings/tokens" class="actions">
          <CsrfField token={props.csrfToken} />
          <label>
            Token name
            <input name="name" maxlength={64} required placeholder="provisioning" />
            <FieldError error={props.tokenErrors?.name} />
          </label>
          <button type="submit">Create token</button>
        </form>
      </section>
    </Layout>
  );
}
