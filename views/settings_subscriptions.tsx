/** The Settings page's "Subscriptions" section: where clients connect, URLs, refresh. */
import type { Msg } from "../core/i18n/msg.ts";
import { CsrfField, ErrorSummary, FieldError, fieldId } from "./layout.tsx";
import { useI18n } from "./i18n.ts";

export interface SubscriptionSettingsProps {
  csrfToken: string;
  /** Current (or, after an error, submitted) values by setting key. */
  values: { publicAddress: string; subscriptionBaseUrl: string; profileUpdateHours: string };
  errors?: Record<string, Msg>;
  saved?: boolean;
}

export function SubscriptionSettings(props: SubscriptionSettingsProps) {
  const { t } = useI18n();
  const s = t.settings.subscriptions;
  const labels = t.settings.fields;
  const { values: v, errors: e = {} } = props;
  const invalid = (key: keyof typeof v) => (e[key] ? "true" : undefined);
  return (
    <section class="card" id="subscriptions">
      <h2>{s.heading}</h2>
      {props.saved && <p class="flash" role="status">{s.saved}</p>}
      <ErrorSummary title={t.settings.nothingSaved} errors={e} labels={labels} />
      <form method="post" action="/settings/subscriptions">
        <CsrfField token={props.csrfToken} />
        <label>
          {labels.publicAddress}
          {t.common.colon}
          {s.publicAddressWhat}
          <input
            id={fieldId("publicAddress")}
            name="publicAddress"
            value={v.publicAddress}
            maxlength={253}
            autocomplete="off"
            aria-invalid={invalid("publicAddress")}
            dir="ltr"
          />
          <span class="hint">{s.publicAddressHint}</span>
          <FieldError error={e.publicAddress} />
        </label>
        <label>
          {labels.subscriptionBaseUrl}
          <input
            id={fieldId("subscriptionBaseUrl")}
            name="subscriptionBaseUrl"
            value={v.subscriptionBaseUrl}
            maxlength={512}
            autocomplete="off"
            aria-invalid={invalid("subscriptionBaseUrl")}
            dir="ltr"
          />
          <span class="hint">
            {s.baseUrlHint} <code>/sub/</code>
          </span>
          <span class="hint">{s.baseUrlEmpty}</span>
          <FieldError error={e.subscriptionBaseUrl} />
        </label>
        <label>
          {labels.profileUpdateHours}
          <input
            id={fieldId("profileUpdateHours")}
            name="profileUpdateHours"
            value={v.profileUpdateHours}
            inputmode="numeric"
            required
            aria-invalid={invalid("profileUpdateHours")}
            dir="ltr"
          />
          <span class="hint">{s.updateHint}</span>
          <FieldError error={e.profileUpdateHours} />
        </label>
        <button type="submit">{s.submit}</button>
      </form>
    </section>
  );
}
