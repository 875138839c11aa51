/** The Settings page's "Subscriptions" section: where clients connect, URLs, refresh. */
import { CsrfField, FieldError } from "./layout.tsx";

export interface SubscriptionSettingsProps {
  csrfToken: string;
  /** Current (or, after an error, submitted) values by setting key. */
  values: { publicAddress: string; subscriptionBaseUrl: string; profileUpdateHours: string };
  errors?: Record<string, string>;
  saved?: boolean;
}

export function SubscriptionSettings(props: SubscriptionSettingsProps) {
  const { values: v, errors: e = {} } = props;
  return (
    <section class="card" id="subscriptions">
      <h2>Subscriptions</h2>
      {props.saved && <p class="flash">Subscription settings saved.</p>}
      <form method="post" action="/settings/subscriptions">
        <CsrfField token={props.csrfToken} />
        <label>
          Public address: the domain or IP clients connect to
          <input
            name="publicAddress"
            value={v.publicAddress}
            maxlength={253}
            placeholder="vpn.example.com"
            autocomplete="off"
          />
          <FieldError error={e.publicAddress} />
          <span class="muted">
            Share links and profiles use it for every inbound without an address of its own. Empty:
            the host the subscription is fetched from.
          </span>
        </label>
        <label>
          Subscription base URL
          <input
            name="subscriptionBaseUrl"
            value={v.subscriptionBaseUrl}
            maxlength={512}
            placeholder="https://sub.example.com"
            autocomplete="off"
          />
          <FieldError error={e.subscriptionBaseUrl} />
          <span class="muted">
            Where users reach this panel's <code>/sub/</code>{" "}
            (e.g. through a reverse proxy). Empty: the address you use to open this page.
          </span>
        </label>
        <label>
          Profile update interval (hours)
          <input
            name="profileUpdateHours"
            value={v.profileUpdateHours}
            inputmode="numeric"
            required
          />
          <FieldError error={e.profileUpdateHours} />
        </label>
        <button type="submit">Save subscription settings</button>
      </form>
    </section>
  );
}
