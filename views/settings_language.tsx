/**
 * The Settings page's "Language" section: the panel's language for every admin page, or
 * the browser's (the default). Users' subscription pages always follow their browser.
 */
import type { Msg } from "../core/i18n/msg.ts";
import { type Locale, LOCALE_NAMES, LOCALES } from "../core/i18n/locales.ts";
import { CsrfField, ErrorSummary, FieldError, fieldId } from "./layout.tsx";
import { useI18n } from "./i18n.ts";

export interface LanguageSettingsProps {
  csrfToken: string;
  /** The stored choice ("" follows the browser), or what was submitted. */
  value: Locale | "" | string;
  errors?: Record<string, Msg>;
  saved?: boolean;
}

export function LanguageSettings(props: LanguageSettingsProps) {
  const { t } = useI18n();
  const s = t.settings.language;
  const e = props.errors ?? {};
  return (
    <section class="card" id="language">
      <h2>{t.settings.fields.language}</h2>
      {props.saved && <p class="flash" role="status">{s.saved}</p>}
      <ErrorSummary title={t.settings.nothingSaved} errors={e} labels={t.settings.fields} />
      <form method="post" action="/settings/language" class="actions">
        <CsrfField token={props.csrfToken} />
        <label>
          {s.label}
          <select
            id={fieldId("language")}
            name="language"
            aria-invalid={e.language ? "true" : undefined}
          >
            <option value="" selected={props.value === ""}>{s.browser}</option>
            {LOCALES.map((locale) => (
              <option value={locale} lang={locale} selected={props.value === locale}>
                {LOCALE_NAMES[locale]}
              </option>
            ))}
          </select>
          <span class="hint">{s.hint}</span>
          <FieldError error={e.language} />
        </label>
        <button type="submit">{t.common.save}</button>
      </form>
    </section>
  );
}
