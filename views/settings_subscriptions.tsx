/** The Settings page's "Subscriptions" section: where clients connect, URLs, refresh. */
import { CsrfField, ErrorSummary, FieldError, fieldId } from "./layout.tsx";

export interface SubscriptionSettingsProps {
  csrfToken: string;
  /** Current (or, after an error, submitted) values by setting key. */
  values: { publicAddress: string; subscriptionBaseUrl: string; profileUpdateHours: string };
  errors?: Record<string, string>;
  saved?: boolean;
}

const LABELS = {
  publicAddress: "Public address",
  subscriptionBaseUrl: "Subscription base URL",
  profileUpdateHours: "Profile update interval",
};

export function SubscriptionSettings(props: SubscriptionSettingsProps) {
  const { values: v, errors: e = {} } = props;
  const invalid = (key: keyof typeof LABELS) => (e[key] ? "true" : undefined);
  return (
    <section class="card" id="subscriptions">
      <h2>Subscriptions</h2>
      {props.saved && <p class="flash" role="status">Subscription settings saved.</p>}
      <ErrorSummary title="Nothing was saved:" errors={e} labels={LABELS} />
      <form method="post" action="/settings/subscriptions">
        <CsrfField token={props.csrfToken} />
        <label>
          {LABELS.publicAddress}: the domain or IP clients connect to
          <input
            id={fieldId("publicAddress")}
            name="publicAddress"
            value={v.publicAddress}
            maxlength={253}
            autocomplete="off"
            aria-invalid={invalid("publicAddress")}
          />
          <span class="hint">
            E.g. vpn.example.com. Share links and profiles use it for every inbound without an
            address of its own. Empty: the host the subscription is fetched from.
          </span>
          <FieldError error={e.publicAddress} />
        </label>
        <label>
          {LABELS.subscriptionBaseUrl}
          <input
            id={fieldId("subscriptionBaseUrl")}
            name="subscriptionBaseUrl"
            value={v.subscriptionBaseUrl}
            maxlength={512}
            autocomplete="off"
            aria-invalid={invalid("subscriptionBaseUrl")}
          />
          <span class="hint">
            E.g. https://sub.example.com: where users reach this panel's <code>/sub/</code>{" "}
            (through a reverse proxy, say). Empty: the address you use to open this page.
          </span>
          <FieldError error={e.subscriptionBaseUrl} />
        </label>
        <label>
          {LABELS.profileUpdateHours} (hours)
          <input
            id={fieldId("profileUpdateHours")}
            name="profileUpdateHours"
            value={v.profileUpdateHours}
            inputmode="numeric"
            required
            aria-invalid={invalid("profileUpdateHours")}
          />
          <span class="hint">How often client apps fetch the subscription again (1–168)</span>
          <FieldError error={e.profileUpdateHours} />
        </label>
        <button type="submit">Save subscription settings</button>
      </form>
    </section>
  );
}
