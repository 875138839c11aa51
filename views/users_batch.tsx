/** Creating many users at once: by a name prefix and a count, or from a CSV file. */
import { BATCH_MAX_USERS } from "../core/users/bulk_input.ts";
import { QUOTA_UNITS } from "../core/users/user_fields.ts";
import type { Msg } from "../core/i18n/msg.ts";
import { CsrfField, ErrorSummary, FieldError, fieldId, Layout } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import type { InboundChoice } from "./user_form.tsx";

export type BatchMode = "prefix" | "csv";

export interface BatchFormProps {
  mode: BatchMode;
  csrfToken: string;
  inbounds: InboundChoice[];
  /** Submitted values (text) by field name; absent on a fresh form. */
  values?: Record<string, string>;
  /** Inbound tags checked (all enabled ones on a fresh form). */
  checked: string[];
  errors: Record<string, Msg>;
}

/** The fields that have an error key of their own. */
const FIELD_KEYS = ["prefix", "count", "start", "trafficLimit", "expiresAt", "inbounds", "csv"];

function InboundBoxes(props: { id: string; inbounds: InboundChoice[]; checked: string[] }) {
  const { t } = useI18n();
  if (props.inbounds.length === 0) {
    return <p class="muted">{t.batch.noInbounds}</p>;
  }
  return (
    <fieldset id={props.id}>
      <legend>{t.nav.inbounds}</legend>
      <label class="inline">
        <input type="checkbox" data-check-all="inbounds" id={`${props.id}-all`} />
        <strong>{t.common.all}</strong>
      </label>
      <div class="checkbox-list">
        {props.inbounds.map((inbound) => (
          <label class="inline">
            <input
              type="checkbox"
              name="inbounds"
              value={inbound.tag}
              checked={props.checked.includes(inbound.tag)}
            />
            <span class="truncate" title={inbound.tag}>{inbound.tag}</span>
            {!inbound.enabled && <span class="muted">{t.userForm.inboundDisabled}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** One of the two forms; it re-renders itself (status 422) with every problem listed. */
export function BatchForm(props: BatchFormProps) {
  const { t, f } = useI18n();
  const b = t.batch;
  const labels = b.fields;
  const v = props.values ?? {};
  const e = props.errors;
  const id = (key: string) => `${props.mode}-${fieldId(key)}`;
  const ids = Object.fromEntries(FIELD_KEYS.map((key) => [key, id(key)]));
  const prefix = props.mode === "prefix";
  return (
    <form
      id={`batch-${props.mode}`}
      method="post"
      action="/users/batch"
      hx-post="/users/batch"
      hx-target="this"
      hx-swap="outerHTML"
      enctype={prefix ? undefined : "multipart/form-data"}
      hx-encoding={prefix ? undefined : "multipart/form-data"}
    >
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="mode" value={props.mode} />
      <ErrorSummary title={b.notCreated} errors={e} labels={labels} ids={ids} />
      {prefix
        ? (
          <>
            <div class="grid">
              <label>
                {labels.prefix}
                <input
                  id={id("prefix")}
                  name="prefix"
                  value={v.prefix ?? "user-"}
                  required
                  maxlength={40}
                  autocomplete="off"
                  dir="ltr"
                />
                <span class="hint">{b.prefixHint}</span>
                <FieldError error={e.prefix} />
              </label>
              <label>
                {labels.count}
                <input
                  id={id("count")}
                  name="count"
                  type="number"
                  min="1"
                  max={String(BATCH_MAX_USERS)}
                  value={v.count ?? "10"}
                  required
                />
                <span class="hint">{b.atMost(f.count(BATCH_MAX_USERS))}</span>
                <FieldError error={e.count} />
              </label>
              <label>
                {labels.start}
                <input
                  id={id("start")}
                  name="start"
                  type="number"
                  min="0"
                  value={v.start ?? "1"}
                />
                <FieldError error={e.start} />
              </label>
            </div>
            <div class="grid">
              <div class="field">
                <label for={id("trafficLimit")}>{labels.trafficLimit}</label>
                <div class="input-group">
                  <input
                    id={id("trafficLimit")}
                    name="trafficLimit"
                    inputmode="decimal"
                    value={v.trafficLimit ?? "0"}
                    dir="ltr"
                  />
                  <select name="trafficLimitUnit" aria-label={t.userForm.limitUnit}>
                    {QUOTA_UNITS.map((unit) => (
                      <option value={unit} selected={(v.trafficLimitUnit ?? "GB") === unit}>
                        {f.byteUnit(unit)}
                      </option>
                    ))}
                  </select>
                </div>
                <span class="hint">{b.unlimitedHint}</span>
                <FieldError error={e.trafficLimit} />
              </div>
              <label>
                {t.userForm.expiresAfter}
                <input
                  id={id("expiresAt")}
                  name="expiresOn"
                  type="date"
                  value={v.expiresOn ?? ""}
                />
                <FieldError error={e.expiresAt} />
              </label>
            </div>
          </>
        )
        : (
          <>
            <label>
              {b.csvFile}
              <input id={id("csv")} name="file" type="file" accept=".csv,text/csv,text/plain" />
            </label>
            <label>
              {b.orPaste}
              <textarea name="csv" rows={6} spellcheck={false} dir="ltr">{v.csv ?? ""}</textarea>
              <span class="hint">
                {b.csvLines} <code>name,quota,expiry</code>
              </span>
              <span class="hint">
                {b.csvQuota} <code>10 GB</code> <code>500 MB</code>
              </span>
              <span class="hint">
                {b.csvExpiry} <code>2030-12-31</code>
              </span>
              <span class="hint">{b.csvHeader}</span>
              <FieldError error={e.csv} />
            </label>
          </>
        )}
      <InboundBoxes id={id("inbounds")} inbounds={props.inbounds} checked={props.checked} />
      <FieldError error={e.inbounds} />
      <p class="actions">
        <button type="submit">{prefix ? b.create : b.import}</button>
        <a class="button secondary" href="/users">{t.common.cancel}</a>
      </p>
    </form>
  );
}

export function BatchPage(
  props: {
    csrfToken: string;
    username: string;
    prefix: BatchFormProps;
    csv: BatchFormProps;
  },
) {
  const { t } = useI18n();
  return (
    <Layout
      title={t.batch.title}
      active="users"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <p>
        <a href="/users">{t.users.back}</a>
      </p>
      <h1>{t.batch.title}</h1>
      <p class="muted">{t.batch.explained}</p>
      <section class="card">
        <h2>{t.batch.byPrefix}</h2>
        <BatchForm {...props.prefix} />
      </section>
      <section class="card">
        <h2>{t.batch.fromCsv}</h2>
        <BatchForm {...props.csv} />
      </section>
    </Layout>
  );
}
