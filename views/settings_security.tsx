/** The Settings page's "Security" section: whether proxy users may reach private networks. */
import { CsrfField, fieldId } from "./layout.tsx";
import { useI18n } from "./i18n.ts";

export interface SecuritySettingsProps {
  csrfToken: string;
  allowPrivateEgress: boolean;
  saved?: boolean;
}

export function SecuritySettings(props: SecuritySettingsProps) {
  const { t } = useI18n();
  const s = t.settings.security;
  return (
    <section class="card" id="security">
      <h2>{s.heading}</h2>
      {props.saved && <p class="flash" role="status">{s.saved}</p>}
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
          {t.settings.fields.allowPrivateEgress}
        </label>
        <p class="hint">{s.explained}</p>
        <button type="submit">{s.submit}</button>
      </form>
    </section>
  );
}
