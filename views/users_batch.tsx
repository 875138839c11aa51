/** Creating many users at once: by a name prefix and a count, or from a CSV file. */
import { BATCH_MAX_USERS } from "../core/users/bulk_input.ts";
import { QUOTA_UNITS } from "../core/users/user_fields.ts";
import { formatCount } from "../core/format.ts";
import { CsrfField, ErrorSummary, FieldError, fieldId, Layout } from "./layout.tsx";
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
  errors: Record<string, string>;
}

const LABELS: Record<string, string> = {
  prefix: "Name prefix",
  count: "Count",
  start: "First number",
  trafficLimit: "Traffic limit",
  expiresAt: "Expiry",
  inbounds: "Inbounds",
  csv: "CSV",
};

function InboundBoxes(props: { id: string; inbounds: InboundChoice[]; checked: string[] }) {
  if (props.inbounds.length === 0) {
    return <p class="muted">No inbounds yet; the users get none.</p>;
  }
  return (
    <fieldset id={props.id}>
      <legend>Inbounds</legend>
      <label class="inline">
        <input type="checkbox" data-check-all="inbounds" id={`${props.id}-all`} />
        <strong>All</strong>
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
            {!inbound.enabled && <span class="muted">(disabled)</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** One of the two forms; it re-renders itself (status 422) with every problem listed. */
export function BatchForm(props: BatchFormProps) {
  const v = props.values ?? {};
  const e = props.errors;
  const id = (key: string) => `${props.mode}-${fieldId(key)}`;
  const ids = Object.fromEntries(Object.keys(LABELS).map((key) => [key, id(key)]));
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
      <ErrorSummary title="No users were created:" errors={e} labels={LABELS} ids={ids} />
      {prefix
        ? (
          <>
            <div class="grid">
              <label>
                {LABELS.prefix}
                <input
                  id={id("prefix")}
                  name="prefix"
                  value={v.prefix ?? "user-"}
                  required
                  maxlength={40}
                  autocomplete="off"
                />
                <span class="hint">Names are the prefix and a number: user-01, user-02…</span>
                <FieldError error={e.prefix} />
              </label>
              <label>
                {LABELS.count}
                <input
                  id={id("count")}
                  name="count"
                  type="number"
                  min="1"
                  max={String(BATCH_MAX_USERS)}
                  value={v.count ?? "10"}
                  required
                />
                <span class="hint">At most {formatCount(BATCH_MAX_USERS)}</span>
                <FieldError error={e.count} />
              </label>
              <label>
                {LABELS.start}
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
                <label for={id("trafficLimit")}>{LABELS.trafficLimit}</label>
                <div class="input-group">
                  <input
                    id={id("trafficLimit")}
                    name="trafficLimit"
                    inputmode="decimal"
                    value={v.trafficLimit ?? "0"}
                  />
                  <select name="trafficLimitUnit" aria-label="Traffic limit unit">
                    {QUOTA_UNITS.map((unit) => (
                      <option value={unit} selected={(v.trafficLimitUnit ?? "GB") === unit}>
                        {unit}
                      </option>
                    ))}
                  </select>
                </div>
                <span class="hint">0 = unlimited</span>
                <FieldError error={e.trafficLimit} />
              </div>
              <label>
                Expires after (UTC; empty = never)
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
              CSV file
              <input id={id("csv")} name="file" type="file" accept=".csv,text/csv,text/plain" />
            </label>
            <label>
              …or paste the lines
              <textarea name="csv" rows={6} spellcheck={false}>{v.csv ?? ""}</textarea>
              <span class="hint">
                One user per line: <code>name,quota,expiry</code>. Quota like <code>10 GB</code> or
                {" "}
                <code>500 MB</code> (a number alone is GB; empty or 0 is unlimited); expiry{" "}
                <code>2030-12-31</code> or empty for never. A first line <code>name,…</code>{" "}
                is skipped.
              </span>
              <FieldError error={e.csv} />
            </label>
          </>
        )}
      <InboundBoxes id={id("inbounds")} inbounds={props.inbounds} checked={props.checked} />
      <FieldError error={e.inbounds} />
      <p class="actions">
        <button type="submit">{prefix ? "Create users" : "Import users"}</button>
        <a class="button secondary" href="/users">Cancel</a>
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
  return (
    <Layout
      title="Add many users"
      active="users"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <p>
        <a href="/users">← Users</a>
      </p>
      <h1>Add many users</h1>
      <p class="muted">
        Every user gets a generated UUID and password and starts enabled, with traffic reset never.
        All are created together, or none.
      </p>
      <section class="card">
        <h2>By name prefix</h2>
        <BatchForm {...props.prefix} />
      </section>
      <section class="card">
        <h2>From CSV</h2>
        <BatchForm {...props.csv} />
      </section>
    </Layout>
  );
}
