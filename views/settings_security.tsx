/** The Settings page's "Security" section: whether proxy users may reach private networks. */
import { CsrfField, fieldId } from "./layout.tsx";

export interface SecuritySettingsProps {
  csrfToken: string;
  allowPrivateEgress: boolean;
  saved?: boolean;
}

export function SecuritySettings(props: SecuritySettingsProps) {
  return (
    <section class="card" id="security">
      <h2>Security</h2>
      {props.saved && <p class="flash" role="status">Security settings saved.</p>}
      <form method="post" action="/settings/security">
        <CsrfField token={props.csrfToken} />
        <label class="inline">
          <input
            id={fieldId("allowPrivateEgress")}
            type="checkbox"
            name="allowPrivateEgress"
            value="1"
            checked={props.allowPrivateEgress}
          />
          Allow proxy users to reach private networks
        </label>
        <p class="hint">
          Off: proxy users reach only the public internet. On: they may also reach private, loopback
          and link-local addresses (this server's other services, the local network, cloud
          metadata). The panel's port and the stats API stay closed either way. Saving a change
          applies it to sing-box at once.
        </p>
        <button type="submit">Save security settings</button>
      </form>
    </section>
  );
}
