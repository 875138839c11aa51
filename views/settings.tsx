/** Settings: subscriptions, user status thresholds, security, the admin password, API tokens. */
import type { Msg } from "../core/i18n/msg.ts";
import { CopyButton, CsrfField, ErrorSummary, FieldError, fieldId, Layout } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import { SubscriptionSettings, type SubscriptionSettingsProps } from "./settings_subscriptions.tsx";
import { SecuritySettings, type SecuritySettingsProps } from "./settings_security.tsx";
import { LanguageSettings, type LanguageSettingsProps } from "./settings_language.tsx";

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
  statusErrors?: Record<string, Msg>;
  statusSaved?: boolean;
  /** A token just created, shown once. */
  newToken?: { name: string; token: string };
  passwordErrors?: Record<string, Msg>;
  passwordChanged?: boolean;
  tokenErrors?: Record<string, Msg>;
  subscriptions: SubscriptionSettingsProps;
  security: SecuritySettingsProps;
  language: LanguageSettingsProps;
}

function StatusSettings(props: SettingsProps) {
  const { t } = useI18n();
  const s = t.settings;
  const labels = s.fields;
  const v = props.statusValues;
  const e = props.statusErrors ?? {};
  return (
    <section class="card" id="user-status-settings">
      <h2>{s.statuses}</h2>
      {props.statusSaved && <p class="flash" role="status">{s.saved}</p>}
      <ErrorSummary title={s.nothingSaved} errors={e} labels={labels} />
      <form method="post" action="/settings/statuses">
        <CsrfField token={props.csrfToken} />
        <div class="grid">
          <label>
            {labels.nearQuotaPercent} {s.nearQuotaUnit}
            <input
              id={fieldId("nearQuotaPercent")}
              name="nearQuotaPercent"
              type="number"
              min="1"
              max="100"
              value={v.nearQuotaPercent}
              aria-invalid={e.nearQuotaPercent ? "true" : undefined}
            />
            <span class="hint">{s.nearQuotaHint}</span>
            <FieldError error={e.nearQuotaPercent} />
          </label>
          <label>
            {labels.expiringDays} {s.expiringUnit}
            <input
              id={fieldId("expiringDays")}
              name="expiringDays"
              type="number"
              min="0"
              max="365"
              value={v.expiringDays}
              aria-invalid={e.expiringDays ? "true" : undefined}
            />
            <span class="hint">{s.expiringHint}</span>
            <FieldError error={e.expiringDays} />
          </label>
        </div>
        <button type="submit">{t.common.save}</button>
      </form>
    </section>
  );
}

export function SettingsPage(props: SettingsProps) {
  const { t, f } = useI18n();
  const s = t.settings;
  const p = s.password;
  const pe = props.passwordErrors ?? {};
  return (
    <Layout
      title={t.nav.settings}
      active="settings"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <h1>{t.nav.settings}</h1>
      <LanguageSettings {...props.language} />
      <SubscriptionSettings {...props.subscriptions} />
      <StatusSettings {...props} />
      <SecuritySettings {...props.security} />
      <section class="card" id="password">
        <h2>{p.heading}</h2>
        {props.passwordChanged && <p class="flash" role="status">{p.changed}</p>}
        <ErrorSummary title={p.notChanged} errors={pe} labels={p.fields} />
        <form method="post" action="/settings/password">
          <CsrfField token={props.csrfToken} />
          <label>
            {p.fields.current}
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
            {p.fields.next} {p.nextHint}
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
            {p.fields.confirm}
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
          <button type="submit">{p.submit}</button>
        </form>
      </section>
      <section class="card" id="tokens">
        <h2>{s.tokens.heading}</h2>
        <p class="muted">
          {s.tokens.sendHeader} <code>Authorization: Bearer &lt;token&gt;</code>
        </p>
        <p class="muted">{s.tokens.shownOnce}</p>
        {props.newToken && (
          <div class="flash" role="status">
            {s.tokens.created(props.newToken.name)}
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
                <th>{s.tokens.name}</th>
                <th>{s.tokens.createdAt}</th>
                <th>{s.tokens.lastUsed}</th>
                <th>
                  <span class="visually-hidden">{t.common.actions}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.length === 0 && (
                <tr>
                  <td colspan={4} class="muted">{s.tokens.none}</td>
                </tr>
              )}
              {props.tokens.map((token) => (
                <tr>
                  <td>
                    <span class="truncate" title={token.name}>{token.name}</span>
                  </td>
                  <td>{f.time(token.created_at)}</td>
                  <td>{f.time(token.last_used_at)}</td>
                  <td>
                    <form
                      method="post"
                      action={`/settings/tokens/${token.id}/delete`}
                      data-confirm={s.tokens.revokeConfirm(token.name)}
                    >
                      <CsrfField token={props.csrfToken} />
                      <button type="submit" class="danger small">{s.tokens.revoke}</button>
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
            {s.tokens.nameLabel}
            <input
              id={fieldId("name")}
              name="name"
              maxlength={64}
              required
              aria-invalid={props.tokenErrors?.name ? "true" : undefined}
              dir="auto"
            />
            <span class="hint">{s.tokens.nameHint}</span>
            <FieldError error={props.tokenErrors?.name} />
          </label>
          <button type="submit">{s.tokens.create}</button>
        </form>
      </section>
    </Layout>
  );
}
